"""Where a provider's key, base URL and options come from, and :class:`Secret`, which hides them.

Each setting is taken from the first of:

1. the argument given to :func:`ardea.llm.get_client` (``api_key=``, ``base_url=``, ...);
2. the provider's usual environment variables, as its own SDK reads them
   (``OPENAI_API_KEY``/``OPENAI_BASE_URL``, ``AZURE_OPENAI_API_KEY``/``AZURE_OPENAI_ENDPOINT``/
   ``OPENAI_API_VERSION``, ``ANTHROPIC_API_KEY``/``ANTHROPIC_BASE_URL``,
   ``GOOGLE_API_KEY``/``GEMINI_API_KEY``, ``MISTRAL_API_KEY``, ``AWS_ACCESS_KEY_ID``/
   ``AWS_SECRET_ACCESS_KEY``/``AWS_SESSION_TOKEN``/``AWS_REGION``, ...);
3. the credentials file, ``~/.ardea/credentials.toml`` (or ``$ARDEA_CREDENTIALS_FILE``): one
   table per provider scheme, e.g. ::

       [openai]
       api_key = "sk-..."

       [azure]
       api_key = "..."
       base_url = "https://my-resource.openai.azure.com"
       api_version = "2024-10-21"

       [bedrock]
       region = "us-east-1"
       aws_access_key_id = "AKIA..."
       aws_secret_access_key = "..."

       [my-vllm]                       # any other name: an OpenAI-compatible server
       base_url = "http://gpu-box:8000/v1"
       api_key = "..."
       headers = { "X-Team" = "search" }

Keys are held in :class:`Secret`: their ``repr`` and ``str`` are ``'***'``, so a client, a
config, a log line or an exception never shows one. The value is read only when a request's
headers are built.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ardea._core import context, env
from ardea._core.errors import InvalidArgumentError
from ardea.llm.errors import ConfigurationError
from ardea.llm.uri import ModelRef, ProviderSpec

__all__ = [
    "DEFAULT_AZURE_API_VERSION",
    "ProviderConfig",
    "Secret",
    "credentials_file",
    "load_credentials_file",
    "resolve_config",
]

DEFAULT_AZURE_API_VERSION = "2024-10-21"
"""Azure OpenAI ``api-version`` when neither ``api_version=`` nor ``OPENAI_API_VERSION`` says."""


class Secret:
    """A credential: shown as ``'***'`` everywhere; :meth:`reveal` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret value, for building a request."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)


def _secret(value: str | Secret | None) -> Secret | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Secret) else Secret(str(value))


@dataclass(frozen=True)
class ProviderConfig:
    """Everything needed to call one provider, resolved; hashable, secrets hidden.

    Clients with equal configs share one HTTP connection pool and one rate limiter.

    Attributes:
        provider: Canonical provider name (or the credentials-file section of a custom one).
        wire: The adapter (``openai``, ``azure``, ``anthropic``, ``gemini``, ``bedrock``).
        base_url: Where requests go (no trailing ``/``).
        api_key: The API key (``None`` for keyless local servers and SigV4).
        bearer: A bearer token used instead of a key (Azure AD, ``ANTHROPIC_AUTH_TOKEN``,
            ``AWS_BEARER_TOKEN_BEDROCK``, the tracking server's token for ``gateway:/``).
        basic_auth: ``(user, password)`` for ``gateway:/`` on a server with basic auth.
        headers: Extra headers sent with every request (values hidden in the repr).
        api_version: Azure OpenAI's ``api-version``.
        region: AWS region (Bedrock).
        aws_access_key_id: AWS access key id (Bedrock).
        aws_secret_access_key: AWS secret key (Bedrock).
        aws_session_token: AWS session token (Bedrock), if any.
        price_provider: Price table section for costs (``""``: never priced).
        missing: Why the config cannot make a call (raised as :class:`ConfigurationError`
            at call time, so that building a client never fails for want of a key).
    """

    provider: str
    wire: str
    base_url: str
    api_key: Secret | None = None
    bearer: Secret | None = None
    basic_auth: tuple[str, Secret] | None = None
    headers: tuple[tuple[str, Secret], ...] = ()
    api_version: str | None = None
    region: str | None = None
    aws_access_key_id: str | None = None
    aws_secret_access_key: Secret | None = None
    aws_session_token: Secret | None = None
    price_provider: str | None = None
    missing: str | None = field(default=None, compare=False)

    def fingerprint(self) -> str:
        """A hash of the whole config (secrets included): the key of shared pools/limiters."""
        return self._fingerprint

    @functools.cached_property
    def _fingerprint(self) -> str:
        """:meth:`fingerprint`, computed once (the config is frozen; asked on every call)."""
        h = hashlib.sha256()
        for value in (
            self.provider,
            self.wire,
            self.base_url,
            self.api_version,
            self.region,
            self.aws_access_key_id,
            self.price_provider,
            *(
                s.reveal() if s else ""
                for s in (
                    self.api_key,
                    self.bearer,
                    self.aws_secret_access_key,
                    self.aws_session_token,
                )
            ),
            *(f"{k}={v.reveal()}" for k, v in self.headers),
            f"{self.basic_auth[0]}:{self.basic_auth[1].reveal()}" if self.basic_auth else "",
        ):
            h.update(str(value or "").encode() + b"\0")
        return h.hexdigest()[:32]

    def secrets(self) -> tuple[str, ...]:
        """Every secret value, for masking provider error bodies."""
        found = [
            s.reveal()
            for s in (self.api_key, self.bearer, self.aws_secret_access_key, self.aws_session_token)
            if s
        ]
        found += [v.reveal() for _, v in self.headers]
        if self.basic_auth:
            found.append(self.basic_auth[1].reveal())
        return tuple(found)

    def require(self) -> None:
        """Raise :class:`ConfigurationError` when this config cannot make a call."""
        if self.missing:
            raise ConfigurationError(self.missing)


