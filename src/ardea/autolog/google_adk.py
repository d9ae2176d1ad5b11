"""Google ADK autologging: agent runs, LLM calls and tool calls become spans.

``ardea.google_adk.autolog()`` traces each ``Runner.run_async`` / ``run`` invocation
(``InMemoryRunner`` ...) as one trace whose root ``CHAIN`` span is named after the app, with
each agent's run (``AGENT``; inputs the user's message, outputs the final response), each LLM
call of an ``LlmAgent``'s flow (``CHAT_MODEL``; inputs the model, system
instruction and contents, outputs the model's response, with ``mlflow.llm.model``,
``mlflow.llm.provider``, ``mlflow.chat.tools``, ``mlflow.chat.tokenUsage`` and
``mlflow.llm.cost``) and each tool call (``TOOL``, arguments and result). Sub-agents and
agents used as tools nest under their caller. A streamed LLM call (``StreamingMode.SSE``) is
one span whose outputs are the assembled text. The google-genai SDK call under an LLM span
makes no second span when Gemini autologging is on too.

ADK also emits OpenTelemetry spans itself (``invoke_agent``, ``generate_content``,
``execute_tool``) to the global tracer provider; while this integration is on they are
replaced by Ardea's (ADK's tracer becomes a no-op tracer), so an application whose global
provider Ardea joined gets one tree, not two. ``revert()`` restores ADK's tracer. Tested
with google-adk 2.13 (supported: 1.0 and later).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any

from ardea._core.safety import safe_call, swallow_failures
from ardea.autolog._llm_call import LLMCall, framework_llm_spans
from ardea.autolog._patching import Patcher

__all__ = ["autolog", "is_enabled", "revert"]

_patcher = Patcher("google_adk")
_WHAT = "google_adk autolog"

# (module, owner: a class or a module, attribute, kind)
_TARGETS: tuple[tuple[str, str, str, str], ...] = (
    ("google.adk.runners", "Runner", "run_async", "runner"),
    ("google.adk.agents.base_agent", "BaseAgent", "run_async", "agent"),
    ("google.adk.flows.llm_flows.base_llm_flow", "BaseLlmFlow", "_call_llm_async", "llm"),
    ("google.adk.flows.llm_flows.tools", "_caller", "_call_tool_async", "tool"),
)
_ADK_TRACER_MODULE = "google.adk.telemetry.tracing"
_adk_tracer: dict[str, Any] = {}
"""ADK's own tracer (``original``) while it is swapped for Ardea's no-op one (``noop``)."""


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn Google ADK autologging on (or off with ``disable=True``).

    Args:
        disable: Remove the patches instead.
        log_traces: Make spans (``False`` keeps the patches but traces nothing).
    """
    if disable:
        revert()
        return
    _patcher.log_traces = log_traces
    for module, owner, attr, kind in _TARGETS:
        wrap = _WRAPPERS[kind]
        _patcher.patch(module, owner, attr, wrap)
    _patcher.enabled = True
    with swallow_failures(f"{_WHAT} (silencing ADK's own spans)"):
        _silence_adk_tracer()


def revert() -> None:
    """Remove every patch and give ADK its own tracer back."""
    _patcher.revert()
    original = _adk_tracer.pop("original", None)
    noop = _adk_tracer.get("noop")
    if original is not None and noop is not None:
        _swap_tracers(noop, original)


def is_enabled() -> bool:
    """Whether Google ADK autologging is on."""
    return _patcher.enabled


def _silence_adk_tracer() -> None:
    """Point every ADK module's ``tracer`` at a no-op tracer (Ardea's spans replace them)."""
    import importlib

    from opentelemetry import trace

    tracing = importlib.import_module(_ADK_TRACER_MODULE)
    original = _adk_tracer.setdefault("original", getattr(tracing, "tracer"))  # noqa: B009
    noop = _adk_tracer.setdefault("noop", trace.NoOpTracer())
    _swap_tracers(original, noop)


def _swap_tracers(old: Any, new: Any) -> None:
    """Set ``tracer`` to ``new`` in every loaded ADK module where it is ``old``."""
    for name, module in list(sys.modules.items()):
        if name.startswith("google.adk") and getattr(module, "tracer", None) is old:
            setattr(module, "tracer", new)  # noqa: B010


_Result = Callable[[], tuple[Any, dict[str, Any]]]


