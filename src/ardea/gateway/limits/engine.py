"""The one object the request path holds: budgets and rate limits before, settling after.

::

    limits = Limits(counter_store_for(db), policies=lambda ws: budget_policies_of(ws))
    decision = await limits.acheck(ctx)              # before the provider call
    if not decision.allowed:
        raise GatewayError(decision.status, decision.message, decision.code, decision.headers)
    ...                                              # guardrails BEFORE, the call, AFTER
    result = await limits.asettle(ctx, decision, total_tokens=usage.total, cost_usd=cost)
    span.set_attributes({**decision.attributes, **result.attributes})

``check`` looks at the budgets first (a read: a spent ``REJECT`` budget refuses and charges
nothing), then charges the rate limits (atomic, all or nothing). Guardrails are separate
(:func:`ardea.gateway.limits.guardrails.run_guardrails`) because they rewrite payloads.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence

from ardea.gateway.limits.budgets import BudgetAlert, BudgetPolicy, Budgets, SettleResult
from ardea.gateway.limits.context import Decision, RequestContext
from ardea.gateway.limits.rate import RateLimiter
from ardea.store.gateway_limits import CounterStore

__all__ = ["Limits"]

_PURGE_EVERY = 1000  # checks between two purges of expired counters


class Limits:
    """Rate limits and budgets over one shared counter store.

    Args:
        store: The counters (``counter_store_for``: the database, or Redis).
        policies: The budget policies that apply in a workspace (GLOBAL ones included); the
            request path passes its cached view of the store.
        clock: Seconds since the epoch.
        alert: Where ``ALERT`` budgets report a spent window (``webhook_alert_sink``).
    """

    def __init__(
        self,
        store: CounterStore,
        *,
        policies: Callable[[str], Sequence[BudgetPolicy]] = lambda _ws: (),
        clock: Callable[[], float] = time.time,
        alert: Callable[[BudgetAlert], None] | None = None,
    ) -> None:
        self.store = store
        self.rate = RateLimiter(store, clock)
        self.budgets = Budgets(store, clock, alert)
        self._policies = policies
        self._clock = clock
        self._lock = threading.Lock()
        self._checks = 0
        self.unpriced_calls = 0
        """Calls settled without a price in this process (for the gateway's metrics)."""

    def check(self, ctx: RequestContext) -> Decision:
        """Budgets, then rate limits: the first refusal, or an allowed decision to settle."""
        with self._lock:
            self._checks += 1
            purge = self._checks % _PURGE_EVERY == 0
        if purge:
            self.store.purge(int(self._clock()))
        refused = self.budgets.check(self._policies(ctx.workspace), ctx)
        if not refused.allowed:
            return refused
        return self.rate.check(ctx)

    async def acheck(self, ctx: RequestContext) -> Decision:
        """:meth:`check` off the event loop (the counters are a database or Redis round trip)."""
        return await asyncio.to_thread(self.check, ctx)

    async def asettle(
        self,
        ctx: RequestContext,
        decision: Decision,
        *,
        total_tokens: int | None,
        cost_usd: float | None,
    ) -> SettleResult:
        """:meth:`settle` off the event loop."""
        return await asyncio.to_thread(
            lambda: self.settle(ctx, decision, total_tokens=total_tokens, cost_usd=cost_usd)
        )

    def settle(
        self,
        ctx: RequestContext,
        decision: Decision,
        *,
        total_tokens: int | None,
        cost_usd: float | None,
    ) -> SettleResult:
        """After the call: real tokens replace the estimate; the cost goes to the budgets.

        Args:
            ctx: The request.
            decision: What :meth:`check` answered (allowed).
            total_tokens: Tokens the provider reported, or None (the estimate stands).
            cost_usd: The call's cost from the price table, or None when the model has no
                price (flagged, never counted as $0).
        """
        self.rate.settle(decision.reservation, total_tokens)
        result = self.budgets.settle(self._policies(ctx.workspace), ctx, cost_usd)
        if result.unpriced:
            with self._lock:
                self.unpriced_calls += 1
        return result
