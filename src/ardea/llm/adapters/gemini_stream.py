"""Gemini streaming: ``:streamGenerateContent?alt=sse``.

Each SSE event is a partial ``GenerateContentResponse``; ``usageMetadata`` is cumulative
(the last one is the total). The stream has no end marker: it ends when the connection does.
"""

from __future__ import annotations

from ardea.llm.adapters.base import as_int
from ardea.llm.adapters.stream_base import event_json, stream_error
from ardea.llm.streaming.chunks import ChatChunk, ToolCallDelta
from ardea.llm.types import Usage

__all__ = ["GeminiStreamParser"]

_FINISH = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
}


class GeminiStreamParser:
    """Parser of one streamed ``generateContent``."""

    framing = "sse"

    def __init__(self) -> None:
        self.model: str | None = None
        self.response_id: str | None = None
        self._calls = 0

    def done(self, event: str | None, data: bytes | str) -> bool:
        """Never: the stream ends with the connection."""
        return False

    def on_event(self, event: str | None, data: bytes | str) -> list[ChatChunk]:
        """The chunk of one partial response (function calls arrive whole)."""
        body = event_json(data, "gemini")
        if "error" in body:
            raise stream_error("gemini", body["error"])
        self.model = body.get("modelVersion") or self.model
        self.response_id = body.get("responseId") or self.response_id
        candidate = (body.get("candidates") or [{}])[0]
        text = ""
        deltas: list[ToolCallDelta] = []
        for part in (candidate.get("content") or {}).get("parts") or []:
            if isinstance(part.get("text"), str) and not part.get("thought"):
                text += part["text"]
            call = part.get("functionCall")
            if isinstance(call, dict):
                import json

                deltas.append(
                    ToolCallDelta(
                        self._calls,
                        str(call.get("id") or f"call_{self._calls}"),
                        str(call.get("name")),
                        json.dumps(call.get("args") or {}),
                    )
                )
                self._calls += 1
        reason = candidate.get("finishReason")
        finish = None
        if reason:
            finish = "tool_calls" if self._calls else _FINISH.get(reason, reason.lower())
        usage = None
        meta = body.get("usageMetadata")
        if isinstance(meta, dict):
            inp = as_int(meta.get("promptTokenCount"))
            out = as_int(meta.get("candidatesTokenCount")) + as_int(meta.get("thoughtsTokenCount"))
            usage = Usage(inp, out, min(inp, as_int(meta.get("cachedContentTokenCount"))))
        if not (text or deltas or finish or usage):
            return []
        return [ChatChunk(text, tuple(deltas), finish, usage)]
