"""A lean HTTP/1.1 client for the gateway's upstream calls: keep-alive pools, streams.

Why not ``httpx`` here: on the gateway's hot path its per-request cost (the pool walks and
polls every connection of a client, several layers of request and response objects) was
most of the gateway's CPU per call (``bench/gateway.py``, profiled with py-spy). This client
does one thing: POST a body to a provider and read the answer (whole, or chunk by chunk as
it arrives), on pooled keep-alive connections, TLS included.

Each event loop has its own :class:`HttpPool` (connections belong to a loop). Responses are
asked for without compression (``accept-encoding: identity``). A request that fails on a
reused connection before any answer byte came is retried once on a fresh connection (the
provider may have closed an idle connection just then).
"""

from __future__ import annotations

import asyncio
import ssl
import weakref
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["HttpPool", "StreamedResponse", "UpstreamError", "UpstreamTimeout", "pool"]

_MAX_IDLE = 256
_ssl_context: ssl.SSLContext | None = None


def _tls() -> ssl.SSLContext:
    """One TLS context for every connection (certifi's roots when installed)."""
    global _ssl_context
    if _ssl_context is None:
        try:
            import certifi

            _ssl_context = ssl.create_default_context(cafile=certifi.where())
        except ImportError:  # pragma: no cover - certifi comes with httpx
            _ssl_context = ssl.create_default_context()
    return _ssl_context


class UpstreamError(Exception):
    """The provider could not be reached, or broke the connection, or spoke no HTTP."""


class UpstreamTimeout(UpstreamError):
    """The provider did not answer (or stopped sending) within the time given."""


@dataclass(frozen=True, slots=True)
class _Origin:
    scheme: str
    host: str
    port: int


@dataclass(slots=True)
class _Conn:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    reused: bool = False

    def usable(self) -> bool:
        return not self.writer.is_closing() and not self.reader.at_eof()

    def close(self) -> None:
        self.writer.close()


@dataclass(slots=True)
class _Head:
    status: int
    headers: dict[bytes, bytes]
    keep_alive: bool


@dataclass(slots=True)
class StreamedResponse:
    """An answer whose body is read chunk by chunk.

    Attributes:
        status: The HTTP status.
        headers: Response headers (names lower-case).
    """

    status: int
    headers: dict[bytes, bytes]
    _pool: HttpPool = field(repr=False)
    _origin: _Origin = field(repr=False)
    _conn: _Conn | None = field(repr=False)
    _head: _Head = field(repr=False)
    _done: bool = False

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body as it arrives (chunked transfer decoded)."""
        conn = self._conn
        assert conn is not None
        reader = conn.reader
        try:
            if self.headers.get(b"transfer-encoding", b"").lower() == b"chunked":
                while True:
                    line = await reader.readuntil(b"\r\n")
                    size = int(line.split(b";", 1)[0].strip(), 16)
                    if size == 0:
                        await _trailers(reader)
                        break
                    data = await reader.readexactly(size + 2)
                    yield data[:-2]
            elif b"content-length" in self.headers:
                left = int(self.headers[b"content-length"])
                while left > 0:
                    data = await reader.read(min(left, 65536))
                    if not data:
                        raise UpstreamError("the provider closed the connection mid-answer")
                    left -= len(data)
                    yield data
            else:
                self._head.keep_alive = False
                while data := await reader.read(65536):
                    yield data
            self._done = True
        except (asyncio.IncompleteReadError, ConnectionError, OSError, ValueError) as exc:
            raise UpstreamError(f"the provider broke off the answer: {type(exc).__name__}") from exc

    async def read(self) -> bytes:
        """The whole body."""
        return b"".join([chunk async for chunk in self.chunks()])

    def close(self) -> None:
        """Give the connection back to the pool (if the answer was read whole) or close it."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._done and self._head.keep_alive:
            self._pool._release(self._origin, conn)
        else:
            conn.close()


async def _trailers(reader: asyncio.StreamReader) -> None:
    while (await reader.readuntil(b"\r\n")) != b"\r\n":
        pass


