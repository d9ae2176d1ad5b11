"""Retry policy of an LLM call: one deadline, exponential backoff with full jitter, Retry-After.

A call has ONE deadline (``timeout=`` seconds) that covers every attempt, every backoff sleep
and every wait for a rate-limiter slot. Each HTTP attempt gets what is left of it as its own
timeout; a backoff or a ``Retry-After`` that would end past the deadline is not slept: the
call fails at once with the last error. Nothing below retries on its own (the HTTP client is
built without retries), so attempts never multiply.

Retried: HTTP 408, 409, 429, 500, 502, 503, 504, 529 and connection errors. The wait before
attempt ``n+1`` is drawn uniformly from ``[0, min(max_delay, base_delay * 2**(n-1))]`` ("full
jitter"), or is the provider's ``Retry-After`` (seconds or an HTTP-date; also
``retry-after-ms``) when it sent one, whichever is longer.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["RETRYABLE_STATUSES", "Deadline", "RetryPolicy", "parse_retry_after"]

RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
"""HTTP statuses worth another attempt."""


@dataclass(frozen=True)
class RetryPolicy:
    """How many attempts, and how long between them.

    Attributes:
        max_attempts: HTTP requests at most (1 = no retry).
        base_delay: Seconds; the cap of the first backoff.
        max_delay: Seconds; no single backoff draws above this.
        rng: Random source of the jitter (seed it in tests).
    """

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based), full jitter."""
        cap = min(self.max_delay, self.base_delay * (2 ** max(0, attempt - 1)))
        return self.rng.uniform(0.0, cap)


class Deadline:
    """The moment a call must be over by (``None`` seconds: no deadline).

    Args:
        seconds: Seconds from now.
        clock: Monotonic clock (injectable for tests).
    """

    def __init__(self, seconds: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.start = clock()
        self.seconds = seconds
        self.at = math.inf if seconds is None else self.start + max(0.0, seconds)

    def remaining(self) -> float:
        """Seconds left (``inf`` without a deadline, never below 0)."""
        return max(0.0, self.at - self._clock())

    @property
    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self._clock() >= self.at

    def elapsed(self) -> float:
        """Seconds since the call started."""
        return self._clock() - self.start


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds a response asks to wait: ``retry-after-ms``, ``Retry-After`` seconds or date.

    Args:
        headers: Response headers (any case).
        now: Current epoch seconds, for HTTP-dates (default: ``time.time()``).

    Returns:
        Non-negative seconds, or ``None`` when the response does not say (or says nonsense).
    """
    lower = {k.lower(): v for k, v in headers.items()}
    ms = lower.get("retry-after-ms")
    if ms:
        try:
            value = float(ms) / 1000.0
            if math.isfinite(value) and value >= 0:
                return value
        except ValueError:
            pass
    raw = (lower.get("retry-after") or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
        return value if math.isfinite(value) and value >= 0 else None
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:  # pragma: no cover - older Pythons returned None
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