async def _traced(
    call: LLMCall, agen: AsyncIterator[Any], on_item: Callable[[Any], None], result: _Result
) -> AsyncIterator[Any]:
    """Drive ``agen`` with ``call``'s span current while it runs; end the span at the end."""
    from ardea.tracing.spans import runtime

    rt = runtime()
    context = rt.set_span_in_context(call.span.otel_span)
    try:
        while True:
            token = rt.attach(context)
            try:
                item = await agen.__anext__()
            except StopAsyncIteration:
                break
            finally:
                rt.detach(token)
            with swallow_failures(f"{_WHAT} (reading a result)"):
                on_item(item)
            yield item
    except BaseException as exc:
        if isinstance(exc, GeneratorExit):
            _end(call, result)
        else:
            framework_llm_spans.discard(call.span.otel_span.get_span_context().span_id)
            call.fail(exc)
        aclose = getattr(agen, "aclose", None)
        if aclose is not None:
            await aclose()
        raise
    _end(call, result)


def _end(call: LLMCall, result: _Result) -> None:
    outputs: Any = None
    attrs: dict[str, Any] = {}
    with swallow_failures(f"{_WHAT} (assembling outputs)"):
        outputs, attrs = result()
    framework_llm_spans.discard(call.span.otel_span.get_span_context().span_id)
    call.finish(outputs, attrs)


def _run_span(agen: Any, name: str, span_type: str, inputs: Callable[[], Any]) -> Any:
    """``agen`` (an agent's or runner's events) traced as one span ending with the last reply."""

    def start() -> LLMCall:
        call = LLMCall("google_adk", name, span_type, inputs(), {})
        call.detach()
        return call

    call = safe_call(f"{_WHAT} (starting a span)", start, None)
    if call is None:
        return agen
    final: list[Any] = []

    def on_item(event: Any) -> None:
        if getattr(event, "content", None) is not None and not getattr(event, "partial", None):
            final[:] = [event.content]

    def result() -> tuple[Any, dict[str, Any]]:
        from ardea.autolog import _google_adk_parse as parse

        return (parse.content(final[0]) if final else None), {}

    return _traced(call, agen, on_item, result)


def _wrap_runner(original: Any) -> Any:
    @functools.wraps(original)
    def run_async(self: Any, *args: Any, **kwargs: Any) -> Any:
        agen = original(self, *args, **kwargs)
        if not _patcher.active:
            return agen
        from ardea.autolog import _google_adk_parse as parse

        name = str(getattr(self, "app_name", None) or "invocation")
        return _run_span(agen, name, "CHAIN", lambda: parse.content(kwargs.get("new_message")))

    return run_async


def _wrap_agent(original: Any) -> Any:
    @functools.wraps(original)
    def run_async(self: Any, parent_context: Any, *args: Any, **kwargs: Any) -> Any:
        agen = original(self, parent_context, *args, **kwargs)
        if not _patcher.active:
            return agen
        from ardea.autolog import _google_adk_parse as parse

        name = str(getattr(self, "name", None) or "agent")
        return _run_span(agen, name, "AGENT", lambda: parse.agent_inputs(parent_context))

    return run_async


def _wrap_llm(original: Any) -> Any:
    @functools.wraps(original)
    def call_llm(self: Any, invocation_context: Any, llm_request: Any, *args: Any,
                 **kwargs: Any) -> Any:  # fmt: skip
        agen = original(self, invocation_context, llm_request, *args, **kwargs)
        if not _patcher.active:
            return agen
        from ardea.autolog import _google_adk_parse as parse

        def start() -> LLMCall:
            attrs = parse.llm_start_attributes(llm_request)
            name = str(getattr(llm_request, "model", None) or "llm")
            call = LLMCall("google_adk", name, "CHAT_MODEL", parse.llm_request(llm_request), attrs)
            call.detach()
            framework_llm_spans.add(call.span.otel_span.get_span_context().span_id)
            return call

        call = safe_call(f"{_WHAT} (starting a span)", start, None)
        if call is None:
            return agen
        acc = parse.LlmAccumulator(getattr(llm_request, "model", None))
        return _traced(call, agen, acc.add, acc.result)

    return call_llm


def _wrap_tool(original: Any) -> Any:
    @functools.wraps(original)
    async def call_tool(tool: Any, args: dict[str, Any], tool_context: Any) -> Any:
        if not _patcher.active:
            return await original(tool, args, tool_context)

        def start() -> LLMCall:
            return LLMCall("google_adk", str(getattr(tool, "name", "tool")), "TOOL", args, {})

        call = safe_call(f"{_WHAT} (starting a span)", start, None)
        if call is None:
            return await original(tool, args, tool_context)
        try:
            result = await original(tool, args, tool_context)
        except BaseException as exc:
            call.fail(exc)
            raise
        call.finish(result)
        return result

    return call_tool


_WRAPPERS: dict[str, Callable[[Any], Any]] = {
    "runner": _wrap_runner,
    "agent": _wrap_agent,
    "llm": _wrap_llm,
    "tool": _wrap_tool,
}