def _parse_head(raw: bytes) -> _Head:
    lines = raw.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
        raise ValueError("not an HTTP response")
    headers: dict[bytes, bytes] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
    connection = headers.get(b"connection", b"").lower()
    keep = parts[0] == b"HTTP/1.1" and connection != b"close"
    return _Head(int(parts[1]), headers, keep)


class HttpPool:
    """Keep-alive connections per origin, on one event loop."""

    def __init__(self) -> None:
        self._idle: dict[_Origin, list[_Conn]] = {}
        self._origins: dict[str, _Origin] = {}

    def _origin(self, url: str) -> tuple[_Origin, str]:
        split = urlsplit(url)
        key = f"{split.scheme}://{split.netloc}"
        origin = self._origins.get(key)
        if origin is None:
            https = split.scheme == "https"
            port = split.port or (443 if https else 80)
            origin = _Origin(split.scheme, split.hostname or "", port)
            self._origins[key] = origin
        target = split.path or "/"
        if split.query:
            target += "?" + split.query
        return origin, target

    async def _connect(self, origin: _Origin) -> _Conn:
        tls = _tls() if origin.scheme == "https" else None
        reader, writer = await asyncio.open_connection(
            origin.host, origin.port, ssl=tls, server_hostname=origin.host if tls else None,
            limit=1 << 20,
        )  # fmt: skip
        return _Conn(reader, writer)

    def _acquire_idle(self, origin: _Origin) -> _Conn | None:
        idle = self._idle.get(origin)
        while idle:
            conn = idle.pop()
            if conn.usable():
                conn.reused = True
                return conn
            conn.close()
        return None

    def _release(self, origin: _Origin, conn: _Conn) -> None:
        idle = self._idle.setdefault(origin, [])
        if len(idle) < _MAX_IDLE and conn.usable():
            idle.append(conn)
        else:
            conn.close()

    async def _exchange(self, origin: _Origin, request: bytes) -> tuple[_Conn, _Head]:
        """Send ``request`` and read the answer's head (one retry on a stale connection)."""
        for attempt in range(2):
            conn = self._acquire_idle(origin) if attempt == 0 else None
            if conn is None:
                try:
                    conn = await self._connect(origin)
                except OSError as exc:
                    raise UpstreamError(f"could not connect: {type(exc).__name__}") from exc
            try:
                conn.writer.write(request)
                raw = await conn.reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError, OSError) as exc:
                conn.close()
                if conn.reused:
                    continue  # the provider closed an idle connection: once more, fresh
                raise UpstreamError(f"the connection failed: {type(exc).__name__}") from exc
            except asyncio.LimitOverrunError as exc:
                conn.close()
                raise UpstreamError("the provider's response headers are too large") from exc
            except BaseException:  # cancelled (the deadline): the connection is unusable
                conn.close()
                raise
            try:
                return conn, _parse_head(raw)
            except ValueError as exc:
                conn.close()
                raise UpstreamError("the provider did not answer HTTP") from exc
        raise UpstreamError("the connection failed")  # pragma: no cover

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str], timeout: float
    ) -> StreamedResponse:
        """POST ``body``; the answer's head within ``timeout`` (read its body from the result).

        Raises:
            UpstreamTimeout: No answer head in time.
            UpstreamError: No connection, or no HTTP answer.
        """
        origin, target = self._origin(url)
        lines = [f"POST {target} HTTP/1.1", f"host: {origin.host}:{origin.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines += [f"content-length: {len(body)}", "accept-encoding: identity", "", ""]
        request = "\r\n".join(lines).encode("latin-1") + body
        try:
            conn, head = await asyncio.wait_for(self._exchange(origin, request), timeout)
        except asyncio.TimeoutError as exc:
            raise UpstreamTimeout("no answer in time") from exc
        return StreamedResponse(head.status, head.headers, self, origin, conn, head)

    def close(self) -> None:
        """Close every idle connection."""
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()


_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, HttpPool] = weakref.WeakKeyDictionary()


def pool() -> HttpPool:
    """The running event loop's pool."""
    loop = asyncio.get_running_loop()
    found = _pools.get(loop)
    if found is None:
        found = _pools[loop] = HttpPool()
    return found
