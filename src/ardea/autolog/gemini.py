"""Gemini autologging: every ``google-genai`` model call becomes a span.

``ardea.gemini.autolog()`` patches ``client.models.generate_content`` and
``generate_content_stream`` (``CHAT_MODEL``) and ``embed_content`` (``EMBEDDING``), and their
async twins on ``client.aio.models``. Chats (``client.chats.create(...).send_message``) go
through ``generate_content``, so each turn is a span too. Span inputs are the request
arguments (the config without ``http_options``: never the API key or headers); outputs are the
response without ``None`` fields (embedding vectors summarized as their dimensions). A
streamed call keeps its span open until the stream is read and records the assembled
response. Each span carries ``mlflow.llm.model``, ``mlflow.llm.provider`` (``"gemini"``),
``mlflow.chat.tokenUsage`` (thinking tokens count as output), ``mlflow.llm.cost`` (when the
price table knows the model) and ``mlflow.chat.tools`` (function declarations, or the
Python functions given for automatic function calling).

Supports ``google-genai`` 1.x and 2.x (tested with 2.34). Errors in the tracing code are
logged and swallowed (raised under ``ARDEA_STRICT=1``); the SDK's own errors end the span as
ERROR and propagate unchanged. Replay is not supported.
"""

from __future__ import annotations

import functools
from typing import Any

from ardea.autolog import _gemini_parse as parse
from ardea.autolog._llm_call import MODEL, PROVIDER, LLMCall, field
from ardea.autolog._patching import Patcher
from ardea.autolog._streams import AsyncTracedStream, TracedStream
from ardea.autolog._wrappers import wrap_method

__all__ = ["autolog", "is_enabled", "revert"]

_patcher = Patcher("gemini")
_MODULE = "google.genai.models"
_METHODS = (
    ("generate_content", "CHAT_MODEL", False),
    ("generate_content_stream", "CHAT_MODEL", True),
    ("embed_content", "EMBEDDING", False),
)


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn Gemini (``google-genai``) autologging on (or off with ``disable=True``).

    Args:
        disable: Remove the patches instead.
        log_traces: Make a span for each call (``False`` keeps the patches but traces nothing).
    """
    if disable:
        revert()
        return
    _patcher.log_traces = log_traces
    for method, span_type, stream in _METHODS:
        for cls, is_async in (("Models", False), ("AsyncModels", True)):
            wrap = functools.partial(
                _wrap, method=method, span_type=span_type, stream=stream, is_async=is_async
            )
            _patcher.patch(_MODULE, cls, method, wrap)
    _patcher.enabled = True


def revert() -> None:
    """Remove every patch; later calls make no spans."""
    _patcher.revert()


def is_enabled() -> bool:
    """Whether Gemini autologging is on."""
    return _patcher.enabled


def _wrap(original: Any, method: str, span_type: str, stream: bool, is_async: bool) -> Any:
    def start(resource: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> LLMCall:
        attrs: dict[str, Any] = {PROVIDER: parse.PROVIDER}
        if isinstance(kwargs.get("model"), str):
            attrs[MODEL] = kwargs["model"]
        attrs.update(parse.tools_attrs(kwargs))
        name = f"{type(resource).__name__}.{method}"
        return LLMCall("gemini", name, span_type, parse.clean_inputs(kwargs), attrs, leaf=True)

    def handle(call: LLMCall, result: Any, kwargs: dict[str, Any]) -> Any:
        if stream:
            proxy = AsyncTracedStream if is_async else TracedStream
            return proxy(result, call, parse.StreamAccumulator(kwargs))
        if span_type == "EMBEDDING":
            call.finish(_embeddings(result), {})
        else:
            call.finish(parse.plain(result), lambda: parse.result_attributes(result, kwargs))
        return result

    return wrap_method(_patcher, original, start, handle, is_async)


def _embeddings(result: Any) -> dict[str, Any]:
    """An ``EmbedContentResponse`` with each vector summarized as its dimensions."""
    vectors = field(result, "embeddings") or []
    return {"embeddings": [{"dimensions": len(field(v, "values") or [])} for v in vectors]}
