"""OpenAI autologging: every call of the ``openai`` SDK becomes a span.

``ardea.openai.autolog()`` patches, sync and async: ``chat.completions.create``
(``CHAT_MODEL``), ``responses.create`` (``CHAT_MODEL``), ``completions.create`` (``LLM``) and
``embeddings.create`` (``EMBEDDING``). Span inputs are the request arguments (never the API key
or headers); outputs are the response. A streamed response (``stream=True``) keeps its span
open while the caller reads it; the outputs are then the assembled completion, with the usage
of the final usage chunk when the request asked for one. Each span carries
``mlflow.llm.model``, ``mlflow.llm.provider`` (``"openai"``), ``mlflow.chat.tokenUsage``,
``mlflow.llm.cost`` (when the price table knows the model) and ``mlflow.chat.tools``.

Errors in the tracing code are logged and swallowed (raised under ``ARDEA_STRICT=1``); the
SDK's own errors (``openai.APIError`` ...) end the span as ERROR and propagate unchanged.
During ``ardea.replay`` the recorded response is returned instead of calling the API
(:mod:`ardea.autolog._openai_replay`).
"""

from __future__ import annotations

import functools
from typing import Any

from ardea.autolog import _openai_parse as parse
from ardea.autolog._llm_call import MODEL, PROVIDER, LLMCall
from ardea.autolog._openai_replay import reviver
from ardea.autolog._patching import Patcher
from ardea.autolog._streams import AsyncTracedStream, TracedStream
from ardea.autolog._wrappers import wrap_method

__all__ = ["autolog", "is_enabled", "revert"]

_patcher = Patcher("openai")

# (module, sync class, async class, span type, stream accumulator)
_TARGETS: tuple[tuple[str, str, str, str, type], ...] = (
    (
        "openai.resources.chat.completions",
        "Completions",
        "AsyncCompletions",
        "CHAT_MODEL",
        parse.ChatAccumulator,
    ),
    ("openai.resources.responses", "Responses", "AsyncResponses", "CHAT_MODEL",
     parse.ResponsesAccumulator),
    ("openai.resources.completions", "Completions", "AsyncCompletions", "LLM",
     parse.CompletionAccumulator),
    ("openai.resources.embeddings", "Embeddings", "AsyncEmbeddings", "EMBEDDING",
     parse.ChatAccumulator),
)  # fmt: skip


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn OpenAI autologging on (or off with ``disable=True``).

    Args:
        disable: Remove the patches instead.
        log_traces: Make a span for each call (``False`` keeps the patches but traces nothing).
    """
    if disable:
        revert()
        return
    _patcher.log_traces = log_traces
    for module, sync_cls, async_cls, span_type, acc in _TARGETS:
        for cls, is_async in ((sync_cls, False), (async_cls, True)):
            wrap = functools.partial(
                _wrap, span_type=span_type, acc=acc, is_async=is_async, module=module
            )
            _patcher.patch(module, cls, "create", wrap)
    _patcher.enabled = True


def revert() -> None:
    """Remove every patch; later calls make no spans."""
    _patcher.revert()


def is_enabled() -> bool:
    """Whether OpenAI autologging is on."""
    return _patcher.enabled


def _wrap(original: Any, span_type: str, acc: type, is_async: bool, module: str) -> Any:
    def start(resource: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> LLMCall:
        attrs: dict[str, Any] = {PROVIDER: parse.PROVIDER}
        if isinstance(kwargs.get("model"), str):
            attrs[MODEL] = kwargs["model"]
        attrs.update(parse.tools_attrs(kwargs))
        inputs = parse.clean_inputs(kwargs)
        return LLMCall("openai", type(resource).__name__, span_type, inputs, attrs, leaf=True)

    def handle(call: LLMCall, result: Any, kwargs: dict[str, Any]) -> Any:
        if _is_raw_response(result):  # ``with_raw_response.create(...)``
            if kwargs.get("stream") is True:
                call.finish(None, {})  # the caller reads the raw stream: nothing to see here
                return result
            parsed = result.parse()  # cached by the SDK: the caller's parse() reuses it
            call.finish(_outputs(parsed), lambda: parse.result_attributes(parsed, kwargs))
            return result
        if kwargs.get("stream") is True:
            proxy = AsyncTracedStream if is_async else TracedStream
            return proxy(result, call, acc(kwargs))
        call.finish(_outputs(result), lambda: parse.result_attributes(result, kwargs))
        return result

    revive = reviver(module, is_async)
    return wrap_method(_patcher, original, start, handle, is_async, revive)


def _is_raw_response(result: Any) -> bool:
    # An instance-dict lookup: ``hasattr`` on a pydantic response model goes through its
    # ``__getattr__`` and an AttributeError, on every call.
    return "http_response" in getattr(result, "__dict__", ()) and callable(
        getattr(result, "parse", None)
    )


def _outputs(result: Any) -> Any:
    """The response as JSON-able data (embedding vectors are summarized, not copied)."""
    if getattr(result, "object", None) == "list" and hasattr(result, "data"):
        data = [
            {"index": getattr(d, "index", None), "dimensions": _dims(getattr(d, "embedding", None))}
            for d in result.data
        ]
        return {"object": "list", "model": getattr(result, "model", None), "data": data,
                "usage": getattr(result, "usage", None)}  # fmt: skip
    return result


def _dims(embedding: Any) -> int | None:
    return len(embedding) if isinstance(embedding, list) else None
