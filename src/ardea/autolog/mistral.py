"""Mistral autologging: every ``mistralai`` chat completion or embedding becomes a span.

``ardea.mistral.autolog()`` patches ``client.chat.complete`` / ``complete_async`` and
``stream`` / ``stream_async`` (``CHAT_MODEL``), and ``client.embeddings.create`` /
``create_async`` (``EMBEDDING``). Span inputs are the request arguments (never the API key,
``http_headers``, ``server_url``, ``retries`` or ``timeout_ms``); outputs are the response
(embedding vectors summarized as their dimensions). A streamed call keeps its span open until
the stream is read and records the assembled completion, with the usage Mistral sends on the
last chunk. Each span carries ``mlflow.llm.model``, ``mlflow.llm.provider`` (``"mistral"``),
``mlflow.chat.tokenUsage``, ``mlflow.llm.cost`` (when the price table knows the model: dated
ids such as ``mistral-small-2503``) and ``mlflow.chat.tools``.

Supports ``mistralai`` 2.x/3.x (``from mistralai.client import Mistral``; tested with 3.7):
``ardea.autolog()`` patches it when ``mistralai.client`` is first imported (``mistralai``
itself is a namespace package, which import hooks cannot see). With 1.x (``from mistralai
import Mistral``) call ``ardea.mistral.autolog()`` after importing it. Errors in the tracing
code are logged and swallowed (raised under ``ARDEA_STRICT=1``); the SDK's own errors end the
span as ERROR and propagate unchanged. Replay is not supported.
"""

from __future__ import annotations

import functools
import importlib.util
from typing import Any

from ardea.autolog import _openai_parse as parse
from ardea.autolog._llm_call import MODEL, PROVIDER, TOOLS, LLMCall, field
from ardea.autolog._patching import Patcher
from ardea.autolog._streams import AsyncTracedStream, TracedStream
from ardea.autolog._wrappers import wrap_method

__all__ = ["autolog", "is_enabled", "revert"]

_patcher = Patcher("mistral")
_PROVIDER = "mistral"
_DROPPED = frozenset({"retries", "server_url", "timeout_ms", "http_headers"})

# (module under the SDK's package, class, method, span type, stream, async)
_TARGETS = (
    ("chat", "Chat", "complete", "CHAT_MODEL", False, False),
    ("chat", "Chat", "complete_async", "CHAT_MODEL", False, True),
    ("chat", "Chat", "stream", "CHAT_MODEL", True, False),
    ("chat", "Chat", "stream_async", "CHAT_MODEL", True, True),
    ("embeddings", "Embeddings", "create", "EMBEDDING", False, False),
    ("embeddings", "Embeddings", "create_async", "EMBEDDING", False, True),
)


class _StreamAccumulator(parse.ChatAccumulator):
    """OpenAI's chunk accumulator over Mistral's ``CompletionEvent`` items (``.data``)."""

    provider = _PROVIDER

    def add(self, item: Any) -> None:
        """Take one event."""
        super().add(field(item, "data", item))


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn Mistral autologging on (or off with ``disable=True``).

    Args:
        disable: Remove the patches instead.
        log_traces: Make a span for each call (``False`` keeps the patches but traces nothing).
    """
    if disable:
        revert()
        return
    _patcher.log_traces = log_traces
    package = _package()
    for module, cls, method, span_type, stream, is_async in _TARGETS:
        wrap = functools.partial(
            _wrap, method=method, span_type=span_type, stream=stream, is_async=is_async
        )
        _patcher.patch(f"{package}.{module}", cls, method, wrap)
    _patcher.enabled = True


def revert() -> None:
    """Remove every patch; later calls make no spans."""
    _patcher.revert()


def is_enabled() -> bool:
    """Whether Mistral autologging is on."""
    return _patcher.enabled


def _package() -> str:
    """``mistralai.client`` (SDK 2.x and later) or ``mistralai`` (1.x)."""
    try:
        return "mistralai.client" if importlib.util.find_spec("mistralai.client") else "mistralai"
    except (ImportError, ValueError):
        return "mistralai"


def _inputs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in kwargs.items()
        if k not in _DROPPED and v is not None and type(v).__name__ != "Unset"
    }


def _tools(kwargs: dict[str, Any]) -> dict[str, Any]:
    tools = kwargs.get("tools")
    if not isinstance(tools, list | tuple) or not tools:
        return {}
    out = []
    for tool in tools:
        dump = getattr(tool, "model_dump", None)
        out.append(dump(mode="json", exclude_none=True) if callable(dump) else tool)
    return {TOOLS: out}


def _wrap(original: Any, method: str, span_type: str, stream: bool, is_async: bool) -> Any:
    def start(resource: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> LLMCall:
        attrs: dict[str, Any] = {PROVIDER: _PROVIDER}
        if isinstance(kwargs.get("model"), str):
            attrs[MODEL] = kwargs["model"]
        attrs.update(_tools(kwargs))
        name = f"{type(resource).__name__}.{method}"
        return LLMCall("mistral", name, span_type, _inputs(kwargs), attrs, leaf=True)

    def handle(call: LLMCall, result: Any, kwargs: dict[str, Any]) -> Any:
        if stream:
            proxy = AsyncTracedStream if is_async else TracedStream
            return proxy(result, call, _StreamAccumulator(kwargs))
        outputs = _embeddings(result) if span_type == "EMBEDDING" else result
        call.finish(outputs, lambda: parse.result_attributes(result, kwargs, _PROVIDER))
        return result

    return wrap_method(_patcher, original, start, handle, is_async)


def _embeddings(result: Any) -> dict[str, Any]:
    """An embeddings response with each vector summarized as its dimensions."""
    data = [
        {"index": field(d, "index"), "dimensions": len(field(d, "embedding") or [])}
        for d in field(result, "data") or []
    ]
    return {"model": field(result, "model"), "data": data, "usage": field(result, "usage")}