# ---------------------------------------------------------------------- credentials file

_file_lock = threading.Lock()
_file_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def credentials_file() -> Path:
    """``$ARDEA_CREDENTIALS_FILE``, else ``~/.ardea/credentials.toml``."""
    configured = env.get(env.ARDEA_CREDENTIALS_FILE)
    return (
        Path(configured).expanduser() if configured else Path.home() / ".ardea" / "credentials.toml"
    )


def load_credentials_file(path: Path | None = None) -> dict[str, Any]:
    """The credentials file's tables (``{}`` when there is no file), re-read when it changes.

    Raises:
        InvalidArgumentError: The file is not valid TOML (the message names the file, never
            its contents).
    """
    path = path or credentials_file()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return {}
    key = str(path)
    with _file_lock:
        cached = _file_cache.get(key)
        if cached is not None and cached[0] == mtime:
            return cached[1]
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidArgumentError(
            f"The credentials file {path} cannot be read as TOML ({type(exc).__name__})"
        ) from None
    with _file_lock:
        _file_cache[key] = (mtime, data)
    return data


def _section(ref: ModelRef) -> dict[str, Any]:
    data = load_credentials_file()
    for name in (ref.scheme, ref.scheme.lower(), ref.provider.name if ref.provider else None):
        if name and isinstance(data.get(name), Mapping):
            return dict(data[name])
    return {}


# ---------------------------------------------------------------------- resolution


def _first(*values: Any) -> Any:
    return next((v for v in values if v not in (None, "")), None)


def _env(*names: str) -> str | None:
    return env.get(*names) if names else None


def _ollama_host() -> str | None:
    host = os.environ.get("OLLAMA_HOST")
    if not host:
        return None
    if "://" not in host:
        host = f"http://{host}"
    return host.rstrip("/") + "/v1"


def _tracking_base() -> str | None:
    uri = context.configured_tracking_uri() or env.get(
        env.ARDEA_TRACKING_URI, env.MLFLOW_TRACKING_URI
    )
    if not uri or not uri.startswith(("http://", "https://")):
        return None
    return uri.rstrip("/") + "/gateway/mlflow/v1"


