"""What an agent reads and yields: chat messages in, text deltas and tool calls out.

Agents see the conversation as OpenAI chat messages (``{"role", "content"}``; an assistant's
tool calls in ``tool_calls``; a tool's answer as ``{"role": "tool", "tool_call_id",
"content"}``). The Responses API's input items and MLflow's ResponsesAgent items are turned
into that here; what an agent yields back (a ``str`` delta or a tool-call dict) becomes
:class:`ToolCall` or text.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

__all__ = ["BadInput", "ToolCall", "as_tool_call", "items_to_messages", "messages_to_items"]


class BadInput(ValueError):
    """A request the server refuses with a 400 (``param`` names the offending field)."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


@dataclass(frozen=True)
class ToolCall:
    """A function call the agent asks the client to make (a Responses ``function_call``)."""

    name: str
    arguments: str
    call_id: str

    def as_message(self) -> dict[str, Any]:
        """The chat-completions ``tool_calls`` entry for this call."""
        return {
            "id": self.call_id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


def as_tool_call(value: Any) -> ToolCall | None:
    """A :class:`ToolCall` for a tool-call dict, else None.

    The dict has ``name`` and ``arguments`` (at the top or under ``function``), and
    optionally ``call_id`` or ``id``; non-string arguments are JSON-encoded.
    """
    if not isinstance(value, dict):
        return None
    nested = value.get("function")
    spec: dict[str, Any] = nested if isinstance(nested, dict) else value
    name, arguments = spec.get("name"), spec.get("arguments")
    if not isinstance(name, str) or arguments is None:
        return None
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments)
    call_id = value.get("call_id") or value.get("id") or f"call_{uuid.uuid4().hex[:24]}"
    return ToolCall(name=name, arguments=arguments, call_id=str(call_id))


def _text(content: Any, param: str) -> str:
    """The text of a message's ``content``: a string or a list of text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            else:
                raise BadInput("Only text content parts are supported.", param)
        return "".join(parts)
    if content is None:
        return ""
    raise BadInput("A message's content must be a string or a list of text parts.", param)


_ROLES = {"user", "assistant", "system", "developer", "tool"}


def _item_message(item: dict[str, Any], where: str) -> dict[str, Any]:
    kind = item.get("type", "message")
    if kind == "function_call":
        call = as_tool_call(item)
        if call is None:
            raise BadInput("A function_call item needs a name and arguments.", where)
        return {"role": "assistant", "content": None, "tool_calls": [call.as_message()]}
    if kind == "function_call_output":
        if "call_id" not in item:
            raise BadInput("A function_call_output item needs a call_id.", where)
        output = item.get("output")
        text = output if isinstance(output, str) else json.dumps(output)
        return {"role": "tool", "tool_call_id": str(item["call_id"]), "content": text}
    if kind != "message":
        raise BadInput(f"Unsupported input item type {kind!r}.", where)
    role = item.get("role")
    if role not in _ROLES:
        raise BadInput(f"A message's role must be one of {sorted(_ROLES)}.", where)
    message: dict[str, Any] = {"role": role, "content": _text(item.get("content"), where)}
    if role == "tool":
        message["tool_call_id"] = str(item.get("tool_call_id", ""))
    if role == "assistant" and item.get("tool_calls"):
        message["tool_calls"] = item["tool_calls"]
    return message


def items_to_messages(value: Any, param: str = "input") -> list[dict[str, Any]]:
    """Chat messages for a Responses ``input`` (a string, or a list of items or messages).

    Raises:
        BadInput: The input is missing, empty or holds an item of an unknown shape.
    """
    if isinstance(value, str):
        if not value:
            raise BadInput("'input' must not be empty.", param)
        return [{"role": "user", "content": value}]
    if not isinstance(value, list) or not value:
        raise BadInput("'input' must be a string or a non-empty list of items.", param)
    messages = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise BadInput("Every input item must be an object.", f"{param}[{i}]")
        messages.append(_item_message(item, f"{param}[{i}]"))
    # merge consecutive tool-call-only assistant messages (parallel calls)
    merged: list[dict[str, Any]] = []
    for message in messages:
        last = merged[-1] if merged else None
        if (
            last is not None
            and message.get("tool_calls")
            and last.get("tool_calls")
            and not message.get("content")
        ):
            last["tool_calls"] = [*last["tool_calls"], *message["tool_calls"]]
        else:
            merged.append(message)
    return merged


def messages_to_items(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Responses input items for chat messages (what the OpenAI Agents SDK takes)."""
    items: list[dict[str, Any]] = []
    for message in messages:
        if message["role"] == "tool":
            items.append(
                {
                    "type": "function_call_output",
                    "call_id": message.get("tool_call_id", ""),
                    "output": message.get("content") or "",
                }
            )
            continue
        if message.get("content"):
            items.append({"role": message["role"], "content": message["content"]})
        for call in message.get("tool_calls") or []:
            spec = call.get("function", call)
            items.append(
                {
                    "type": "function_call",
                    "call_id": call.get("id", ""),
                    "name": spec.get("name", ""),
                    "arguments": spec.get("arguments", "{}"),
                }
            )
    return items
