"""A concurrency limit and an adaptive (AIMD) rate limiter per provider config.

Every client of the same provider config (same provider, base URL and key) shares one
:class:`AdaptiveLimiter`, in threads and event loops alike:

- at most ``limit`` calls are in flight; ``limit`` starts at ``max_concurrency``;
- a 429 halves ``limit`` (multiplicative decrease, at most once per ``decrease_interval``
  seconds so that one burst of 429s counts once, never below ``min_concurrency``) and, when
  the provider sent ``Retry-After``, holds every new request of the provider until then;
- each success grows ``limit`` by ``1/limit`` (additive increase: about one slot per
  ``limit`` successes), up to ``max_concurrency``.

Waiting for a slot counts against the call's deadline (:class:`~ardea.llm.retry.Deadline`); a
``Retry-After`` pause that outlasts the deadline fails the call at once
(:class:`~ardea.llm.errors.RateLimited`) instead of waiting for nothing.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from ardea.llm.errors import RateLimited, Timeout
from ardea.llm.retry import Deadline

__all__ = ["DEFAULT_MAX_CONCURRENCY", "AdaptiveLimiter", "limiter_for"]

DEFAULT_MAX_CONCURRENCY = 64
"""Calls in flight per provider config, before any 429 lowers it."""


class AdaptiveLimiter:
    """Concurrency slots whose number adapts to the provider's 429s (see the module doc).

    Args:
        max_concurrency: Upper bound (and start) of the limit.
        min_concurrency: Lower bound of the limit.
        decrease_interval: Seconds during which further 429s do not lower the limit again.
        clock: Monotonic clock (injectable for tests).
    """

    def __init__(
        self,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        min_concurrency: int = 1,
        decrease_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_concurrency < 1 or min_concurrency < 1 or min_concurrency > max_concurrency:
            raise ValueError("need 1 <= min_concurrency <= max_concurrency")
        self.max_concurrency = max_concurrency
        self.min_concurrency = min_concurrency
        self.decrease_interval = decrease_interval
        self._clock = clock
        self._limit = float(max_concurrency)
        self._inflight = 0
        self._paused_until = -math.inf
        self._last_decrease = -math.inf
        self._cond = threading.Condition(threading.Lock())
        self._async_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    # ------------------------------------------------------------------ state

    @property
    def limit(self) -> int:
        """Calls allowed in flight now."""
        return max(self.min_concurrency, int(self._limit))

    @property
    def in_flight(self) -> int:
        """Calls holding a slot now."""
        return self._inflight

    @property
    def paused_for(self) -> float:
        """Seconds left of a ``Retry-After`` pause (0 when not paused)."""
        return max(0.0, self._paused_until - self._clock())

    def on_success(self) -> None:
        """Additive increase: ``limit += 1/limit`` up to ``max_concurrency``."""
        with self._cond:
            self._limit = min(float(self.max_concurrency), self._limit + 1.0 / self._limit)
            self._wake_locked()

    def on_rate_limited(self, retry_after: float | None = None) -> None:
        """Multiplicative decrease (once per interval) and a pause of ``retry_after`` seconds."""
        now = self._clock()
        with self._cond:
            if now - self._last_decrease >= self.decrease_interval:
                self._limit = max(float(self.min_concurrency), self._limit / 2.0)
                self._last_decrease = now
            if retry_after:
                self._paused_until = max(self._paused_until, now + retry_after)

    # ------------------------------------------------------------------ slots

    def _try_locked(self) -> float:
        """0 when a slot was taken; else seconds worth waiting (``inf``: until a release)."""
        pause = self._paused_until - self._clock()
        if pause > 0:
            return pause
        if self._inflight < self.limit:
            self._inflight += 1
            return 0.0
        return math.inf

    def _check_pause(self, wait: float, deadline: Deadline) -> None:
        """Fail at once when a ``Retry-After`` pause outlasts the call's deadline."""
        if wait != math.inf and wait > deadline.remaining():
            raise RateLimited(
                f"The provider asked to wait {wait:.1f}s more (Retry-After), past this call's "
                "deadline",
                status=429,
                retry_after=wait,
            )

    def _wake_locked(self) -> None:
        self._cond.notify_all()
        waiters, self._async_waiters = self._async_waiters, []
        for loop, fut in waiters:
            try:
                loop.call_soon_threadsafe(_resolve, fut)
            except RuntimeError:  # pragma: no cover - the loop was closed meanwhile
                pass

    def acquire(self, deadline: Deadline) -> None:
        """Take a slot, waiting (interruptibly) until one is free or the deadline passes.

        Raises:
            Timeout: The deadline passed first.
        """
        with self._cond:
            while True:
                wait = self._try_locked()
                if wait == 0.0:
                    return
                self._check_pause(wait, deadline)
                left = deadline.remaining()
                if left <= 0:
                    raise Timeout("The call's deadline passed while waiting for a rate-limit slot")
                # Short waits keep Ctrl-C responsive on platforms where Condition.wait is not.
                self._cond.wait(min(wait, left, 0.5))

    async def aacquire(self, deadline: Deadline) -> None:
        """:meth:`acquire` for coroutines: waits without blocking the event loop."""
        loop = asyncio.get_running_loop()
        while True:
            with self._cond:
                wait = self._try_locked()
                if wait == 0.0:
                    return
                self._check_pause(wait, deadline)
                fut: asyncio.Future[None] = loop.create_future()
                self._async_waiters.append((loop, fut))
            left = deadline.remaining()
            if left <= 0:
                self._forget(fut)
                raise Timeout("The call's deadline passed while waiting for a rate-limit slot")
            try:
                await asyncio.wait_for(fut, timeout=min(wait, left))
            except asyncio.TimeoutError:
                pass
            finally:
                self._forget(fut)

    def _forget(self, fut: asyncio.Future[None]) -> None:
        with self._cond:
            self._async_waiters = [(lp, f) for lp, f in self._async_waiters if f is not fut]

    def release(self) -> None:
        """Give a slot back."""
        with self._cond:
            self._inflight = max(0, self._inflight - 1)
            self._wake_locked()


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


_registry_lock = threading.Lock()
_registry: dict[str, AdaptiveLimiter] = {}


def limiter_for(key: str, max_concurrency: int | None = None, **kw: Any) -> AdaptiveLimiter:
    """The limiter shared by every client of the provider config whose fingerprint is ``key``.

    The first caller sets ``max_concurrency``; a later, different value raises the shared
    limiter's maximum to the larger of the two.
    """
    with _registry_lock:
        limiter = _registry.get(key)
        if limiter is None:
            limiter = AdaptiveLimiter(max_concurrency or DEFAULT_MAX_CONCURRENCY, **kw)
            _registry[key] = limiter
        elif max_concurrency and max_concurrency > limiter.max_concurrency:
            limiter.max_concurrency = max_concurrency
        return limiter
