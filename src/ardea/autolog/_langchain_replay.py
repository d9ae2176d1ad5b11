"""LangChain chat models under replay: recorded ``CHAT_MODEL`` spans answer in their place.

``ardea.langchain.autolog()`` patches ``BaseChatModel._generate_with_cache`` and its async
twin, the point every ``invoke``/``ainvoke`` (and a ``streaming=True`` model's generate)
passes after the run's span is open. Outside a replay the patch calls straight through.
During ``ardea.replay`` it reads the span the callback handler opened for this run (its
name and inputs), asks the playing cassette, and rebuilds the ``ChatResult`` from the
recorded generations, so the provider is never called. ``.stream()`` calls the model's
``_stream`` directly and is not replayed. Tools made with ``@tool`` (``StructuredTool``)
are served the same way: their ``_run``/``_arun`` answer the recorded tool output.
"""

from __future__ import annotations

import functools
from typing import Any

from ardea.autolog._patching import Patcher
from ardea.tracing import cassette, keys

__all__ = ["patch", "revert"]

_patcher = Patcher("langchain")
_MODULE = "langchain_core.language_models.chat_models"
_TOOLS = "langchain_core.tools.structured"


def patch() -> None:
    """Install the replay patches (idempotent)."""
    _patcher.patch(_MODULE, "BaseChatModel", "_generate_with_cache", _wrap_sync)
    _patcher.patch(_MODULE, "BaseChatModel", "_agenerate_with_cache", _wrap_async)
    _patcher.patch(_TOOLS, "StructuredTool", "_run", _wrap_tool)
    _patcher.patch(_TOOLS, "StructuredTool", "_arun", _wrap_atool)
    _patcher.enabled = True


def revert() -> None:
    """Remove the replay patches."""
    _patcher.revert()


def _recorded(run_manager: Any, kind: str = cassette.LLM) -> Any:
    """The recorded outputs for this run, or ``LIVE`` (no replay, or no span for the run)."""
    playing = cassette.active()
    run_id = getattr(run_manager, "run_id", None)
    if playing is None or run_id is None:
        return cassette.LIVE
    import orjson

    from ardea.autolog._langchain_handler import handler

    run = handler.run_span(run_id)
    if run is None:
        return cassette.LIVE
    raw = (run.attributes or {}).get(keys.SPAN_INPUTS)
    inputs = orjson.loads(raw) if isinstance(raw, str) else None
    return playing.serve(kind, run.name, inputs)


def _revive(outputs: Any) -> Any:
    """A ``ChatResult`` from recorded ``{"generations": [[...]], "llm_output": ...}``."""
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    from ardea._core.errors import NotImplementedFeatureError

    batches = outputs.get("generations") if isinstance(outputs, dict) else None
    if not batches or not isinstance(batches[0], list):
        raise NotImplementedFeatureError("the recorded chat model span has no generations")
    generations = []
    for gen in batches[0]:
        message = dict(gen.get("message") or {"content": gen.get("text") or ""})
        message.pop("type", None)
        info = gen.get("generation_info")
        generations.append(ChatGeneration(message=AIMessage(**message), generation_info=info))
    return ChatResult(generations=generations, llm_output=outputs.get("llm_output"))


def _wrap_sync(original: Any) -> Any:
    @functools.wraps(original)
    def wrapper(self: Any, messages: Any, stop: Any = None, run_manager: Any = None,
                **kwargs: Any) -> Any:  # fmt: skip
        outputs = _recorded(run_manager)
        if outputs is cassette.LIVE:
            return original(self, messages, stop, run_manager, **kwargs)
        return _revive(outputs)

    return wrapper


def _wrap_async(original: Any) -> Any:
    @functools.wraps(original)
    async def wrapper(self: Any, messages: Any, stop: Any = None, run_manager: Any = None,
                      **kwargs: Any) -> Any:  # fmt: skip
        outputs = _recorded(run_manager)
        if outputs is cassette.LIVE:
            return await original(self, messages, stop, run_manager, **kwargs)
        return _revive(outputs)

    return wrapper


def _tool_output(outputs: Any) -> Any:
    """What ``_run`` returned, from a recorded tool output (a ``ToolMessage`` dump or a value)."""
    if isinstance(outputs, dict) and outputs.get("type") == "tool" and "content" in outputs:
        return outputs["content"]
    return outputs


def _wrap_tool(original: Any) -> Any:
    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        outputs = _recorded(kwargs.get("run_manager"), cassette.TOOL)
        if outputs is cassette.LIVE:
            return original(self, *args, **kwargs)
        return _tool_output(outputs)

    return wrapper


def _wrap_atool(original: Any) -> Any:
    @functools.wraps(original)
    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        outputs = _recorded(kwargs.get("run_manager"), cassette.TOOL)
        if outputs is cassette.LIVE:
            return await original(self, *args, **kwargs)
        return _tool_output(outputs)

    return wrapper
