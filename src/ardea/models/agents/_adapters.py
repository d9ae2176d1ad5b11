"""Adapters: any supported agent as one async stream of text deltas and tool calls.

Supported (see docs/agents-serving.md):

- a function ``(messages) -> str`` (or a tool-call dict, a chat message, a list of those),
  a generator of ``str`` deltas and tool-call dicts, or the async version of either; it may
  also take ``tools``, ``metadata``, ``session_id`` and ``user_id`` keyword arguments;
- an object with ``predict(request)`` and optionally ``predict_stream(request)`` taking a
  ResponsesAgent request (``{"input": [...], "context": {...}}``; an MLflow
  ``ResponsesAgent`` gets its pydantic request) and answering output items or stream events;
- an OpenAI Agents SDK ``Agent`` (``Runner.run`` / ``Runner.run_streamed``);
- a LangGraph compiled graph (``ainvoke`` / ``astream`` with ``{"messages": [...]}``).

The optional frameworks are never imported here: an object is recognised by the modules
its own import already loaded.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ardea.models.agents._bridge import iterate_in_thread
from ardea.models.agents._messages import ToolCall, as_tool_call, messages_to_items

__all__ = ["Adapter", "AgentCall", "AgentOutputError", "Event", "adapt"]


class AgentOutputError(TypeError):
    """The agent answered something the server cannot send (Ardea's message, safe to show)."""


Event = str | ToolCall
"""What an adapter yields: a text delta or a tool call."""

_OPTIONAL_KWARGS = ("tools", "metadata", "session_id", "user_id")


@dataclass
class AgentCall:
    """One request as the agent sees it."""

    messages: list[dict[str, Any]]
    tools: list[Any] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    session_id: str | None = None
    user_id: str | None = None
    stream: bool = False


class Adapter:
    """An agent behind :meth:`events` (subclasses per kind of agent)."""

    kind = "agent"

    def events(self, call: AgentCall) -> AsyncIterator[Event]:
        """The agent's answer to ``call`` as text deltas and tool calls."""
        raise NotImplementedError


def normalize(value: Any) -> Iterator[Event]:
    """The events in what an agent returned or yielded (see the module docstring)."""
    if value is None:
        return
    if isinstance(value, str):
        if value:
            yield value
        return
    if isinstance(value, ToolCall):
        yield value
        return
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, dict):
        call = as_tool_call(value)
        if call is not None:
            yield call
            return
        if "content" in value or "tool_calls" in value:  # a chat message
            yield from normalize(value.get("content"))
            for raw in value.get("tool_calls") or []:
                tool = as_tool_call(raw)
                if tool is not None:
                    yield tool
            return
        if value.get("type") in ("output_text", "text") and isinstance(value.get("text"), str):
            yield value["text"]
            return
        raise AgentOutputError(
            f"the agent returned a dict of unknown shape (keys {sorted(value)[:20]})"
        )
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from normalize(item)
        return
    raise AgentOutputError(f"the agent returned a {type(value).__name__}, not text or a tool call")


def _is_async(fn: Any) -> bool:
    target = fn if inspect.isroutine(fn) else getattr(fn, "__call__", fn)  # noqa: B004
    return inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)


class FunctionAdapter(Adapter):
    """A plain function, generator, or their async versions (see the module docstring)."""

    kind = "function"

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            params = {}  # type: ignore[assignment]
        var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        self.kwargs = [k for k in _OPTIONAL_KWARGS if var_kw or k in params]

    def _kwargs(self, call: AgentCall) -> dict[str, Any]:
        return {k: getattr(call, k) for k in self.kwargs}

    async def events(self, call: AgentCall) -> AsyncIterator[Event]:
        """Run the function (sync ones on a thread) and normalize what it gives."""
        if _is_async(self.fn):
            result = self.fn(call.messages, **self._kwargs(call))
            if inspect.isawaitable(result):
                result = await result
            if hasattr(result, "__aiter__"):
                async for value in result:
                    for event in normalize(value):
                        yield event
                return
            for event in normalize(result):
                yield event
            return

        def produce() -> Iterable[Any]:
            result = self.fn(call.messages, **self._kwargs(call))
            if isinstance(result, (Iterator, Iterable)) and not isinstance(
                result, (str, dict, list, tuple)
            ):
                yield from result
            else:
                yield result

        async for value in iterate_in_thread(produce):
            for event in normalize(value):
                yield event


def _item_events(item: dict[str, Any]) -> Iterator[Event]:
    """Text and tool calls of one ResponsesAgent output item."""
    if item.get("type") == "function_call":
        call = as_tool_call(item)
        if call is not None:
            yield call
        return
    for part in item.get("content") or []:
        if isinstance(part, dict) and isinstance(part.get("text"), str):
            yield part["text"]


def _dump(value: Any) -> Any:
    return value.model_dump(exclude_none=True) if hasattr(value, "model_dump") else value


