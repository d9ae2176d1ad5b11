"""The stream translator on its own: frames split anywhere, events re-encoded as they come."""

from __future__ import annotations

from typing import Any

import orjson

from ardea.gateway.stream_translate import CrossStream
from ardea.llm.adapters.anthropic_stream import AnthropicStreamParser
from ardea.llm.adapters.openai_stream import OpenAIStreamParser


def _sse(events: list[tuple[str | None, Any]]) -> bytes:
    out = b""
    for name, value in events:
        if name:
            out += b"event: " + name.encode() + b"\n"
        data = value if isinstance(value, bytes) else orjson.dumps(value)
        out += b"data: " + data + b"\n\n"
    return out


ANTHROPIC = _sse(
    [
        ("message_start", {"type": "message_start", "message": {"id": "msg_1", "usage": {
            "input_tokens": 7, "cache_read_input_tokens": 3, "output_tokens": 1}}}),
        ("ping", {"type": "ping"}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "text_delta", "text": "Hel"}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "text_delta", "text": "lo"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "max_tokens"},
                           "usage": {"output_tokens": 5}}),
        ("message_stop", {"type": "message_stop"}),
    ]
)  # fmt: skip


def _openai_frames(data: bytes) -> list[Any]:
    return [
        orjson.loads(line[6:]) if line != b"data: [DONE]" else "[DONE]"
        for line in data.split(b"\n")
        if line.startswith(b"data: ")
    ]


def test_anthropic_to_openai_byte_by_byte() -> None:
    stream = CrossStream(AnthropicStreamParser(), "openai", "m", include_usage=True)
    out = b"".join(stream.feed(ANTHROPIC[i : i + 1]) for i in range(len(ANTHROPIC)))
    out += stream.close()
    frames = _openai_frames(out)
    assert frames[-1] == "[DONE]"
    deltas = [f["choices"][0] for f in frames[:-2]]
    assert deltas[0]["delta"] == {"role": "assistant", "content": ""}
    assert "".join(d["delta"].get("content") or "" for d in deltas) == "Hello"
    assert deltas[-1]["finish_reason"] == "length"
    assert frames[-2]["choices"] == []
    assert frames[-2]["usage"] == {
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "total_tokens": 15,
        "prompt_tokens_details": {"cached_tokens": 3},
    }
    assert {f["id"] for f in frames[:-1]} == {"msg_1"}
    assert stream.tokens().input == 10 and stream.ended


def test_openai_to_anthropic_ends_even_without_done() -> None:
    chunks = _sse(
        [
            (None, {"id": "c1", "choices": [{"index": 0, "delta": {"content": "Hi"}}]}),
            (None, {"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
            (None, {"id": "c1", "choices": [], "usage": {"prompt_tokens": 4,
                                                         "completion_tokens": 2}}),
        ]
    )  # fmt: skip
    stream = CrossStream(OpenAIStreamParser("openai"), "anthropic", "m")
    out = stream.feed(chunks) + stream.close()
    events = [orjson.loads(line[6:]) for line in out.split(b"\n") if line.startswith(b"data: ")]
    kinds = [e["type"] for e in events]
    assert kinds == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert events[2]["delta"] == {"type": "text_delta", "text": "Hi"}
    assert events[4]["delta"]["stop_reason"] == "end_turn"
    assert events[4]["usage"] == {"input_tokens": 4, "output_tokens": 2}
    assert stream.close() == b""


def test_an_error_event_ends_the_stream_in_the_callers_shape() -> None:
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    stream = CrossStream(AnthropicStreamParser(), "openai", "m", mask=lambda s: s.upper())
    cut = ANTHROPIC.index(b"event: content_block_stop")
    out = stream.feed(ANTHROPIC[:cut] + _sse([("error", error)]) + ANTHROPIC[cut:])
    frames = _openai_frames(out)
    message = frames[-1]["error"]["message"]
    assert message == "ANTHROPIC: THE STREAM FAILED: OVERLOADED (OVERLOADED_ERROR)"
    assert "".join(f["choices"][0]["delta"].get("content") or "" for f in frames[:-1]) == "Hello"
    assert stream.failure is not None and stream.failure[0] == 529
    assert stream.ended and stream.feed(b"data: {}\n\n") == b"" and stream.close() == b""
