"""The request path's seam to the limits: caching, the free path, outages."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from ardea.gateway.config import Endpoint, ModelTarget, RateLimit
from ardea.gateway.errors import GatewayError
from ardea.gateway.limits.budgets import BudgetPolicy
from ardea.gateway.limits.wire import GatewayGuard, Refused
from ardea.store.gateway_limits import Charge
from ardea.store.memory_counters import MemoryCounterStore

BODY = {"model": "chat", "messages": [{"role": "user", "content": "hi"}]}


def _endpoint(*limits: RateLimit) -> Endpoint:
    target = ModelTarget("d-1", "m", "openai", "gpt-4.1-mini")
    return Endpoint("e-1", "chat", "default", "llm/v1/chat", (target,), limits=limits)


def _admit(guard: GatewayGuard, endpoint: Endpoint) -> object:
    return asyncio.run(
        guard.admit(
            endpoint,
            user="ann",
            key_id=None,
            token=None,
            model="gpt-4.1-mini",
            body=dict(BODY),
            stream=False,
        )
    )


class _Loads:
    def __init__(self, policies: Sequence[BudgetPolicy] = ()) -> None:
        self.calls = 0
        self.policies = policies

    def __call__(self, workspace: str) -> Sequence[BudgetPolicy]:
        self.calls += 1
        return self.policies


def test_nothing_to_check_is_free_and_the_policies_are_read_once_per_generation() -> None:
    loads = _Loads()
    generation = [0]
    guard = GatewayGuard(MemoryCounterStore(), policies=loads, generation=lambda: generation[0])
    for _ in range(3):
        admission, body = _admit(guard, _endpoint())  # type: ignore[misc]
        assert admission is None and body == BODY
    assert loads.calls == 1
    generation[0] += 1  # a management write in this process
    _admit(guard, _endpoint())
    assert loads.calls == 2


def test_unreadable_policies_apply_no_budget_and_calls_go_on() -> None:
    def broken(workspace: str) -> Sequence[BudgetPolicy]:
        raise OSError("database gone")

    guard = GatewayGuard(MemoryCounterStore(), policies=broken)
    admission, _ = _admit(guard, _endpoint())  # type: ignore[misc]
    assert admission is None


class _DownStore(MemoryCounterStore):
    def charge(self, charges: Sequence[Charge]) -> int | None:
        raise ConnectionError("redis down")


def test_counters_down_refuse_a_limited_call_with_503() -> None:
    guard = GatewayGuard(_DownStore())
    with pytest.raises(GatewayError) as refused:
        _admit(guard, _endpoint(RateLimit("endpoint", requests_per_minute=5)))
    assert refused.value.status == 503 and refused.value.code == "limits_unavailable"
    assert not isinstance(refused.value, Refused)


def test_the_n_plus_first_call_is_refused_with_its_trace_attribute() -> None:
    guard = GatewayGuard(MemoryCounterStore())
    endpoint = _endpoint(RateLimit("user", requests_per_minute=2))
    admission, _ = _admit(guard, endpoint)  # type: ignore[misc]
    assert admission is not None and admission.decision is not None
    asyncio.run(guard.settle(admission, total_tokens=5, cost_usd=None))
    assert admission.attributes["ardea.gateway.cost_unknown"] is True
    _admit(guard, endpoint)
    with pytest.raises(Refused) as refused:
        _admit(guard, endpoint)
    assert refused.value.status == 429 and refused.value.code == "rate_limit_exceeded"
    assert refused.value.attributes["ardea.gateway.limit"] == "2 requests per minute (user)"


class _FailsLater(MemoryCounterStore):
    down = False

    def charge(self, charges: Sequence[Charge]) -> int | None:
        if self.down:
            raise ConnectionError("redis down")
        return super().charge(charges)


def test_a_failed_settle_does_not_fail_the_call() -> None:
    store = _FailsLater()
    guard = GatewayGuard(store)
    endpoint = _endpoint(RateLimit("user", tokens_per_minute=1000))
    admission, _ = _admit(guard, endpoint)  # type: ignore[misc]
    store.down = True
    asyncio.run(guard.settle(admission, total_tokens=5, cost_usd=0.1))
    assert admission.attributes["ardea.gateway.settle_failed"] is True
