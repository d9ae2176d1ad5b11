"""What a server with authentication holds: one :class:`AuthRuntime`, built at start.

``create_app`` builds it when ``ServerSettings.auth_enabled`` is set and keeps it on the
app's :class:`~ardea.server.deps.ServerRuntime` (``runtime(request).auth``; None when auth is
off). Building it opens the auth store, makes sure there is an admin
(:func:`~ardea.auth.bootstrap.ensure_admin`: from the environment, or refuse to start), and
reads the OIDC settings. Everything per request reaches these objects, one of each per app:

- ``sessions``: the UI's login sessions (cookie ``ardea_session``, CSRF header
  ``X-CSRF-Token``; :mod:`ardea.auth.sessions`);
- ``limiter``: failed password logins per name and address;
- ``basic_cache`` / ``token_cache``: verified Basic credentials and tokens (5 s each: a
  password change, a disabled user or a revoked token on another replica takes effect here
  within that time);
- ``oidc``: the single sign-on client, or None without SSO;
- ``policy``: who may do what (:mod:`ardea.auth.policy`), asked by every route's rule;
- ``owners``: the experiment of each run, trace and logged model seen (never changes).
"""

from __future__ import annotations

import os
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ardea._core.env import ARDEA_OIDC_CLIENT_SECRET
from ardea._core.errors import FailedPreconditionError, InvalidArgumentError
from ardea.auth.bootstrap import ensure_admin
from ardea.auth.cache import CredentialCache
from ardea.auth.identity import Principal
from ardea.auth.oidc import OidcClient, OidcConfig, parse_group_roles
from ardea.auth.oidc_state import ReplayGuard, state_key
from ardea.auth.policy import SERVER_DEFAULT_PERMISSION, Policy
from ardea.auth.ratelimit import LoginRateLimiter
from ardea.auth.sessions import SessionManager
from ardea.entities.auth import Permission
from ardea.entities.workspace import PERMISSION_LEVELS
from ardea.server.owner_cache import OwnerCache
from ardea.store.auth import AuthStore
from ardea.store.backend import Backend

__all__ = [
    "BASIC_CACHE_TTL_S",
    "TOKEN_CACHE_TTL_S",
    "WORKSPACE_DEFAULT_TTL_S",
    "AuthRuntime",
    "AuthSettings",
    "WorkspaceDefaults",
    "default_permission",
    "oidc_config",
    "open_auth_runtime",
]

BASIC_CACHE_TTL_S = 5.0
"""Seconds a verified username and password are trusted without argon2 again (short: it is
how long another replica's password change or disabled user takes to reach this one; an
argon2 check per client every 5 s costs about 1% of a core)."""

TOKEN_CACHE_TTL_S = 5.0
"""Seconds a verified API token is trusted without a lookup."""

WORKSPACE_DEFAULT_TTL_S = 5.0
"""Seconds a workspace's default permission is remembered (a change there is dropped at once)."""


class AuthSettings(Protocol):
    """The fields of :class:`~ardea.server.deps.ServerSettings` that auth reads."""

    @property
    def auth_password_login(self) -> bool:
        """Whether the UI's password login is allowed."""

    @property
    def oidc_issuer(self) -> str:
        """The OIDC issuer ("": no SSO)."""

    @property
    def oidc_client_id(self) -> str:
        """The OIDC client id."""

    @property
    def oidc_client_secret_file(self) -> str:
        """A file holding the client secret ("": the environment's)."""

    @property
    def oidc_scopes(self) -> tuple[str, ...]:
        """Scopes asked for."""

    @property
    def oidc_groups_claim(self) -> str:
        """The groups claim."""

    @property
    def oidc_username_claims(self) -> tuple[str, ...]:
        """The username claims, in order."""

    @property
    def oidc_group_roles(self) -> tuple[str, ...]:
        """``GROUP=ROLE`` mappings."""

    @property
    def oidc_admin_group(self) -> str:
        """The admin group ("": none)."""

    @property
    def oidc_redirect_base_url(self) -> str:
        """The external base URL ("": the request's)."""

    @property
    def enable_workspaces(self) -> bool:
        """Whether the server runs with workspaces."""

    @property
    def auth_default_permission(self) -> str:
        """What a member without a grant may do (``READ`` unless configured)."""


