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
import ssl
import threading
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpcore
    import httpx

__all__ = ["AsyncLeanPool", "async_pool", "close_pools", "lean_pool", "sync_pool"]

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


_DEFAULT_HEADERS = ((b"accept", b"*/*"), (b"user-agent", b"ardea"))
"""Sent unless the request has them (httpx sends both; some gateways refuse a request
without a user agent)."""


class AsyncLeanPool:
    """Requests straight on ``httpcore``'s pool, without ``httpx``'s client layers.

    For the judges' calls: ``httpx.AsyncClient.request`` builds URL, header and response
    models, runs auth and redirect flows and a byte iterator per response, which at a few
    hundred calls a second costs about as much event-loop time as the HTTP exchange itself.
    The same connections, TLS context (``httpx.create_ssl_context``: ``SSL_CERT_FILE``
    honoured), and timeouts; ``httpcore``'s errors are raised as ``httpx``'s (timeouts as
    ``httpx.TimeoutException``, the rest as ``httpx.TransportError``), and a compressed body
    is never asked for (no ``Accept-Encoding``; gzip/deflate answers are decoded anyway).
    Used only where no proxy applies (:func:`lean_pool`).
    """

    def __init__(self, max_connections: int, ssl_context: ssl.SSLContext | None = None) -> None:
        import httpcore
        import httpx

        from ardea.llm.asyncio_backend import asyncio_backend

        self._pool: httpcore.AsyncConnectionPool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            network_backend=asyncio_backend(),
        )
        self.is_closed = False

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
        import httpcore
        import httpx

        items = headers.items() if hasattr(headers, "items") else headers
        raw = [(k.encode("ascii"), v.encode("utf-8")) for k, v in items]
        names = {k.lower() for k, _ in raw}
        raw.extend(d for d in _DEFAULT_HEADERS if d[0] not in names)
        times = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
        try:
            response = await self._pool.request(
                method, url, headers=raw, content=content, extensions={"timeout": times}
            )
        except httpcore.TimeoutException as exc:
            raise httpx.TimeoutException(str(exc)) from exc
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.ProxyError) as exc:
            raise httpx.TransportError(str(exc)) from exc
        except httpcore.UnsupportedProtocol as exc:
            raise httpx.UnsupportedProtocol(str(exc)) from exc
        found = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response.headers}
        body = response.content
        encoding = found.get("content-encoding", "identity").strip().lower()
        if encoding in ("gzip", "deflate"):
            import zlib

            body = zlib.decompress(body, 47 if encoding == "gzip" else 15)
        return LeanResponse(response.status, found, body)

    async def aclose(self) -> None:
        """Close the connections."""
        self.is_closed = True
        await self._pool.aclose()


_lean: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[str, tuple[list[AsyncLeanPool], itertools.count[int]]]
] = weakref.WeakKeyDictionary()


def _proxied(url: str) -> bool:
    """Whether the environment sends requests to ``url`` through a proxy (httpx would)."""
    import urllib.request
    from urllib.parse import urlsplit

    proxies = urllib.request.getproxies()
    if not proxies:
        return False
    parts = urlsplit(url)
    if not ({parts.scheme, "all"} & set(proxies)):
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")


def lean_pool(key: str, max_connections: int, url: str) -> AsyncLeanPool | httpx.AsyncClient:
    """The async pool of ``key`` for requests to ``url``: lean unless a proxy applies.

    Sharded as :func:`async_pool` (httpcore walks each pool's connections per request).
    """
    if _proxied(url):
        return async_pool(key, max_connections)
    loop = asyncio.get_running_loop()
    with _lock:
        pools = _lean.setdefault(loop, {})
        entry = pools.get(key)
        shards = -(-max_connections // SHARD_CONNECTIONS)
        if entry is None or len(entry[0]) != shards or any(p.is_closed for p in entry[0]):
            size = -(-max_connections // shards)
            entry = ([AsyncLeanPool(size) for _ in range(shards)], itertools.count())
            pools[key] = entry
        found, turn = entry
        return found[next(turn) % len(found)]


def close_pools() -> None:
    """Close the sync pools (async pools close with their event loop)."""
    with _lock:
        clients = list(_sync.values())
        _sync.clear()
    for client in clients:
        client.close()
