"""The OpenAI shapes the agent server speaks: Responses and Chat Completions.

:class:`ResponseStream` turns the agent's events into Responses output items and the
streaming events OpenAI sends (``response.created``, ``response.output_item.added``,
``response.output_text.delta``, ``response.function_call_arguments.delta``,
``response.output_item.done``, ``response.completed``); :class:`ChatStream` does the same
for ``chat.completion`` objects and ``chat.completion.chunk`` deltas.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from ardea.models.agents._messages import ToolCall

__all__ = ["ChatStream", "ResponseStream", "error_body", "new_id", "sse"]


def new_id(prefix: str) -> str:
    """A fresh id such as ``resp_<hex>``."""
    return f"{prefix}_{uuid.uuid4().hex}"


def sse(data: Any, event: str | None = None) -> str:
    """One Server-Sent Event (``event:`` line when named)."""
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data, separators=(',', ':'))}\n\n"


def error_body(message: str, kind: str, code: str | None, param: str | None) -> dict[str, Any]:
    """OpenAI's error body: ``{"error": {"message", "type", "param", "code"}}``."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


class ResponseStream:
    """Builds one Responses API answer from agent events, with its streaming events."""

    def __init__(self, model: str, request: dict[str, Any]) -> None:
        self.id = new_id("resp")
        self.created_at = int(time.time())
        self.model = model
        self.request = request
        self.output: list[dict[str, Any]] = []
        self._open: dict[str, Any] | None = None  # the message item receiving text
        self._seq = 0

    def _event(self, kind: str, **fields: Any) -> dict[str, Any]:
        data = {"type": kind, "sequence_number": self._seq, **fields}
        self._seq += 1
        return data

    def response(self, status: str = "completed") -> dict[str, Any]:
        """The response object (``status`` ``in_progress`` while streaming)."""
        return {
            "id": self.id,
            "object": "response",
            "created_at": self.created_at,
            "status": status,
            "model": self.model,
            "output": self.output if status != "in_progress" else [],
            "instructions": self.request.get("instructions"),
            "previous_response_id": self.request.get("previous_response_id"),
            "metadata": self.request.get("metadata") or {},
            "tools": self.request.get("tools") or [],
            "tool_choice": self.request.get("tool_choice") or "auto",
            "parallel_tool_calls": True,
            "text": {"format": {"type": "text"}},
            "error": None,
            "incomplete_details": None,
            "usage": None,
        }

    def start(self) -> list[dict[str, Any]]:
        """``response.created`` and ``response.in_progress``."""
        body = self.response("in_progress")
        return [
            self._event("response.created", response=body),
            self._event("response.in_progress", response=body),
        ]

    def _close_text(self) -> list[dict[str, Any]]:
        item, self._open = self._open, None
        if item is None:
            return []
        index = self.output.index(item)
        text = item["content"][0]["text"]
        item["status"] = "completed"
        where = {"item_id": item["id"], "output_index": index, "content_index": 0}
        return [
            self._event("response.output_text.done", **where, text=text, logprobs=[]),
            self._event("response.content_part.done", **where, part=item["content"][0]),
            self._event("response.output_item.done", output_index=index, item=item),
        ]

    def add(self, event: str | ToolCall) -> list[dict[str, Any]]:
        """The streaming events for one agent event (the item is kept for the response)."""
        if isinstance(event, ToolCall):
            closing = self._close_text()
            item: dict[str, Any] = {
                "type": "function_call",
                "id": new_id("fc"),
                "call_id": event.call_id,
                "name": event.name,
                "arguments": event.arguments,
                "status": "completed",
            }
            self.output.append(item)
            index = len(self.output) - 1
            added = {**item, "arguments": "", "status": "in_progress"}
            where = {"item_id": item["id"], "output_index": index}
            return [
                *closing,
                self._event("response.output_item.added", output_index=index, item=added),
                self._event(
                    "response.function_call_arguments.delta", **where, delta=event.arguments
                ),
                self._event(
                    "response.function_call_arguments.done", **where, arguments=event.arguments
                ),
                self._event("response.output_item.done", output_index=index, item=item),
            ]
        events: list[dict[str, Any]] = []
        if self._open is None:
            part: dict[str, Any] = {
                "type": "output_text",
                "text": "",
                "annotations": [],
                "logprobs": [],
            }
            self._open = {
                "type": "message",
                "id": new_id("msg"),
                "status": "in_progress",
                "role": "assistant",
                "content": [part],
            }
            self.output.append(self._open)
            index = len(self.output) - 1
            added = {**self._open, "content": []}
            events += [
                self._event("response.output_item.added", output_index=index, item=added),
                self._event(
                    "response.content_part.added",
                    item_id=self._open["id"],
                    output_index=index,
                    content_index=0,
                    part=dict(part),
                ),
            ]
        self._open["content"][0]["text"] += event
        events.append(
            self._event(
                "response.output_text.delta",
                item_id=self._open["id"],
                output_index=self.output.index(self._open),
                content_index=0,
                delta=event,
                logprobs=[],
            )
        )
        return events

    def finish(self) -> list[dict[str, Any]]:
        """The last item's closing events and ``response.completed``."""
        return [*self._close_text(), self._event("response.completed", response=self.response())]

    def fail(self, message: str) -> dict[str, Any]:
        """An ``error`` event (OpenAI's error fields, and the body under ``error``)."""
        body = error_body(message, "server_error", "agent_error", None)
        return self._event("error", code="agent_error", message=message, param=None, **body)

    def messages(self) -> list[dict[str, Any]]:
        """The answer as chat messages (for the conversation's history)."""
        return output_messages(self.output)


