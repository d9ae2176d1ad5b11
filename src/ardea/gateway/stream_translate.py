"""Streams across dialects: a provider's SSE stream re-encoded, chunk by chunk, for the caller.

An OpenAI chat caller streaming to an Anthropic or Gemini target, and an Anthropic Messages
caller streaming to an OpenAI-speaking one. The provider's bytes go through an incremental
SSE decoder and :mod:`ardea.llm`'s stream parser of its dialect (to
:class:`~ardea.llm.streaming.chunks.ChatChunk`), and each chunk is written at once in the
caller's dialect: nothing is buffered beyond one unfinished SSE line.

- To OpenAI: ``chat.completion.chunk`` frames (a first one with the assistant role, then
  content and ``tool_calls`` deltas, one with the ``finish_reason``), a last chunk with
  ``choices: []`` and the ``usage`` when the caller asked ``stream_options.include_usage``,
  and ``data: [DONE]``.
- To Anthropic: ``message_start``, ``content_block_start`` / ``content_block_delta``
  (``text_delta``, ``input_json_delta``) / ``content_block_stop`` per block,
  ``message_delta`` with the stop reason and the usage (input tokens included: an OpenAI
  provider reports them only at the end), ``message_stop``.

Usage is read from the provider's frames as they pass (each field keeps the largest value:
Anthropic reports input first and output last). A provider's mid-stream error event becomes
the caller's error frame, and ends the stream.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from typing import Any

import orjson

from ardea.gateway.errors import Dialect, error_body
from ardea.gateway.translate import anthropic_to_openai_request, openai_to_adapter_request
from ardea.gateway.upstream import Upstream
from ardea.gateway.usage import Tokens
from ardea.llm.adapters import adapter_for
from ardea.llm.adapters.openai_stream import OpenAIStreamParser
from ardea.llm.errors import StreamError
from ardea.llm.streaming.chunks import ChatChunk, StreamParser
from ardea.llm.streaming.sse import SSEDecoder

__all__ = ["CrossStream", "StreamRequest", "cross_stream_request"]

_ANTHROPIC_STOP = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "content_filter": "refusal",
}


@dataclasses.dataclass(frozen=True, slots=True)
class StreamRequest:
    """A streamed provider request across dialects, and how to translate its answer.

    Attributes:
        url: The provider URL.
        body: The request body.
        headers: Request headers (credentials included: never log them).
        translator: Re-encodes the provider's stream for the caller (one per request).
    """

    url: str
    body: bytes
    headers: dict[str, str] = dataclasses.field(repr=False)
    translator: CrossStream


def cross_stream_request(
    caller_api: str, operation: str, upstream: Upstream, body: dict[str, Any]
) -> StreamRequest | None:
    """The streamed request of a ``caller_api`` call to ``upstream`` in another dialect.

    None when the pair is not translated (then the caller gets a 400): OpenAI chat to an
    Anthropic or Gemini (SSE) target, Anthropic Messages to an OpenAI-speaking target.
    """
    if caller_api == "openai" and operation == "chat" and upstream.api in ("anthropic", "gemini"):
        if upstream.config is None:  # pragma: no cover - build_upstream always sets it
            return None
        _, params = openai_to_adapter_request(upstream, body)
        params = dataclasses.replace(params, stream=True)
        adapter = adapter_for(upstream.config.wire, upstream.provider)
        request = adapter.chat_request(upstream.config, params)
        parser = adapter.stream_parser(params)
        if parser.framing != "sse":  # pragma: no cover - both dialects stream SSE
            return None
        options = body.get("stream_options")
        usage = isinstance(options, dict) and options.get("include_usage") is True
        headers = {k.lower(): v for k, v in request.headers.items()}
        translator = CrossStream(
            parser, "openai", upstream.model, include_usage=usage, mask=upstream.mask
        )
        return StreamRequest(request.url, request.body, headers, translator)
    if caller_api == "anthropic" and operation == "messages" and upstream.api == "openai":
        request_body = anthropic_to_openai_request(body, upstream.model)
        request_body["stream"] = True
        request_body["stream_options"] = {"include_usage": True}
        parser = OpenAIStreamParser(upstream.provider)
        headers = dict(upstream.headers)
        headers["accept"] = "text/event-stream"
        translator = CrossStream(parser, "anthropic", upstream.model, mask=upstream.mask)
        return StreamRequest(
            upstream.url("chat/completions"), orjson.dumps(request_body), headers, translator
        )
    return None


def _frame(value: Any, event: str | None = None) -> bytes:
    data = b"data: " + orjson.dumps(value) + b"\n\n"
    return b"event: " + event.encode() + b"\n" + data if event else data


class CrossStream:
    """One stream's translation: :meth:`feed` provider bytes, get the caller's bytes.

    Args:
        parser: :mod:`ardea.llm`'s parser of the provider's stream events.
        dialect: The caller's dialect (``openai`` or ``anthropic``).
        model: The model named in the caller's frames.
        include_usage: (OpenAI callers) send the final usage chunk.
        mask: Hides credentials in a provider's error message.

    Attributes:
        failure: ``(status, message)`` of the error that ended the stream, if one did.
    """

    def __init__(
        self,
        parser: StreamParser,
        dialect: Dialect,
        model: str,
        include_usage: bool = False,
        mask: Callable[[str], str] = str,
    ) -> None:
        self.parser = parser
        self.mask = mask
        self.failure: tuple[int, str] | None = None
        self.dialect = dialect
        self.model = model
        self.include_usage = include_usage
        self._sse = SSEDecoder()
        self._usage = Tokens()
        self._started = False
        self._ended = False
        self._finish: str | None = None
        self._created = int(time.time())
        self._id = ""
        self._block: tuple[str, int] | None = None  # (kind, tool ordinal) of the open block
        self._blocks = 0

    def tokens(self) -> Tokens:
        """The usage the provider reported so far (the whole stream's, once it ended)."""
        return self._usage

    @property
    def ended(self) -> bool:
        """Whether the caller's stream is complete (its last frame, or an error, was sent)."""
        return self._ended

    def feed(self, chunk: bytes) -> bytes:
        """The caller's bytes for one piece of the provider's stream (often ``b""``)."""
        if self._ended:
            return b""
        out: list[bytes] = []
        for event in self._sse.feed(chunk):
            if self._ended:
                break
            out.append(self._event(event.event, event.data))
        return b"".join(out)

    def close(self) -> bytes:
        """The caller's last frames when the provider's stream is over (empty if sent)."""
        out = [self._event(e.event, e.data) for e in self._sse.flush() if not self._ended]
        if not self._ended:
            out.append(self._end())
        return b"".join(out)

    def error(self, status: int, message: str) -> bytes:
        """An error frame in the caller's dialect; the stream is over."""
        self._ended = True
        self.failure = (status, message)
        body = error_body(self.dialect, status, message)
        if self.dialect == "anthropic":
            return b"event: error\ndata: " + body + b"\n\n"
        return b"data: " + body + b"\n\n"

    # ------------------------------------------------------------------ provider events

    def _event(self, event: str | None, data: str) -> bytes:
        parser = self.parser
        try:
            chunks = parser.on_event(event, data)
        except StreamError as exc:
            status = exc.status if exc.status and exc.status >= 400 else 502
            return self.error(status, self.mask(exc.message))
        out = [self._chunk(c) for c in chunks]
        if parser.done(event, data):
            out.append(self._end())
        return b"".join(out)

    def _chunk(self, chunk: ChatChunk) -> bytes:
        if chunk.usage is not None:
            u, t = chunk.usage, self._usage
            t.input = max(t.input, u.input_tokens)
            t.output = max(t.output, u.output_tokens)
            t.cached = max(t.cached, u.cached_input_tokens)
            t.cache_write = max(t.cache_write, u.cache_write_input_tokens)
        if chunk.finish_reason:
            self._finish = chunk.finish_reason
        if self.dialect == "anthropic":
            return self._anthropic(chunk)
        return self._openai(chunk)

    def _start_id(self, prefix: str) -> str:
        if not self._id:
            self._id = self.parser.response_id or f"{prefix}{os.urandom(12).hex()}"
        return self._id

    # ------------------------------------------------------------------ OpenAI frames

    def _openai_chunk(self, delta: dict[str, Any], finish: str | None = None) -> bytes:
        return _frame(
            {
                "id": self._start_id("chatcmpl-"),
                "object": "chat.completion.chunk",
                "created": self._created,
                "model": self.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
        )

    def _openai(self, chunk: ChatChunk) -> bytes:
        out: list[bytes] = []
        if not self._started:
            self._started = True
            out.append(self._openai_chunk({"role": "assistant", "content": ""}))
        if chunk.text:
            out.append(self._openai_chunk({"content": chunk.text}))
        if chunk.tool_calls:
            calls = []
            for d in chunk.tool_calls:
                call: dict[str, Any] = {"index": d.index}
                if d.id is not None:
                    call["id"] = d.id
                    call["type"] = "function"
                function: dict[str, Any] = {"arguments": d.arguments}
                if d.name is not None:
                    function["name"] = d.name
                call["function"] = function
                calls.append(call)
            out.append(self._openai_chunk({"tool_calls": calls}))
        if chunk.finish_reason:
            out.append(self._openai_chunk({}, chunk.finish_reason))
        return b"".join(out)

    def _openai_end(self) -> bytes:
        out: list[bytes] = []
        if not self._started:
            self._started = True
            out.append(self._openai_chunk({"role": "assistant", "content": ""}))
        if self.include_usage:
            t = self._usage
            usage: dict[str, Any] = {
                "prompt_tokens": t.input,
                "completion_tokens": t.output,
                "total_tokens": t.total,
            }
            if t.cached:
                usage["prompt_tokens_details"] = {"cached_tokens": t.cached}
            out.append(
                _frame(
                    {
                        "id": self._start_id("chatcmpl-"),
                        "object": "chat.completion.chunk",
                        "created": self._created,
                        "model": self.model,
                        "choices": [],
                        "usage": usage,
                    }
                )
            )
        out.append(b"data: [DONE]\n\n")
        return b"".join(out)

    # ------------------------------------------------------------------ Anthropic events

    def _anthropic_start(self) -> bytes:
        if self._started:
            return b""
        self._started = True
        message: dict[str, Any] = {
            "id": self._start_id("msg_"),
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": self._usage.input, "output_tokens": 0},
        }
        return _frame({"type": "message_start", "message": message}, "message_start")

    def _close_block(self) -> bytes:
        if self._block is None:
            return b""
        self._block = None
        index = self._blocks - 1
        return _frame({"type": "content_block_stop", "index": index}, "content_block_stop")

    def _open_block(self, kind: str, ordinal: int, block: dict[str, Any]) -> bytes:
        out = self._close_block()
        self._block = (kind, ordinal)
        index = self._blocks
        self._blocks += 1
        start = {"type": "content_block_start", "index": index, "content_block": block}
        return out + _frame(start, "content_block_start")

    def _delta(self, delta: dict[str, Any]) -> bytes:
        body = {"type": "content_block_delta", "index": self._blocks - 1, "delta": delta}
        return _frame(body, "content_block_delta")

    def _anthropic(self, chunk: ChatChunk) -> bytes:
        out = [self._anthropic_start()]
        if chunk.text:
            if self._block is None or self._block[0] != "text":
                out.append(self._open_block("text", -1, {"type": "text", "text": ""}))
            out.append(self._delta({"type": "text_delta", "text": chunk.text}))
        for d in chunk.tool_calls:
            if self._block != ("tool", d.index):
                block = {
                    "type": "tool_use",
                    "id": d.id or f"toolu_{os.urandom(8).hex()}",
                    "name": d.name or "",
                    "input": {},
                }
                out.append(self._open_block("tool", d.index, block))
            if d.arguments:
                out.append(self._delta({"type": "input_json_delta", "partial_json": d.arguments}))
        return b"".join(out)

    def _anthropic_end(self) -> bytes:
        out = [self._anthropic_start(), self._close_block()]
        t = self._usage
        stop = _ANTHROPIC_STOP.get(self._finish or "stop", "end_turn")
        usage: dict[str, Any] = {
            "input_tokens": max(t.input - t.cached - t.cache_write, 0),
            "output_tokens": t.output,
        }
        if t.cached:
            usage["cache_read_input_tokens"] = t.cached
        delta = {
            "type": "message_delta",
            "delta": {"stop_reason": stop, "stop_sequence": None},
            "usage": usage,
        }
        out.append(_frame(delta, "message_delta"))
        out.append(_frame({"type": "message_stop"}, "message_stop"))
        return b"".join(out)

    def _end(self) -> bytes:
        if self._ended:
            return b""
        self._ended = True
        return self._anthropic_end() if self.dialect == "anthropic" else self._openai_end()
