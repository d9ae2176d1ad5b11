"""HTTP connection pools, one per provider config, shared by every client of that config.

``httpx`` is imported here, lazily (``import ardea`` and ``import ardea.llm`` load no HTTP
client). The sync pool is process-wide; async pools are per event loop (an
``httpx.AsyncClient`` belongs to the loop it first ran on). Pools are built without retries
and without a default timeout: :class:`~ardea.llm.client.LLMClient` gives each request what is
left of the call's deadline.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import ssl
import sys
import threading
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = [
    "AsyncLeanPool",
    "async_pool",
    "close_lean_pools",
    "close_pools",
    "lean_pool",
    "sync_pool",
]

_lock = threading.Lock()
_sync: dict[str, httpx.Client] = {}
_async: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[str, tuple[list[httpx.AsyncClient], itertools.count[int]]]
] = weakref.WeakKeyDictionary()

SHARD_CONNECTIONS = 16
"""Connections per async client: a config allowed more is served by several clients in turn.
httpcore's pool walks every connection of a client on each request (checking expiry through
the socket's attributes), so one client of 128 connections costs ~8x the CPU per call of 8
clients of 16 at high concurrency (bench/evaluate.py)."""


def _limits(max_connections: int) -> httpx.Limits:
    import httpx

    return httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)


def sync_pool(key: str, max_connections: int) -> httpx.Client:
    """The process-wide sync client of the provider config ``key``."""
    with _lock:
        client = _sync.get(key)
        if client is None or client.is_closed:
            import httpx

            client = httpx.Client(limits=_limits(max_connections), timeout=None)
            _sync[key] = client
        return client


def async_pool(key: str, max_connections: int) -> httpx.AsyncClient:
    """An async client of the provider config ``key`` on the running event loop.

    Up to :data:`SHARD_CONNECTIONS` connections make one client; more are split over several
    clients, handed out in turn (together they hold ``max_connections``).
    """
    loop = asyncio.get_running_loop()
    with _lock:
        pools = _async.setdefault(loop, {})
        entry = pools.get(key)
        shards = -(-max_connections // SHARD_CONNECTIONS)
        if entry is None or len(entry[0]) != shards or any(c.is_closed for c in entry[0]):
            import httpx

            size = -(-max_connections // shards)
            clients = [httpx.AsyncClient(limits=_limits(size), timeout=None) for _ in range(shards)]
            entry = (clients, itertools.count())
            pools[key] = entry
        clients, turn = entry
        return clients[next(turn) % len(clients)]


class LeanResponse:
    """What :class:`AsyncLeanPool` answers: status, headers (lower-case names), body."""

    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers: dict[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content


_DEFAULT_HEADERS = (("accept", "*/*"), ("user-agent", "ardea"))
"""Sent unless the request has them (httpx sends both; some gateways refuse a request
without a user agent)."""


class AsyncLeanPool:
    """The judges' async HTTP: ``aiohttp``'s client (C HTTP parser), answers read whole.

    For many calls a second (``ardea.evaluate``'s judges): ``httpx.AsyncClient`` builds URL,
    header and response models and runs auth and redirect flows per request, and
    ``httpcore`` walks its pool and parses with ``h11`` in Python; at 128 calls in flight
    that cost about 0.85 ms of event-loop CPU per call, ``aiohttp`` about 0.2 ms
    (bench/README.md, round 4). TLS with ``httpx.create_ssl_context`` (``SSL_CERT_FILE``
    honoured), no cookies, no proxies from the environment (:func:`lean_pool` gives
    ``httpx`` where a proxy applies), no redirects, no ``Accept-Encoding`` asked (gzip and
    deflate answers are decoded anyway), no ``Content-Type`` added. Errors are raised as
    ``httpx``'s: timeouts as ``httpx.TimeoutException``, the rest as
    ``httpx.TransportError`` (a URL it cannot send to: ``httpx.UnsupportedProtocol``).
    """

    def __init__(self, max_connections: int, ssl_context: ssl.SSLContext | None = None) -> None:
        self.max_connections = max_connections
        self._ssl = ssl_context
        self._session: Any = None
        self.is_closed = False

    def _open(self) -> Any:
        import aiohttp
        import httpx

        connector = aiohttp.TCPConnector(
            limit=self.max_connections,
            limit_per_host=0,
            ssl=self._ssl or httpx.create_ssl_context(),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("Accept-Encoding", "Content-Type"),
            auto_decompress=True,
        )
        return self._session

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Any,
        content: bytes | None,
        timeout: float | None,
    ) -> LeanResponse:
        """One exchange; the whole body is read (raises ``httpx`` transport errors)."""
        import aiohttp
        import httpx
        import yarl

        session = self._session or self._open()
        items = headers.items() if hasattr(headers, "items") else headers
        sent = dict(items)
        names = {k.lower() for k in sent}
        for name, value in _DEFAULT_HEADERS:
            if name not in names:
                sent[name] = value
        try:
            async with session.request(
                method,
                yarl.URL(url, encoded=True),  # as given: a SigV4 signature covers the path
                headers=sent,
                data=content,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=None, connect=timeout, sock_read=timeout),
            ) as response:
                body = await response.read()
                found = {k.lower(): v for k, v in response.headers.items()}
                return LeanResponse(response.status, found, body)
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise httpx.TimeoutException(str(exc) or "timed out") from exc
        except (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError) as exc:
            raise httpx.UnsupportedProtocol(str(exc)) from exc
        except aiohttp.ClientError as exc:
            raise httpx.TransportError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        """Close the connections."""
        self.is_closed = True
        if self._session is not None:
            await self._session.close()

    def __del__(self) -> None:
        # A pool whose event loop ended without aclose (``asyncio.run`` of user code): drop
        # its connections without aiohttp's "Unclosed client session" report.
        session = self._session
        if session is None or session.closed:
            return
        try:
            session.connector._close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass


_lean: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, AsyncLeanPool]] = (
    weakref.WeakKeyDictionary()
)


def _proxied_now(url: str) -> bool:
    import urllib.request
    from urllib.parse import urlsplit

    proxies = urllib.request.getproxies()
    if not proxies:
        return False
    parts = urlsplit(url)
    if not ({parts.scheme, "all"} & set(proxies)):
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")


_PROXY_VARS = (
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
    "REQUEST_METHOD",  # urllib ignores HTTP_PROXY under CGI
)
_proxy_answers: dict[tuple[str, tuple[str | None, ...]], bool] = {}


def _proxied(url: str) -> bool:
    """Whether the environment sends requests to ``url`` through a proxy (httpx would).

    ``urllib``'s answer, remembered per URL and values of the proxy variables that can
    decide it (``urllib.request.getproxies`` walks the whole environment: a measurable cost
    on every judge call). On macOS and Windows, whose system proxy settings ``urllib`` also
    reads, it is asked every time.
    """
    if sys.platform in ("darwin", "win32"):
        return _proxied_now(url)
    scheme = url.partition(":")[0].lower()
    environ = os.environ
    names = (f"{scheme}_proxy", f"{scheme.upper()}_PROXY", *_PROXY_VARS)
    key = (url, tuple(environ.get(n) for n in names))
    found = _proxy_answers.get(key)
    if found is None:
        if len(_proxy_answers) > 1024:
            _proxy_answers.clear()
        found = _proxy_answers[key] = _proxied_now(url)
    return found


def lean_pool(key: str, max_connections: int, url: str) -> AsyncLeanPool | httpx.AsyncClient:
    """The async pool of ``key`` for requests to ``url``: lean unless a proxy applies.

    One :class:`AsyncLeanPool` per config and event loop (a changed limit gets a new pool; the
    old one's connections close once its calls are done).
    """
    if _proxied(url):
        return async_pool(key, max_connections)
    loop = asyncio.get_running_loop()
    with _lock:
        pools = _lean.setdefault(loop, {})
        pool = pools.get(key)
        if pool is None or pool.is_closed or pool.max_connections != max_connections:
            pool = pools[key] = AsyncLeanPool(max_connections)
        return pool


async def close_lean_pools() -> None:
    """Close the running event loop's lean pools (their connections), e.g. before it ends."""
    with _lock:
        pools = list(_lean.pop(asyncio.get_running_loop(), {}).values())
    for pool in pools:
        await pool.aclose()


def close_pools() -> None:
    """Close the sync pools (async pools close with their event loop)."""
    with _lock:
        clients = list(_sync.values())
        _sync.clear()
    for client in clients:
        client.close()
