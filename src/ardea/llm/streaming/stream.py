"""The stream objects :meth:`LLMClient.stream <ardea.llm.client.LLMClient.stream>` returns.

A stream is opened before it is returned: the request is sent, retried as a call is (429,
5xx, connection errors, within the one deadline), and the body is read up to its first chunk;
an error until then raises from ``stream()`` itself (so a gateway can still answer with a
proper status). After the first chunk nothing is retried: an error event, a broken connection
or a corrupt frame ends the iteration with :class:`~ardea.llm.errors.StreamError`, the
deadline or the idle timeout with :class:`~ardea.llm.errors.Timeout`.

The provider-config's limiter slot is held from the request until the stream ends: read to
its end, :meth:`~ChatStream.close` (or the ``with`` block) or, for a stream dropped half-read,
its garbage collection. Ending records the result (partial or not) on the LLM span.

Two modes: :class:`ChatStream` yields :class:`~ardea.llm.streaming.chunks.ChatChunk`;
:class:`RawChatStream` yields the provider's bytes as they arrive, unchanged (decoded only of
their HTTP ``Content-Encoding``), for a proxy to pass on, and still parses them on the side
for :attr:`~ChatStream.result`'s usage.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ardea.llm.errors import LLMError, StreamError, Timeout
from ardea.llm.streaming.chunks import ChatChunk
from ardea.llm.streaming.core import StreamCore
from ardea.llm.types import StreamResult, Usage

if TYPE_CHECKING:
    import httpx

__all__ = [
    "AsyncChatStream",
    "AsyncRawChatStream",
    "ChatStream",
    "RawChatStream",
    "aopen_stream",
    "open_stream",
]

T = TypeVar("T", ChatChunk, bytes)
_pending_closes: set[asyncio.Task[None]] = set()


def _httpx_timeout(core: StreamCore) -> httpx.Timeout:
    import httpx

    left = core.deadline.remaining()
    whole = None if left == float("inf") else max(0.001, left)
    return httpx.Timeout(connect=whole, write=whole, pool=whole, read=core.read_timeout())


class _Stream(Generic[T]):
    """What the sync and async streams share: the result, the usage, the end."""

    core: StreamCore

    @property
    def result(self) -> StreamResult | None:
        """The result once the stream ended (read to the end, closed, or failed)."""
        return self.core.result

    @property
    def usage(self) -> Usage | None:
        """The usage reported so far (``None`` until the provider reported any)."""
        return self.core.acc.usage

    @property
    def status_code(self) -> int:
        """The provider's HTTP status (2xx)."""
        return self.core.status_code

    @property
    def headers(self) -> dict[str, str]:
        """The provider's response headers (lower-case names)."""
        return self.core.headers

    @property
    def media_type(self) -> str:
        """The provider's ``Content-Type`` (``text/event-stream``, or AWS's event stream)."""
        return self.core.headers.get("content-type", "")

    def _out(self, data: bytes, chunks: list[ChatChunk]) -> list[Any]:
        raise NotImplementedError

    def _detach(self) -> None:
        """Forget the core (opening failed before the first chunk: the opener handles it)."""
        self.core.cancel_watch()
        self.core.on_close = None
        del self.core

    def __del__(self) -> None:
        core = getattr(self, "core", None)
        if core is not None and not core.ended:
            try:
                core.end(None, partial=True)
            except Exception:  # pragma: no cover - the interpreter is shutting down
                pass


# ---------------------------------------------------------------------- sync


class _SyncStream(_Stream[T]):
    def __init__(self, core: StreamCore, response: httpx.Response, pending: list[Any]) -> None:
        self.core = core
        self._response = response
        self._body = response.iter_bytes()
        self._pending = pending
        core.on_close = response.close
        core.watch(lambda: _shutdown(response))

    def __iter__(self) -> _SyncStream[T]:
        return self

    def __next__(self) -> T:
        core = self.core
        while not self._pending:
            if core.ended:
                raise StopIteration
            try:
                data = next(self._body, None)
                if data is None:
                    self._pending = self._out(b"", core.at_eof())
                    if not self._pending:
                        core.end(None, partial=False)
                        raise StopIteration
                    self._pending.append(_END)
                    continue
                self._pending = self._out(data, core.decode(data))
            except StopIteration:
                raise
            except BaseException as exc:
                raise self._fail(exc) from None
        item = self._pending.pop(0)
        if item is _END:
            core.end(None, partial=False)
            raise StopIteration
        return item  # type: ignore[no-any-return]

    def _fail(self, exc: BaseException) -> BaseException:
        error = _mid_stream_error(self.core, exc)
        self.core.end(error, partial=True)
        return error

    def close(self) -> None:
        """Stop reading: connection closed, slot given back, span ended.

        The result is ``partial`` unless the stream had reached its end.
        """
        if not self.core.ended:
            self.core.end(None, partial=not self.core.complete)

    def __enter__(self) -> _SyncStream[T]:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def read_all(self) -> StreamResult:
        """Read the rest of the stream; its result."""
        for _ in self:
            pass
        assert self.core.result is not None
        return self.core.result


