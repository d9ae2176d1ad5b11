"""Failed-login limits: per (username, client address) and per address, in memory.

Configuration (:class:`RateLimitConfig`):

- ``max_failures`` (5) failed logins for one username from one address within ``window_s``
  (300 s, a sliding window): the next attempt is refused until the oldest failure leaves
  the window. A success clears that (username, address) count.
- ``max_failures_per_address`` (50) failed logins from one address, whatever the username,
  within the window: stops one client from trying a password on many names.
- ``max_keys`` (100,000) bounds the memory: the keys that failed longest ago go first.

The refusal is a :class:`~ardea._core.errors.RateLimitedError` (HTTP 429) whose message is
the same whether or not the user exists, with ``details["retry_after_s"]`` for a
``Retry-After`` header. Usernames are compared case-folded, so ``Ada`` and ``ada`` share a
count.

The counts live in this process: with several server replicas each keeps its own (an
attacker spread over N replicas gets N times the attempts). Thread-safe.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from ardea._core.errors import RateLimitedError

__all__ = ["LoginRateLimiter", "RateLimitConfig"]


@dataclass(frozen=True, slots=True)
class RateLimitConfig:
    """Limits on failed logins (see the module docstring)."""

    max_failures: int = 5
    max_failures_per_address: int = 50
    window_s: float = 300.0
    max_keys: int = 100_000

    def __post_init__(self) -> None:
        if self.max_failures < 1 or self.max_failures_per_address < 1:
            raise ValueError("failure limits must be at least 1")
        if self.window_s <= 0 or self.max_keys < 1:
            raise ValueError("window_s must be positive and max_keys at least 1")


class LoginRateLimiter:
    """Counts failed logins and refuses attempts over the limits.

    Args:
        config: The limits.
        clock: Monotonic seconds (tests pass their own).

    The door calls :meth:`check` before verifying a password, then :meth:`record_failure`
    or :meth:`record_success`.
    """

    def __init__(
        self, config: RateLimitConfig | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config or RateLimitConfig()
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()

    @staticmethod
    def _keys(username: str, ip: str | None) -> tuple[tuple[str, str], tuple[str, str]]:
        address = ip or "-"
        return ("u", f"{username.casefold()}\x00{address}"), ("a", address)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.config.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, username: str, ip: str | None) -> float:
        """Seconds until an attempt for ``username`` from ``ip`` is allowed (0: now)."""
        now = self._clock()
        wait = 0.0
        user_key, address_key = self._keys(username, ip)
        limits = (
            (user_key, self.config.max_failures),
            (address_key, self.config.max_failures_per_address),
        )
        with self._lock:
            for key, limit in limits:
                times = self._recent(key, now)
                if times is not None and len(times) >= limit:
                    wait = max(wait, times[-limit] + self.config.window_s - now)
        return wait

    def check(self, username: str, ip: str | None) -> None:
        """Raise RateLimitedError if an attempt for ``username`` from ``ip`` is over a limit."""
        wait = self.retry_after(username, ip)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise RateLimitedError(
                f"Too many failed login attempts. Try again in {seconds} seconds.",
                details={"retry_after_s": seconds},
            )

    def record_failure(self, username: str, ip: str | None) -> None:
        """Count one failed login."""
        now = self._clock()
        user_key, address_key = self._keys(username, ip)
        limits = (
            (user_key, self.config.max_failures),
            (address_key, self.config.max_failures_per_address),
        )
        with self._lock:
            for key, limit in limits:
                times = self._recent(key, now)
                if times is None:
                    times = self._failures[key] = deque(maxlen=limit)
                times.append(now)
                self._failures.move_to_end(key)
            while len(self._failures) > self.config.max_keys:
                self._failures.popitem(last=False)

    def record_success(self, username: str, ip: str | None) -> None:
        """Clear the failures of ``username`` from ``ip`` (the address's count stays)."""
        user_key, _ = self._keys(username, ip)
        with self._lock:
            self._failures.pop(user_key, None)

    def __len__(self) -> int:
        return len(self._failures)
