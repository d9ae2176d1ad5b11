"""OpenID Connect single sign-on, the relying party's side, with ``authlib`` (``ardea[sso]``).

The authorization code flow with PKCE (S256), as OpenID Connect Core 1.0 section 3.1
describes it:

1. :meth:`OidcClient.authorization_url`: the provider's authorization endpoint (from
   discovery, ``<issuer>/.well-known/openid-configuration``) with ``state``, ``nonce`` and
   ``code_challenge`` from a :class:`~ardea.auth.oidc_state.LoginState`.
2. :meth:`OidcClient.callback_code` checks the callback's parameters against that state;
   :meth:`OidcClient.finish` exchanges the code at the token endpoint (with the PKCE
   verifier and the client's credentials) and validates the ID token: its signature
   against the provider's JWKS (asymmetric algorithms only; the key set is fetched again
   once when a token names an unknown key), ``iss``, ``aud`` (and ``azp``), ``exp``,
   ``iat`` and ``nonce``. Claims the ID token lacks (the username or groups claim) are
   taken from the userinfo endpoint when there is one, for the same ``sub``.

Every failure is an :class:`~ardea._core.errors.ArdeaError` with a message for a person:
never a stack trace, never the client secret, never a token. What to do with the claims
(find or create the user, map groups to roles) is :mod:`ardea.auth.oidc_users`.

``authlib`` is imported when a client is built: a server without SSO never needs it.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ardea._core.errors import (
    FailedPreconditionError,
    InvalidArgumentError,
    UnauthenticatedError,
    UpstreamError,
)
from ardea.auth.oidc_state import LoginState
from ardea.entities.auth import DEFAULT_WORKSPACE, validate_workspace_name

if TYPE_CHECKING:  # imported when SSO first calls out: httpx loads its CLI's click and rich
    import httpx

__all__ = [
    "DEFAULT_SCOPES",
    "DEFAULT_USERNAME_CLAIMS",
    "GroupRole",
    "OidcClient",
    "OidcConfig",
    "parse_group_roles",
    "require_authlib",
]

DEFAULT_SCOPES = ("openid", "profile", "email")
"""Scopes asked for unless configured (add the provider's groups scope if it has one)."""

DEFAULT_USERNAME_CLAIMS = ("preferred_username", "email")
"""Claims tried in order for the username."""

SIGNING_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
"""ID token signatures accepted: asymmetric only (no ``none``, no HMAC with a shared secret)."""

_DISCOVERY_PATH = "/.well-known/openid-configuration"
_METADATA_TTL_S = 3600.0
_JWKS_REFRESH_MIN_S = 10.0
_LOOPBACK_NAMES = frozenset({"localhost"})
_log = logging.getLogger(__name__)


def require_authlib() -> None:
    """Raise a clear error when ``authlib`` (the ``ardea[sso]`` extra) is not installed."""
    try:
        import authlib  # noqa: F401
    except ImportError:
        raise FailedPreconditionError(
            "Single sign-on needs the authlib package: pip install 'ardea[sso]'."
        ) from None


@dataclass(frozen=True, slots=True)
class GroupRole:
    """One mapping: members of ``group`` hold the role ``role`` of ``workspace``."""

    group: str
    role: str
    workspace: str = DEFAULT_WORKSPACE


def parse_group_roles(entries: Iterable[str]) -> tuple[GroupRole, ...]:
    """``GROUP=ROLE`` or ``GROUP=WORKSPACE/ROLE`` entries as :class:`GroupRole` values.

    A role name that contains ``/`` is written with its workspace (``default/a/b``).

    Raises:
        InvalidArgumentError: An entry without ``=``, an empty group or role, or a bad
            workspace name.
    """
    out: list[GroupRole] = []
    for raw in entries:
        entry = raw.strip()
        group, sep, target = entry.partition("=")
        group, target = group.strip(), target.strip()
        if not sep or not group or not target:
            raise InvalidArgumentError(
                f"Invalid OIDC group mapping {raw!r}: write GROUP=ROLE or GROUP=WORKSPACE/ROLE."
            )
        workspace, slash, role = target.partition("/")
        if not slash:
            workspace, role = DEFAULT_WORKSPACE, target
        if not role:
            raise InvalidArgumentError(f"Invalid OIDC group mapping {raw!r}: the role is empty.")
        out.append(GroupRole(group, role, validate_workspace_name(workspace)))
    return tuple(out)


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class OidcConfig:
    """How to reach and trust one OpenID provider.

    Attributes:
        issuer: The issuer URL (``https://``; ``http://`` only on a loopback address). Its
            discovery document must name exactly this issuer.
        client_id: The client id registered at the provider.
        client_secret: The client secret (None: a public client, PKCE only). Never in
            ``repr``, logs or answers.
        scopes: Scopes asked for; ``openid`` is added when missing.
        groups_claim: The claim that lists the user's groups.
        username_claims: Claims tried in order for the username.
        group_roles: Groups mapped to roles.
        admin_group: Members are admins, non-members are not (None: SSO leaves admins alone).
        leeway_s: Clock skew allowed on ``exp``, ``iat`` and ``nbf``.
        timeout_s: Timeout of each request to the provider.
    """

    issuer: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    groups_claim: str = "groups"
    username_claims: tuple[str, ...] = DEFAULT_USERNAME_CLAIMS
    group_roles: tuple[GroupRole, ...] = ()
    admin_group: str | None = None
    leeway_s: int = 60
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        issuer = self.issuer.rstrip("/")
        parts = urllib.parse.urlsplit(issuer)
        local_http = parts.scheme == "http" and _is_loopback(parts.hostname or "")
        if not parts.hostname or (parts.scheme != "https" and not local_http):
            raise InvalidArgumentError(
                f"Invalid OIDC issuer {self.issuer!r}: use an https:// URL (http:// only on "
                "a loopback address, for tests)."
            )
        if parts.query or parts.fragment:
            raise InvalidArgumentError(f"Invalid OIDC issuer {self.issuer!r}: no query.")
        if not self.client_id:
            raise InvalidArgumentError("OIDC needs a client id (--oidc-client-id).")
        if not self.groups_claim or not self.username_claims:
            raise InvalidArgumentError("OIDC needs a groups claim and a username claim.")
        object.__setattr__(self, "issuer", issuer)
        scopes = tuple(dict.fromkeys(s for s in self.scopes if s))
        if "openid" not in scopes:
            scopes = ("openid", *scopes)
        object.__setattr__(self, "scopes", scopes)
        object.__setattr__(self, "admin_group", self.admin_group or None)
        object.__setattr__(self, "client_secret", self.client_secret or None)


def _reason(exc: Exception) -> str:
    """A short, secret-free reason for an ID token that failed validation."""
    from joserfc import errors

    claim = getattr(exc, "claim", None)
    if isinstance(exc, errors.BadSignatureError):
        return "its signature does not verify"
    if isinstance(exc, errors.ExpiredTokenError):
        return "it has expired"
    if isinstance(exc, errors.MissingClaimError):
        return f"it lacks the claim {claim or exc.description!s}"
    if isinstance(exc, errors.InvalidClaimError):
        return f"its claim {claim or exc.description!s} is wrong"
    if isinstance(exc, (errors.UnsupportedAlgorithmError, errors.InvalidKeyIdError)):
        return "it is signed with an algorithm or key the provider does not publish"
    return "it cannot be decoded"


class OidcClient:
    """The relying party of one provider: discovery, authorization URLs, the code exchange.

    Args:
        config: The provider and client.
        transport: An httpx transport for the provider's endpoints (tests; default network).
        clock: Epoch seconds (tests pass their own).

    Thread-safe: the discovery document and key set are cached and refreshed under a lock.
    """

    def __init__(
        self,
        config: OidcConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        require_authlib()
        self.config = config
        self._transport = transport
        self._clock = clock
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._jwks: dict[str, Any] | None = None
        self._jwks_at = 0.0

    # -- the provider's documents ----------------------------------------------------------

    def _http(self) -> httpx.Client:
        import httpx

        return httpx.Client(
            timeout=self.config.timeout_s, transport=self._transport, follow_redirects=False
        )

    def _get_json(self, url: str, what: str, headers: Mapping[str, str] | None = None) -> Any:
        import httpx

        try:
            with self._http() as http:
                response = http.get(url, headers=dict(headers or {}))
        except httpx.HTTPError as exc:
            raise UpstreamError(
                f"The identity provider could not be reached for its {what} ({type(exc).__name__})."
            ) from None
        if response.status_code != 200:
            raise UpstreamError(
                f"The identity provider answered {response.status_code} for its {what}."
            )
        try:
            return response.json()
        except ValueError:
            raise UpstreamError(f"The identity provider's {what} is not JSON.") from None

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (cached for an hour).

        Raises:
            UpstreamError: Unreachable, not JSON, another issuer, or missing endpoints.
        """
        with self._lock:
            if self._metadata is not None and self._clock() - self._metadata_at < _METADATA_TTL_S:
                return self._metadata
        found = self._get_json(self.config.issuer + _DISCOVERY_PATH, "discovery document")
        if not isinstance(found, dict) or found.get("issuer", "").rstrip("/") != self.config.issuer:
            raise UpstreamError(
                "The identity provider's discovery document names another issuer than "
                f"{self.config.issuer!r}."
            )
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(found.get(key), str):
                raise UpstreamError(f"The identity provider's discovery document lacks {key}.")
        with self._lock:
            self._metadata, self._metadata_at = found, self._clock()
        return found

    def _key_set(self, *, refresh: bool = False) -> Any:
        from joserfc.jwk import KeySet

        with self._lock:
            cached = self._jwks
            recent = self._clock() - self._jwks_at < _JWKS_REFRESH_MIN_S
        if cached is None or (refresh and not recent):
            cached = self._get_json(self.metadata()["jwks_uri"], "key set")
            if not isinstance(cached, dict) or not isinstance(cached.get("keys"), list):
                raise UpstreamError("The identity provider's key set is not a JWK set.")
            with self._lock:
                self._jwks, self._jwks_at = cached, self._clock()
        try:
            return KeySet.import_key_set(cached)  # type: ignore[arg-type]
        except Exception:  # any malformed key set is the provider's fault
            raise UpstreamError("The identity provider's key set cannot be read.") from None

    # -- the flow --------------------------------------------------------------------------

    def authorization_url(self, login: LoginState, redirect_uri: str) -> str:
        """The provider URL that starts ``login`` (state, nonce, PKCE S256 challenge)."""
        from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
        from authlib.oauth2.rfc7636 import create_s256_code_challenge

        url: str = prepare_grant_uri(
            self.metadata()["authorization_endpoint"],
            client_id=self.config.client_id,
            response_type="code",
            redirect_uri=redirect_uri,
            scope=" ".join(self.config.scopes),
            state=login.state,
            nonce=login.nonce,
            code_challenge=create_s256_code_challenge(login.verifier),
            code_challenge_method="S256",
        )
        return url

    @staticmethod
    def callback_code(params: Mapping[str, str], login: LoginState) -> str:
        """The code of a callback whose ``state`` matches ``login`` (checked in constant time).

        Raises:
            UnauthenticatedError: The provider refused the login (``error`` parameter).
            InvalidArgumentError: A state that does not match, or no code.
        """
        import hmac

        error = params.get("error")
        if error:
            _log.info(
                "OIDC provider refused a login: %s (%s)", error, params.get("error_description")
            )
            raise UnauthenticatedError(
                f"The identity provider did not sign you in ({error[:64]}): try again, or ask "
                "an admin."
            )
        sent_state = params.get("state") or ""
        if not hmac.compare_digest(sent_state.encode("utf-8"), login.state.encode("utf-8")):
            raise InvalidArgumentError(
                "The single sign-on answer does not belong to this login (state mismatch): "
                "start the login again."
            )
        code = params.get("code")
        if not code:
            raise InvalidArgumentError("The single sign-on answer carries no code.")
        return code

    def finish(self, code: str, login: LoginState, redirect_uri: str) -> dict[str, Any]:
        """Exchange ``code`` (from :meth:`callback_code`) and return the user's claims.

        Raises:
            UnauthenticatedError: The ID token is missing or invalid.
            InvalidArgumentError: The provider refuses the code (used already, expired).
            UpstreamError: The provider could not be reached or answered nonsense.
        """
        tokens = self._exchange(code, login, redirect_uri)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise UnauthenticatedError(
                "The identity provider sent no ID token (is the openid scope allowed for "
                "this client?)."
            )
        access = tokens.get("access_token")
        access_token = access if isinstance(access, str) else None
        claims = self.validate_id_token(id_token, nonce=login.nonce, access_token=access_token)
        return self._with_userinfo(claims, access_token)

    def _exchange(self, code: str, login: LoginState, redirect_uri: str) -> dict[str, Any]:
        from authlib.common.urls import url_encode
        from authlib.oauth2.auth import ClientAuth

        metadata = self.metadata()
        secret = self.config.client_secret
        methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        if secret is None:
            method = "none"
        elif "client_secret_basic" in methods or "client_secret_post" not in methods:
            method = "client_secret_basic"
        else:
            method = "client_secret_post"
        form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", login.verifier),
        ]
        url = metadata["token_endpoint"]
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        auth = ClientAuth(self.config.client_id, secret, method)
        url, headers, body = auth.prepare("POST", url, headers, url_encode(form))
        import httpx

        try:
            with self._http() as http:
                response = http.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise UpstreamError(
                f"The identity provider could not be reached for the token ({type(exc).__name__})."
            ) from None
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code == 200 and isinstance(data, dict):
            return data
        error = data.get("error") if isinstance(data, dict) else None
        if response.status_code in (400, 401) and isinstance(error, str):
            _log.info("OIDC token endpoint refused a code: %s", error)
            if error == "invalid_client":
                raise UpstreamError(
                    "The identity provider does not accept this server's client credentials."
                )
            raise InvalidArgumentError(
                f"The identity provider refused the sign-in code ({error[:64]}): it was used "
                "already, has expired, or belongs to another login. Start the login again."
            )
        raise UpstreamError(f"The identity provider answered {response.status_code} for the token.")

    def validate_id_token(
        self, id_token: str, *, nonce: str, access_token: str | None = None
    ) -> dict[str, Any]:
        """The claims of ``id_token`` once its signature and claims check out.

        Raises:
            UnauthenticatedError: A bad signature or claim (the message says which).
        """
        from authlib.oidc.core import CodeIDToken
        from joserfc import jwt
        from joserfc.errors import InvalidKeyIdError, JoseError

        allowed = self.metadata().get("id_token_signing_alg_values_supported")
        algorithms = [a for a in SIGNING_ALGORITHMS if not allowed or a in allowed]
        try:
            try:
                token = jwt.decode(id_token, self._key_set(), algorithms=algorithms)
            except (InvalidKeyIdError, ValueError):  # a rotated key: fetch the set once more
                token = jwt.decode(id_token, self._key_set(refresh=True), algorithms=algorithms)
            claims = CodeIDToken(
                token.claims,
                token.header,
                {
                    "iss": {"essential": True, "value": self.config.issuer},
                    "aud": {"essential": True, "value": self.config.client_id},
                    "exp": {"essential": True},
                },
                {"nonce": nonce, "client_id": self.config.client_id, "access_token": access_token},
            )
            claims.validate(now=int(self._clock()), leeway=self.config.leeway_s)
        except (JoseError, ValueError) as exc:
            _log.info("Rejected an ID token: %s", _reason(exc))
            raise UnauthenticatedError(
                f"The identity provider's ID token was refused: {_reason(exc)}."
            ) from None
        return dict(claims)

    def _with_userinfo(self, claims: dict[str, Any], access_token: str | None) -> dict[str, Any]:
        """``claims`` completed from the userinfo endpoint when they lack a claim Ardea reads."""
        wanted = (*self.config.username_claims, self.config.groups_claim)
        endpoint = self.metadata().get("userinfo_endpoint")
        if all(k in claims for k in wanted) or not access_token or not isinstance(endpoint, str):
            return claims
        info = self._get_json(endpoint, "user info", {"Authorization": f"Bearer {access_token}"})
        if not isinstance(info, dict) or info.get("sub") != claims.get("sub"):
            raise UnauthenticatedError("The identity provider's user info is for another user.")
        return {**info, **claims}
