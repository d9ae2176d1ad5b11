"""CrewAI autologging: crews, tasks, agents, tools and LLM calls become nested spans.

``ardea.crewai.autolog()`` patches (CrewAI 1.x, tested with 1.15):

- ``Crew.kickoff`` / ``Crew.akickoff``: the root ``CHAIN`` span (inputs: the kickoff
  inputs; outputs: the crew's final output). ``kickoff_async`` runs ``kickoff`` on a
  thread and is traced through it; so is a streaming crew (``Crew(stream=True)``), whose
  run CrewAI performs with a second ``kickoff`` call once the caller reads the stream.
- ``Task.execute_sync`` / ``Task.aexecute_sync``: a ``CHAIN`` span per task (description,
  expected output, context; outputs: the task's output).
- ``Agent.execute_task`` / ``Agent.aexecute_task`` (inside a crew) and ``Agent.kickoff`` /
  ``Agent.kickoff_async`` (an agent on its own): an ``AGENT`` span named after the role.
- ``Flow.kickoff`` / ``kickoff_async`` / ``akickoff`` of your flows: a ``CHAIN`` span named
  after the flow class, with a ``CHAIN`` span per executed method (``@start``,
  ``@listen``, ``@router``) named after it. The flows CrewAI runs internally (its agent
  executor) make no span.
- ``BaseTool.run`` / ``arun`` and the ``@tool`` decorator's ``Tool.run`` / ``arun``: a
  ``TOOL`` span (inputs: the arguments; outputs: the result).
- ``call`` / ``acall`` of CrewAI's native LLM classes (OpenAI and OpenAI-compatible,
  Anthropic, Azure, Bedrock, Gemini; each patched when CrewAI first imports it): a
  ``CHAT_MODEL`` span with the messages, the answer (text or tool calls),
  ``mlflow.llm.model``, ``mlflow.llm.provider``, ``mlflow.chat.tools``,
  ``mlflow.chat.tokenUsage`` and ``mlflow.llm.cost``. A streamed call (``LLM(stream=True)``)
  returns once the stream is read, so its span ends with the whole answer. The provider SDK
  call underneath (``openai``, ``anthropic``) makes no second span.

CrewAI's event bus runs its handlers on a thread pool, after the fact, so these spans come
from patches (they are current while the work runs and nest everything it does). CrewAI's
own anonymous telemetry is its business: set ``CREWAI_DISABLE_TELEMETRY=true`` to turn it off
(Ardea never touches it, and CrewAI does not replace the global OpenTelemetry provider).
Failures of the tracing code are logged and swallowed (raised under ``ARDEA_STRICT=1``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from opentelemetry import trace

from ardea._core.safety import swallow_failures
from ardea.autolog import _hooks
from ardea.autolog._agent_spans import FrameworkSpan, wrap_call
from ardea.autolog._llm_call import MODEL, PROVIDER, TOOLS, positive_int, usage_attributes
from ardea.autolog._patching import Patcher

__all__ = ["autolog", "is_enabled", "revert"]

_patcher = Patcher("crewai")
_NAME = "crewai"

_LLM_CLASSES: tuple[tuple[str, str], ...] = (
    ("crewai.llms.providers.openai.completion", "OpenAICompletion"),
    ("crewai.llms.providers.openai_compatible.completion", "OpenAICompatibleCompletion"),
    ("crewai.llms.providers.anthropic.completion", "AnthropicCompletion"),
    ("crewai.llms.providers.azure.completion", "AzureCompletion"),
    ("crewai.llms.providers.bedrock.completion", "BedrockCompletion"),
    ("crewai.llms.providers.gemini.completion", "GeminiCompletion"),
)
"""CrewAI's native LLM classes (module, class); a class patched only if it defines ``call``."""

_usage_metrics: Any = None  # crewai.types.usage_metrics.UsageMetrics, bound on first use