class PredictAdapter(Adapter):
    """An object with ``predict`` / ``predict_stream`` (MLflow's ResponsesAgent shape)."""

    kind = "responses-agent"

    def __init__(self, agent: Any) -> None:
        self.agent = agent

    def _request(self, call: AgentCall) -> Any:
        body: dict[str, Any] = {"input": messages_to_items(call.messages)}
        context = {"conversation_id": call.session_id, "user_id": call.user_id}
        body["context"] = {k: v for k, v in context.items() if v is not None}
        if call.tools:
            body["tools"] = call.tools
        mlflow_pyfunc = sys.modules.get("mlflow.pyfunc")
        base = getattr(mlflow_pyfunc, "ResponsesAgent", None) if mlflow_pyfunc else None
        if base is not None and isinstance(self.agent, base):
            from mlflow.types.responses import ResponsesAgentRequest

            return ResponsesAgentRequest(**body)
        return body

    def _stream(self, request: Any) -> Iterator[Event]:
        streamed: set[str] = set()
        for raw in self.agent.predict_stream(request):
            chunk = _dump(raw)
            kind = chunk.get("type")
            if kind == "response.output_text.delta":
                streamed.add(str(chunk.get("item_id")))
                yield str(chunk.get("delta", ""))
            elif kind == "response.output_item.done":
                item = chunk.get("item") or {}
                if item.get("type") == "function_call" or str(item.get("id")) not in streamed:
                    yield from _item_events(item)

    def _predict(self, request: Any) -> Iterator[Event]:
        answer = _dump(self.agent.predict(request))
        for item in answer.get("output") or []:
            yield from _item_events(_dump(item))

    async def events(self, call: AgentCall) -> AsyncIterator[Event]:
        """``predict_stream`` when streaming and present, else ``predict``, on a thread."""
        request = self._request(call)
        streaming = call.stream and hasattr(self.agent, "predict_stream")

        def produce() -> Iterator[Event]:
            return self._stream(request) if streaming else self._predict(request)

        async for event in iterate_in_thread(produce):
            yield event


class OpenAIAgentsAdapter(Adapter):
    """An OpenAI Agents SDK ``Agent``: ``Runner.run``, or ``Runner.run_streamed`` to stream."""

    kind = "openai-agents"

    def __init__(self, agent: Any) -> None:
        self.agent = agent

    async def events(self, call: AgentCall) -> AsyncIterator[Event]:
        """The run's final output, or its text deltas as they stream."""
        from agents import Runner

        items: Any = messages_to_items(call.messages)
        if not call.stream:
            result = await Runner.run(self.agent, items)
            for event in normalize(str(result.final_output)):
                yield event
            return
        streamed = Runner.run_streamed(self.agent, items)
        async for update in streamed.stream_events():
            data: Any = getattr(update, "data", None)
            if (
                update.type == "raw_response_event"
                and getattr(data, "type", "") == "response.output_text.delta"
            ):
                yield str(data.delta)


class LangGraphAdapter(Adapter):
    """A LangGraph compiled graph with a ``messages`` state key."""

    kind = "langgraph"

    def __init__(self, graph: Any) -> None:
        self.graph = graph

    async def events(self, call: AgentCall) -> AsyncIterator[Event]:
        """The last AI message (``ainvoke``), or AI message chunks (``astream``)."""
        state = {"messages": call.messages}
        if not call.stream:
            result = await self.graph.ainvoke(state)
            last = result["messages"][-1]
            for event in _langchain_message_events(last):
                yield event
            return
        async for message, _meta in self.graph.astream(state, stream_mode="messages"):
            if getattr(message, "type", "") not in ("ai", "AIMessageChunk"):
                continue
            for event in _langchain_message_events(message):
                yield event


def _langchain_message_events(message: Any) -> Iterator[Event]:
    content = getattr(message, "content", "")
    if isinstance(content, list):
        content = "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    if content:
        yield str(content)
    for raw in getattr(message, "tool_calls", None) or []:
        tool = as_tool_call(
            {"name": raw.get("name"), "arguments": raw.get("args", {}), "call_id": raw.get("id")}
        )
        if tool is not None:
            yield tool


def _instance_of(obj: Any, module: str, name: str) -> bool:
    loaded = sys.modules.get(module)
    cls = getattr(loaded, name, None) if loaded is not None else None
    return isinstance(cls, type) and isinstance(obj, cls)


def adapt(agent: Any) -> Adapter:
    """The adapter for ``agent`` (see the module docstring).

    Raises:
        TypeError: ``agent`` is none of the supported kinds.
    """
    if isinstance(agent, Adapter):
        return agent
    if _instance_of(agent, "agents", "Agent"):
        return OpenAIAgentsAdapter(agent)
    if _instance_of(agent, "langgraph.pregel", "Pregel"):
        return LangGraphAdapter(agent)
    if isinstance(agent, type):
        raise TypeError(f"{agent.__name__} is a class: serve an instance of it")
    if hasattr(agent, "predict") and not inspect.isroutine(agent):
        return PredictAdapter(agent)
    if callable(agent):
        return FunctionAdapter(agent)
    raise TypeError(
        f"cannot serve a {type(agent).__name__}: give a function, an object with predict, "
        "an OpenAI Agents SDK Agent or a LangGraph compiled graph"
    )