class ChatStream(_SyncStream[ChatChunk]):
    """A streamed chat answer: iterate it for :class:`ChatChunk`; ``result`` at the end.

    Use it in a ``with`` block (or :meth:`close` it) when you may stop early.
    """

    def _out(self, data: bytes, chunks: list[ChatChunk]) -> list[Any]:
        return list(chunks)


class RawChatStream(_SyncStream[bytes]):
    """A streamed chat answer as the provider's bytes (see the module doc)."""

    def _out(self, data: bytes, chunks: list[ChatChunk]) -> list[Any]:
        return [data] if data else []


_END: Any = object()


def _shutdown(response: httpx.Response) -> None:
    """Wake a blocked read of ``response`` (from the deadline watchdog's thread)."""
    import socket

    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is not None:
        sock.shutdown(socket.SHUT_RDWR)


def _mid_stream_error(core: StreamCore, exc: BaseException) -> BaseException:
    import httpx

    if core.timed_out:
        return core.timeout_error()
    if isinstance(exc, (asyncio.TimeoutError, httpx.TimeoutException)):
        return core.timeout_error()
    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, httpx.HTTPError):
        return core.broken("the connection broke mid-stream", exc)
    return exc  # KeyboardInterrupt, CancelledError, a bug: as is


def open_stream(client: Any, core: StreamCore, raw: bool) -> ChatStream | RawChatStream:
    """Send the request (retrying as a call does) and read up to the first chunk."""
    import httpx

    from ardea.llm.attempts import Attempts
    from ardea.llm.transport import sync_pool

    state = Attempts(client, core.deadline)
    pool = sync_pool(client.config.fingerprint(), client._pool_size())
    while True:
        state.before()
        core.attempts = state.count
        client.limiter.acquire(core.deadline)
        core.holds_slot = True
        response: httpx.Response | None = None
        delay = 0.0
        try:
            request = client.adapter.chat_request(client.config, core.params)
            built = pool.build_request(
                request.method,
                request.url,
                headers=request.headers,
                content=request.body,
                timeout=_httpx_timeout(core),
            )
            try:
                response = pool.send(built, stream=True)
                if not 200 <= response.status_code < 300:
                    content = response.read()
                    response.close()
                    _, delay = state.on_response(response.status_code, response.headers, content)
                else:
                    client.limiter.on_success()
                    _take_headers(core, response)
                    stream: ChatStream | RawChatStream = (RawChatStream if raw else ChatStream)(
                        core, response, []
                    )
                    try:
                        stream._pending = _first(stream)
                    except BaseException:
                        stream._detach()
                        raise
                    return stream
            except (httpx.TransportError, StreamError) as exc:
                if response is not None:
                    response.close()
                delay = _retry_before_first_chunk(core, state, exc)
        except BaseException:
            if core.holds_slot:
                core.holds_slot = False
                client.limiter.release()
            if response is not None:
                response.close()
            raise
        core.holds_slot = False
        client.limiter.release()
        time.sleep(delay)


def _retry_before_first_chunk(core: StreamCore, state: Any, exc: BaseException) -> float:
    """Seconds before the next attempt after ``exc`` came before the first chunk.

    Raises when there is none: a timeout, a non-retryable error, no attempt or time left.
    """
    import httpx

    from ardea.llm.retry import RETRYABLE_STATUSES

    if core.timed_out or isinstance(exc, (httpx.TimeoutException, asyncio.TimeoutError)):
        state.last = exc
        raise core.timeout_error() from None
    core.reset()
    if isinstance(exc, StreamError):
        if exc.status in RETRYABLE_STATUSES:
            return float(state.retry_in(exc))
        raise exc
    if isinstance(exc, httpx.HTTPError) and not isinstance(exc, httpx.TransportError):
        raise core.broken("the connection broke before the first chunk", exc) from None
    return float(state.on_transport_error(exc))


def _first(stream: _SyncStream[Any]) -> list[Any]:
    """Read until the first chunk (raw: the first bytes), or the end of the body."""
    core = stream.core
    for data in stream._body:
        out = stream._out(data, core.decode(data))
        if out:
            return out
    out = stream._out(b"", core.at_eof())
    return [*out, _END]


def _take_headers(core: StreamCore, response: Any) -> None:
    from ardea.llm.attempts import REQUEST_ID_HEADERS

    core.status_code = response.status_code
    core.headers = {k.lower(): v for k, v in response.headers.items()}
    core.request_id = next((core.headers[h] for h in REQUEST_ID_HEADERS if h in core.headers), None)


# ---------------------------------------------------------------------- async


