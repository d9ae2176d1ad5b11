"""Request bodies of the three agent routes, checked and turned into an :class:`AgentCall`.

Sessions and users follow MLflow's trace metadata (``mlflow.trace.session`` /
``mlflow.trace.user``): the session is ``metadata.session_id``, the ``X-Session-Id`` header
or, on ``/invocations``, ``context.conversation_id``; a follow-up by ``previous_response_id``
stays in the session (and with the user) of the response it continues. The user is
``metadata.user_id``, ``user``, the ``X-User-Id`` header or ``context.user_id``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ardea.models.agents._adapters import AgentCall
from ardea.models.agents._messages import BadInput, items_to_messages

__all__ = [
    "SESSION_HEADER",
    "USER_HEADER",
    "Parsed",
    "parse_body",
    "parse_chat",
    "parse_invocations",
    "parse_responses",
]

SESSION_HEADER = "x-session-id"
USER_HEADER = "x-user-id"


@dataclass
class Parsed:
    """A checked request: what the agent gets, and what the answer echoes back."""

    call: AgentCall
    echo: dict[str, Any] = field(default_factory=dict)
    previous_response_id: str | None = None
    store: bool = True


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object in ``body``.

    Raises:
        BadInput: Not JSON, or not an object.
    """
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadInput(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BadInput("The request body must be a JSON object.")
    return value


def _optional(body: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = body.get(key)
    if value is not None and not isinstance(value, kind):
        raise BadInput(f"'{key}' must be {what}.", key)
    return value


def _metadata(body: dict[str, Any]) -> dict[str, str]:
    metadata = _optional(body, "metadata", dict, "an object of strings") or {}
    for key, value in metadata.items():
        if not isinstance(value, str):
            raise BadInput(f"metadata['{key}'] must be a string.", "metadata")
    return metadata


def _common(body: dict[str, Any], headers: dict[str, str]) -> AgentCall:
    metadata = _metadata(body)
    stream = _optional(body, "stream", bool, "a boolean") or False
    tools = _optional(body, "tools", list, "a list") or []
    user = _optional(body, "user", str, "a string")
    return AgentCall(
        messages=[],
        tools=tools,
        metadata=metadata,
        session_id=metadata.get("session_id") or headers.get(SESSION_HEADER) or None,
        user_id=metadata.get("user_id") or user or headers.get(USER_HEADER) or None,
        stream=stream,
    )


def parse_responses(body: dict[str, Any], headers: dict[str, str]) -> Parsed:
    """A Responses API request (``input``, ``instructions``, ``previous_response_id``, ...)."""
    call = _common(body, headers)
    if "input" not in body:
        raise BadInput("Missing required parameter: 'input'.", "input")
    call.messages = items_to_messages(body["input"])
    instructions = _optional(body, "instructions", str, "a string")
    previous = _optional(body, "previous_response_id", str, "a string")
    store = _optional(body, "store", bool, "a boolean")
    echo = {
        "instructions": instructions,
        "previous_response_id": previous,
        "metadata": call.metadata,
        "tools": call.tools,
        "tool_choice": body.get("tool_choice"),
    }
    return Parsed(call, echo, previous, store is not False)


def parse_chat(body: dict[str, Any], headers: dict[str, str]) -> Parsed:
    """A Chat Completions request (``messages``, ``stream``, ``tools``, ``metadata``, ...)."""
    call = _common(body, headers)
    if "messages" not in body:
        raise BadInput("Missing required parameter: 'messages'.", "messages")
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        raise BadInput("'messages' must be a non-empty list.", "messages")
    call.messages = items_to_messages(messages, "messages")
    return Parsed(call)


def parse_invocations(body: dict[str, Any], headers: dict[str, str]) -> Parsed:
    """MLflow's ResponsesAgent request (``input`` items, ``context``, ``custom_inputs``)."""
    parsed = parse_responses(body, headers)
    context = _optional(body, "context", dict, "an object") or {}
    call = parsed.call
    call.session_id = call.session_id or _str(context.get("conversation_id"))
    call.user_id = call.user_id or _str(context.get("user_id"))
    return parsed


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
