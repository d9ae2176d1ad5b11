"""The JSON of Ardea's alert routes (``/api/3.0/ardea/alerts/...``), both ways.

Shared by the server (entity to JSON) and the REST alert store (JSON to entity).
"""

from __future__ import annotations

from typing import Any

from ardea.entities.alerts import AlertEvent, AlertRule

__all__ = ["event_from_json", "event_to_json", "rule_from_json", "rule_to_json"]

_OPTIONAL_RULE = (
    "judge", "recovery_threshold", "description", "last_value", "last_evaluated", "created_by",
)  # fmt: skip


def rule_to_json(rule: AlertRule) -> dict[str, Any]:
    """A rule as the routes answer it (fields without a value left out)."""
    out: dict[str, Any] = {
        "rule_id": rule.rule_id,
        "experiment_id": rule.experiment_id,
        "name": rule.name,
        "kind": rule.kind,
        "threshold": rule.threshold,
        "window_seconds": rule.window_seconds,
        "min_samples": rule.min_samples,
        "enabled": rule.enabled,
        "state": rule.state,
        "state_since": rule.state_since,
        "last_samples": rule.last_samples,
        "creation_time": rule.creation_time,
        "last_update_time": rule.last_update_time,
    }
    for name in _OPTIONAL_RULE:
        value = getattr(rule, name)
        if value is not None:
            out[name] = value
    return out


def rule_from_json(doc: dict[str, Any]) -> AlertRule:
    """An :class:`AlertRule` from :func:`rule_to_json`'s shape."""
    recovery = doc.get("recovery_threshold")
    last = doc.get("last_value")
    evaluated = doc.get("last_evaluated")
    return AlertRule(
        rule_id=str(doc["rule_id"]),
        experiment_id=str(doc["experiment_id"]),
        name=str(doc["name"]),
        kind=str(doc["kind"]),
        threshold=float(doc["threshold"]),
        window_seconds=int(doc["window_seconds"]),
        judge=doc.get("judge"),
        recovery_threshold=None if recovery is None else float(recovery),
        min_samples=int(doc.get("min_samples") or 1),
        enabled=bool(doc.get("enabled", True)),
        description=doc.get("description"),
        state=str(doc.get("state") or "OK"),
        state_since=int(doc.get("state_since") or 0),
        last_value=None if last is None else float(last),
        last_samples=int(doc.get("last_samples") or 0),
        last_evaluated=None if evaluated is None else int(evaluated),
        created_by=doc.get("created_by"),
        creation_time=int(doc.get("creation_time") or 0),
        last_update_time=int(doc.get("last_update_time") or 0),
    )


def event_to_json(event: AlertEvent) -> dict[str, Any]:
    """An event as the routes (and the ``alert.*`` webhooks) carry it."""
    out: dict[str, Any] = {
        "event_id": event.event_id,
        "rule_id": event.rule_id,
        "experiment_id": event.experiment_id,
        "rule_name": event.rule_name,
        "kind": event.kind,
        "threshold": event.threshold,
        "samples": event.samples,
        "time": event.time,
        "sequence": event.sequence,
    }
    if event.value is not None:
        out["value"] = event.value
    return out


def event_from_json(doc: dict[str, Any]) -> AlertEvent:
    """An :class:`AlertEvent` from :func:`event_to_json`'s shape."""
    value = doc.get("value")
    return AlertEvent(
        event_id=str(doc["event_id"]),
        rule_id=str(doc["rule_id"]),
        experiment_id=str(doc["experiment_id"]),
        rule_name=str(doc["rule_name"]),
        kind=str(doc["kind"]),
        value=None if value is None else float(value),
        threshold=float(doc["threshold"]),
        samples=int(doc.get("samples") or 0),
        time=int(doc["time"]),
        sequence=int(doc.get("sequence") or 0),
    )