def output_messages(output: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat messages for Responses output items."""
    messages: list[dict[str, Any]] = []
    for item in output:
        if item["type"] == "message":
            messages.append({"role": "assistant", "content": item["content"][0]["text"]})
            continue
        call = {
            "id": item["call_id"],
            "type": "function",
            "function": {"name": item["name"], "arguments": item["arguments"]},
        }
        last = messages[-1] if messages else None
        if last is not None and last["role"] == "assistant":
            last.setdefault("tool_calls", []).append(call)
        else:
            messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
    return messages


class ChatStream:
    """Builds one ``chat.completion`` from agent events, with its ``chunk`` stream."""

    def __init__(self, model: str) -> None:
        self.id = new_id("chatcmpl")
        self.created = int(time.time())
        self.model = model
        self.text = ""
        self.tool_calls: list[dict[str, Any]] = []
        self._started = False

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> str:
        return sse(
            {
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
        )

    def add(self, event: str | ToolCall) -> list[str]:
        """The chunk for one agent event."""
        delta: dict[str, Any] = {} if self._started else {"role": "assistant"}
        self._started = True
        if isinstance(event, ToolCall):
            call = event.as_message()
            self.tool_calls.append(call)
            delta["tool_calls"] = [{"index": len(self.tool_calls) - 1, **call}]
        else:
            self.text += event
            delta["content"] = event
        return [self._chunk(delta)]

    @property
    def finish_reason(self) -> str:
        """``tool_calls`` when the agent asked for any, else ``stop``."""
        return "tool_calls" if self.tool_calls else "stop"

    def finish(self) -> list[str]:
        """The final chunk (``finish_reason``) and ``data: [DONE]``."""
        first = [] if self._started else [self._chunk({"role": "assistant", "content": ""})]
        return [*first, self._chunk({}, self.finish_reason), "data: [DONE]\n\n"]

    def completion(self) -> dict[str, Any]:
        """The non-streaming ``chat.completion`` object."""
        message: dict[str, Any] = {"role": "assistant", "content": self.text or None}
        if self.tool_calls:
            message["tool_calls"] = self.tool_calls
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": self.finish_reason}],
            "usage": None,
        }