def resolve_config(
    ref: ModelRef,
    *,
    base_url: str | None = None,
    api_key: str | Secret | None = None,
    extra_headers: Mapping[str, str] | None = None,
    api_version: str | None = None,
    region: str | None = None,
) -> ProviderConfig:
    """The :class:`ProviderConfig` for ``ref``: arguments, then environment, then file.

    Raises:
        InvalidArgumentError: ``ref`` names a scheme Ardea does not know and the credentials
            file has no ``base_url`` for it.
    """
    section = _section(ref)
    spec = ref.provider
    if spec is None:
        if not _first(base_url, section.get("base_url")):
            raise InvalidArgumentError(
                f"Unknown model provider {ref.scheme!r} in {ref.scheme}:/{ref.model}: use one of "
                "openai, azure, anthropic, gemini, mistral, bedrock, openai-compatible, ollama, "
                f"vllm, gateway, ... or add a [{ref.scheme}] table with a base_url to "
                f"{credentials_file()}"
            )
        spec = ProviderSpec(ref.scheme, "openai", None, (), (), "", needs_key=False)
    headers = {str(k): str(v) for k, v in (section.get("headers") or {}).items()}
    headers.update({str(k): str(v) for k, v in (extra_headers or {}).items()})
    common: dict[str, Any] = {
        "provider": spec.name,
        "wire": spec.wire,
        "price_provider": spec.price_provider,
        "headers": tuple((k, Secret(v)) for k, v in sorted(headers.items())),
    }
    key = _secret(_first(api_key, _env(*spec.key_env), section.get("api_key")))
    url = _first(base_url, _env(*spec.base_url_env), section.get("base_url"), spec.base_url)
    missing: str | None = None
    if spec.name == "ollama":
        url = _first(base_url, _ollama_host(), section.get("base_url"), spec.base_url)
    if spec.name == "bedrock":
        return _bedrock(ref, section, common, base_url, region, key)
    if spec.name == "gateway":
        return _gateway(section, common, base_url, key)
    bearer = None
    version = None
    if spec.name == "azure":
        version = _first(
            api_version,
            _env("OPENAI_API_VERSION"),
            section.get("api_version"),
            DEFAULT_AZURE_API_VERSION,
        )
        if key is None:
            bearer = _secret(_env("AZURE_OPENAI_AD_TOKEN"))
    if spec.name == "anthropic" and key is None:
        bearer = _secret(_env("ANTHROPIC_AUTH_TOKEN"))
    if spec.name == "openai":
        for header, var in (
            ("OpenAI-Organization", "OPENAI_ORG_ID"),
            ("OpenAI-Project", "OPENAI_PROJECT_ID"),
        ):
            value = _env(var)
            if value and header not in headers:
                common["headers"] += ((header, Secret(value)),)
    if not url:
        hint = " or ".join([*spec.base_url_env, "base_url="]) if spec.base_url_env else "base_url="
        missing = f"{spec.name}:/ needs a base URL: set {hint}"
    elif key is None and bearer is None and spec.needs_key:
        names = " or ".join(spec.key_env)
        missing = (
            f"No API key for {spec.name}:/{ref.model}: set {names}, pass api_key=, or "
            f"add api_key to the [{spec.name}] table of {credentials_file()}"
        )
    return ProviderConfig(
        **common,
        base_url=str(url or "").rstrip("/"),
        api_key=key,
        bearer=bearer,
        api_version=version,
        missing=missing,
    )


def _bedrock(
    ref: ModelRef,
    section: dict[str, Any],
    common: dict[str, Any],
    base_url: str | None,
    region: str | None,
    key: Secret | None,
) -> ProviderConfig:
    region = _first(region, _env("AWS_REGION", "AWS_DEFAULT_REGION"), section.get("region"))
    access = _first(_env("AWS_ACCESS_KEY_ID"), section.get("aws_access_key_id"))
    secret = _secret(_first(_env("AWS_SECRET_ACCESS_KEY"), section.get("aws_secret_access_key")))
    token = _secret(_first(_env("AWS_SESSION_TOKEN"), section.get("aws_session_token")))
    bearer = _secret(
        _first(
            key.reveal() if key else None,
            _env("AWS_BEARER_TOKEN_BEDROCK"),
            section.get("bearer_token"),
        )
    )
    url = _first(base_url, section.get("base_url"))
    if not url and region:
        url = f"https://bedrock-runtime.{region}.amazonaws.com"
    missing = None
    if not region:
        missing = (
            "bedrock:/ needs a region: set AWS_REGION, pass region=, or add region to [bedrock]"
        )
    elif bearer is None and not (access and secret):
        missing = (
            "No AWS credentials for bedrock:/: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_BEARER_TOKEN_BEDROCK, "
            f"or add them to the [bedrock] table of {credentials_file()}"
        )
    return ProviderConfig(
        **common,
        base_url=str(url or "").rstrip("/"),
        bearer=bearer,
        region=region,
        aws_access_key_id=access,
        aws_secret_access_key=secret,
        aws_session_token=token,
        missing=missing,
    )


def _gateway(
    section: dict[str, Any], common: dict[str, Any], base_url: str | None, key: Secret | None
) -> ProviderConfig:
    url = _first(base_url, section.get("base_url"), _tracking_base())
    bearer = _secret(
        _first(_env(env.ARDEA_TRACKING_TOKEN, "MLFLOW_TRACKING_TOKEN"), section.get("token"))
    )
    user = _env(env.ARDEA_TRACKING_USERNAME, "MLFLOW_TRACKING_USERNAME")
    password = _env(env.ARDEA_TRACKING_PASSWORD, "MLFLOW_TRACKING_PASSWORD")
    missing = None
    if not url:
        missing = (
            "gateway:/ needs an http(s) tracking URI (ardea.set_tracking_uri, "
            "ARDEA_TRACKING_URI or MLFLOW_TRACKING_URI) or base_url="
        )
    return ProviderConfig(
        **common,
        base_url=(url or "").rstrip("/"),
        api_key=key,
        bearer=bearer,
        basic_auth=(user, Secret(password)) if user and password else None,
        missing=missing,
    )
