"""LoginRateLimiter: per (name, address) and per address, sliding window, one message."""

from __future__ import annotations

import pytest

from ardea._core.errors import RateLimitedError
from ardea.auth.ratelimit import LoginRateLimiter, RateLimitConfig


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


def test_blocks_after_max_failures_then_recovers() -> None:
    clock = Clock()
    limiter = LoginRateLimiter(RateLimitConfig(max_failures=3, window_s=60), clock=clock)
    for _ in range(3):
        limiter.check("ada", "10.0.0.1")
        limiter.record_failure("ada", "10.0.0.1")
        clock.now += 1
    with pytest.raises(RateLimitedError) as e:
        limiter.check("ada", "10.0.0.1")
    assert e.value.details["retry_after_s"] == 57  # the first failure leaves at 5060
    assert e.value.message == "Too many failed login attempts. Try again in 57 seconds."
    limiter.check("ada", "10.0.0.2")  # another address
    limiter.check("bob", "10.0.0.1")  # another name
    clock.now += 56
    assert limiter.retry_after("ada", "10.0.0.1") == pytest.approx(1)
    clock.now += 1
    limiter.check("ada", "10.0.0.1")  # the oldest failure left the window


def test_the_message_is_the_same_for_unknown_users() -> None:
    limiter = LoginRateLimiter(RateLimitConfig(max_failures=1), clock=Clock())
    limiter.record_failure("exists", "ip")
    limiter.record_failure("nobody", "ip")
    messages = []
    for name in ("exists", "nobody"):
        with pytest.raises(RateLimitedError) as e:
            limiter.check(name, "ip")
        messages.append(e.value.message)
    assert messages[0] == messages[1] and "exist" not in messages[0]


def test_success_clears_the_name_but_not_the_address() -> None:
    clock = Clock()
    cfg = RateLimitConfig(max_failures=2, max_failures_per_address=3, window_s=60)
    limiter = LoginRateLimiter(cfg, clock=clock)
    limiter.record_failure("ada", "ip")
    limiter.record_success("ada", "ip")
    limiter.record_failure("ada", "ip")
    limiter.check("ada", "ip")  # one failure since the success
    limiter.record_failure("bob", "ip")
    with pytest.raises(RateLimitedError):  # the address had 3 failures in the window
        limiter.check("carol", "ip")


def test_names_are_case_folded_and_missing_addresses_count_together() -> None:
    limiter = LoginRateLimiter(RateLimitConfig(max_failures=2), clock=Clock())
    limiter.record_failure("Ada", None)
    limiter.record_failure("ADA", None)
    with pytest.raises(RateLimitedError):
        limiter.check("ada", None)


def test_memory_is_bounded() -> None:
    limiter = LoginRateLimiter(RateLimitConfig(max_keys=10), clock=Clock())
    for i in range(100):
        limiter.record_failure(f"user{i}", f"10.0.{i}.1")
    assert len(limiter) <= 10


def test_config_checks() -> None:
    for bad in (
        {"max_failures": 0},
        {"max_failures_per_address": 0},
        {"window_s": 0},
        {"max_keys": 0},
    ):
        with pytest.raises(ValueError):
            RateLimitConfig(**bad)  # type: ignore[arg-type]
