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
import threading
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

__all__ = ["async_pool", "close_pools", "sync_pool"]

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


def close_pools() -> None:
    """Close the sync pools (async pools close with their event loop)."""
    with _lock:
        clients = list(_sync.values())
        _sync.clear()
    for client in clients:
        client.close()
