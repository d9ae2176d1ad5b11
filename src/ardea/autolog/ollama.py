"""Ollama autologging: every ``ollama`` client ``chat``, ``generate`` and ``embed`` is a span.

``ardea.ollama.autolog()`` patches ``Client`` and ``AsyncClient`` (the module-level
``ollama.chat(...)`` helpers use a ``Client`` too): ``chat`` makes a ``CHAT_MODEL`` span,
``generate`` an ``LLM`` span and ``embed`` an ``EMBEDDING`` span (vectors summarized as their
dimensions). Span inputs are the request arguments (Python functions given as tools appear as
their name and docstring); outputs are the response without empty fields. ``stream=True``
keeps the span open until the stream is read and records the assembled message (or text),
thinking and tool calls included. Each span carries ``mlflow.llm.model``,
``mlflow.llm.provider`` (``"ollama"``), ``mlflow.chat.tokenUsage`` (``prompt_eval_count`` /
``eval_count``) and ``mlflow.chat.tools``; local models have no cost.

Supports ``ollama`` 0.4 and later (tested with 0.6). Errors in the tracing code are logged
and swallowed (raised under ``ARDEA_STRICT=1``); the client's own errors
(``ollama.ResponseError`` ...) end the span as ERROR and propagate unchanged. Replay is not
supported.
"""

from __future__ import annotations

import functools
from typing import Any

from ardea.autolog._llm_call import MODEL, PROVIDER, TOOLS, LLMCall, field, positive_int
from ardea.autolog._patching import Patcher
from ardea.autolog._streams import AsyncTracedStream, TracedStream
from ardea.autolog._wrappers import wrap_method
from ardea.llm.usage import usage_attributes

__all__ = ["autolog", "is_enabled", "revert"]

_patcher = Patcher("ollama")
_PROVIDER = "ollama"
_MODULE = "ollama._client"

# method: (span type, names of its positional parameters)
_METHODS: dict[str, tuple[str, tuple[str, ...]]] = {
    "chat": ("CHAT_MODEL", ("model", "messages")),
    "generate": ("LLM", ("model", "prompt", "suffix")),
    "embed": ("EMBEDDING", ("model", "input")),
}


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn Ollama autologging on (or off with ``disable=True``).

    Args:
        disable: Remove the patches instead.
        log_traces: Make a span for each call (``False`` keeps the patches but traces nothing).
    """
    if disable:
        revert()
        return
    _patcher.log_traces = log_traces
    for method in _METHODS:
        for cls, is_async in (("Client", False), ("AsyncClient", True)):
            wrap = functools.partial(_wrap, method=method, is_async=is_async)
            _patcher.patch(_MODULE, cls, method, wrap)
    _patcher.enabled = True


def revert() -> None:
    """Remove every patch; later calls make no spans."""
    _patcher.revert()


def is_enabled() -> bool:
    """Whether Ollama autologging is on."""
    return _patcher.enabled


def _plain(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    return dump(mode="json", exclude_none=True) if callable(dump) else value


def _tool(tool: Any) -> Any:
    if callable(tool) and not hasattr(tool, "model_dump"):
        fn = {"name": getattr(tool, "__name__", repr(tool))}
        if getattr(tool, "__doc__", None):
            fn["description"] = tool.__doc__.strip()
        return {"type": "function", "function": fn}
    return _plain(tool)


def _inputs(method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    inputs = dict(zip(_METHODS[method][1], args, strict=False))
    inputs.update(kwargs)
    if isinstance(inputs.get("tools"), list | tuple):
        inputs["tools"] = [_tool(t) for t in inputs["tools"]]
    if isinstance(inputs.get("messages"), list | tuple):
        inputs["messages"] = [_plain(m) for m in inputs["messages"]]
    return {k: v for k, v in inputs.items() if v is not None}


def _usage(result: Any) -> dict[str, Any]:
    inp = positive_int(field(result, "prompt_eval_count"))
    out = positive_int(field(result, "eval_count"))
    return usage_attributes(None, _PROVIDER, inp, out) if inp or out else {}


def _wrap(original: Any, method: str, is_async: bool) -> Any:
    span_type = _METHODS[method][0]

    def start(client: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> LLMCall:
        inputs = _inputs(method, args, kwargs)
        attrs: dict[str, Any] = {PROVIDER: _PROVIDER}
        if isinstance(inputs.get("model"), str) and inputs["model"]:
            attrs[MODEL] = inputs["model"]
        if inputs.get("tools"):
            attrs[TOOLS] = inputs["tools"]
        return LLMCall(
            "ollama", f"{type(client).__name__}.{method}", span_type, inputs, attrs, leaf=True
        )

    def handle(call: LLMCall, result: Any, kwargs: dict[str, Any]) -> Any:
        if kwargs.get("stream") is True:
            proxy = AsyncTracedStream if is_async else TracedStream
            return proxy(result, call, _Accumulator(method))
        if method == "embed":
            vectors = field(result, "embeddings") or []
            outputs: Any = {"model": field(result, "model"),
                            "embeddings": [{"dimensions": len(v)} for v in vectors]}  # fmt: skip
        else:
            outputs = _plain(result)
        attrs = {MODEL: field(result, "model")} if field(result, "model") else {}
        call.finish(outputs, {**attrs, **_usage(result)})
        return result

    return wrap_method(_patcher, original, start, handle, is_async)


class _Accumulator:
    """Assembles streamed ``ChatResponse`` / ``GenerateResponse`` parts into one response."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.text: list[str] = []
        self.thinking: list[str] = []
        self.tool_calls: list[Any] = []
        self.last: Any = None

    def add(self, item: Any) -> None:
        """Take one streamed part (the last one, ``done``, holds the counts)."""
        self.last = item
        source = field(item, "message") if self.method == "chat" else item
        text = field(source, "content" if self.method == "chat" else "response")
        if isinstance(text, str):
            self.text.append(text)
        if isinstance(field(source, "thinking"), str):
            self.thinking.append(field(source, "thinking"))
        self.tool_calls.extend(_plain(c) for c in field(source, "tool_calls") or [])

    def result(self) -> tuple[Any, dict[str, Any]]:
        """The assembled response and the span attributes."""
        out: dict[str, Any] = _plain(self.last) if self.last is not None else {}
        out = dict(out) if isinstance(out, dict) else {}
        if self.method == "chat":
            message: dict[str, Any] = {"role": "assistant", "content": "".join(self.text)}
            if self.thinking:
                message["thinking"] = "".join(self.thinking)
            if self.tool_calls:
                message["tool_calls"] = self.tool_calls
            out["message"] = message
        else:
            out["response"] = "".join(self.text)
            if self.thinking:
                out["thinking"] = "".join(self.thinking)
        model = out.get("model")
        attrs = {MODEL: model} if isinstance(model, str) and model else {}
        return out, {**attrs, **_usage(self.last)}
