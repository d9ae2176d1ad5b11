"""OpenAI Agents SDK autologging: agent runs become one trace of nested Ardea spans.

``ardea.openai_agents.autolog()`` adds an Ardea trace processor to the SDK
(``agents.tracing.add_trace_processor``; the user's other processors, the SDK's own exporter
included, are left alone) and wraps ``AgentRunner.run`` / ``run_streamed`` (behind
``Runner.run``, ``run_sync`` and ``run_streamed``) to give the run's root span its input and
final output. What each SDK span becomes:

- a run (the SDK's trace and task): ``AGENT``, inputs = the run input, outputs = the final
  output; an ``agents.trace(...)`` block around several runs is an ``AGENT`` span above them;
- an agent: ``AGENT`` (attributes ``openai_agents.tools`` / ``handoffs`` / ``output_type``);
- an agent turn: ``CHAIN`` ``turn N``;
- a model call (Responses API ``response``, Chat Completions ``generation``): ``CHAT_MODEL``
  with inputs, outputs, ``mlflow.llm.model``, ``mlflow.llm.provider``, ``mlflow.chat.tools``,
  ``mlflow.chat.tokenUsage`` and ``mlflow.llm.cost``. The OpenAI SDK call underneath makes no
  second span, whether OpenAI autologging is on or not;
- a function tool: ``TOOL`` (arguments, result); a handoff: ``CHAIN``; a guardrail:
  ``GUARDRAIL`` (``{"triggered": ...}``); an MCP tool listing: ``CHAIN``.

Streaming (``Runner.run_streamed``): the run's span stays open until the run ends. Async and
sync runs alike. Errors of the SDK end the span as ERROR and propagate unchanged. SDK tracing
turned off (``OPENAI_AGENTS_DISABLE_TRACING=1``, ``RunConfig(tracing_disabled=True)``) leaves
only the run span and the OpenAI SDK's own spans. Supported: openai-agents 0.20 and newer.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from ardea._core.safety import safe_call, swallow_failures
from ardea.autolog._llm_call import LLMCall
from ardea.autolog._patching import Patcher

__all__ = ["autolog", "is_enabled", "revert"]

_patcher = Patcher("openai_agents")
_lock = threading.Lock()
_registered: list[Any] = []  # the trace providers our processor was added to
_PREFIX = "openai_agents."


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn OpenAI Agents SDK autologging on (or off with ``disable=True``).

    Args:
        disable: Stop tracing instead.
        log_traces: Make spans (``False`` turns tracing off).
    """
    if disable or not log_traces:
        revert()
        return
    if not _is_the_sdk():
        return  # an `agents` module of the user's own, not the OpenAI Agents SDK
    from agents.tracing import add_trace_processor, get_trace_provider

    from ardea.autolog._openai_agents_processor import processor

    with _lock:
        provider = get_trace_provider()
        if not any(p is provider for p in _registered) or not _has(provider, processor):
            add_trace_processor(processor)
            _registered.append(provider)
        processor.enabled = True
    _patcher.log_traces = True
    _patcher.patch("agents.run", "AgentRunner", "run", _wrap_run)
    _patcher.patch("agents.run", "AgentRunner", "run_streamed", _wrap_run_streamed)
    _patcher.enabled = True


def revert() -> None:
    """Stop tracing agent runs (our processor stays registered but makes no spans)."""
    import sys

    _patcher.revert()
    module = sys.modules.get("ardea.autolog._openai_agents_processor")
    if module is not None:
        module.processor.enabled = False


def is_enabled() -> bool:
    """Whether OpenAI Agents SDK autologging is on."""
    import sys

    module = sys.modules.get("ardea.autolog._openai_agents_processor")
    return bool(module is not None and module.processor.enabled)


def _is_the_sdk() -> bool:
    """Whether ``agents`` is the OpenAI Agents SDK (a project may have its own ``agents``)."""
    import importlib.util

    try:
        return importlib.util.find_spec("agents.tracing") is not None
    except (ImportError, ValueError):
        return False


def _has(provider: Any, processor: Any) -> bool:
    """Whether ``processor`` is still among the provider's (True when that is unreadable)."""
    multi = getattr(provider, "_multi_processor", None)
    found = getattr(multi, "_processors", None)
    return True if found is None else any(p is processor for p in found)


def _start(agent: Any, run_input: Any, kwargs: dict[str, Any]) -> LLMCall:
    from ardea.autolog._openai_agents_processor import run_roots

    config = kwargs.get("run_config")
    name = getattr(config, "workflow_name", None) if config is not None else None
    if isinstance(config, dict):
        name = config.get("workflow_name")
    attrs = {_PREFIX + "agent": getattr(agent, "name", None)}
    call = LLMCall("openai_agents", name or "Agent workflow", "AGENT", run_input, attrs)
    run_roots.add(call.span.otel_span.get_span_context().span_id)
    return call


def _end(call: LLMCall, result: Any = None, error: BaseException | None = None) -> None:
    from ardea.autolog._openai_agents_processor import run_roots

    run_roots.discard(call.span.otel_span.get_span_context().span_id)
    if error is not None:
        call.fail(error)
    else:
        call.finish(getattr(result, "final_output", None))


def _wrap_run(original: Any) -> Any:
    @functools.wraps(original)
    async def run(self: Any, starting_agent: Any, input: Any, **kwargs: Any) -> Any:
        if not _patcher.active:
            return await original(self, starting_agent, input, **kwargs)
        what = "openai_agents autolog (starting a run span)"
        call = safe_call(what, lambda: _start(starting_agent, input, kwargs), None)
        if call is None:
            return await original(self, starting_agent, input, **kwargs)
        try:
            result = await original(self, starting_agent, input, **kwargs)
        except BaseException as exc:
            _end(call, error=exc)
            raise
        with swallow_failures("openai_agents autolog (ending a run span)"):
            _end(call, result)
        return result

    return run


def _wrap_run_streamed(original: Any) -> Any:
    @functools.wraps(original)
    def run_streamed(self: Any, starting_agent: Any, input: Any, **kwargs: Any) -> Any:
        if not _patcher.active:
            return original(self, starting_agent, input, **kwargs)
        what = "openai_agents autolog (starting a run span)"
        call = safe_call(what, lambda: _start(starting_agent, input, kwargs), None)
        if call is None:
            return original(self, starting_agent, input, **kwargs)
        try:
            # The run's background task copies this context: its spans nest under ours.
            result = original(self, starting_agent, input, **kwargs)
        except BaseException as exc:
            _end(call, error=exc)
            raise
        call.detach()
        with swallow_failures("openai_agents autolog (following a streamed run)"):
            _follow(call, result)
        return result

    return run_streamed


def _follow(call: LLMCall, result: Any) -> None:
    """End the run's span when the streamed run's background task is done."""
    task = getattr(result, "run_loop_task", None)
    if task is None:
        _end(call, result)
        return

    def done(finished: Any) -> None:
        with swallow_failures("openai_agents autolog (ending a streamed run span)"):
            error = None if finished.cancelled() else finished.exception()
            error = error or getattr(result, "_stored_exception", None)
            if finished.cancelled():
                import asyncio

                error = asyncio.CancelledError()
            _end(call, result, error)

    task.add_done_callback(done)
