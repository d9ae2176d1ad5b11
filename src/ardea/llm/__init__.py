"""``ardea.llm``: one client for chat and embeddings on every provider; pricing and usage.

::

    from ardea.llm import get_client

    client = get_client("openai:/gpt-4.1-mini")
    result = client.chat("Say hi", temperature=0)
    result.text, result.usage, result.cost

    with client.stream("Say hi") as stream:  # typed chunks; stream_raw: the provider's bytes
        for chunk in stream:
            print(chunk.text, end="")
    stream.result.usage

Model URIs are MLflow's (``<provider>:/<model>``, see :mod:`ardea.llm.uri`); keys come from
each provider's usual environment variables or ``~/.ardea/credentials.toml``
(:mod:`ardea.llm.credentials`). Every call has one deadline covering its retries
(:mod:`ardea.llm.retry`) and shares its provider's adaptive limiter (:mod:`ardea.llm.limiter`).

Importing this package loads no HTTP client: names are loaded on first use (PEP 562), and
``httpx`` with the first call. The modules below it (pricing, usage, semconv, conventions)
import neither a provider SDK nor the web stack, so tracing, services and autolog load them
freely.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ardea.llm.client import LLMClient, get_client
    from ardea.llm.credentials import Secret
    from ardea.llm.errors import (
        AuthenticationError,
        ConfigurationError,
        LLMError,
        ProviderError,
        ProviderUnavailable,
        RateLimited,
        StreamError,
        StructuredOutputError,
        Timeout,
    )
    from ardea.llm.retry import RetryPolicy
    from ardea.llm.streaming.chunks import ChatChunk, ToolCallDelta
    from ardea.llm.streaming.stream import (
        AsyncChatStream,
        AsyncRawChatStream,
        ChatStream,
        RawChatStream,
    )
    from ardea.llm.types import ChatResult, Cost, EmbedResult, StreamResult, ToolCall, Usage
    from ardea.llm.uri import parse_model_uri

_EXPORTS = {
    "AsyncChatStream": "ardea.llm.streaming.stream",
    "AsyncRawChatStream": "ardea.llm.streaming.stream",
    "AuthenticationError": "ardea.llm.errors",
    "ChatChunk": "ardea.llm.streaming.chunks",
    "ChatStream": "ardea.llm.streaming.stream",
    "RawChatStream": "ardea.llm.streaming.stream",
    "StreamError": "ardea.llm.errors",
    "StreamResult": "ardea.llm.types",
    "ToolCallDelta": "ardea.llm.streaming.chunks",
    "ChatResult": "ardea.llm.types",
    "ConfigurationError": "ardea.llm.errors",
    "Cost": "ardea.llm.types",
    "EmbedResult": "ardea.llm.types",
    "LLMClient": "ardea.llm.client",
    "LLMError": "ardea.llm.errors",
    "ProviderError": "ardea.llm.errors",
    "ProviderUnavailable": "ardea.llm.errors",
    "RateLimited": "ardea.llm.errors",
    "RetryPolicy": "ardea.llm.retry",
    "Secret": "ardea.llm.credentials",
    "StructuredOutputError": "ardea.llm.errors",
    "Timeout": "ardea.llm.errors",
    "ToolCall": "ardea.llm.types",
    "Usage": "ardea.llm.types",
    "get_client": "ardea.llm.client",
    "parse_model_uri": "ardea.llm.uri",
}

__all__ = [
    "AsyncChatStream",
    "AsyncRawChatStream",
    "AuthenticationError",
    "ChatChunk",
    "ChatResult",
    "ChatStream",
    "ConfigurationError",
    "Cost",
    "EmbedResult",
    "LLMClient",
    "LLMError",
    "ProviderError",
    "ProviderUnavailable",
    "RateLimited",
    "RawChatStream",
    "RetryPolicy",
    "Secret",
    "StreamError",
    "StreamResult",
    "StructuredOutputError",
    "Timeout",
    "ToolCall",
    "ToolCallDelta",
    "Usage",
    "get_client",
    "parse_model_uri",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ardea.llm' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
