"""An exact-match response cache: same endpoint, same request body, same answer, for a TTL.

The key hashes the endpoint id, the route's dialect and the body with its keys sorted (so key
order and whitespace do not matter). Memory is bounded by an entry count (least recently used
out first). Only complete, successful, non-streamed answers are stored.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from typing import Any

import orjson

__all__ = ["ResponseCache", "cache_key"]


def cache_key(endpoint_id: str, api: str, body: dict[str, Any]) -> bytes:
    """The key of ``body`` sent to ``endpoint_id`` through the ``api`` route."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(endpoint_id.encode() + b"\0" + api.encode() + b"\0")
    digest.update(orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
    return digest.digest()


class ResponseCache:
    """A bounded LRU of ``key -> (expiry, status, body)``.

    Args:
        max_entries: Entries kept at most.
        max_body_bytes: Larger answers are not cached.
    """

    def __init__(self, max_entries: int = 4096, max_body_bytes: int = 256 * 1024) -> None:
        self.max_entries = max_entries
        self.max_body_bytes = max_body_bytes
        self._items: OrderedDict[bytes, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> bytes | None:
        """The cached body of ``key``, or None (missing or expired)."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: bytes, body: bytes, ttl_s: float) -> None:
        """Keep ``body`` under ``key`` for ``ttl_s`` seconds."""
        if ttl_s <= 0 or len(body) > self.max_body_bytes:
            return
        with self._lock:
            self._items[key] = (time.monotonic() + ttl_s, body)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
