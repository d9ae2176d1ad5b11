"""The gateway's counter store contract: windowed counters for rate limits and budgets.

A counter is a ``(key, window_start)`` pair holding an integer amount (requests, tokens, or
micro-dollars). :meth:`CounterStore.charge` adds to several counters at once, all or nothing,
and only if every limited counter stays within its limit: that atomic check-and-add is what
makes a limit exact at its boundary across several server processes. Two implementations:
:class:`ardea.store.sql.gateway_limits.SqlCounterStore` (the tracking database) and
:class:`ardea.store.redis_counters.RedisCounterStore` (``ARDEA_GATEWAY_REDIS_URL``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Charge", "CounterStore"]


@dataclass(frozen=True, slots=True)
class Charge:
    """One addition to one counter.

    Attributes:
        key: The counter's name (at most 200 characters).
        window_start: The window's start, in whole seconds since the epoch.
        expires_at: When the counter may be forgotten, in seconds since the epoch.
        amount: What to add (may be negative when settling a reservation).
        limit: The most the counter may hold after the addition, or None for no limit.
    """

    key: str
    window_start: int
    expires_at: int
    amount: int
    limit: int | None = None


class CounterStore(Protocol):
    """Windowed counters shared by every gateway process."""

    def charge(self, charges: Sequence[Charge]) -> int | None:
        """Apply every charge atomically, or none.

        Returns:
            None when all were applied; otherwise the index (in ``charges``) of a charge that
            would have passed its limit, and nothing was applied.
        """
        ...

    def read(self, counters: Sequence[tuple[str, int]]) -> list[int]:
        """The amounts of ``(key, window_start)`` counters (0 for a counter never charged)."""
        ...

    def mark_alerted(self, key: str, window_start: int, expires_at: int) -> bool:
        """Set the counter's alert flag; True only for the one caller that set it first."""
        ...

    def purge(self, now: int) -> int:
        """Forget counters that expired before ``now``; how many (an estimate for Redis)."""
        ...
