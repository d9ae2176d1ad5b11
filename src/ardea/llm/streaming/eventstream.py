"""A decoder of AWS's binary event-stream framing (``application/vnd.amazon.eventstream``).

Bedrock's ConverseStream answers a sequence of messages, each::

    total length (uint32) | headers length (uint32) | prelude CRC32 (uint32)
    headers (name-len u8, name, type u8, value) ... | payload | message CRC32 (uint32)

all big-endian; the prelude CRC covers the first 8 bytes, the message CRC everything before
it. A wrong CRC or an impossible length raises :class:`EventStreamError`: the stream is not
trusted past it. (No small, maintained package decodes this without ``botocore``.)
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EventStreamDecoder", "EventStreamError", "EventStreamMessage"]

_PRELUDE = 12
_MAX_MESSAGE = 16 * 1024 * 1024 + 128 * 1024
"""AWS's limits: 16 MiB payload, 128 KiB headers."""


class EventStreamError(ValueError):
    """The bytes are not a valid event stream (bad CRC, bad length, bad header)."""


@dataclass(frozen=True, slots=True)
class EventStreamMessage:
    """One message: its headers (``:event-type``, ``:message-type``, ...) and payload."""

    headers: dict[str, Any] = field(default_factory=dict)
    payload: bytes = b""

    @property
    def event_type(self) -> str | None:
        """``:event-type`` (events) or ``:exception-type``/``:error-code`` (errors)."""
        for name in (":event-type", ":exception-type", ":error-code"):
            value = self.headers.get(name)
            if isinstance(value, str):
                return value
        return None

    @property
    def is_error(self) -> bool:
        """Whether ``:message-type`` is ``exception`` or ``error``."""
        return self.headers.get(":message-type") in ("exception", "error")


class EventStreamDecoder:
    """Feed bytes with :meth:`feed`; get the messages they complete."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, chunk: bytes) -> list[EventStreamMessage]:
        """The messages completed by ``chunk``.

        Raises:
            EventStreamError: A corrupt message.
        """
        self._buffer += chunk
        out: list[EventStreamMessage] = []
        while len(self._buffer) >= _PRELUDE:
            total, headers_len, prelude_crc = struct.unpack_from(">III", self._buffer, 0)
            if zlib.crc32(bytes(self._buffer[:8])) != prelude_crc:
                raise EventStreamError("event stream: prelude CRC32 mismatch")
            if total < _PRELUDE + 4 + headers_len or total > _MAX_MESSAGE:
                raise EventStreamError(f"event stream: impossible message length {total}")
            if len(self._buffer) < total:
                break
            message = bytes(self._buffer[:total])
            del self._buffer[:total]
            (crc,) = struct.unpack_from(">I", message, total - 4)
            if zlib.crc32(message[:-4]) != crc:
                raise EventStreamError("event stream: message CRC32 mismatch")
            headers = _headers(message[_PRELUDE : _PRELUDE + headers_len])
            out.append(EventStreamMessage(headers, message[_PRELUDE + headers_len : total - 4]))
        return out

    @property
    def pending(self) -> int:
        """Bytes of an incomplete message held back."""
        return len(self._buffer)


def _headers(raw: bytes) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    i = 0
    try:
        while i < len(raw):
            n = raw[i]
            name = raw[i + 1 : i + 1 + n].decode("utf-8")
            i += 1 + n
            kind = raw[i]
            i += 1
            value: Any
            if kind in (0, 1):  # bool true / false
                value = kind == 0
            elif kind == 2:
                value = struct.unpack_from(">b", raw, i)[0]
                i += 1
            elif kind == 3:
                value = struct.unpack_from(">h", raw, i)[0]
                i += 2
            elif kind == 4:
                value = struct.unpack_from(">i", raw, i)[0]
                i += 4
            elif kind in (5, 8):  # int64, timestamp (ms)
                value = struct.unpack_from(">q", raw, i)[0]
                i += 8
            elif kind in (6, 7):  # bytes, string
                (size,) = struct.unpack_from(">H", raw, i)
                data = raw[i + 2 : i + 2 + size]
                if len(data) != size:
                    raise EventStreamError("event stream: truncated header value")
                value = data.decode("utf-8") if kind == 7 else data
                i += 2 + size
            elif kind == 9:  # uuid
                value = raw[i : i + 16]
                i += 16
            else:
                raise EventStreamError(f"event stream: unknown header type {kind}")
            headers[name] = value
    except (IndexError, struct.error, UnicodeDecodeError) as exc:
        raise EventStreamError("event stream: malformed headers") from exc
    return headers
