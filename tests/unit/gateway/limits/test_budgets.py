"""Budgets: reject once spent, alert once per window (a real webhook), unpriced calls flagged."""

from __future__ import annotations

import uuid
from pathlib import Path

from ardea._core.secrets import SecretCipher
from ardea.entities.webhook import WebhookEvent
from ardea.gateway.config import Endpoint, ModelTarget
from ardea.gateway.limits import RequestContext
from ardea.gateway.limits.budgets import BudgetAlert, BudgetPolicy, Budgets, webhook_alert_sink
from ardea.gateway.limits.windows import window
from ardea.store.gateway_limits import CounterStore
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.webhooks.store import SqlWebhookStore
from ardea.webhooks.dispatcher import WebhookDispatcher
from fixtures.webhook_receiver import Receiver

NOW = 1_800_000_030.0


def _endpoint(workspace: str = "default") -> Endpoint:
    return Endpoint(
        endpoint_id="e-" + uuid.uuid4().hex,
        name="chat",
        workspace=workspace,
        endpoint_type="llm/v1/chat",
        primary=(ModelTarget("d", "d", "openai", "gpt-4.1-mini"),),
    )


def _policy(
    action: str, amount: float = 1.0, scope: str = "GLOBAL", value: str | None = None
) -> BudgetPolicy:
    return BudgetPolicy(
        budget_policy_id="bp-" + uuid.uuid4().hex,
        budget_amount=amount,
        duration_unit="HOURS",
        duration_value=1,
        target_scope=scope,
        target_value=value,
        budget_action=action,
    )


def test_reject_once_spent(counters: CounterStore) -> None:
    policy = _policy("REJECT", amount=1.0)
    budgets = Budgets(counters, clock=lambda: NOW)
    ctx = RequestContext(_endpoint(), model="gpt-4.1-mini")
    for _ in range(3):
        assert budgets.check([policy], ctx).allowed
        budgets.settle([policy], ctx, 0.3)
    assert budgets.check([policy], ctx).allowed  # $0.90 of $1.00
    budgets.settle([policy], ctx, 0.3)  # the call that crosses it completes
    refused = budgets.check([policy], ctx)
    assert not refused.allowed and refused.status == 429 and refused.code == "budget_exceeded"
    assert "Limit: $1.00 USD per hour" in refused.message
    _, end = window(NOW, "HOURS", 1)
    assert refused.retry_after == end - int(NOW)
    assert (b"x-should-retry", b"false") in refused.headers
    # the next window is fresh
    assert Budgets(counters, clock=lambda: NOW + 3600).check([policy], ctx).allowed
    [state] = budgets.windows([policy])
    assert state["exceeded"] and abs(state["current_spend"] - 1.2) < 1e-9


def test_alert_once_per_window(counters: CounterStore) -> None:
    policy = _policy("ALERT", amount=0.5)
    sent: list[BudgetAlert] = []
    budgets = Budgets(counters, clock=lambda: NOW, alert=sent.append)
    ctx = RequestContext(_endpoint(), user="alice")
    results = [budgets.settle([policy], ctx, 0.2) for _ in range(6)]
    assert len(sent) == 1 and sent[0].current_spend >= 0.5
    assert sent[0].payload()["target_value"] is None  # a GLOBAL policy names no target
    assert [bool(r.alerts) for r in results] == [False, False, True, False, False, False]
    assert budgets.check([policy], ctx).allowed  # ALERT never rejects
    assert results[2].attributes["ardea.gateway.budget_alerts"] == policy.budget_policy_id
    # a second Budgets (another process) does not alert again in the same window
    other: list[BudgetAlert] = []
    Budgets(counters, clock=lambda: NOW, alert=other.append).settle([policy], ctx, 0.2)
    assert other == []


def test_scopes(counters: CounterStore) -> None:
    ep = _endpoint(workspace="ws-" + uuid.uuid4().hex)
    per_user = _policy("REJECT", amount=0.1, scope="USER")
    by_endpoint = _policy("REJECT", amount=10.0, scope="ENDPOINT", value=ep.endpoint_id)
    other_ws = _policy("REJECT", amount=0.0, scope="WORKSPACE", value="elsewhere")
    budgets = Budgets(counters, clock=lambda: NOW)
    alice = RequestContext(ep, user="alice")
    bob = RequestContext(ep, user="bob")
    policies = [per_user, by_endpoint, other_ws]
    budgets.settle(policies, alice, 0.1)
    assert not budgets.check(policies, alice).allowed
    assert budgets.check(policies, bob).allowed  # each user has their own window
    alerts: list[BudgetAlert] = []
    per_user_alert = _policy("ALERT", amount=0.05, scope="USER")
    Budgets(counters, clock=lambda: NOW, alert=alerts.append).settle([per_user_alert], bob, 0.1)
    assert alerts[0].payload()["target_value"] == "bob"
    states = budgets.windows([per_user], {per_user.budget_policy_id: ["alice", "bob"]})
    assert [(s["target_value"], s["exceeded"]) for s in states] == [("alice", True), ("bob", False)]


def test_unpriced_calls_are_flagged_not_free(counters: CounterStore) -> None:
    policy = _policy("REJECT", amount=0.000001)
    budgets = Budgets(counters, clock=lambda: NOW)
    ctx = RequestContext(_endpoint(), model="no-such-model")
    result = budgets.settle([policy], ctx, None)
    assert result.unpriced
    assert result.attributes["ardea.gateway.cost_unknown"] is True
    assert result.attributes["ardea.gateway.model"] == "no-such-model"


def test_alert_goes_out_as_a_budget_policy_webhook(tmp_path: Path, receiver: Receiver) -> None:
    backend = open_sql_backend(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        hooks = SqlWebhookStore(backend.tracking.database, SecretCipher("unit"))
        hooks.create_webhook(
            "b", receiver.url + "/budget", [WebhookEvent("BUDGET_POLICY", "EXCEEDED")]
        )
        dispatcher = WebhookDispatcher(hooks, backoff=0.0, cache_ttl=0.0)
        from ardea.store.sql.gateway_limits import SqlCounterStore

        counters = SqlCounterStore(backend.tracking.database)
        policy = _policy("ALERT", amount=0.1)
        budgets = Budgets(counters, clock=lambda: NOW, alert=webhook_alert_sink(hooks, dispatcher))
        ctx = RequestContext(_endpoint())
        for _ in range(3):
            budgets.settle([policy], ctx, 0.1)
        [delivery] = receiver.wait_for("/budget", 1)
        body = delivery.json
        assert body["entity"] == "budget_policy" and body["action"] == "exceeded"
        assert body["data"]["budget_policy_id"] == policy.budget_policy_id
        assert body["data"]["budget_amount"] == 0.1 and body["data"]["workspace"] == "default"
        dispatcher.close()
        assert len(receiver.at("/budget")) == 1
    finally:
        backend.close()
