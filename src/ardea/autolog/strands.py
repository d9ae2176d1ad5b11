"""Strands Agents autologging: Strands' own OpenTelemetry spans, made well-formed Ardea spans.

Strands (package ``strands-agents``, 1.x, tested with 1.62) traces itself with OpenTelemetry
GenAI semantic conventions through one ``strands.telemetry.tracer.Tracer``.
``ardea.strands.autolog()`` makes that tracer start its spans from Ardea's tracer provider (so
they land in Ardea, nested under the caller's span, with no second copy) and patches its
``start_*``/``end_*`` methods to add what Ardea reads:

- ``invoke_agent <name>``: ``AGENT`` (inputs: the messages; outputs: the final message);
- ``execute_event_loop_cycle``: ``CHAIN`` (outputs: the cycle's message and tool results);
- ``chat``: ``CHAT_MODEL`` (inputs: system prompt and messages; outputs: the message and
  stop reason; ``mlflow.llm.model``, ``mlflow.chat.tokenUsage``, ``mlflow.llm.cost`` and
  ``mlflow.llm.provider`` when the price table knows the model). Strands always streams from
  the model, so this covers streaming; the provider SDK call underneath (``openai``) makes no
  second span;
- ``execute_tool <name>``: ``TOOL`` (inputs: the tool input; outputs: the tool result);
- ``invoke_graph`` / ``invoke_swarm`` (multi-agent): ``CHAIN`` (inputs: the task; outputs: a
  swarm's result), its agents' spans nested inside.

Strands' own ``gen_ai.*`` attributes and events stay on the spans. Sync (``agent(...)``) and
async (``invoke_async``, ``stream_async``) invocations are covered alike. Failures of the
tracing code are logged and swallowed (raised under ``ARDEA_STRICT=1``).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from ardea._core.safety import report_failure, swallow_failures
from ardea.autolog._llm_call import MODEL, PROVIDER, framework_llm_spans, positive_int
from ardea.autolog._patching import Patcher
from ardea.llm.pricing import model_price
from ardea.llm.usage import usage_attributes
from ardea.tracing import keys
from ardea.tracing._serialize import dumps

__all__ = ["autolog", "is_enabled", "revert"]

_patcher = Patcher("strands")
_NAME = "strands"
_MODULE = "strands.telemetry.tracer"
_lock = threading.Lock()
_tracer_class: Any = None  # strands' Tracer while the ``tracer`` property is installed
_models: dict[int, str] = {}  # open chat span id -> model id


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn Strands autologging on (or off with ``disable=True``).

    Args:
        disable: Remove the patches instead (Strands' spans go back to its own provider).
        log_traces: Make spans (``False`` keeps the patches but traces nothing).
    """
    if disable:
        revert()
        return
    _patcher.log_traces = log_traces
    for method, wrap in _PATCHES.items():
        _patcher.patch(_MODULE, "Tracer", method, wrap)
    try:
        _install_tracer_property()
    except Exception as exc:
        report_failure(f"{_NAME} autolog (routing Strands' tracer)", exc)
    _patcher.enabled = True


def revert() -> None:
    """Remove every patch; Strands' spans go back to the global tracer provider."""
    global _tracer_class
    _patcher.revert()
    with _lock:
        if _tracer_class is not None and isinstance(_tracer_class.__dict__.get("tracer"), property):
            delattr(_tracer_class, "tracer")
        _tracer_class = None


def is_enabled() -> bool:
    """Whether Strands autologging is on."""
    return _patcher.enabled


# ---------------------------------------------------------------------- the tracer switch


def _install_tracer_property() -> None:
    """Make ``Tracer.tracer`` Ardea's OTel tracer while autolog is on.

    Strands' ``Tracer`` keeps the OTel tracer of the global provider in ``self.tracer``; a
    data descriptor on the class wins over that instance attribute, for the tracers made
    before and after this call. The instance's own value is kept and comes back on revert.
    """
    global _tracer_class
    import importlib

    cls = importlib.import_module(_MODULE).Tracer
    with _lock:
        if isinstance(cls.__dict__.get("tracer"), property):
            _tracer_class = cls
            return

        def get(self: Any) -> Any:
            if _patcher.active:
                from ardea.tracing.provider import get_tracer

                return get_tracer()
            try:
                return self.__dict__["tracer"]
            except KeyError:
                raise AttributeError("tracer") from None

        def set_(self: Any, value: Any) -> None:
            self.__dict__["tracer"] = value

        cls.tracer = property(get, set_, doc="The OTel tracer (Ardea's while autolog is on).")
        _tracer_class = cls


