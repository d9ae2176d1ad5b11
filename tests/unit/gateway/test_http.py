"""The gateway's upstream client (``ardea.gateway.http``) against small real servers on
loopback: keep-alive reuse, a provider dropping an idle connection, no answer in time, a
refused connection, an answer that is not HTTP, and a body read chunk by chunk as it comes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from ardea.gateway.http import UpstreamError, UpstreamTimeout, close_pool, pool, within

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
_OK = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


async def _request(reader: asyncio.StreamReader) -> bytes:
    """One request's head and body (content-length bodies only)."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head + await reader.readexactly(length)


@asynccontextmanager
async def _server(handler: Handler) -> AsyncIterator[str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1/chat/completions"
    finally:
        server.close()


def test_keep_alive_and_a_dropped_idle_connection() -> None:
    """Two calls share one connection; when the provider drops it as the third request
    arrives (before any answer byte: an idle connection it was closing just then), that
    request is sent once more on a fresh connection and succeeds."""
    connections: list[int] = []
    requests: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        while True:
            try:
                requests.append(await _request(reader))
            except asyncio.IncompleteReadError:
                break
            if len(requests) == 3:
                break  # dropped without an answer
            writer.write(_OK)
            await writer.drain()
        writer.close()

    async def main() -> None:
        async with _server(handler) as url:
            for _ in range(3):
                response = await pool().post(url, b'{"a":1}', {"x-k": "v"}, 5)
                try:
                    assert response.status == 200
                    assert response.headers[b"content-type"] == b"application/json"
                    assert await response.read() == b"{}"
                finally:
                    response.close()
                await asyncio.sleep(0.05)

    asyncio.run(main())
    assert len(connections) == 2 and len(requests) == 4
    assert b"x-k: v" in requests[0].lower() and requests[0].endswith(b'{"a":1}')
    assert b"accept-encoding: identity" in requests[0].lower()


def test_no_answer_in_time_is_a_timeout() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        await asyncio.sleep(5)
        writer.close()

    async def main() -> None:
        async with _server(handler) as url:
            with pytest.raises(UpstreamTimeout):
                await pool().post(url, b"{}", {}, 0.2)

    asyncio.run(main())


def test_refused_and_non_http_answers_are_upstream_errors() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        writer.write(b"SSH-2.0-OpenSSH\r\n\r\n")
        await writer.drain()
        writer.close()

    async def main() -> None:
        async with _server(handler) as url:
            with pytest.raises(UpstreamError) as caught:
                await pool().post(url, b"{}", {}, 5)
            assert not isinstance(caught.value, UpstreamTimeout)
        with pytest.raises(UpstreamError):  # the server is gone: connection refused
            await pool().post(url, b"{}", {}, 5)

    asyncio.run(main())


def test_a_chunked_body_is_read_as_it_arrives_and_a_broken_one_raises() -> None:
    """Each chunk is handed over before the next is sent; a connection dropped mid-body
    raises :class:`UpstreamError` after the chunks that came."""
    go_on = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n6\r\ndata:1\r\n")
        await writer.drain()
        await go_on.wait()
        writer.write(b"6\r\ndata:2\r\n")
        await writer.drain()
        writer.close()  # no final chunk: broken off

    async def main() -> None:
        async with _server(handler) as url:
            response = await pool().post(url, b"{}", {}, 5)
            got: list[bytes] = []
            try:
                with pytest.raises(UpstreamError):
                    async for chunk in response.chunks():
                        got.append(chunk)
                        go_on.set()
            finally:
                response.close()
            assert b"".join(got) == b"data:1data:2"
            assert got[0] == b"data:1"

    asyncio.run(main())


def test_close_pool_closes_the_loops_connections() -> None:
    """At shutdown the loop's pool is closed (no unclosed-session warnings) and forgotten."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        writer.write(_OK)
        await writer.drain()
        await reader.read()  # until the client closes its end
        writer.close()

    async def main() -> None:
        async with _server(handler) as url:
            first = pool()
            response = await first.post(url, b"{}", {}, 5)
            assert await response.read() == b"{}"
            response.close()
            await close_pool()
            assert pool() is not first
            await close_pool()

    asyncio.run(main())


def test_within_returns_in_time_and_cancels_what_is_late_without_a_task() -> None:
    async def main() -> None:
        tasks = len(asyncio.all_tasks())
        cancelled = asyncio.Event()

        async def value() -> int:
            assert len(asyncio.all_tasks()) == tasks  # awaited in the caller's task
            return 7

        async def late() -> None:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                cancelled.set()
                raise

        assert await within(value(), 1.0) == 7
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(asyncio.TimeoutError):
            await within(late(), 0.05)
        assert loop.time() - started < 5  # not the 10 s sleep
        assert cancelled.is_set()

    asyncio.run(main())
