"""Read OpenAI Agents SDK span data into Ardea span names, types, inputs, outputs, attributes.

Works on the SDK's ``SpanData`` objects by their ``type`` string and plain attributes (never
``isinstance``), so a span kind this module does not know becomes a ``CHAIN`` span with its
exported data, never an error in the agent run.
"""

from __future__ import annotations

import json
from typing import Any

from ardea.autolog._llm_call import MODEL, PROVIDER, TOOLS
from ardea.autolog._openai_parse import tools_attribute
from ardea.llm.usage import openai_usage

__all__ = ["MODEL_KINDS", "end_data", "span_name", "span_type"]

MODEL_KINDS = frozenset({"response", "generation"})
"""SDK span kinds that are one model call (``CHAT_MODEL`` spans)."""

_TYPES = {
    "agent": "AGENT",
    "task": "AGENT",
    "turn": "CHAIN",
    "function": "TOOL",
    "response": "CHAT_MODEL",
    "generation": "CHAT_MODEL",
    "handoff": "CHAIN",
    "guardrail": "GUARDRAIL",
    "transcription": "LLM",
    "speech": "LLM",
    "mcp_tools": "CHAIN",
}

PREFIX = "openai_agents."
"""Prefix of the attributes this integration adds (``openai_agents.tools``, ...)."""


def span_type(kind: str) -> str:
    """The Ardea span type of an SDK span kind (``CHAIN`` when unknown)."""
    return _TYPES.get(kind, "CHAIN")


def span_name(data: Any) -> str:
    """A readable span name: the agent, tool or guardrail name, ``turn 2``, ``Response``."""
    kind = getattr(data, "type", "")
    if kind == "turn":
        return f"turn {getattr(data, 'turn', '?')}"
    if kind == "handoff":
        return f"handoff to {getattr(data, 'to_agent', None) or '?'}"
    if kind == "mcp_tools":
        return f"list tools {getattr(data, 'server', None) or ''}".strip()
    name = getattr(data, "name", None)
    if isinstance(name, str) and name:
        return name
    return {"response": "Response", "generation": "Generation"}.get(kind, kind or "span")


def end_data(data: Any) -> tuple[Any, Any, dict[str, Any]]:
    """``(inputs, outputs, attributes)`` of a finished SDK span."""
    kind = getattr(data, "type", "")
    reader = _READERS.get(kind)
    if reader is not None:
        return reader(data)
    exported = data.export()
    return None, exported.get("data", exported), {}


def _agent(data: Any) -> tuple[Any, Any, dict[str, Any]]:
    attrs = {
        PREFIX + "tools": data.tools,
        PREFIX + "handoffs": data.handoffs,
        PREFIX + "output_type": data.output_type,
    }
    return None, None, {k: v for k, v in attrs.items() if v}


def _usage_only(data: Any) -> tuple[Any, Any, dict[str, Any]]:
    # Task and turn usage is the sum of their model calls: an attribute of its own, never
    # mlflow.chat.tokenUsage, which would count the tokens twice in the trace totals.
    usage = getattr(data, "usage", None)
    return None, None, ({PREFIX + "usage": usage} if usage else {})


def _function(data: Any) -> tuple[Any, Any, dict[str, Any]]:
    inputs: Any = data.input
    if isinstance(inputs, str):
        try:
            inputs = json.loads(inputs)
        except ValueError:
            pass
    attrs = {PREFIX + "mcp_data": data.mcp_data} if data.mcp_data else {}
    return inputs, data.output, attrs


def _response(data: Any) -> tuple[Any, Any, dict[str, Any]]:
    response = data.response
    inputs: dict[str, Any] = {"input": data.input}
    attrs: dict[str, Any] = {PROVIDER: "openai"}
    model = getattr(response, "model", None) if response is not None else None
    if response is not None:
        instructions = getattr(response, "instructions", None)
        if instructions:
            inputs = {"instructions": instructions, **inputs}
        tools = tools_attribute({"tools": [_plain(t) for t in response.tools or ()]})
        if tools:
            attrs[TOOLS] = tools
    if isinstance(model, str) and model:
        attrs[MODEL] = model
    usage = data.usage or (getattr(response, "usage", None) if response is not None else None)
    attrs.update(openai_usage(usage, model if isinstance(model, str) else None))
    return inputs, response, attrs


def _generation(data: Any) -> tuple[Any, Any, dict[str, Any]]:
    model = data.model if isinstance(data.model, str) and data.model else None
    attrs: dict[str, Any] = {PROVIDER: "openai"}
    if model:
        attrs[MODEL] = model
    if data.model_config:
        attrs[PREFIX + "model_config"] = data.model_config
    attrs.update(openai_usage(data.usage, model))
    return {"messages": data.input}, data.output, attrs


def _handoff(data: Any) -> tuple[Any, Any, dict[str, Any]]:
    return {"from_agent": data.from_agent}, {"to_agent": data.to_agent}, {}


def _guardrail(data: Any) -> tuple[Any, Any, dict[str, Any]]:
    return None, {"triggered": bool(data.triggered)}, {}


def _mcp_tools(data: Any) -> tuple[Any, Any, dict[str, Any]]:
    return {"server": data.server}, data.result, {}


def _audio(data: Any) -> tuple[Any, Any, dict[str, Any]]:
    # Audio payloads (base64) are left out; the text side and the model are kept.
    attrs = {MODEL: data.model, PROVIDER: "openai"} if data.model else {}
    if data.type == "speech":
        return {"text": data.input}, None, attrs
    return None, {"text": data.output}, attrs


def _plain(tool: Any) -> Any:
    dump = getattr(tool, "model_dump", None)
    return dump(exclude_none=True) if callable(dump) else tool


_READERS = {
    "agent": _agent,
    "task": _usage_only,
    "turn": _usage_only,
    "function": _function,
    "response": _response,
    "generation": _generation,
    "handoff": _handoff,
    "guardrail": _guardrail,
    "mcp_tools": _mcp_tools,
    "speech": _audio,
    "transcription": _audio,
}