class WorkspaceDefaults:
    """A workspace's own default permission, remembered a few seconds.

    Args:
        backend: The server's backend (its workspace store).
        ttl_s: How long an answer is kept.
    """

    def __init__(self, backend: Backend, ttl_s: float = WORKSPACE_DEFAULT_TTL_S) -> None:
        self._backend = backend
        self._ttl = ttl_s
        self._items: dict[str, tuple[float, Permission | None]] = {}
        self._lock = threading.Lock()

    def __call__(self, workspace: str) -> Permission | None:
        """The workspace's default permission (None: the server's, or no such workspace)."""
        now = time.monotonic()
        hit = self._items.get(workspace)
        if hit is not None and hit[0] > now:
            return hit[1]
        try:
            own = self._backend.workspaces.get_workspace(workspace).default_permission
        except LookupError:
            own = None
        level = Permission.parse(own) if own else None
        with self._lock:
            self._items[workspace] = (now + self._ttl, level)
        return level

    def forget(self, workspace: str | None = None) -> None:
        """Drop what is remembered of ``workspace`` (None: of all)."""
        with self._lock:
            if workspace is None:
                self._items.clear()
            else:
                self._items.pop(workspace, None)


def default_permission(value: str) -> Permission:
    """The server's default permission from its setting (one of MLflow's levels but DENY).

    Raises:
        InvalidArgumentError: Any other value.
    """
    text = (value or SERVER_DEFAULT_PERMISSION.value).strip().upper()
    if text not in PERMISSION_LEVELS:
        raise InvalidArgumentError(
            f"Invalid default permission {value!r}: use one of {', '.join(PERMISSION_LEVELS)}."
        )
    return Permission(text)


@dataclass(eq=False)
class AuthRuntime:
    """The auth objects of one app (see the module docstring).

    Attributes:
        store: Users, tokens, sessions, roles, grants and the audit log.
        sessions: Login sessions and their CSRF tokens.
        limiter: Failed-login limits (the login route and, later, Basic credentials).
        basic_cache: Verified Basic credentials.
        token_cache: Verified API tokens.
        password_login: Whether the UI's password login is allowed.
        oidc: Single sign-on, or None.
        oidc_state_key: Seals the OIDC login-state cookie.
        oidc_replays: Login states already used in this process.
        redirect_base_url: The external base URL for OIDC redirects ("" : the request's).
        policy: Who may do what (asked by the routes' rules).
        owners: The experiments of runs, traces and logged models already looked up.
        workspace_defaults: Workspaces' own default permissions (the policy's source).
        inline_checks: Ask the policy on the event loop, not in a pool thread: its one
            indexed read costs tens of microseconds on a SQLite file, less than the hop to
            a thread (PostgreSQL and MySQL answer over the network: a pool thread).
    """

    store: AuthStore
    sessions: SessionManager
    policy: Policy
    limiter: LoginRateLimiter = field(default_factory=LoginRateLimiter)
    basic_cache: CredentialCache[Principal] = field(
        default_factory=lambda: CredentialCache(BASIC_CACHE_TTL_S)
    )
    token_cache: CredentialCache[Principal] = field(
        default_factory=lambda: CredentialCache(TOKEN_CACHE_TTL_S)
    )
    password_login: bool = True
    oidc: OidcClient | None = None
    oidc_state_key: bytes = field(default=b"", repr=False)
    oidc_replays: ReplayGuard = field(default_factory=ReplayGuard)
    redirect_base_url: str = ""
    owners: OwnerCache = field(default_factory=OwnerCache)
    workspace_defaults: WorkspaceDefaults | None = None
    inline_checks: bool = False


