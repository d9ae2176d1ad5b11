"""A short-lived, in-process cache of verified credentials.

Verifying a password costs about 50 ms (argon2), and a token costs a database query, on
every request an MLflow client makes. The door keeps what it verified for a few seconds:

- The key is an HMAC-SHA256 of the credential under a random per-process key, so the cache
  never holds a password or token, and a memory dump does not reveal one.
- Every entry records the version of its user's credentials when it was stored.
  :func:`invalidate_user` bumps that version process-wide (every cache sees it), so a
  password change, a revoked token, a disabled, demoted or deleted user takes effect at once
  in this process. Other processes (replicas, ``ardea users`` on the command line) catch up
  when their entries expire: keep the TTL short.
- An entry never outlives what it caches (``ttl`` per entry, e.g. a token's expiry).
- It holds at most ``max_entries`` (least recently used go first) and is thread-safe.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["CredentialCache", "invalidate_user", "user_version"]

V = TypeVar("V")

_versions: dict[int, int] = {}
_versions_lock = threading.Lock()


def user_version(user_id: int) -> int:
    """The current version of a user's credentials in this process (0 until changed)."""
    return _versions.get(user_id, 0)


def invalidate_user(user_id: int) -> None:
    """Drop every cached credential of ``user_id`` in every cache of this process."""
    with _versions_lock:
        _versions[user_id] = _versions.get(user_id, 0) + 1


@dataclass(frozen=True, slots=True)
class _Entry(Generic[V]):
    value: V
    user_id: int
    version: int
    expires: float


class CredentialCache(Generic[V]):
    """Verified credentials -> what they proved (a user, a token's user), for ``ttl_s``.

    Args:
        ttl_s: Seconds an entry lives at most (the door uses about 60 for passwords and 5
            for tokens).
        max_entries: Bound on the entries held.
        clock: Monotonic seconds (tests pass their own).

    Example::

        cache: CredentialCache[User] = CredentialCache(60)
        user = cache.get("basic", username, password)
        if user is None:
            user = verify(...)
            cache.put(user, user.id, "basic", username, password)
    """

    def __init__(
        self,
        ttl_s: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_s < 0 or max_entries < 1:
            raise ValueError("ttl_s must be >= 0 and max_entries >= 1")
        self._ttl = float(ttl_s)
        self._max = max_entries
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._entries: OrderedDict[bytes, _Entry[V]] = OrderedDict()
        self._lock = threading.Lock()

    def _digest(self, parts: tuple[str, ...]) -> bytes:
        mac = hmac.new(self._key, digestmod=hashlib.sha256)
        for part in parts:  # length-prefixed: ("a", "b:c") and ("a:b", "c") differ
            data = part.encode("utf-8", "surrogatepass")
            mac.update(len(data).to_bytes(8, "big"))
            mac.update(data)
        return mac.digest()

    def get(self, *credential: str) -> V | None:
        """What ``credential`` proved, if cached, fresh and its user unchanged since."""
        digest = self._digest(credential)
        now = self._clock()
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            if entry.expires <= now or entry.version != user_version(entry.user_id):
                del self._entries[digest]
                return None
            self._entries.move_to_end(digest)
            return entry.value

    def put(self, value: V, user_id: int, *credential: str, ttl_s: float | None = None) -> None:
        """Remember that ``credential`` proved ``value`` (of ``user_id``) for ``ttl_s`` at most."""
        ttl = self._ttl if ttl_s is None else min(self._ttl, ttl_s)
        if ttl <= 0:
            return
        digest = self._digest(credential)
        entry = _Entry(value, user_id, user_version(user_id), self._clock() + ttl)
        with self._lock:
            self._entries[digest] = entry
            self._entries.move_to_end(digest)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def discard(self, *credential: str) -> None:
        """Forget one credential."""
        with self._lock:
            self._entries.pop(self._digest(credential), None)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
