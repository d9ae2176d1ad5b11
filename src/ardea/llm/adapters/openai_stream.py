"""OpenAI Chat Completions streaming (SSE ``chat.completion.chunk`` objects, ``[DONE]``).

Also Azure, Mistral, the gateway and OpenAI-compatible servers. The usage arrives in a last
chunk without choices when the request had ``stream_options.include_usage`` (Mistral, and
several local servers, send it on the last chunk unasked); an ``{"error": ...}`` event ends
the stream with :class:`~ardea.llm.errors.StreamError`.
"""

from __future__ import annotations

from ardea.llm.adapters.base import as_int
from ardea.llm.adapters.stream_base import event_json, stream_error
from ardea.llm.streaming.chunks import ChatChunk, ToolCallDelta
from ardea.llm.types import Usage

__all__ = ["OpenAIStreamParser"]


class OpenAIStreamParser:
    """Parser of one streamed chat completion."""

    framing = "sse"

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.model: str | None = None
        self.response_id: str | None = None

    def done(self, event: str | None, data: bytes | str) -> bool:
        """``data: [DONE]`` ends the stream."""
        return data in ("[DONE]", b"[DONE]")

    def on_event(self, event: str | None, data: bytes | str) -> list[ChatChunk]:
        """The chunk of one ``chat.completion.chunk``."""
        if self.done(event, data):
            return []
        body = event_json(data, self.provider)
        if "error" in body:
            raise stream_error(self.provider, body["error"])
        self.model = body.get("model") or self.model
        self.response_id = body.get("id") or self.response_id
        text, finish = "", None
        deltas: list[ToolCallDelta] = []
        for choice in body.get("choices") or []:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            if isinstance(delta.get("content"), str):
                text += delta["content"]
            for i, call in enumerate(delta.get("tool_calls") or []):
                fn = call.get("function") or {}
                deltas.append(
                    ToolCallDelta(
                        index=call.get("index", i),
                        id=call.get("id"),
                        name=fn.get("name"),
                        arguments=fn.get("arguments") or "",
                    )
                )
            finish = choice.get("finish_reason") or finish
        usage = None
        raw = body.get("usage")
        if isinstance(raw, dict):
            inp = as_int(raw.get("prompt_tokens"))
            cached = as_int((raw.get("prompt_tokens_details") or {}).get("cached_tokens"))
            usage = Usage(inp, as_int(raw.get("completion_tokens")), min(inp, cached))
        if not (text or deltas or finish or usage):
            return []
        return [ChatChunk(text, tuple(deltas), finish, usage)]
