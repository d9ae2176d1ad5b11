"""Backoff with full jitter (bounds), Retry-After parsing, the deadline clock."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from email.utils import format_datetime

import pytest

from ardea.llm.retry import Deadline, RetryPolicy, parse_retry_after


def test_full_jitter_stays_within_the_exponential_cap() -> None:
    policy = RetryPolicy(max_attempts=10, base_delay=0.5, max_delay=4.0, rng=random.Random(7))
    for attempt in range(1, 10):
        cap = min(4.0, 0.5 * 2 ** (attempt - 1))
        draws = [policy.backoff(attempt) for _ in range(200)]
        assert all(0.0 <= d <= cap for d in draws)
        assert max(draws) > cap * 0.8  # the whole range is used (full jitter, not a fixed step)
        assert min(draws) < cap * 0.2


def test_retry_after_seconds_ms_and_http_date() -> None:
    assert parse_retry_after({"Retry-After": "3"}) == 3.0
    assert parse_retry_after({"retry-after": "1.5"}) == 1.5
    assert parse_retry_after({"retry-after-ms": "250", "Retry-After": "9"}) == 0.25
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    later = format_datetime(datetime(2026, 1, 1, 12, 0, 7, tzinfo=timezone.utc), usegmt=True)
    assert parse_retry_after({"Retry-After": later}, now=now.timestamp()) == pytest.approx(7.0)
    past = format_datetime(datetime(2025, 1, 1, tzinfo=timezone.utc), usegmt=True)
    assert parse_retry_after({"Retry-After": past}, now=now.timestamp()) == 0.0


@pytest.mark.parametrize("value", ["", "soon", "-3", "nan", "inf"])
def test_nonsense_retry_after_is_ignored(value: str) -> None:
    assert parse_retry_after({"Retry-After": value}) is None


def test_deadline_counts_down_on_its_clock() -> None:
    now = [100.0]
    d = Deadline(5.0, clock=lambda: now[0])
    assert d.remaining() == 5.0 and not d.expired
    now[0] = 104.0
    assert d.remaining() == pytest.approx(1.0) and d.elapsed() == pytest.approx(4.0)
    now[0] = 106.0
    assert d.remaining() == 0.0 and d.expired
    assert Deadline(None).remaining() == float("inf")
