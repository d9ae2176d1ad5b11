"""smolagents autologging: agent runs, steps, tool calls and model calls become spans.

``ardea.smolagents.autolog()`` patches (smolagents 1.x, tested with 1.26):

- ``MultiStepAgent.run``: an ``AGENT`` span (inputs: the task and extra arguments; outputs:
  the final answer, or the ``RunResult``). With ``stream=True`` the span opens when the
  caller starts reading the step stream and ends with it.
- ``ToolCallingAgent._step_stream`` and ``CodeAgent._step_stream``: a ``CHAIN`` span per
  step (``Step 1``, ...; outputs: the model output, tool calls, observations, final answer).
- ``Tool.__call__``: a ``TOOL`` span (inputs: the arguments; outputs: the result); the
  ``final_answer`` tool included.
- ``generate`` and ``generate_stream`` of the API models (``OpenAIModel`` and
  ``AzureOpenAIModel``, ``InferenceClientModel``, ``AmazonBedrockModel``,
  ``LiteLLMModel``) and the local ones (``TransformersModel``, ``VLLMModel``, ``MLXModel``):
  a ``CHAT_MODEL`` span with the messages, the assistant message, ``mlflow.llm.model``,
  ``mlflow.llm.provider``, ``mlflow.chat.tokenUsage`` and ``mlflow.llm.cost``. A streamed
  generation keeps its span open until the stream is read; the provider SDK call underneath
  (``openai``) makes no second span.

smolagents has no async API. Failures of the tracing code are logged and swallowed (raised
under ``ARDEA_STRICT=1``); the agent's own exceptions end the span as ERROR and propagate.
"""

from __future__ import annotations

import functools
from collections.abc import Generator, Mapping
from typing import Any

from ardea._core.safety import safe_call
from ardea.autolog._agent_spans import FrameworkSpan, traced_iterator, wrap_call, wrap_generator
from ardea.autolog._llm_call import MODEL, PROVIDER, TOOLS, positive_int, usage_attributes
from ardea.autolog._patching import Patcher

__all__ = ["autolog", "is_enabled", "revert"]

_patcher = Patcher("smolagents")
_NAME = "smolagents"

_MODELS: dict[str, str] = {
    # model class -> provider
    "OpenAIModel": "openai",
    "AzureOpenAIModel": "azure",
    "InferenceClientModel": "huggingface",
    "AmazonBedrockModel": "bedrock",
    "LiteLLMModel": "litellm",
    "TransformersModel": "transformers",
    "VLLMModel": "vllm",
    "MLXModel": "mlx",
}

_agglomerate: Any = None  # smolagents.models.agglomerate_stream_deltas, bound by autolog()


def autolog(disable: bool = False, log_traces: bool = True) -> None:
    """Turn smolagents autologging on (or off with ``disable=True``).

    Args:
        disable: Remove the patches instead.
        log_traces: Make spans (``False`` keeps the patches but traces nothing).
    """
    global _agglomerate
    if disable:
        revert()
        return
    import importlib

    models = importlib.import_module("smolagents.models")
    _agglomerate = getattr(models, "agglomerate_stream_deltas", None)
    _patcher.log_traces = log_traces
    _patcher.patch("smolagents.agents", "MultiStepAgent", "run", _wrap_run)
    for cls in ("ToolCallingAgent", "CodeAgent"):
        _patcher.patch("smolagents.agents", cls, "_step_stream", _wrap_step)
    _patcher.patch("smolagents.tools", "Tool", "__call__", _wrap_tool)
    # CodeAgent runs the generated code on a worker thread: carry the step's span there.
    _patcher.patch("smolagents", "local_python_executor", "timeout", _wrap_timeout)
    for cls in _MODELS:
        if "generate" in getattr(models, cls, object).__dict__:
            _patcher.patch("smolagents.models", cls, "generate", _wrap_generate)
        if "generate_stream" in getattr(models, cls, object).__dict__:
            _patcher.patch("smolagents.models", cls, "generate_stream", _wrap_generate_stream)
    _patcher.enabled = True


def revert() -> None:
    """Remove every patch; later calls make no spans."""
    _patcher.revert()