def _client_secret(settings: AuthSettings, env: Mapping[str, str]) -> str | None:
    path = settings.oidc_client_secret_file
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise FailedPreconditionError(
                f"Cannot read the OIDC client secret file {path!r}: {exc.strerror or exc}."
            ) from None
        secret = text.strip()
        if not secret:
            raise FailedPreconditionError(f"The OIDC client secret file {path!r} is empty.")
        return secret
    return env.get(ARDEA_OIDC_CLIENT_SECRET) or None


def oidc_config(settings: AuthSettings, env: Mapping[str, str] | None = None) -> OidcConfig | None:
    """The OIDC configuration of ``settings`` (None without ``oidc_issuer``).

    Raises:
        InvalidArgumentError: A bad issuer, no client id, a bad group mapping.
        FailedPreconditionError: The client secret file cannot be read.
    """
    if not settings.oidc_issuer:
        return None
    values = os.environ if env is None else env
    return OidcConfig(
        issuer=settings.oidc_issuer,
        client_id=settings.oidc_client_id,
        client_secret=_client_secret(settings, values),
        scopes=settings.oidc_scopes,
        groups_claim=settings.oidc_groups_claim,
        username_claims=settings.oidc_username_claims,
        group_roles=parse_group_roles(settings.oidc_group_roles),
        admin_group=settings.oidc_admin_group or None,
    )


def _base_url(value: str) -> str:
    """A checked external base URL (``https://host[:port][/prefix]``), without a final ``/``."""
    if not value:
        return ""
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise InvalidArgumentError(
            f"Invalid OIDC redirect base URL {value!r}: use the server's external URL, e.g. "
            "https://ardea.example.com."
        )
    return value.rstrip("/")


def open_auth_runtime(
    settings: AuthSettings,
    backend: Backend,
    *,
    env: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] | None = None,
) -> AuthRuntime:
    """Open the auth store, ensure an admin, and build the :class:`AuthRuntime`.

    Args:
        settings: The server's settings (auth and OIDC).
        backend: The server's backend (its database holds the users).
        env: The environment (admin password, client secret); default ``os.environ``.
        prompt: Asks for the first admin's password when the environment has none.

    Raises:
        FailedPreconditionError: No admin and no password to create one, password login
            off without SSO, ``authlib`` missing for SSO, or a REST backend.
        InvalidArgumentError: Bad OIDC settings.
    """
    values = os.environ if env is None else env
    config = oidc_config(settings, values)
    base_url = _base_url(settings.oidc_redirect_base_url)
    if not settings.auth_password_login and config is None:
        raise FailedPreconditionError(
            "Password login can only be turned off with single sign-on: set --oidc-issuer "
            "(ARDEA_OIDC_ISSUER) and --oidc-client-id too, or keep --password-login."
        )
    server_default = default_permission(settings.auth_default_permission)
    store = backend.require_auth()
    ensure_admin(store, values, prompt=prompt)
    client = OidcClient(config) if config is not None else None
    defaults = WorkspaceDefaults(backend)
    policy = Policy(
        store,
        workspaces_enabled=settings.enable_workspaces,
        default_permission=server_default,
        workspace_default=defaults,
    )
    return AuthRuntime(
        store=store,
        sessions=SessionManager(store),
        password_login=settings.auth_password_login,
        oidc=client,
        oidc_state_key=state_key(config.client_secret if config else None, values),
        redirect_base_url=base_url,
        policy=policy,
        workspace_defaults=defaults,
        inline_checks=_local_file_database(store),
    )


def _local_file_database(store: AuthStore) -> bool:
    """Whether ``store`` reads a SQLite file: fast, local reads.

    Not an in-memory database, whose reads queue behind its writer.
    """
    database = getattr(store, "database", None)
    return bool(getattr(database, "is_sqlite", False)) and not getattr(database, "memory", True)
