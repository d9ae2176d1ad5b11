"""The SSE decoder and the AWS event-stream decoder, fed bytes split anywhere.

The event-stream frames are built by hand here (struct + zlib.crc32, AWS's documented layout),
independently of the decoder.
"""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from ardea.llm.streaming.eventstream import EventStreamDecoder, EventStreamError
from ardea.llm.streaming.sse import ServerSentEvent, SSEDecoder


def _feed_bytewise(decoder: SSEDecoder, data: bytes) -> list[ServerSentEvent]:
    events: list[ServerSentEvent] = []
    for i in range(len(data)):
        events += decoder.feed(data[i : i + 1])
    return events + decoder.flush()


def test_sse_events_whatever_the_splits_and_line_ends() -> None:
    data = (
        b': a comment\r\nevent: message_start\r\ndata: {"a": 1}\r\n\r\n'
        b"data: first\ndata: second\n\n"
        b"id: 7\rretry: 10\rdata: [DONE]\r\r"
    )
    expected = [
        ServerSentEvent("message_start", '{"a": 1}'),
        ServerSentEvent(None, "first\nsecond"),
        ServerSentEvent(None, "[DONE]"),
    ]
    assert _feed_bytewise(SSEDecoder(), data) == expected
    whole = SSEDecoder()
    assert whole.feed(data) + whole.flush() == expected


def test_sse_last_event_without_blank_line_comes_out_at_flush() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: x") == []
    assert decoder.flush() == [ServerSentEvent(None, "x")]


def _header(name: str, value: str) -> bytes:
    key, val = name.encode(), value.encode()
    return bytes([len(key)]) + key + b"\x07" + struct.pack(">H", len(val)) + val


def _frame(headers: bytes, payload: bytes) -> bytes:
    total = 12 + len(headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + headers + payload
    return message + struct.pack(">I", zlib.crc32(message))


FRAME = _frame(
    _header(":event-type", "contentBlockDelta")
    + _header(":content-type", "application/json")
    + _header(":message-type", "event"),
    json.dumps({"delta": {"text": "heron"}, "contentBlockIndex": 0}).encode(),
)


def test_a_hand_built_frame_decodes() -> None:
    (message,) = EventStreamDecoder().feed(FRAME)
    assert message.event_type == "contentBlockDelta" and not message.is_error
    assert message.headers[":content-type"] == "application/json"
    assert json.loads(message.payload) == {"delta": {"text": "heron"}, "contentBlockIndex": 0}


def test_frames_split_anywhere_decode_the_same() -> None:
    data = FRAME * 3
    for cut in (1, 5, 12, 13, len(FRAME) - 1, len(FRAME) + 7):
        decoder = EventStreamDecoder()
        messages = decoder.feed(data[:cut]) + decoder.feed(data[cut:])
        assert [m.event_type for m in messages] == ["contentBlockDelta"] * 3
        assert decoder.pending == 0


def test_typed_headers_and_an_exception_message() -> None:
    typed = (
        b"\x04flag\x00"  # bool true
        + b"\x03num\x04" + struct.pack(">i", -7)
        + b"\x02ts\x08" + struct.pack(">q", 1700000000000)
        + b"\x03raw\x06" + struct.pack(">H", 2) + b"\x01\x02"
        + _header(":message-type", "exception")
        + _header(":exception-type", "throttlingException")
    )  # fmt: skip
    (message,) = EventStreamDecoder().feed(_frame(typed, b'{"message": "slow down"}'))
    assert message.headers["flag"] is True and message.headers["num"] == -7
    assert message.headers["ts"] == 1700000000000 and message.headers["raw"] == b"\x01\x02"
    assert message.is_error and message.event_type == "throttlingException"


def test_a_corrupt_message_crc_is_refused() -> None:
    broken = bytearray(FRAME)
    broken[-10] ^= 0xFF  # a payload byte
    with pytest.raises(EventStreamError, match="message CRC32"):
        EventStreamDecoder().feed(bytes(broken))


def test_a_corrupt_prelude_crc_is_refused() -> None:
    broken = bytearray(FRAME)
    broken[3] ^= 0x01  # the total length
    with pytest.raises(EventStreamError, match="prelude CRC32"):
        EventStreamDecoder().feed(bytes(broken))