# ---------------------------------------------------------------------- span decoration


def _set(span: Any, attributes: dict[str, Any]) -> None:
    if span is not None and span.is_recording():
        span.set_attributes({k: dumps(v) for k, v in attributes.items() if v is not None})


def _after_start(
    original: Any, decorate: Callable[[Any, tuple[Any, ...], dict[str, Any]], None]
) -> Any:
    """Wrap a ``start_*_span`` method: the span it returns gets Ardea's attributes."""

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        span = original(self, *args, **kwargs)
        if _patcher.active:
            with swallow_failures(f"{_NAME} autolog (starting a span)"):
                decorate(span, args, kwargs)
        return span

    return wrapper


def _before_end(
    original: Any, decorate: Callable[[Any, tuple[Any, ...], dict[str, Any]], None]
) -> Any:
    """Wrap an ``end_*`` method: the span gets its outputs before Strands ends it."""

    @functools.wraps(original)
    def wrapper(self: Any, span: Any, *args: Any, **kwargs: Any) -> Any:
        if _patcher.active:
            with swallow_failures(f"{_NAME} autolog (ending a span)"):
                decorate(span, args, kwargs)
        try:
            return original(self, span, *args, **kwargs)
        finally:
            _forget(span)

    return wrapper


class _AgentTotals:
    """The agent span as ``end_agent_span`` sees it: its ``gen_ai.usage.*`` totals renamed.

    Strands puts the invocation's accumulated usage on the agent span, with the same keys as
    each ``chat`` span; Ardea reads those keys as one more LLM call's usage and would count
    the tokens and cost twice in the trace totals. They are kept as
    ``strands.accumulated_usage.*`` instead.
    """

    _PREFIX = "gen_ai.usage."

    def __init__(self, span: Any) -> None:
        self._span = span

    def _rename(self, key: str) -> str:
        if key.startswith(self._PREFIX):
            return "strands.accumulated_usage." + key[len(self._PREFIX) :]
        return key

    def set_attribute(self, key: str, value: Any) -> None:
        """Set one attribute (usage keys renamed)."""
        self._span.set_attribute(self._rename(key), value)

    def set_attributes(self, attributes: Any) -> None:
        """Set attributes (usage keys renamed)."""
        self._span.set_attributes({self._rename(k): v for k, v in dict(attributes).items()})

    def __getattr__(self, name: str) -> Any:
        return getattr(self._span, name)


def _wrap_end_agent(original: Any) -> Any:
    wrapped = _before_end(original, _agent_end)

    @functools.wraps(original)
    def wrapper(self: Any, span: Any, *args: Any, **kwargs: Any) -> Any:
        if _patcher.active and span is not None:
            return wrapped(self, _AgentTotals(span), *args, **kwargs)
        return wrapped(self, span, *args, **kwargs)

    return wrapper


def _forget(span: Any) -> None:
    span_id = _span_id(span)
    if span_id is not None:
        framework_llm_spans.discard(span_id)
        _models.pop(span_id, None)


def _span_id(span: Any) -> int | None:
    try:
        return int(span.get_span_context().span_id)
    except Exception:
        return None


def _arg(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str) -> Any:
    return args[index] if len(args) > index else kwargs.get(name)


