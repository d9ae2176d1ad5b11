"""HTTP connection pools, one per provider config, shared by every client of that config.

``httpx`` is imported here, lazily (``import ardea`` and ``import ardea.llm`` load no HTTP
client). The sync pool is process-wide; async pools are per event loop (an
``httpx.AsyncClient`` belongs to the loop it first ran on). Pools are built without retries
and without a default timeout: :class:`~ardea.llm.client.LLMClient` gives each request what is
left of the call's deadline.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

__all__ = ["async_pool", "close_pools", "sync_pool"]

_lock = threading.Lock()
_sync: dict[str, httpx.Client] = {}
_async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, httpx.AsyncClient]] = (
    weakref.WeakKeyDictionary()
)


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
    """The async client of the provider config ``key`` on the running event loop."""
    loop = asyncio.get_running_loop()
    with _lock:
        pools = _async.setdefault(loop, {})
        client = pools.get(key)
        if client is None or client.is_closed:
            import httpx

            client = httpx.AsyncClient(limits=_limits(max_connections), timeout=None)
            pools[key] = client
        return client


def close_pools() -> None:
    """Close the sync pools (async pools close with their event loop)."""
    with _lock:
        clients = list(_sync.values())
        _sync.clear()
    for client in clients:
        client.close()
