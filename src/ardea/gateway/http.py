"""The gateway's upstream HTTP: ``aiohttp``'s client (keep-alive pools, answers as they come).

Why ``aiohttp`` here, and not ``httpx``/``httpcore`` as elsewhere in Ardea: on the gateway's
hot path the client's own CPU per call is most of the gateway's, and ``aiohttp`` parses
HTTP in C. Measured client-only (64 concurrent keep-alive connections to the fake provider,
``bench/gateway.py``'s provider at no latency): ``aiohttp`` ~120 µs CPU per request,
``httpcore``'s pool on asyncio streams (``ardea.llm``'s lean transport) ~350 µs, ``httpx``
more. This module adapts it to the proxy: a POST whose answer head comes within a timeout,
then the body whole or chunk by chunk as it arrives, and two errors (:class:`UpstreamError`,
:class:`UpstreamTimeout`).

Each event loop has its own :class:`HttpPool` (a session: connections belong to a loop).
Responses are asked for without compression (``accept-encoding: identity``), no cookies
are kept, and no environment proxy is used (as before: provider URLs are checked against
private addresses where they are configured). A request whose connection the provider
closed before any answer byte (an idle keep-alive connection it just dropped) is retried
once.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Awaitable, Mapping
from typing import Any, TypeVar

import aiohttp

__all__ = [
    "HttpPool",
    "StreamedResponse",
    "UpstreamError",
    "UpstreamTimeout",
    "close_pool",
    "pool",
    "within",
]

_READ_SIZE = 65536
_timeout: Any = getattr(asyncio, "timeout", None)
_NO_AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding")
_T = TypeVar("_T")


async def within(awaitable: Awaitable[_T], seconds: float) -> _T:
    """``await awaitable``, or :class:`asyncio.TimeoutError` after ``seconds``.

    As ``asyncio.wait_for``, without the task it makes per call on Python 3.11 (on the
    gateway's hot path that task is an extra event-loop turn per request and per streamed
    chunk).
    """
    if _timeout is None:  # pragma: no cover - Python 3.10
        return await asyncio.wait_for(awaitable, seconds)
    async with _timeout(seconds):
        return await awaitable


class UpstreamError(Exception):
    """The provider could not be reached, or broke the connection, or spoke no HTTP."""


class UpstreamTimeout(UpstreamError):
    """The provider did not answer (or stopped sending) within the time given."""


class StreamedResponse:
    """An answer whose body is read chunk by chunk.

    Attributes:
        status: The HTTP status.
        headers: Response headers (names lower-case, as bytes).
    """

    __slots__ = ("_done", "_response", "headers", "status")

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.status = response.status
        self.headers = {name.lower(): value for name, value in response.raw_headers}
        self._response: aiohttp.ClientResponse | None = response
        self._done = False

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body as it arrives (chunked transfer decoded)."""
        response = self._response
        assert response is not None
        try:
            async for chunk in response.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, OSError) as exc:
            raise UpstreamError(f"the provider broke off the answer: {type(exc).__name__}") from exc
        self._done = True

    async def read(self) -> bytes:
        """The whole body."""
        return b"".join([chunk async for chunk in self.chunks()])

    def close(self) -> None:
        """Give the connection back to the pool (if the answer was read whole) or close it."""
        response, self._response = self._response, None
        if response is None:
            return
        if self._done:
            response.release()
        else:
            response.close()


class HttpPool:
    """Keep-alive connections on one event loop (an ``aiohttp`` session)."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        session = self._session
        if session is None or session.closed:
            connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300)
            session = self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=_NO_AUTO_HEADERS,
                auto_decompress=False,
                timeout=aiohttp.ClientTimeout(total=None),
                read_bufsize=_READ_SIZE,
                trust_env=False,
            )
        return session

    async def _exchange(
        self, url: str, body: bytes, headers: dict[str, str], timeout: float
    ) -> aiohttp.ClientResponse:
        session = self._open()
        limits = aiohttp.ClientTimeout(total=None, connect=timeout)
        for attempt in range(2):
            try:
                response: Any = await session.post(
                    url, data=body, headers=headers, timeout=limits, allow_redirects=False
                )
                return response  # type: ignore[no-any-return]
            except aiohttp.ServerDisconnectedError:
                if attempt == 0:
                    continue  # the provider closed an idle connection: once more, fresh
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str], timeout: float
    ) -> StreamedResponse:
        """POST ``body``; the answer's head within ``timeout`` (read its body from the result).

        Raises:
            UpstreamTimeout: No answer head in time.
            UpstreamError: No connection, or no HTTP answer.
        """
        sent = dict(headers)
        sent["accept-encoding"] = "identity"
        try:
            response = await within(self._exchange(url, body, sent, timeout), timeout)
        except asyncio.TimeoutError as exc:
            raise UpstreamTimeout("no answer in time") from exc
        except aiohttp.ClientConnectorError as exc:
            raise UpstreamError(f"could not connect: {type(exc).__name__}") from exc
        except aiohttp.ClientResponseError as exc:  # a malformed answer head
            raise UpstreamError("the provider did not answer HTTP") from exc
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            raise UpstreamError(f"the connection failed: {type(exc).__name__}") from exc
        return StreamedResponse(response)

    async def aclose(self) -> None:
        """Close every connection."""
        if self._session is not None:
            await self._session.close()


_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, HttpPool] = weakref.WeakKeyDictionary()


def pool() -> HttpPool:
    """The running event loop's pool."""
    loop = asyncio.get_running_loop()
    found = _pools.get(loop)
    if found is None:
        found = _pools[loop] = HttpPool()
    return found


async def close_pool() -> None:
    """Close the running event loop's pool, if it has one (at shutdown)."""
    found = _pools.pop(asyncio.get_running_loop(), None)
    if found is not None:
        await found.aclose()