_open_llm_spans: dict[int, FrameworkSpan] = {}
"""OTel span id -> open LLM span, for the token usage CrewAI reports during the call."""


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn CrewAI autologging on (or off with ``disable=True``).

    Args:
        disable: Remove the patches instead.
        log_traces: Make spans (``False`` keeps the patches but traces nothing).
    """
    if disable:
        revert()
        return
    _patcher.log_traces = log_traces
    for attr, is_async in (("kickoff", False), ("akickoff", True)):
        _patcher.patch("crewai.crew", "Crew", attr, _wrapper(_crew_start, _crew_finish, is_async))
    for attr, is_async in (("execute_sync", False), ("aexecute_sync", True)):
        _patcher.patch("crewai.task", "Task", attr, _wrapper(_task_start, _task_finish, is_async))
    for attr, is_async in (("execute_task", False), ("aexecute_task", True),
                           ("kickoff", False), ("kickoff_async", True)):  # fmt: skip
        _patcher.patch("crewai.agent.core", "Agent", attr,
                       _wrapper(_agent_start, _agent_finish, is_async))  # fmt: skip
    for attr, start in (("kickoff_async", _flow_start), ("_execute_method", _flow_method_start)):
        _patcher.patch("crewai.flow.runtime", "Flow", attr,
                       _wrapper(start, _flow_finish, is_async=True))  # fmt: skip
    for cls in ("BaseTool", "Tool"):
        for attr, is_async in (("run", False), ("arun", True)):
            _patcher.patch("crewai.tools.base_tool", cls, attr,
                           _wrapper(_tool_start, None, is_async))  # fmt: skip
    _patcher.patch("crewai.llms.base_llm", "BaseLLM", "_track_token_usage_internal", _wrap_usage)
    for module, cls in _LLM_CLASSES:
        _hooks.when_imported(module, functools.partial(_patch_llm, module, cls))
    _patcher.enabled = True


def revert() -> None:
    """Remove every patch; later calls make no spans."""
    for module, _cls in _LLM_CLASSES:
        _hooks.cancel(module)
    _patcher.revert()


def is_enabled() -> bool:
    """Whether CrewAI autologging is on."""
    return _patcher.enabled


def _wrapper(start: Any, finish: Any, is_async: bool) -> Any:
    return lambda original: wrap_call(_patcher, original, start, finish, is_async)


def _raw(result: Any) -> Any:
    """A CrewAI output (``CrewOutput``, ``TaskOutput``, ...) as its text, or the value."""
    raw = getattr(result, "raw", None)
    return raw if isinstance(raw, str) else result


# ---------------------------------------------------------------------- crew, task, agent


def _crew_start(crew: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> FrameworkSpan | None:
    if getattr(crew, "stream", False) is True:
        # A streaming kickoff returns at once; CrewAI runs the crew by calling kickoff again
        # (with stream off) on a thread started in the reader's context: that call is traced.
        return None
    inputs = args[0] if args else kwargs.get("inputs")
    name = getattr(crew, "name", None)
    attrs = {"crewai.crew.name": name} if isinstance(name, str) else {}
    return FrameworkSpan(_NAME, "Crew.kickoff", "CHAIN", {"inputs": inputs}, attrs)


def _crew_finish(span: FrameworkSpan, result: Any) -> tuple[Any, Mapping[str, Any] | None]:
    return _raw(result), None


def _task_start(task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> FrameworkSpan:
    inputs: dict[str, Any] = {
        "description": getattr(task, "description", None),
        "expected_output": getattr(task, "expected_output", None),
    }
    context = args[1] if len(args) > 1 else kwargs.get("context")
    if context:
        inputs["context"] = context
    agent = args[0] if args else kwargs.get("agent")
    agent = agent if agent is not None else getattr(task, "agent", None)
    attrs = {"crewai.agent.role": getattr(agent, "role", None)}
    name = getattr(task, "name", None) or "Task"
    return FrameworkSpan(_NAME, f"Task: {name}" if name != "Task" else name, "CHAIN", inputs, attrs)


def _task_finish(span: FrameworkSpan, result: Any) -> tuple[Any, Mapping[str, Any] | None]:
    return _raw(result), None


def _agent_start(agent: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> FrameworkSpan:
    first = args[0] if args else kwargs.get("task", kwargs.get("messages"))
    inputs: dict[str, Any]
    if hasattr(first, "description"):  # execute_task(task, context, tools)
        inputs = {"task": getattr(first, "description", None)}
        context = args[1] if len(args) > 1 else kwargs.get("context")
        if context:
            inputs["context"] = context
    else:  # kickoff(messages)
        inputs = {"messages": first}
    tools = getattr(agent, "tools", None) or []
    inputs["tools"] = [getattr(t, "name", str(t)) for t in tools]
    llm = getattr(agent, "llm", None)
    model = getattr(llm, "model", None)
    attrs = {"crewai.agent.goal": getattr(agent, "goal", None),
             MODEL: model if isinstance(model, str) else None}  # fmt: skip
    name = getattr(agent, "role", None) or type(agent).__name__
    return FrameworkSpan(_NAME, str(name), "AGENT", inputs, attrs)


def _agent_finish(span: FrameworkSpan, result: Any) -> tuple[Any, Mapping[str, Any] | None]:
    return _raw(result), None


# ---------------------------------------------------------------------- flows


def _users_flow(flow: Any) -> bool:
    """Whether ``flow`` is the user's: CrewAI runs its own agents as flows too."""
    return not type(flow).__module__.startswith("crewai.")