class _AsyncStream(_Stream[T]):
    def __init__(self, core: StreamCore, response: httpx.Response, pending: list[Any]) -> None:
        self.core = core
        self._response = response
        self._body: AsyncIterator[bytes] = response.aiter_bytes()
        self._pending = pending
        loop = asyncio.get_running_loop()

        def close() -> None:  # may run in __del__: schedule the close on the loop
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if loop.is_closed():
                return
            if running is loop:
                task = loop.create_task(response.aclose())
                _pending_closes.add(task)
                task.add_done_callback(_pending_closes.discard)
            else:
                loop.call_soon_threadsafe(lambda: close())

        core.on_close = close

    def __aiter__(self) -> _AsyncStream[T]:
        return self

    async def _read(self) -> bytes | None:
        core = self.core
        left = core.read_timeout()
        try:
            return await asyncio.wait_for(self._body.__anext__(), timeout=left)
        except StopAsyncIteration:
            return None

    async def __anext__(self) -> T:
        core = self.core
        while not self._pending:
            if core.ended:
                raise StopAsyncIteration
            try:
                data = await self._read()
                if data is None:
                    self._pending = self._out(b"", core.at_eof())
                    self._pending.append(_END)
                    continue
                self._pending = self._out(data, core.decode(data))
            except BaseException as exc:
                error = _mid_stream_error(core, exc)
                await self._end(error, partial=True)
                raise error from None
        item = self._pending.pop(0)
        if item is _END:
            await self._end(None, partial=False)
            raise StopAsyncIteration
        return item  # type: ignore[no-any-return]

    async def _end(self, error: BaseException | None, partial: bool) -> None:
        core = self.core
        core.on_close = None
        core.end(error, partial)
        await self._response.aclose()

    async def aclose(self) -> None:
        """Stop reading (see :meth:`ChatStream.close`)."""
        if not self.core.ended:
            await self._end(None, partial=not self.core.complete)

    async def __aenter__(self) -> _AsyncStream[T]:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def read_all(self) -> StreamResult:
        """Read the rest of the stream; its result."""
        async for _ in self:
            pass
        assert self.core.result is not None
        return self.core.result


class AsyncChatStream(_AsyncStream[ChatChunk]):
    """:class:`ChatStream` for coroutines (``async for``, ``aclose``, ``async with``)."""

    def _out(self, data: bytes, chunks: list[ChatChunk]) -> list[Any]:
        return list(chunks)


class AsyncRawChatStream(_AsyncStream[bytes]):
    """:class:`RawChatStream` for coroutines."""

    def _out(self, data: bytes, chunks: list[ChatChunk]) -> list[Any]:
        return [data] if data else []


async def aopen_stream(
    client: Any, core: StreamCore, raw: bool
) -> AsyncChatStream | AsyncRawChatStream:
    """:func:`open_stream` for coroutines."""
    import httpx

    from ardea.llm.attempts import Attempts
    from ardea.llm.transport import async_pool

    state = Attempts(client, core.deadline)
    pool = async_pool(client.config.fingerprint(), client._pool_size())
    while True:
        state.before()
        core.attempts = state.count
        await client.limiter.aacquire(core.deadline)
        core.holds_slot = True
        response: httpx.Response | None = None
        delay = 0.0
        try:
            request = client.adapter.chat_request(client.config, core.params)
            built = pool.build_request(
                request.method,
                request.url,
                headers=request.headers,
                content=request.body,
                timeout=_httpx_timeout(core),
            )
            try:
                left = core.deadline.remaining()
                response = await asyncio.wait_for(
                    pool.send(built, stream=True), None if left == float("inf") else left
                )
                if not 200 <= response.status_code < 300:
                    content = await response.aread()
                    await response.aclose()
                    _, delay = state.on_response(response.status_code, response.headers, content)
                else:
                    client.limiter.on_success()
                    _take_headers(core, response)
                    stream: AsyncChatStream | AsyncRawChatStream = (
                        AsyncRawChatStream if raw else AsyncChatStream
                    )(core, response, [])
                    try:
                        stream._pending = await _afirst(stream)
                    except BaseException:
                        stream._detach()
                        raise
                    return stream
            except (httpx.TransportError, StreamError, asyncio.TimeoutError) as exc:
                if response is not None:
                    await response.aclose()
                delay = _retry_before_first_chunk(core, state, exc)
        except BaseException:
            if core.holds_slot:
                core.holds_slot = False
                client.limiter.release()
            if response is not None and not core.ended:
                await asyncio.shield(response.aclose())
            raise
        core.holds_slot = False
        client.limiter.release()
        await asyncio.sleep(delay)


async def _afirst(stream: _AsyncStream[Any]) -> list[Any]:
    core = stream.core
    while True:
        data = await stream._read()
        if data is None:
            return [*stream._out(b"", core.at_eof()), _END]
        out = stream._out(data, core.decode(data))
        if out:
            return out


__all__ += ["StreamError", "Timeout"]
