"""The adaptive limiter: AIMD on 429s, Retry-After pauses, slots shared by threads and loops."""

from __future__ import annotations

import asyncio
import threading

import pytest

from ardea.llm.errors import RateLimited, Timeout
from ardea.llm.limiter import AdaptiveLimiter, limiter_for
from ardea.llm.retry import Deadline


def test_429_halves_once_per_interval_and_success_grows_additively() -> None:
    now = [0.0]
    lim = AdaptiveLimiter(max_concurrency=32, decrease_interval=1.0, clock=lambda: now[0])
    assert lim.limit == 32
    lim.on_rate_limited()
    lim.on_rate_limited()  # the same burst: counted once
    assert lim.limit == 16
    now[0] = 1.5
    lim.on_rate_limited()
    assert lim.limit == 8
    for _ in range(8):  # about one slot per `limit` successes
        lim.on_success()
    assert lim.limit == 8 or lim.limit == 9
    for _ in range(2000):
        lim.on_success()
    assert lim.limit == 32  # never above the maximum


def test_the_limit_never_falls_below_the_minimum() -> None:
    now = [0.0]
    lim = AdaptiveLimiter(max_concurrency=4, min_concurrency=2, clock=lambda: now[0])
    for i in range(10):
        now[0] = i * 10.0
        lim.on_rate_limited()
    assert lim.limit == 2


def test_retry_after_pauses_every_new_request() -> None:
    now = [0.0]
    lim = AdaptiveLimiter(max_concurrency=4, clock=lambda: now[0])
    lim.on_rate_limited(retry_after=30.0)
    assert lim.paused_for == 30.0
    with pytest.raises(RateLimited, match="Retry-After"):  # the pause outlasts the deadline
        lim.acquire(Deadline(5.0))
    now[0] = 31.0
    lim.acquire(Deadline(1.0))
    assert lim.in_flight == 1


def test_a_full_limiter_blocks_until_a_release() -> None:
    lim = AdaptiveLimiter(max_concurrency=1)
    lim.acquire(Deadline(1.0))
    got = threading.Event()

    def second() -> None:
        lim.acquire(Deadline(30.0))
        got.set()

    t = threading.Thread(target=second)
    t.start()
    assert not got.wait(0.05)
    lim.release()
    t.join(30)
    assert got.is_set() and lim.in_flight == 1


def test_async_waiters_are_woken_by_a_sync_release() -> None:
    lim = AdaptiveLimiter(max_concurrency=1)
    lim.acquire(Deadline(1.0))

    async def main() -> int:
        waiter = asyncio.ensure_future(lim.aacquire(Deadline(30.0)))
        await asyncio.sleep(0)
        assert not waiter.done()
        threading.Timer(0.01, lim.release).start()
        await waiter
        return lim.in_flight

    assert asyncio.run(main()) == 1


def test_async_wait_ends_at_the_deadline() -> None:
    lim = AdaptiveLimiter(max_concurrency=1)
    lim.acquire(Deadline(1.0))
    with pytest.raises(Timeout):
        asyncio.run(lim.aacquire(Deadline(0.01)))


def test_one_limiter_per_provider_config() -> None:
    a = limiter_for("cfg-test-a", 8)
    assert limiter_for("cfg-test-a") is a
    assert limiter_for("cfg-test-a", 16).max_concurrency == 16
    assert limiter_for("cfg-test-b") is not a
