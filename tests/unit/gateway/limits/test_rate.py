"""Rate limits: exact at the boundary, in one process and across processes, on every store."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from ardea.gateway.config import Endpoint, ModelTarget, RateLimit
from ardea.gateway.limits import RequestContext
from ardea.gateway.limits.rate import RateLimiter, estimate_tokens
from ardea.store.gateway_limits import CounterStore

NOW = 1_800_000_030.0  # 30 s into a minute: Retry-After is 30


def _endpoint(*limits: RateLimit, workspace: str = "default") -> Endpoint:
    eid = "e-" + uuid.uuid4().hex
    return Endpoint(
        endpoint_id=eid,
        name="chat",
        workspace=workspace,
        endpoint_type="llm/v1/chat",
        primary=(ModelTarget("d", "d", "openai", "gpt-4.1-mini"),),
        limits=limits,
    )


def test_requests_per_minute_exact_at_the_boundary(counters: CounterStore) -> None:
    ep = _endpoint(RateLimit("endpoint", requests_per_minute=5))
    limiter = RateLimiter(counters, clock=lambda: NOW)
    results = [limiter.check(RequestContext(ep)) for _ in range(7)]
    assert [r.allowed for r in results] == [True] * 5 + [False] * 2
    refused = results[5]
    assert refused.status == 429 and refused.code == "rate_limit_exceeded"
    assert refused.retry_after == 30
    assert (b"retry-after", b"30") in refused.headers
    assert "5 requests per minute" in refused.message
    # the next minute starts afresh
    later = RateLimiter(counters, clock=lambda: NOW + 60)
    assert later.check(RequestContext(ep)).allowed


def test_scopes_count_separately(counters: CounterStore) -> None:
    ep = _endpoint(
        RateLimit("key", requests_per_minute=2), RateLimit("user", requests_per_minute=3)
    )
    limiter = RateLimiter(counters, clock=lambda: NOW)
    alice_k1 = RequestContext(ep, user="alice", key_id="k1")
    alice_k2 = RequestContext(ep, user="alice", key_id="k2")
    bob = RequestContext(ep, user="bob", key_id="k3")
    assert limiter.check(alice_k1).allowed and limiter.check(alice_k1).allowed
    assert not limiter.check(alice_k1).allowed  # k1's 2 per minute
    assert limiter.check(alice_k2).allowed  # alice's third request
    refused = limiter.check(alice_k2)
    assert not refused.allowed and "(user)" in refused.message  # alice's 3 per minute
    assert limiter.check(bob).allowed


def test_a_refused_request_consumes_no_other_limit(counters: CounterStore) -> None:
    shared = "ws-" + uuid.uuid4().hex
    a = _endpoint(RateLimit("workspace", requests_per_minute=3), workspace=shared)
    b = _endpoint(
        RateLimit("endpoint", requests_per_minute=1),
        RateLimit("workspace", requests_per_minute=3),
        workspace=shared,
    )
    limiter = RateLimiter(counters, clock=lambda: NOW)
    assert limiter.check(RequestContext(b)).allowed
    for _ in range(5):  # refused by b's endpoint limit: the workspace counter stays at 1
        assert not limiter.check(RequestContext(b)).allowed
    assert limiter.check(RequestContext(a)).allowed
    assert limiter.check(RequestContext(a)).allowed
    assert not limiter.check(RequestContext(a)).allowed  # the workspace's 3


def test_tokens_reserved_then_settled(counters: CounterStore) -> None:
    ep = _endpoint(RateLimit("endpoint", tokens_per_minute=1000))
    limiter = RateLimiter(counters, clock=lambda: NOW)
    first = limiter.check(RequestContext(ep, estimated_tokens=600))
    assert first.allowed
    assert not limiter.check(RequestContext(ep, estimated_tokens=600)).allowed  # 1200 > 1000
    limiter.settle(first.reservation, total_tokens=100)  # the call used 100, not 600
    second = limiter.check(RequestContext(ep, estimated_tokens=900))
    assert second.allowed  # 100 + 900 = 1000: exactly at the limit
    refused = limiter.check(RequestContext(ep, estimated_tokens=1))
    assert not refused.allowed and "1000 tokens per minute" in refused.message


def test_estimate_tokens() -> None:
    body = {"messages": [{"role": "user", "content": "x" * 40}], "max_tokens": 10}
    assert estimate_tokens(body) == 11 + 10  # 44 characters ("user" too), the cap
    assert estimate_tokens({"input": "abcd"}) == 1 + 256


def test_exact_across_two_processes(store_spec: str, tmp_path: Path) -> None:
    """Two processes race for 25 requests of one minute: exactly 25 pass, whatever the order."""
    eid = "e-" + uuid.uuid4().hex
    worker = Path(__file__).with_name("_worker.py")
    procs = [
        subprocess.Popen(
            [sys.executable, str(worker), store_spec, eid, "30", str(NOW), "25"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    (tmp_path / f"{eid}.go").touch()
    allowed = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        allowed.append(int(out.strip()))
    assert sum(allowed) == 25


@pytest.mark.parametrize("scope", ["key", "user", "endpoint", "workspace"])
def test_every_scope_is_exact(counters: CounterStore, scope: str) -> None:
    ep = _endpoint(RateLimit(scope, requests_per_minute=2), workspace="ws-" + uuid.uuid4().hex)  # type: ignore[arg-type]
    limiter = RateLimiter(counters, clock=lambda: NOW)
    ctx = RequestContext(ep, user="u", key_id="k")
    assert [limiter.check(ctx).allowed for _ in range(3)] == [True, True, False]


def test_a_zero_token_estimate_is_not_a_refusal(counters: CounterStore) -> None:
    """An UPDATE that adds 0 changes no row: MySQL must still count it as matched."""
    ep = _endpoint(RateLimit("endpoint", requests_per_minute=2, tokens_per_minute=10))
    limiter = RateLimiter(counters, clock=lambda: NOW)
    assert [limiter.check(RequestContext(ep)).allowed for _ in range(3)] == [True, True, False]
