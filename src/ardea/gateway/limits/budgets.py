"""Budgets in USD over a fixed window, that alert (a webhook) or reject once spent.

A :class:`BudgetPolicy` carries MLflow's budget policy fields. Which requests it counts:

- ``GLOBAL``: every request, in every workspace (as MLflow);
- ``WORKSPACE``: requests to endpoints of the policy's workspace (``target_value`` or, when
  unset, the workspace the policy belongs to);
- ``ENDPOINT``: requests to the endpoint whose id or name is ``target_value``;
- ``USER``: requests by the user ``target_value``, or each user separately when unset;
- ``KEY`` (Ardea): requests with the virtual key ``target_value``, or each key when unset.

Spend is kept in micro-dollars in the shared counter store, per policy (and user or key) and
window (:mod:`.windows`; weeks start on Sunday as MLflow's). The cost of a call is known only
after it, so the call that crosses the budget completes; a ``REJECT`` policy then refuses
every further request of the window with 429 (MLflow's status; the message names the limit and
when it resets; ``x-should-retry: false`` keeps the OpenAI and Anthropic SDKs from retrying).
An ``ALERT`` policy calls the alert sink once per window, from whichever process crossed the
amount first (an atomic flag on the counter); :func:`webhook_alert_sink` sends MLflow's
``budget_policy.exceeded`` webhook. A call whose model has no price is not counted at zero
silently: it is counted as unpriced (``gw:unpriced:<workspace>``), flagged on the trace
(``ardea.gateway.cost_unknown``) and reported to the caller for the metric.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ardea.gateway.limits.context import Decision, RequestContext
from ardea.gateway.limits.windows import window
from ardea.store.gateway_limits import Charge, CounterStore

__all__ = [
    "BudgetAlert",
    "BudgetPolicy",
    "Budgets",
    "SettleResult",
    "webhook_alert_sink",
]

_log = logging.getLogger(__name__)
_MICRO = 1_000_000


@dataclass(frozen=True, slots=True)
class BudgetPolicy:
    """One budget (MLflow's ``GatewayBudgetPolicy`` fields, plus the ``KEY`` scope).

    Attributes:
        budget_policy_id: ``bp-...``.
        budget_amount: The spend allowed per window, in ``budget_unit``.
        duration_unit: ``MINUTES``, ``HOURS``, ``DAYS``, ``WEEKS`` or ``MONTHS``.
        duration_value: The window's length in ``duration_unit``.
        target_scope: ``GLOBAL``, ``WORKSPACE``, ``ENDPOINT``, ``USER`` or ``KEY``.
        target_value: What the scope names (see the module's docstring), or None.
        budget_action: ``ALERT`` or ``REJECT``.
        workspace: The workspace the policy belongs to.
        budget_unit: ``USD`` (the only unit).
    """

    budget_policy_id: str
    budget_amount: float
    duration_unit: str
    duration_value: int
    target_scope: str
    target_value: str | None
    budget_action: str
    workspace: str = "default"
    budget_unit: str = "USD"


@dataclass(frozen=True, slots=True)
class BudgetAlert:
    """A window of an ``ALERT`` policy that was just spent (MLflow's webhook payload).

    Attributes:
        policy: The policy.
        workspace: The workspace of the request that crossed the amount.
        window_start: The window's start, in seconds since the epoch.
        window_end: The window's end.
        current_spend: USD spent in the window when it was crossed.
        target_value: The policy's target, or the user or key of a per-user or per-key
            window.
    """

    policy: BudgetPolicy
    workspace: str
    window_start: int
    window_end: int
    current_spend: float
    target_value: str | None = None

    def payload(self) -> dict[str, Any]:
        """The ``budget_policy.exceeded`` webhook payload, with MLflow's fields.

        ``target_value`` is None for GLOBAL and WORKSPACE policies, as in MLflow.
        """
        p = self.policy
        out: dict[str, Any] = {
            "budget_policy_id": p.budget_policy_id,
            "budget_unit": p.budget_unit,
            "budget_amount": p.budget_amount,
            "current_spend": self.current_spend,
            "duration_unit": p.duration_unit,
            "duration_value": p.duration_value,
            "target_scope": p.target_scope,
            "workspace": self.workspace,
            "target_value": self.target_value,
            "window_start": self.window_start * 1000,
        }
        return out


@dataclass(frozen=True, slots=True)
class SettleResult:
    """What settling one call's cost found.

    Attributes:
        unpriced: The model had no price: the call was counted as unpriced, not as $0.
        alerts: The ``ALERT`` windows this call crossed (each sent once, by this process).
        attributes: Attributes to record on the request's trace.
    """

    unpriced: bool
    alerts: tuple[BudgetAlert, ...]
    attributes: Mapping[str, object]


def _subject(policy: BudgetPolicy, ctx: RequestContext) -> str | None:
    scope, value = policy.target_scope, policy.target_value
    base = f"bp:{policy.budget_policy_id}"
    if scope == "GLOBAL":
        return base
    if scope == "WORKSPACE":
        return base if ctx.workspace == (value or policy.workspace) else None
    if scope == "ENDPOINT":
        return base if value in (ctx.endpoint.endpoint_id, ctx.endpoint.name) else None
    if scope == "USER":
        user = ctx.user or "anonymous"
        return (f"{base}:user:{user}" if value is None else base) if value in (None, user) else None
    if scope == "KEY":
        if ctx.key_id is None or value not in (None, ctx.key_id):
            return None
        return f"{base}:key:{ctx.key_id}" if value is None else base
    return None


def _unit_label(policy: BudgetPolicy) -> str:
    unit = policy.duration_unit.lower()
    if policy.duration_value == 1:
        return unit.rstrip("s")
    return f"{policy.duration_value} {unit}"


class Budgets:
    """Checks budgets before a call and records spend after it.

    Args:
        store: The shared counters.
        clock: Seconds since the epoch.
        alert: Called once per spent window of an ``ALERT`` policy (e.g.
            :func:`webhook_alert_sink`); None to only report alerts in :class:`SettleResult`.
    """

    def __init__(
        self,
        store: CounterStore,
        clock: Callable[[], float],
        alert: Callable[[BudgetAlert], None] | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._alert = alert

    def _applicable(
        self, policies: Sequence[BudgetPolicy], ctx: RequestContext, now: float
    ) -> list[tuple[BudgetPolicy, str, int, int]]:
        out = []
        for policy in policies:
            subject = _subject(policy, ctx)
            if subject is not None:
                start, end = window(now, policy.duration_unit, policy.duration_value)
                out.append((policy, subject, start, end))
        return out

    def check(self, policies: Sequence[BudgetPolicy], ctx: RequestContext) -> Decision:
        """Refuse the request when a ``REJECT`` policy's window is spent."""
        now = self._clock()
        rejecting = [
            a for a in self._applicable(policies, ctx, now) if a[0].budget_action == "REJECT"
        ]
        spent = self._store.read([(subject, start) for _, subject, start, _ in rejecting])
        for (policy, _, _, end), micro in zip(rejecting, spent, strict=True):
            if micro >= round(policy.budget_amount * _MICRO):
                reset = dt.datetime.fromtimestamp(end, dt.timezone.utc).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"
                )
                return Decision(
                    allowed=False,
                    status=429,
                    message=f"Budget limit exceeded. Limit: ${policy.budget_amount:.2f} USD per "
                    f"{_unit_label(policy)}. Budget resets at {reset}. Request rejected.",
                    code="budget_exceeded",
                    retry_after=max(1, math.ceil(end - now)),
                    attributes={"ardea.gateway.budget_policy_id": policy.budget_policy_id},
                )
        return Decision(allowed=True)

    def settle(
        self, policies: Sequence[BudgetPolicy], ctx: RequestContext, cost_usd: float | None
    ) -> SettleResult:
        """Add a call's cost (None: the model has no price) to every applicable policy."""
        now = self._clock()
        if cost_usd is None:
            start, end = window(now, "DAYS", 1)
            self._store.charge([Charge(f"gw:unpriced:{ctx.workspace}", start, end + 86400, 1)])
            return SettleResult(
                unpriced=True,
                alerts=(),
                attributes={
                    "ardea.gateway.cost_unknown": True,
                    "ardea.gateway.model": ctx.model or "",
                },
            )
        micro = max(0, round(cost_usd * _MICRO))
        applicable = self._applicable(policies, ctx, now)
        if micro == 0 or not applicable:
            return SettleResult(unpriced=False, alerts=(), attributes={})
        keep = {subject: end + 86400 for _, subject, _, end in applicable}
        self._store.charge([Charge(s, st, keep[s], micro) for _, s, st, _ in applicable])
        alerting = [a for a in applicable if a[0].budget_action == "ALERT"]
        totals = self._store.read([(s, st) for _, s, st, _ in alerting])
        alerts: list[BudgetAlert] = []
        for (policy, subject, start, end), total in zip(alerting, totals, strict=True):
            if total >= round(policy.budget_amount * _MICRO) and self._store.mark_alerted(
                subject, start, end + 86400
            ):
                who = policy.target_value
                if who is None and subject.count(":") >= 3:  # bp:<id>:user|key:<who>
                    who = subject.split(":", 3)[3]
                alert = BudgetAlert(policy, ctx.workspace, start, end, total / _MICRO, who)
                alerts.append(alert)
                if self._alert is not None:
                    try:
                        self._alert(alert)
                    except Exception:  # an alert sink never fails the request
                        _log.exception("Budget alert for %s failed", policy.budget_policy_id)
        attrs: dict[str, object] = {}
        if alerts:
            attrs["ardea.gateway.budget_alerts"] = ",".join(
                a.policy.budget_policy_id for a in alerts
            )
        return SettleResult(unpriced=False, alerts=tuple(alerts), attributes=attrs)

    def windows(
        self, policies: Sequence[BudgetPolicy], subjects: Mapping[str, Sequence[str]] | None = None
    ) -> list[dict[str, Any]]:
        """The current window of each policy, as ``budgets/windows`` answers it.

        Args:
            policies: The policies to report.
            subjects: For ``USER``/``KEY`` policies without a ``target_value``: the users or
                keys to report (each has its own window); others report the shared one.
        """
        now = self._clock()
        rows: list[tuple[BudgetPolicy, str, int, int]] = []
        for policy in policies:
            start, end = window(now, policy.duration_unit, policy.duration_value)
            base = f"bp:{policy.budget_policy_id}"
            per = policy.target_scope in ("USER", "KEY") and policy.target_value is None
            if per:
                kind = policy.target_scope.lower()
                for who in (subjects or {}).get(policy.budget_policy_id, ()):
                    rows.append((policy, f"{base}:{kind}:{who}", start, end))
            else:
                rows.append((policy, base, start, end))
        spent = self._store.read([(s, st) for _, s, st, _ in rows])
        out = []
        for (policy, subject, start, end), micro in zip(rows, spent, strict=True):
            entry: dict[str, Any] = {
                "budget_policy_id": policy.budget_policy_id,
                "window_start": start * 1000,
                "window_end": end * 1000,
                "current_spend": micro / _MICRO,
                "budget_amount": policy.budget_amount,
                "exceeded": micro >= round(policy.budget_amount * _MICRO),
            }
            if ":user:" in subject or ":key:" in subject:
                entry["target_value"] = subject.rsplit(":", 1)[1]
            out.append(entry)
        return out


def webhook_alert_sink(store: Any, dispatcher: Any) -> Callable[[BudgetAlert], None]:
    """An alert sink sending MLflow's ``budget_policy.exceeded`` webhook to its subscribers.

    Args:
        store: The :class:`~ardea.store.webhooks.WebhookStore` (``targets_for_event``).
        dispatcher: The server's :class:`~ardea.webhooks.dispatcher.WebhookDispatcher`
            (``deliver``: signed, SSRF-guarded, retried).

    Delivery runs on a daemon thread: the request never waits for it.
    """
    from ardea.entities.webhook import WebhookEvent

    event = WebhookEvent("BUDGET_POLICY", "EXCEEDED")

    def send(alert: BudgetAlert) -> None:
        def run() -> None:
            for target in store.targets_for_event(event):
                dispatcher.deliver(target, event, alert.payload())

        threading.Thread(target=run, name="ardea-budget-alert", daemon=True).start()

    return send
