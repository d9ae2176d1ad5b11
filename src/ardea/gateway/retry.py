"""Retries of one target within the endpoint's deadline: backoff with jitter, ``Retry-After``.

:func:`with_retries` runs one attempt (a coroutine function given the seconds left), and on a
retryable failure waits and runs it again, up to :attr:`RetryPolicy.retries` times. The wait
is the provider's ``Retry-After`` (seconds or an HTTP date) when it sent one, else an
exponential backoff with jitter. A retry is only made when its wait ends before the deadline
with time left to call: otherwise the failure is raised at once, so the request path moves on
to the next target (or answers), and the caller never waits past the endpoint's deadline.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from ardea.gateway.config import RetryPolicy

__all__ = ["backoff_s", "retry_after_s", "with_retries"]

T = TypeVar("T")

_MIN_CALL_S = 0.05
"""Time a retry must leave for the call itself once its wait is over."""


def retry_after_s(headers: Iterable[tuple[bytes, bytes]], now: float | None = None) -> float | None:
    """The ``Retry-After`` of a response's headers in seconds (None: absent or unreadable)."""
    for name, value in headers:
        if name.lower() != b"retry-after":
            continue
        text = value.decode("latin-1").strip()
        try:
            return max(float(text), 0.0)
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        return max(when.timestamp() - (time.time() if now is None else now), 0.0)
    return None


def backoff_s(policy: RetryPolicy, retry: int, rng: random.Random) -> float:
    """The wait before retry number ``retry`` (1, 2, ...): exponential, capped, jittered."""
    base = min(policy.backoff_s * 2.0 ** (retry - 1), policy.max_backoff_s)
    return base * (0.5 + rng.random() / 2)


async def with_retries(
    attempt: Callable[[float], Awaitable[T]],
    policy: RetryPolicy,
    deadline: float,
    rng: random.Random,
    failure: type[Exception],
    on_retry: Callable[[], None] | None = None,
) -> T:
    """``attempt(seconds_left)``, retried on ``failure`` per ``policy`` within ``deadline``.

    Args:
        attempt: One call to the target, given the seconds left until the deadline.
        policy: The endpoint's retry policy.
        deadline: ``time.perf_counter()`` value by which everything must be over.
        rng: The jitter's random source.
        failure: The exception type of a failed attempt; its ``kind`` (``error``,
            ``timeout``, ``rate_limit``, ``final``) and ``headers`` (the provider's response
            headers) decide whether and when to retry.
        on_retry: Called before each retry (counting them).

    Raises:
        Exception: The last failure, when it is not retried.
    """
    retry = 0
    while True:
        remaining = deadline - time.perf_counter()
        try:
            return await attempt(remaining)
        except failure as exc:
            kind = getattr(exc, "kind", "final")
            if retry >= policy.retries or kind not in policy.on:
                raise
            retry += 1
            wait = retry_after_s(getattr(exc, "headers", ()))
            if wait is None:
                wait = backoff_s(policy, retry, rng)
            if time.perf_counter() + wait + _MIN_CALL_S >= deadline:
                raise  # it would not fit in the deadline: fall back (or answer) now
            if on_retry is not None:
                on_retry()
            await asyncio.sleep(wait)
