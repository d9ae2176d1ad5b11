"""Limits: budgets before rate limits, settling tokens and cost, unpriced calls counted."""

from __future__ import annotations

import asyncio
import uuid

from ardea.gateway.config import Endpoint, ModelTarget, RateLimit
from ardea.gateway.limits import BudgetPolicy, Limits, RequestContext
from ardea.store.gateway_limits import CounterStore

NOW = 1_800_000_030.0


def test_check_and_settle(counters: CounterStore) -> None:
    ep = Endpoint(
        endpoint_id="e-" + uuid.uuid4().hex,
        name="chat",
        workspace="default",
        endpoint_type="llm/v1/chat",
        primary=(ModelTarget("d", "d", "openai", "gpt-4.1-mini"),),
        limits=(RateLimit("endpoint", requests_per_minute=100, tokens_per_minute=500),),
    )
    budget = BudgetPolicy(
        "bp-" + uuid.uuid4().hex, 0.01, "DAYS", 1, "ENDPOINT", ep.endpoint_id, "REJECT"
    )
    limits = Limits(counters, policies=lambda ws: [budget], clock=lambda: NOW)
    ctx = RequestContext(ep, model="gpt-4.1-mini", estimated_tokens=400)
    first = limits.check(ctx)
    assert first.allowed
    assert not limits.check(ctx).allowed  # 800 tokens > 500
    limits.settle(ctx, first, total_tokens=50, cost_usd=0.004)
    second = limits.check(ctx)
    assert second.allowed  # 50 + 400 tokens
    limits.settle(ctx, second, total_tokens=50, cost_usd=0.006)  # $0.010: spent
    refused = limits.check(ctx)
    assert refused.code == "budget_exceeded"
    # the budget refused first: no request or tokens were charged for it
    tokens = counters.read([(f"rl:endpoint:{ep.endpoint_id}:tok", int(NOW) // 60 * 60)])
    assert tokens == [100]
    result = asyncio.run(limits.asettle(ctx, first, total_tokens=None, cost_usd=None))
    assert result.unpriced and limits.unpriced_calls == 1
    assert asyncio.run(limits.acheck(ctx)).code == "budget_exceeded"
