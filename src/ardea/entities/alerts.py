"""Alert rules on an experiment's traces, and the events their state changes record.

An :class:`AlertRule` watches one measure of the experiment's traces over a sliding window
(traces whose ``request_time`` falls in the last ``window_seconds``):

| kind | measure | fires when |
|---|---|---|
| ``pass_rate_below`` | passes / verdicts of feedback named ``judge`` | value < threshold |
| ``error_rate_above`` | traces in state ERROR / traces | value > threshold |
| ``latency_p99_above`` | p99 of trace durations, ms | value > threshold |
| ``cost_per_day_above`` | total trace cost in the window, scaled to 24 hours | value > threshold |

A rule is ``OK`` or ``FIRING``. It fires when the measure breaches ``threshold`` and resolves
only when it is back past ``recovery_threshold`` (hysteresis; the threshold itself when not
set), so a measure hovering at the threshold does not flap. A window with fewer than
``min_samples`` samples (verdicts, traces or durations) leaves the state as it is. Every
change of state records one :class:`AlertEvent` (``FIRED`` or ``RESOLVED``).

The checks are pure: :func:`check_rule_fields` raises InvalidArgumentError naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ardea._core.errors import InvalidArgumentError

__all__ = [
    "EVENT_FIRED",
    "EVENT_RESOLVED",
    "KINDS",
    "MAX_WINDOW_SECONDS",
    "MIN_WINDOW_SECONDS",
    "STATES",
    "STATE_FIRING",
    "STATE_OK",
    "AlertEvent",
    "AlertRule",
    "AlertTransition",
    "breached",
    "check_rule_fields",
    "next_state",
    "recovered",
]

KINDS = ("pass_rate_below", "error_rate_above", "latency_p99_above", "cost_per_day_above")
"""The measures a rule may watch (see the module docstring)."""
STATE_OK = "OK"
"""A rule whose measure is within bounds (or that has not seen enough data yet)."""
STATE_FIRING = "FIRING"
"""A rule whose measure breached its threshold and has not recovered."""
STATES = (STATE_OK, STATE_FIRING)
"""Every rule state."""
EVENT_FIRED = "FIRED"
"""The event of a change from OK to FIRING."""
EVENT_RESOLVED = "RESOLVED"
"""The event of a change from FIRING to OK."""
MIN_WINDOW_SECONDS = 60
"""The shortest window a rule may watch."""
MAX_WINDOW_SECONDS = 30 * 86400
"""The longest window a rule may watch (30 days)."""
_NAME_MAX = 255
_JUDGE_MAX = 250
_DESCRIPTION_MAX = 5000
_MAX_MIN_SAMPLES = 1_000_000


@dataclass(frozen=True, slots=True)
class AlertRule:
    """One alert rule and its current state.

    Attributes:
        rule_id: The rule's id (a UUID).
        experiment_id: The experiment whose traces it watches.
        name: Unique within the experiment.
        kind: One of :data:`KINDS`.
        threshold: The value that fires it.
        window_seconds: The sliding window, seconds.
        judge: The feedback name (``pass_rate_below`` only; None otherwise).
        recovery_threshold: The value it must get back past to resolve (None: ``threshold``).
        min_samples: Samples the window needs before the rule changes state.
        enabled: A disabled rule is not evaluated (and keeps its state).
        description: Free text, or None.
        state: One of :data:`STATES`.
        state_since: When the state last changed (epoch ms; the creation time at first).
        last_value: The measure at the last evaluation (None: none yet, or too few samples).
        last_samples: The sample count at the last evaluation.
        last_evaluated: When it was last evaluated (epoch ms), or None.
        created_by: Who created it, or None.
        creation_time: Epoch ms.
        last_update_time: Epoch ms of the last change to its settings.
    """

    rule_id: str
    experiment_id: str
    name: str
    kind: str
    threshold: float
    window_seconds: int
    judge: str | None = None
    recovery_threshold: float | None = None
    min_samples: int = 1
    enabled: bool = True
    description: str | None = None
    state: str = STATE_OK
    state_since: int = 0
    last_value: float | None = None
    last_samples: int = 0
    last_evaluated: int | None = None
    created_by: str | None = None
    creation_time: int = 0
    last_update_time: int = 0


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One change of a rule's state.

    Attributes:
        event_id: The event's id (a UUID).
        rule_id: The rule that changed.
        experiment_id: The rule's experiment.
        rule_name: The rule's name when it changed.
        kind: :data:`EVENT_FIRED` or :data:`EVENT_RESOLVED`.
        value: The measure that caused it.
        threshold: The threshold it was compared with (the recovery one for RESOLVED).
        samples: The samples in the window.
        time: Epoch ms.
        sequence: The rule's transition number (1 for its first event): unique per rule.
    """

    event_id: str
    rule_id: str
    experiment_id: str
    rule_name: str
    kind: str
    value: float | None
    threshold: float
    samples: int
    time: int
    sequence: int


