"""Answers of Ardea's alert routes (``/api/3.0/ardea/alerts/...``)."""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64

__all__ = [
    "AlertEventJson",
    "AlertEventsResponse",
    "AlertRuleJson",
    "AlertRuleResponse",
    "AlertRulesResponse",
]

_Kind = Literal["pass_rate_below", "error_rate_above", "latency_p99_above", "cost_per_day_above"]


class AlertRuleJson(TypedDict):
    """An alert rule and its current state."""

    rule_id: str
    experiment_id: str
    name: str
    kind: _Kind
    threshold: float
    window_seconds: Int64
    min_samples: int
    enabled: bool
    state: Literal["OK", "FIRING"]
    state_since: Int64
    last_samples: int
    creation_time: Int64
    last_update_time: Int64
    judge: NotRequired[str]
    recovery_threshold: NotRequired[float]
    description: NotRequired[str]
    last_value: NotRequired[float]
    last_evaluated: NotRequired[Int64]
    created_by: NotRequired[str]


class AlertEventJson(TypedDict):
    """One change of a rule's state."""

    event_id: str
    rule_id: str
    experiment_id: str
    rule_name: str
    kind: Literal["FIRED", "RESOLVED"]
    threshold: float
    samples: int
    time: Int64
    sequence: int
    value: NotRequired[float]


class AlertRuleResponse(TypedDict):
    """One rule (create, get, update)."""

    rule: AlertRuleJson


class AlertRulesResponse(TypedDict):
    """Rules (list)."""

    rules: list[AlertRuleJson]


class AlertEventsResponse(TypedDict):
    """A page of events, newest first."""

    events: list[AlertEventJson]
    next_page_token: NotRequired[str]
