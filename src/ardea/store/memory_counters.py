"""A process-local :class:`~ardea.store.gateway_limits.CounterStore` (one gateway process).

For ``ardea gateway --config`` without a database or Redis: limits are exact within the one
process, and start over when it restarts. Several processes need the database's or Redis'
counters instead.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from ardea.store.gateway_limits import Charge

__all__ = ["MemoryCounterStore"]


class MemoryCounterStore:
    """Counters in a dict, under one lock (atomic all-or-nothing charges)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._amounts: dict[tuple[str, int], int] = {}
        self._expires: dict[tuple[str, int], int] = {}
        self._alerted: set[tuple[str, int]] = set()

    def charge(self, charges: Sequence[Charge]) -> int | None:
        """Apply every charge, or none: the index of the first that would pass its limit."""
        with self._lock:
            for i, c in enumerate(charges):
                current = self._amounts.get((c.key, c.window_start), 0)
                if c.limit is not None and c.amount > 0 and current + c.amount > c.limit:
                    return i
            for c in charges:
                k = (c.key, c.window_start)
                self._amounts[k] = self._amounts.get(k, 0) + c.amount
                self._expires[k] = max(self._expires.get(k, 0), c.expires_at)
            return None

    def read(self, counters: Sequence[tuple[str, int]]) -> list[int]:
        """The amounts of the counters (0 when never charged)."""
        with self._lock:
            return [self._amounts.get(k, 0) for k in counters]

    def mark_alerted(self, key: str, window_start: int, expires_at: int) -> bool:
        """True for the first caller only."""
        with self._lock:
            k = (key, window_start)
            if k in self._alerted:
                return False
            self._alerted.add(k)
            self._expires[k] = max(self._expires.get(k, 0), expires_at)
            return True

    def purge(self, now: int) -> int:
        """Forget the counters that expired before ``now``."""
        with self._lock:
            gone = [k for k, at in self._expires.items() if at < now]
            for k in gone:
                self._expires.pop(k, None)
                self._amounts.pop(k, None)
                self._alerted.discard(k)
            return len(gone)
