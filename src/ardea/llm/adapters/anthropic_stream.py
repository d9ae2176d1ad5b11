"""Anthropic Messages streaming (SSE events).

Events: ``message_start``, ``content_block_*``, ``message_delta``, ``message_stop`` (and
``ping``, ``error``).

``message_start`` carries the input usage, ``message_delta`` the stop reason and the final
output tokens. With a JSON schema (a forced tool), that tool's ``input_json_delta`` pieces
are the answer's text.
"""

from __future__ import annotations

from typing import Any

from ardea.llm.adapters.base import as_int
from ardea.llm.adapters.stream_base import event_json, stream_error
from ardea.llm.streaming.chunks import ChatChunk, ToolCallDelta
from ardea.llm.types import Usage

__all__ = ["AnthropicStreamParser", "anthropic_usage"]

_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
    "pause_turn": "stop",
}

_ERROR_STATUS = {
    "overloaded_error": 529,
    "api_error": 500,
    "rate_limit_error": 429,
    "timeout_error": 504,
    "invalid_request_error": 400,
}
"""HTTP status of Anthropic's error types (an error event has none)."""


def anthropic_usage(raw: Any) -> Usage | None:
    """Anthropic's ``usage`` object in OpenAI's convention (cache reads/writes in the input)."""
    if not isinstance(raw, dict):
        return None
    read = as_int(raw.get("cache_read_input_tokens"))
    written = as_int(raw.get("cache_creation_input_tokens"))
    return Usage(
        as_int(raw.get("input_tokens")) + read + written,
        as_int(raw.get("output_tokens")),
        read,
        written,
    )


class AnthropicStreamParser:
    """Parser of one streamed message.

    Args:
        schema_tool: The forced tool's name when a JSON schema was asked (its input is text).
    """

    framing = "sse"

    def __init__(self, schema_tool: str | None = None) -> None:
        self.schema_tool = schema_tool
        self.model: str | None = None
        self.response_id: str | None = None
        self._calls: dict[int, int] = {}  # content block index -> tool call ordinal
        self._schema_block: int | None = None

    def done(self, event: str | None, data: bytes | str) -> bool:
        """``message_stop`` ends the stream."""
        return event == "message_stop"

    def on_event(self, event: str | None, data: bytes | str) -> list[ChatChunk]:
        """The chunks of one event."""
        if event == "ping":
            return []
        body = event_json(data, "anthropic")
        kind = body.get("type") or event
        if kind == "error":
            error = body.get("error") or body
            status = (
                _ERROR_STATUS.get(str(error.get("type")), 200) if isinstance(error, dict) else 200
            )
            raise stream_error("anthropic", error, status)
        if kind == "message_start":
            message = body.get("message") or {}
            self.model = message.get("model") or self.model
            self.response_id = message.get("id") or self.response_id
            usage = anthropic_usage(message.get("usage"))
            return [ChatChunk(usage=usage)] if usage else []
        index = body.get("index", 0)
        if kind == "content_block_start":
            block = body.get("content_block") or {}
            if block.get("type") == "tool_use":
                if self.schema_tool is not None and block.get("name") == self.schema_tool:
                    self._schema_block = index
                    return []
                ordinal = self._calls.setdefault(index, len(self._calls))
                start = ToolCallDelta(ordinal, block.get("id"), block.get("name"))
                return [ChatChunk(tool_calls=(start,))]
            if block.get("type") == "text" and block.get("text"):
                return [ChatChunk(text=str(block["text"]))]
            return []
        if kind == "content_block_delta":
            delta = body.get("delta") or {}
            if delta.get("type") == "text_delta":
                return [ChatChunk(text=str(delta.get("text") or ""))]
            if delta.get("type") == "input_json_delta":
                piece = str(delta.get("partial_json") or "")
                if index == self._schema_block:
                    return [ChatChunk(text=piece)]
                ordinal = self._calls.setdefault(index, len(self._calls))
                return [ChatChunk(tool_calls=(ToolCallDelta(ordinal, arguments=piece),))]
            return []  # thinking, signatures, citations
        if kind == "message_delta":
            reason = (body.get("delta") or {}).get("stop_reason")
            finish = _FINISH.get(reason or "", reason)
            if finish == "tool_calls" and self._schema_block is not None and not self._calls:
                finish = "stop"
            return [ChatChunk(finish_reason=finish, usage=anthropic_usage(body.get("usage")))]
        return []
