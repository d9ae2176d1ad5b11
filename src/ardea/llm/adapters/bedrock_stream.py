"""Bedrock ConverseStream: AWS event-stream messages, each payload JSON.

Events: ``messageStart``, ``contentBlockStart``, ``contentBlockDelta``, ``contentBlockStop``,
``messageStop``, ``metadata``. An exception message (``:message-type: exception``, e.g.
``throttlingException``) ends the stream with :class:`~ardea.llm.errors.StreamError`. The
stream ends with the connection, after ``metadata`` (which carries the usage).
"""

from __future__ import annotations

from ardea.llm.adapters.base import as_int
from ardea.llm.adapters.stream_base import event_json, stream_error
from ardea.llm.streaming.chunks import ChatChunk, ToolCallDelta
from ardea.llm.types import Usage

__all__ = ["BedrockStreamParser"]

_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "content_filtered": "content_filter",
    "guardrail_intervened": "content_filter",
}
_EXCEPTION_STATUS = {
    "throttlingException": 429,
    "serviceUnavailableException": 503,
    "internalServerException": 500,
    "modelStreamErrorException": 424,
    "validationException": 400,
    "modelTimeoutException": 408,
}


class BedrockStreamParser:
    """Parser of one ConverseStream answer.

    Args:
        model: The model id asked for (Bedrock's events do not name it).
        schema_tool: The forced tool's name when a JSON schema was asked (its input is text).
    """

    framing = "eventstream"

    def __init__(self, model: str, schema_tool: str | None = None) -> None:
        self.model: str | None = model
        self.response_id: str | None = None
        self.schema_tool = schema_tool
        self._calls: dict[int, int] = {}
        self._schema_block: int | None = None

    def done(self, event: str | None, data: bytes | str) -> bool:
        """Never: the stream ends with the connection."""
        return False

    def on_event(self, event: str | None, data: bytes | str) -> list[ChatChunk]:
        """The chunks of one event (``event`` is ``:event-type``, or ``!<exception-type>``)."""
        if event and event.startswith("!"):
            kind = event[1:]
            body = event_json(data, "bedrock") if data else {}
            error = {"message": body.get("message") or body.get("Message") or kind, "type": kind}
            raise stream_error("bedrock", error, _EXCEPTION_STATUS.get(kind, 502))
        body = event_json(data, "bedrock")
        index = body.get("contentBlockIndex", 0)
        if event == "contentBlockStart":
            use = (body.get("start") or {}).get("toolUse")
            if isinstance(use, dict):
                if self.schema_tool is not None and use.get("name") == self.schema_tool:
                    self._schema_block = index
                    return []
                ordinal = self._calls.setdefault(index, len(self._calls))
                start = ToolCallDelta(ordinal, use.get("toolUseId"), use.get("name"))
                return [ChatChunk(tool_calls=(start,))]
            return []
        if event == "contentBlockDelta":
            delta = body.get("delta") or {}
            if isinstance(delta.get("text"), str):
                return [ChatChunk(text=delta["text"])]
            use = delta.get("toolUse")
            if isinstance(use, dict):
                piece = str(use.get("input") or "")
                if index == self._schema_block:
                    return [ChatChunk(text=piece)]
                ordinal = self._calls.setdefault(index, len(self._calls))
                return [ChatChunk(tool_calls=(ToolCallDelta(ordinal, arguments=piece),))]
            return []
        if event == "messageStop":
            reason = body.get("stopReason")
            finish = _FINISH.get(reason or "", reason)
            if finish == "tool_calls" and self._schema_block is not None and not self._calls:
                finish = "stop"
            return [ChatChunk(finish_reason=finish)]
        if event == "metadata":
            raw = body.get("usage") or {}
            read = as_int(raw.get("cacheReadInputTokens"))
            written = as_int(raw.get("cacheWriteInputTokens"))
            usage = Usage(
                as_int(raw.get("inputTokens")) + read + written,
                as_int(raw.get("outputTokens")),
                read,
                written,
            )
            return [ChatChunk(usage=usage)]
        return []
