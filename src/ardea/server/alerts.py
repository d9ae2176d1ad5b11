"""The server's alert evaluator: a timer that moves alert rules and delivers their changes.

:class:`AlertEvaluator` is built by ``create_app`` on a SQL backend (one per app, on
``ServerRuntime.alerts``). Its lifespan task calls :meth:`AlertStore.evaluate
<ardea.store.alerts.AlertStore.evaluate>` over every workspace each
``ARDEA_ALERTS_INTERVAL_SECONDS`` (60 by default; ``ARDEA_ALERTS=0`` turns it off). Each
evaluation is a few aggregate queries per enabled rule; a change of state is recorded with a
compare-and-set, so several replicas evaluating the same rules record (and deliver) each
change once: only the replica whose UPDATE moved the rule delivers its event. On top of that,
the timer runs a pass only while it holds the ``alerts`` lease of the database
(:mod:`ardea.store.leases`), so that one replica, not all of them, measures the rules each
interval; a replica that dies stops renewing it, and another takes over within
``LEASE_INTERVALS`` intervals. A clean stop releases it at once.

Each change goes to the webhooks of the rule's workspace subscribed to ``alert.fired`` or
``alert.resolved``, through the app's webhook dispatcher (signed like every delivery, SSRF
guarded, retried). Delivery is at most once: a replica that dies between the commit and the
delivery loses that delivery (the event stays in the history the UI and the API show).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from typing import TYPE_CHECKING

from ardea._core import env
from ardea.entities.alerts import EVENT_FIRED, AlertTransition

if TYPE_CHECKING:
    from ardea.server.deps import ServerRuntime

__all__ = [
    "DEFAULT_INTERVAL_SECONDS",
    "LEASE_INTERVALS",
    "LEASE_NAME",
    "AlertEvaluator",
    "interval_seconds",
]

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_SECONDS = 60.0
"""Seconds between two evaluations when ``ARDEA_ALERTS_INTERVAL_SECONDS`` is unset."""
_MIN_INTERVAL_SECONDS = 0.2
LEASE_NAME = "alerts"
"""The lease (:mod:`ardea.store.leases`) whose holder runs the passes of every replica."""
LEASE_INTERVALS = 3
"""The lease lasts this many intervals (renewed every pass): a dead holder's replacement
starts within that time."""


def interval_seconds() -> float:
    """``ARDEA_ALERTS_INTERVAL_SECONDS`` (at least 0.2), or the default when unset or bad."""
    return env.env_number(
        env.ARDEA_ALERTS_INTERVAL_SECONDS, DEFAULT_INTERVAL_SECONDS, minimum=_MIN_INTERVAL_SECONDS
    )


class AlertEvaluator:
    """Evaluates every workspace's alert rules on a timer and delivers the changes.

    Args:
        runtime: The app's runtime (its backend's alert store, its webhook runtimes).
        interval: Seconds between passes (``ARDEA_ALERTS_INTERVAL_SECONDS`` when omitted).
        enabled: Whether :meth:`start` starts the timer (``ARDEA_ALERTS`` when omitted).
    """

    def __init__(
        self,
        runtime: ServerRuntime,
        interval: float | None = None,
        enabled: bool | None = None,
    ) -> None:
        self.runtime = runtime
        self.interval = interval_seconds() if interval is None else interval
        if enabled is None:
            enabled = os.environ.get(env.ARDEA_ALERTS, "1").strip() != "0"
        self.enabled = enabled
        self._task: asyncio.Task[None] | None = None
        self.passes = 0
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        """This evaluator's id as the ``alerts`` lease's holder."""

    def tick(self) -> list[AlertTransition] | None:
        """One timer step: a pass when this evaluator holds (or now takes) the lease.

        Returns:
            The pass's changes, or None when another replica holds the lease.
        """
        leases = self.runtime.deps.backend.leases
        seconds = max(self.interval * LEASE_INTERVALS, 1.0)
        if not leases.acquire(LEASE_NAME, self.holder, seconds):
            return None
        return self.evaluate_once()

    def release(self) -> None:
        """Give the lease up, so that another replica's next step runs the passes."""
        try:
            self.runtime.deps.backend.leases.release(LEASE_NAME, self.holder)
        except Exception:
            log.exception("Could not release the %r lease", LEASE_NAME)

    def evaluate_once(self) -> list[AlertTransition]:
        """One pass: record the changes of every workspace's rules and deliver them."""
        changes = self.runtime.deps.backend.alerts.evaluate(all_workspaces=True)
        for change in changes:
            self.deliver(change)
        self.passes += 1
        return changes

    def deliver(self, change: AlertTransition) -> None:
        """Send one change to the webhooks of its workspace subscribed to it (never raises)."""
        from ardea.entities.webhook import WebhookEvent
        from ardea.webhooks.payloads import alert_payload

        action = "FIRED" if change.event.kind == EVENT_FIRED else "RESOLVED"
        event = WebhookEvent("ALERT", action)
        try:
            hooks = self.runtime.webhooks_for(change.workspace)
            data = alert_payload(change.event, change.rule)
            for target in hooks.store.targets_for_event(event):
                hooks.dispatcher.deliver(target, event, data)
        except Exception:
            log.exception(
                "Could not deliver the %s event of alert rule %s", event, change.rule.rule_id
            )

    def start(self) -> None:
        """Start the timer on the running event loop (nothing when disabled)."""
        if not self.enabled or self._task is not None:
            return
        self._task = asyncio.create_task(self._run(), name="ardea-alerts")

    async def stop(self) -> None:
        """Stop the timer and release the lease.

        A pass under way is cancelled between rules' transactions.
        """
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await asyncio.to_thread(self.release)

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.tick)
            except Exception:
                log.exception("Alert evaluation failed")
            await asyncio.sleep(self.interval)