def _flow_start(flow: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> FrameworkSpan | None:
    if not _users_flow(flow):
        return None
    inputs = args[0] if args else kwargs.get("inputs")
    return FrameworkSpan(_NAME, type(flow).__name__, "CHAIN", {"inputs": inputs})


def _flow_method_start(
    flow: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> FrameworkSpan | None:
    if not _users_flow(flow) or not args:
        return None
    params = {f"_{i}": arg for i, arg in enumerate(args[2:])} | kwargs
    return FrameworkSpan(_NAME, str(args[0]), "CHAIN", params)


def _flow_finish(span: FrameworkSpan, result: Any) -> tuple[Any, Mapping[str, Any] | None]:
    if isinstance(result, tuple) and len(result) == 2:  # _execute_method: (result, event id)
        result = result[0]
    return _raw(result), None


# ---------------------------------------------------------------------- tools


def _tool_start(tool: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> FrameworkSpan:
    inputs: Any = dict(kwargs)
    if args:
        inputs = args[0] if len(args) == 1 and not kwargs else {"args": list(args), **kwargs}
    name = getattr(tool, "name", None) or type(tool).__name__
    attrs = {"description": getattr(tool, "description", None)}
    return FrameworkSpan(_NAME, str(name), "TOOL", inputs, attrs)


# ---------------------------------------------------------------------- LLM calls


def _patch_llm(module: str, cls: str, _imported: Any = None) -> None:
    import importlib

    owner = getattr(importlib.import_module(module), cls, None)
    for attr, is_async in (("call", False), ("acall", True)):
        if owner is not None and attr in owner.__dict__:
            _patcher.patch(module, cls, attr, _wrapper(_llm_start, _llm_finish, is_async))


class _LLMSpan(FrameworkSpan):
    """A CrewAI LLM call's span, findable by span id while open (for its token usage)."""

    def _release(self) -> None:
        super()._release()
        if self.llm_span_id is not None:
            _open_llm_spans.pop(self.llm_span_id, None)


def _inside_llm_call() -> bool:
    return trace.get_current_span().get_span_context().span_id in _open_llm_spans


def _llm_start(llm: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> FrameworkSpan | None:
    if _open_llm_spans and _inside_llm_call():  # a subclass's call calling super().call
        return None
    messages = args[0] if args else kwargs.get("messages")
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    model = getattr(llm, "model", None)
    model = model if isinstance(model, str) else None
    provider = getattr(llm, "provider", None)
    provider = provider if isinstance(provider, str) else type(llm).__name__
    attrs: dict[str, Any] = {MODEL: model, PROVIDER: provider}
    tools = args[1] if len(args) > 1 else kwargs.get("tools")
    if tools:
        attrs[TOOLS] = tools
    inputs: dict[str, Any] = {"messages": messages}
    span = _LLMSpan(_NAME, f"{type(llm).__name__}.call", "CHAT_MODEL", inputs, attrs, llm=True)
    span.state = {"model": model, "provider": provider, "usage": None}
    if span.llm_span_id is not None:
        _open_llm_spans[span.llm_span_id] = span
    return span


def _llm_finish(span: FrameworkSpan, result: Any) -> tuple[Any, Mapping[str, Any] | None]:
    state = span.state
    usage = state["usage"]
    attrs: dict[str, Any] = {}
    if usage is not None:
        inp, out, cached, written = usage
        attrs = usage_attributes(state["model"], state["provider"], inp, out, None,
                                 min(cached, inp), min(written, max(inp - cached, 0)))  # fmt: skip
    return result, attrs


def _wrap_usage(original: Any) -> Any:
    """``BaseLLM._track_token_usage_internal``: also adds the usage to the open LLM span."""

    @functools.wraps(original)
    def track(self: Any, usage_data: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, usage_data, *args, **kwargs)
        if _open_llm_spans and isinstance(usage_data, dict):
            span_id = trace.get_current_span().get_span_context().span_id
            span = _open_llm_spans.get(span_id)
            if span is not None:
                with swallow_failures(f"{_NAME} autolog (reading token usage)"):
                    _add_usage(span, usage_data)
        return result

    return track


def _add_usage(span: FrameworkSpan, usage_data: dict[str, Any]) -> None:
    import importlib

    global _usage_metrics
    if _usage_metrics is None:
        _usage_metrics = importlib.import_module("crewai.types.usage_metrics").UsageMetrics
    metrics = _usage_metrics.from_provider_dict(usage_data)
    if metrics is None:
        return
    inp = positive_int(metrics.prompt_tokens)
    out = positive_int(metrics.completion_tokens)
    cached = positive_int(metrics.cached_prompt_tokens)
    written = positive_int(getattr(metrics, "cache_creation_tokens", 0))
    old = span.state["usage"] or (0, 0, 0, 0)
    span.state["usage"] = (old[0] + inp, old[1] + out, old[2] + cached, old[3] + written)
