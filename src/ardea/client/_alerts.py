"""Alert rules (part of :class:`~ardea.client.ArdeaClient`).

A rule watches one measure of an experiment's traces over a sliding window: a judge's pass
rate, the error rate, the p99 latency or the cost per day. The server evaluates the rules on
a timer, records each change of state (``FIRED``, ``RESOLVED``) and delivers it to the
webhooks subscribed to ``alert.fired`` / ``alert.resolved``.

Example::

    client = ArdeaClient("http://localhost:5000")
    rule = client.create_alert_rule(
        experiment_id, "correctness", kind="pass_rate_below", judge="correctness",
        threshold=0.8, recovery_threshold=0.85, window_seconds=3600, min_samples=20,
    )
    client.get_alert_rule(rule.rule_id).state          # "OK" or "FIRING"
    client.list_alert_events(experiment_id=experiment_id)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ardea.client._base import ClientBase

if TYPE_CHECKING:
    from ardea.entities.alerts import AlertEvent, AlertRule
    from ardea.entities.page import PagedList
    from ardea.entities.quality import QualityMetrics
    from ardea.store.alerts import AlertStore

__all__ = ["AlertsMixin"]


class AlertsMixin(ClientBase):
    """Monitoring: quality over time, alert rules and their events."""

    def quality_metrics(
        self,
        experiment_id: str,
        start_ms: int,
        end_ms: int,
        buckets: int = 60,
        group_by: str = "",
    ) -> QualityMetrics:
        """Each judge's pass/fail verdicts per time bucket of ``[start_ms, end_ms)``.

        Args:
            experiment_id: The experiment.
            start_ms: Start of the range (epoch ms, inclusive).
            end_ms: End of the range (exclusive).
            buckets: Equal slices of the range (1 to 1000).
            group_by: ``""``, ``"prompt"`` (linked prompt versions), ``"model"`` or
                ``"tag:<key>"``.
        """
        return self.backend.traces.quality_metrics(
            experiment_id, start_ms, end_ms, buckets, group_by
        )

    @property
    def alert_store(self) -> AlertStore:
        """The alert store of the backend."""
        return self.backend.alerts

    def create_alert_rule(
        self,
        experiment_id: str,
        name: str,
        *,
        kind: str,
        threshold: float,
        window_seconds: int,
        judge: str | None = None,
        recovery_threshold: float | None = None,
        min_samples: int = 1,
        enabled: bool = True,
        description: str | None = None,
    ) -> AlertRule:
        """Create a rule on the experiment (state OK until the evaluator says otherwise).

        Args:
            experiment_id: The experiment whose traces it watches.
            name: Unique within the experiment.
            kind: ``pass_rate_below``, ``error_rate_above``, ``latency_p99_above`` or
                ``cost_per_day_above``.
            threshold: The value that fires it (a rate in [0, 1], milliseconds, or cost).
            window_seconds: The sliding window (60 seconds to 30 days).
            judge: The feedback name (``pass_rate_below`` only).
            recovery_threshold: The value it must get back past to resolve (default:
                ``threshold``).
            min_samples: Samples the window needs before the rule changes state.
            enabled: Whether the evaluator runs it.
            description: Free text.
        """
        fields: dict[str, Any] = {
            "name": name,
            "kind": kind,
            "threshold": threshold,
            "window_seconds": window_seconds,
            "min_samples": min_samples,
            "enabled": enabled,
        }
        for key, value in (
            ("judge", judge),
            ("recovery_threshold", recovery_threshold),
            ("description", description),
        ):
            if value is not None:
                fields[key] = value
        return self.alert_store.create_rule(experiment_id, fields)

    def get_alert_rule(self, rule_id: str) -> AlertRule:
        """One rule with its current state."""
        return self.alert_store.get_rule(rule_id)

    def list_alert_rules(self, experiment_id: str | None = None) -> list[AlertRule]:
        """The rules of one experiment, or of every readable one."""
        return self.alert_store.list_rules(experiment_id)

    def update_alert_rule(self, rule_id: str, **changes: Any) -> AlertRule:
        """Change the named settings (e.g. ``threshold=0.7, enabled=False``)."""
        return self.alert_store.update_rule(rule_id, changes)

    def delete_alert_rule(self, rule_id: str) -> None:
        """Delete a rule and its events."""
        self.alert_store.delete_rule(rule_id)

    def list_alert_events(
        self,
        experiment_id: str | None = None,
        rule_id: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> PagedList[AlertEvent]:
        """Events (FIRED, RESOLVED), newest first, of one rule or one experiment."""
        return self.alert_store.list_events(experiment_id, rule_id, max_results, page_token)