def is_enabled() -> bool:
    """Whether smolagents autologging is on."""
    return _patcher.enabled


# ---------------------------------------------------------------------- agent runs


def _run_start(agent: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> FrameworkSpan:
    task = args[0] if args else kwargs.get("task")
    inputs: dict[str, Any] = {"task": task}
    if kwargs.get("additional_args"):
        inputs["additional_args"] = kwargs["additional_args"]
    name = getattr(agent, "name", None) or type(agent).__name__
    model = getattr(getattr(agent, "model", None), "model_id", None)
    attrs = {MODEL: model} if isinstance(model, str) else {}
    return FrameworkSpan(_NAME, name, "AGENT", inputs, attrs)


def _run_finish(span: FrameworkSpan, result: Any) -> tuple[Any, Mapping[str, Any] | None]:
    return result, None


def _wrap_run(original: Any) -> Any:
    traced = wrap_call(_patcher, original, _run_start, _run_finish)

    @functools.wraps(original)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        stream = kwargs.get("stream", args[1] if len(args) > 1 else False)
        if not stream or not _patcher.active:
            return traced(self, *args, **kwargs)
        steps = original(self, *args, **kwargs)  # prepares the run; the steps run when read
        return _read_steps(self, args, kwargs, steps)

    return run


def _read_steps(
    agent: Any, args: tuple[Any, ...], kwargs: dict[str, Any], steps: Any
) -> Generator[Any, None, None]:
    """The steps of ``run(stream=True)``, traced.

    The span opens when the caller starts reading (none for a stream never read) and ends
    with the stream.
    """
    span = _safe_start(lambda: _run_start(agent, args, kwargs))
    if span is None:
        yield from steps
        return
    span.detach()
    yield from traced_iterator(_patcher, span, steps, _stream_finish)


def _stream_finish(span: FrameworkSpan, last: Any) -> tuple[Any, Mapping[str, Any] | None]:
    return getattr(last, "output", last), None  # the FinalAnswerStep's output


def _safe_start(start: Any) -> FrameworkSpan | None:
    result: FrameworkSpan | None = safe_call(f"{_NAME} autolog (starting a span)", start, None)
    return result


# ---------------------------------------------------------------------- steps


def _step_start(agent: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> FrameworkSpan:
    step = args[0] if args else kwargs.get("memory_step")
    number = getattr(step, "step_number", None)
    span = FrameworkSpan(_NAME, f"Step {number}", "CHAIN", {"step_number": number})
    span.state = step
    return span


def _step_finish(span: FrameworkSpan, last: Any) -> tuple[Any, Mapping[str, Any] | None]:
    step = span.state
    outputs: dict[str, Any] = {}
    message = getattr(step, "model_output_message", None)
    if message is not None:
        outputs["model_output"] = _message(message)
    calls = getattr(step, "tool_calls", None)
    if calls:
        outputs["tool_calls"] = [
            {"id": getattr(c, "id", None), "name": getattr(c, "name", None),
             "arguments": getattr(c, "arguments", None)}
            for c in calls
        ]  # fmt: skip
    for key in ("code_action", "observations", "action_output"):
        value = getattr(step, key, None)
        if value is not None:
            outputs[key] = value
    if getattr(step, "is_final_answer", False):
        outputs["is_final_answer"] = True
    return outputs, None


def _wrap_step(original: Any) -> Any:
    return wrap_generator(_patcher, original, _step_start, _step_finish)


# ---------------------------------------------------------------------- tools


def _tool_start(tool: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> FrameworkSpan:
    inputs: Any = {k: v for k, v in kwargs.items() if k != "sanitize_inputs_outputs"}
    if len(args) == 1 and not inputs and isinstance(args[0], dict):
        inputs = args[0]  # the arguments as one dict
    elif args:
        names = list(getattr(tool, "inputs", None) or ())
        inputs = {**dict(zip(names, args, strict=False)), **inputs}
        if len(args) > len(names):
            inputs["args"] = list(args[len(names) :])
    name = getattr(tool, "name", None) or type(tool).__name__
    attrs = {"description": getattr(tool, "description", None)}
    return FrameworkSpan(_NAME, str(name), "TOOL", inputs, attrs)


def _wrap_tool(original: Any) -> Any:
    return wrap_call(_patcher, original, _tool_start)


def _wrap_timeout(original: Any) -> Any:
    """``timeout(seconds)(func)`` whose worker thread runs ``func`` in the caller's context."""
    import contextvars

    @functools.wraps(original)
    def timeout(*args: Any, **kwargs: Any) -> Any:
        decorate = original(*args, **kwargs)
        if not _patcher.active:
            return decorate

        def decorator(func: Any) -> Any:
            context = contextvars.copy_context()  # decorated right before the one call
            return decorate(functools.wraps(func)(functools.partial(context.run, func)))

        return decorator

    return timeout


# ---------------------------------------------------------------------- models


def _message(message: Any) -> Any:
    """A ChatMessage (or stream delta) as a plain dict, without the raw API response."""
    if isinstance(message, dict):
        return message
    role = getattr(message, "role", "assistant")
    out: dict[str, Any] = {"role": getattr(role, "value", role),
                           "content": getattr(message, "content", None)}  # fmt: skip
    calls = getattr(message, "tool_calls", None)
    if calls:
        out["tool_calls"] = [
            {"id": getattr(c, "id", None), "type": getattr(c, "type", "function"),
             "function": {"name": getattr(getattr(c, "function", None), "name", None),
                          "arguments": getattr(getattr(c, "function", None), "arguments", None)}}
            for c in calls
        ]  # fmt: skip
    return out


def _model_start(
    model: Any, args: tuple[Any, ...], kwargs: dict[str, Any], method: str = "generate"
) -> FrameworkSpan:
    messages = args[0] if args else kwargs.get("messages", [])
    inputs: dict[str, Any] = {"messages": [_message(m) for m in messages or []]}
    stop = kwargs.get("stop_sequences", args[1] if len(args) > 1 else None)
    if stop:
        inputs["stop_sequences"] = stop
    attrs: dict[str, Any] = {PROVIDER: _MODELS.get(type(model).__name__, "smolagents")}
    model_id = getattr(model, "model_id", None)
    if isinstance(model_id, str):
        attrs[MODEL] = model_id
    tools = kwargs.get("tools_to_call_from")
    if tools:
        attrs[TOOLS] = [_tool_schema(t) for t in tools]
    name = f"{type(model).__name__}.{method}"
    span = FrameworkSpan(_NAME, name, "CHAT_MODEL", inputs, attrs, llm=True)
    span.state = (model_id if isinstance(model_id, str) else None, attrs[PROVIDER])
    return span


def _tool_schema(tool: Any) -> dict[str, Any]:
    return {"type": "function", "function": {
        "name": getattr(tool, "name", None), "description": getattr(tool, "description", None),
        "parameters": {"type": "object", "properties": getattr(tool, "inputs", {})},
    }}  # fmt: skip


def _usage(span: FrameworkSpan, usage: Any) -> dict[str, Any]:
    if usage is None:
        return {}
    model, provider = span.state
    inp = positive_int(getattr(usage, "input_tokens", 0))
    out = positive_int(getattr(usage, "output_tokens", 0))
    return usage_attributes(model, provider, inp, out)


def _generate_finish(span: FrameworkSpan, message: Any) -> tuple[Any, Mapping[str, Any] | None]:
    return _message(message), _usage(span, getattr(message, "token_usage", None))


def _stream_generate_finish(
    span: FrameworkSpan, deltas: Any
) -> tuple[Any, Mapping[str, Any] | None]:
    message = _agglomerate(deltas) if _agglomerate is not None else None
    usage = getattr(message, "token_usage", None)
    return (_message(message) if message is not None else None), _usage(span, usage)


def _wrap_generate(original: Any) -> Any:
    return wrap_call(_patcher, original, _model_start, _generate_finish)


def _wrap_generate_stream(original: Any) -> Any:
    start = functools.partial(_model_start, method="generate_stream")
    return wrap_generator(_patcher, original, start, _stream_generate_finish, keep_items=True)