def _agent_start(span: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    model = kwargs.get("model_id")
    _set(span, {keys.SPAN_TYPE: "AGENT", keys.SPAN_INPUTS: _arg(args, kwargs, 0, "messages"),
                MODEL: model if isinstance(model, str) else None})  # fmt: skip


def _agent_end(span: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    response = _arg(args, kwargs, 0, "response")
    if response is not None:
        message = getattr(response, "message", None)
        if isinstance(message, dict):  # without Strands' metadata (usage, metrics, ids)
            message = {"role": message.get("role"), "content": message.get("content")}
        _set(span, {keys.SPAN_OUTPUTS: message if message is not None else str(response)})


def _cycle_start(span: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    messages = _arg(args, kwargs, 1, "messages")
    _set(span, {keys.SPAN_TYPE: "CHAIN", keys.SPAN_INPUTS: {"messages": messages}})


def _cycle_end(span: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    outputs: dict[str, Any] = {"message": _arg(args, kwargs, 0, "message")}
    tool_results = _arg(args, kwargs, 1, "tool_result_message")
    if tool_results is not None:
        outputs["tool_result_message"] = tool_results
    _set(span, {keys.SPAN_OUTPUTS: outputs})


def _chat_start(span: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    inputs: dict[str, Any] = {}
    if kwargs.get("system_prompt"):
        inputs["system_prompt"] = kwargs["system_prompt"]
    inputs["messages"] = _arg(args, kwargs, 0, "messages")
    model = kwargs.get("model_id")
    model = model if isinstance(model, str) else None
    _set(span, {keys.SPAN_TYPE: "CHAT_MODEL", keys.SPAN_INPUTS: inputs, MODEL: model,
                PROVIDER: _provider(model)})  # fmt: skip
    span_id = _span_id(span)
    if span_id is not None and span.is_recording():
        framework_llm_spans.add(span_id)
        if model is not None:
            _models[span_id] = model


def _provider(model: str | None) -> str | None:
    if model is None:
        return None
    price = model_price(model)
    return price.provider if price is not None else None


def _chat_end(span: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    message = _arg(args, kwargs, 0, "message")
    usage = _arg(args, kwargs, 1, "usage") or {}
    stop_reason = _arg(args, kwargs, 3, "stop_reason")
    model = _models.get(_span_id(span) or 0)
    inp = positive_int(usage.get("inputTokens"))
    out = positive_int(usage.get("outputTokens"))
    total = positive_int(usage.get("totalTokens")) or inp + out
    read = positive_int(usage.get("cacheReadInputTokens"))
    written = positive_int(usage.get("cacheWriteInputTokens"))
    if inp + out != total:  # cache counts reported beside inputTokens, not inside
        inp += read + written
    provider = _provider(model) or ""
    attrs: dict[str, Any] = {keys.SPAN_OUTPUTS: {"message": message, "stop_reason": stop_reason}}
    attrs.update(usage_attributes(model if provider else None, provider, inp, out, inp + out,
                                  min(read, inp), min(written, max(inp - read, 0))))  # fmt: skip
    _set(span, attrs)


def _tool_start(span: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    tool = _arg(args, kwargs, 0, "tool") or {}
    _set(span, {keys.SPAN_TYPE: "TOOL", keys.SPAN_INPUTS: tool.get("input")})


def _tool_end(span: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    result = _arg(args, kwargs, 0, "tool_result")
    if result is not None:
        _set(span, {keys.SPAN_OUTPUTS: result.get("content", result)})


def _multi_start(span: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    task = _arg(args, kwargs, 0, "task")
    _set(span, {keys.SPAN_TYPE: "CHAIN", keys.SPAN_INPUTS: {"task": task}})


def _multi_end(span: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    result = _arg(args, kwargs, 0, "result")
    if result is not None:
        _set(span, {keys.SPAN_OUTPUTS: result})


def _no_outputs(span: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Error and cancellation ends: Strands records them; only the bookkeeping is dropped."""


def _start(decorate: Callable[[Any, tuple[Any, ...], dict[str, Any]], None]) -> Any:
    return lambda original: _after_start(original, decorate)


def _end(decorate: Callable[[Any, tuple[Any, ...], dict[str, Any]], None]) -> Any:
    return lambda original: _before_end(original, decorate)


_PATCHES: dict[str, Callable[[Any], Any]] = {
    "start_agent_span": _start(_agent_start),
    "end_agent_span": _wrap_end_agent,
    "start_event_loop_cycle_span": _start(_cycle_start),
    "end_event_loop_cycle_span": _end(_cycle_end),
    "start_model_invoke_span": _start(_chat_start),
    "end_model_invoke_span": _end(_chat_end),
    "start_tool_call_span": _start(_tool_start),
    "end_tool_call_span": _end(_tool_end),
    "start_multiagent_span": _start(_multi_start),
    "end_swarm_span": _end(_multi_end),
    "end_span_with_error": _end(_no_outputs),
    "end_span_with_cancellation": _end(_no_outputs),
}