@dataclass(frozen=True, slots=True)
class AlertTransition:
    """An event the evaluator recorded, with what delivering it needs.

    Attributes:
        event: The recorded event.
        rule: The rule after the change.
        workspace: The workspace of the rule's experiment.
    """

    event: AlertEvent
    rule: AlertRule
    workspace: str


def breached(kind: str, value: float, threshold: float) -> bool:
    """Whether ``value`` breaches ``threshold`` for a rule of ``kind``."""
    return value < threshold if kind == "pass_rate_below" else value > threshold


def recovered(kind: str, value: float, recovery: float) -> bool:
    """Whether ``value`` is back past ``recovery`` (inclusive) for a rule of ``kind``."""
    return value >= recovery if kind == "pass_rate_below" else value <= recovery


def next_state(rule: AlertRule, value: float | None, samples: int) -> str:
    """The state ``rule`` moves to given the window's measure (its own when too few samples)."""
    if value is None or samples < max(1, rule.min_samples):
        return rule.state
    if rule.state == STATE_OK:
        return STATE_FIRING if breached(rule.kind, value, rule.threshold) else STATE_OK
    recovery = rule.threshold if rule.recovery_threshold is None else rule.recovery_threshold
    return STATE_OK if recovered(rule.kind, value, recovery) else STATE_FIRING


def _number(fields: Mapping[str, Any], name: str) -> float | None:
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidArgumentError(f"'{name}' must be a finite number, got {value!r}")
    return float(value)


def _integer(fields: Mapping[str, Any], name: str, low: int, high: int) -> int | None:
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidArgumentError(f"'{name}' must be an integer in {low}..{high}, got {value!r}")
    return value


def _text(fields: Mapping[str, Any], name: str, most: int) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > most:
        raise InvalidArgumentError(f"'{name}' must be a string of at most {most} characters")
    return value


def _check_threshold(kind: str, name: str, value: float) -> None:
    if kind in ("pass_rate_below", "error_rate_above") and not 0.0 <= value <= 1.0:
        raise InvalidArgumentError(f"'{name}' of a {kind} rule is a rate in [0, 1], got {value}")
    if value < 0:
        raise InvalidArgumentError(f"'{name}' must not be negative, got {value}")


def check_rule_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The complete, checked settings of a rule (``kind``, ``name``, ``threshold``, ...).

    ``fields`` holds every setting (an update merges the stored ones in first). Returns the
    settings with defaults applied: ``min_samples`` 1, ``enabled`` True.

    Raises:
        InvalidArgumentError: A missing or malformed field, a judge on a rule that is not
            ``pass_rate_below`` (or none on one that is), a rate out of [0, 1], a recovery
            threshold on the firing side of the threshold, or a window out of bounds.
    """
    kind = fields.get("kind")
    if kind not in KINDS:
        raise InvalidArgumentError(f"'kind' must be one of {list(KINDS)}, got {kind!r}")
    name = _text(fields, "name", _NAME_MAX)
    if not name or not name.strip():
        raise InvalidArgumentError("'name' is required (1 to 255 characters)")
    threshold = _number(fields, "threshold")
    if threshold is None:
        raise InvalidArgumentError("'threshold' is required")
    _check_threshold(kind, "threshold", threshold)
    window = _integer(fields, "window_seconds", MIN_WINDOW_SECONDS, MAX_WINDOW_SECONDS)
    if window is None:
        raise InvalidArgumentError(
            f"'window_seconds' is required ({MIN_WINDOW_SECONDS} to {MAX_WINDOW_SECONDS})"
        )
    judge = _text(fields, "judge", _JUDGE_MAX) or None
    if kind == "pass_rate_below" and not judge:
        raise InvalidArgumentError("A pass_rate_below rule needs 'judge' (a feedback name)")
    if kind != "pass_rate_below" and judge:
        raise InvalidArgumentError(f"'judge' applies to pass_rate_below rules only, not {kind}")
    recovery = _number(fields, "recovery_threshold")
    if recovery is not None:
        _check_threshold(kind, "recovery_threshold", recovery)
        if breached(kind, recovery, threshold):
            raise InvalidArgumentError(
                f"'recovery_threshold' {recovery} is on the firing side of 'threshold' "
                f"{threshold}: the rule could never resolve"
            )
    enabled = fields.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InvalidArgumentError(f"'enabled' must be a boolean, got {enabled!r}")
    min_samples = _integer(fields, "min_samples", 1, _MAX_MIN_SAMPLES)
    return {
        "name": name.strip(),
        "kind": kind,
        "threshold": threshold,
        "window_seconds": window,
        "judge": judge,
        "recovery_threshold": recovery,
        "min_samples": 1 if min_samples is None else min_samples,
        "enabled": enabled,
        "description": _text(fields, "description", _DESCRIPTION_MAX) or None,
    }
