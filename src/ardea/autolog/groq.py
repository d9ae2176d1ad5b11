"""Groq autologging: every ``groq`` SDK chat completion or embedding becomes a span.

``ardea.groq.autolog()`` patches ``client.chat.completions.create`` (``CHAT_MODEL``) and
``client.embeddings.create`` (``EMBEDDING``), sync (``groq.Groq``) and async
(``groq.AsyncGroq``). Groq speaks OpenAI's wire, so the spans look like the OpenAI
integration's: inputs are the request arguments (never the API key or headers), outputs the
response; a streamed call (``stream=True``) keeps its span open until the stream is read and
records the assembled completion, with the usage Groq sends in ``x_groq`` on the last chunk.
Each span carries ``mlflow.llm.model``, ``mlflow.llm.provider`` (``"groq"``),
``mlflow.chat.tokenUsage``, ``mlflow.llm.cost`` (when the price table knows the model) and
``mlflow.chat.tools``.

Supports ``groq`` 0.x and 1.x (tested with 1.7). Errors in the tracing code are logged and
swallowed (raised under ``ARDEA_STRICT=1``); the SDK's own errors (``groq.APIError`` ...) end
the span as ERROR and propagate unchanged. Replay is not supported.
"""

from __future__ import annotations

import functools
from typing import Any

from ardea.autolog import _openai_parse as parse
from ardea.autolog._llm_call import MODEL, PROVIDER, LLMCall, field
from ardea.autolog._patching import Patcher
from ardea.autolog._streams import AsyncTracedStream, TracedStream
from ardea.autolog._wrappers import wrap_method

__all__ = ["autolog", "is_enabled", "revert"]

_patcher = Patcher("groq")
_PROVIDER = "groq"

# (module, sync class, async class, span type)
_TARGETS = (
    ("groq.resources.chat.completions", "Completions", "AsyncCompletions", "CHAT_MODEL"),
    ("groq.resources.embeddings", "Embeddings", "AsyncEmbeddings", "EMBEDDING"),
)


class _GroqChatAccumulator(parse.ChatAccumulator):
    """OpenAI's chunk accumulator, reading the usage from ``x_groq`` too."""

    provider = _PROVIDER

    def add(self, item: Any) -> None:
        """Take one chunk."""
        super().add(item)
        usage = field(field(item, "x_groq"), "usage")
        if usage is not None:
            self.usage = usage


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn Groq autologging on (or off with ``disable=True``).

    Args:
        disable: Remove the patches instead.
        log_traces: Make a span for each call (``False`` keeps the patches but traces nothing).
    """
    if disable:
        revert()
        return
    _patcher.log_traces = log_traces
    for module, sync_cls, async_cls, span_type in _TARGETS:
        for cls, is_async in ((sync_cls, False), (async_cls, True)):
            wrap = functools.partial(_wrap, span_type=span_type, is_async=is_async)
            _patcher.patch(module, cls, "create", wrap)
    _patcher.enabled = True


def revert() -> None:
    """Remove every patch; later calls make no spans."""
    _patcher.revert()


def is_enabled() -> bool:
    """Whether Groq autologging is on."""
    return _patcher.enabled


def _wrap(original: Any, span_type: str, is_async: bool) -> Any:
    def start(resource: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> LLMCall:
        attrs: dict[str, Any] = {PROVIDER: _PROVIDER}
        if isinstance(kwargs.get("model"), str):
            attrs[MODEL] = kwargs["model"]
        attrs.update(parse.tools_attrs(kwargs))
        inputs = parse.clean_inputs(kwargs)
        return LLMCall("groq", type(resource).__name__, span_type, inputs, attrs, leaf=True)

    def handle(call: LLMCall, result: Any, kwargs: dict[str, Any]) -> Any:
        if kwargs.get("stream") is True:
            proxy = AsyncTracedStream if is_async else TracedStream
            return proxy(result, call, _GroqChatAccumulator(kwargs))
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
