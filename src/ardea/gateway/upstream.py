"""Where a model target's requests go: the provider's API dialect, URL and headers.

An :class:`Upstream` is built once per target and configuration generation (credentials
included, from :meth:`GatewaySource.credentials`), so the request path only joins a URL and
copies a header dict. Its ``repr`` never shows a header value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ardea.gateway.config import ModelTarget
from ardea.llm.credentials import ProviderConfig, Secret

__all__ = ["Api", "Upstream", "api_of", "build_upstream"]

Api = Literal["openai", "anthropic", "gemini"]
"""The wire dialect of a provider (and of a caller's route)."""

_ANTHROPIC = frozenset({"anthropic"})
_GEMINI = frozenset({"gemini"})
_DEFAULT_BASE: dict[str, str] = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "gemini": "https://generativelanguage.googleapis.com",
    "mistral": "https://api.mistral.ai/v1",
    "groq": "https://api.groq.com/openai/v1",
    "deepseek": "https://api.deepseek.com/v1",
    "xai": "https://api.x.ai/v1",
    "togetherai": "https://api.together.xyz/v1",
    "openrouter": "https://openrouter.ai/api/v1",
}
ANTHROPIC_VERSION = "2023-06-01"
"""The ``anthropic-version`` header sent when the caller did not send one."""


def api_of(provider: str) -> Api:
    """The wire dialect of ``provider`` (everything not Anthropic or Gemini speaks OpenAI's)."""
    if provider in _ANTHROPIC:
        return "anthropic"
    if provider in _GEMINI:
        return "gemini"
    return "openai"


@dataclass(frozen=True, slots=True)
class Upstream:
    """One target, ready to call.

    Attributes:
        target: The model target.
        api: Its wire dialect.
        base_url: The provider's base URL (no trailing ``/``).
        headers: Headers of every request, credentials included (never log them).
        secrets: The credential values, to mask in anything shown to a caller.
        config: The same as an :mod:`ardea.llm` provider config, for calls translated
            through its adapters.
    """

    target: ModelTarget
    api: Api
    base_url: str
    headers: Mapping[str, str] = field(repr=False)
    secrets: tuple[str, ...] = field(repr=False, default=())
    config: ProviderConfig | None = field(repr=False, default=None)

    @property
    def model(self) -> str:
        """The provider's model name."""
        return self.target.model

    @property
    def provider(self) -> str:
        """The provider's name."""
        return self.target.provider

    def url(self, operation: str) -> str:
        """The URL of ``operation`` (``chat/completions``, ``embeddings``, ``messages``, ...)."""
        return f"{self.base_url}/{operation}"

    def mask(self, text: str) -> str:
        """``text`` with every credential value replaced by ``***``."""
        for secret in self.secrets:
            if len(secret) >= 4 and secret in text:
                text = text.replace(secret, "***")
        return text


def build_upstream(target: ModelTarget, credentials: Mapping[str, str]) -> Upstream:
    """The :class:`Upstream` of ``target`` with its decrypted ``credentials``.

    ``credentials`` may hold ``api_key`` and ``base_url`` (a secret may carry its own
    endpoint); extra ``header:<name>`` entries become request headers.
    """
    api = api_of(target.provider)
    base = target.base_url or credentials.get("base_url") or _DEFAULT_BASE.get(target.provider)
    if not base:
        base = _DEFAULT_BASE[api]
    headers: dict[str, str] = {"content-type": "application/json"}
    key = credentials.get("api_key")
    if key:
        if api == "anthropic":
            headers["x-api-key"] = key
        elif api == "gemini":
            headers["x-goog-api-key"] = key
        elif target.provider == "azure":
            headers["api-key"] = key
        else:
            headers["authorization"] = f"Bearer {key}"
    if api == "anthropic":
        headers["anthropic-version"] = target.options.get("anthropic_version", ANTHROPIC_VERSION)
    secrets = [v for k, v in credentials.items() if k != "base_url" and v]
    for name, value in credentials.items():
        if name.startswith("header:"):
            headers[name[len("header:") :].lower()] = value
    base = base.rstrip("/")
    wire = "azure" if target.provider == "azure" else api
    config = ProviderConfig(
        provider=target.provider,
        wire=wire,
        base_url=base,
        api_key=Secret(key) if key else None,
        api_version=target.options.get("api_version"),
        price_provider=target.provider,
    )
    return Upstream(target, api, base, headers, tuple(secrets), config)
