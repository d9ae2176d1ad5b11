"""``evaluate(quality_criteria=...)``: the bar an evaluation must clear (MLflow 3.18's option).

The grammar, errors, run tag and warnings are MLflow's: conditions joined by ``AND``
(case-insensitive, surrounded by spaces), each ``<metric> >= <number>`` or ``<metric> <=
<number>``. ``<metric>`` is a scorer name (its mean is checked) or ``<scorer>/<aggregation>``
(``min``, ``max``, ``mean``, ``median``, ``variance``, ``p90``), in backticks or double quotes
when it holds anything but letters, digits, ``_`` and ``.``. The criteria are checked before
anything runs (a bad one is an ``InvalidArgumentError``, and no run is left behind); the
aggregations they name are computed even when the scorer does not ask for them; the run gets
the tag ``mlflow.genaiEvaluate.qualityCriteria`` (compact JSON: ``schemaVersion`` 1, a fresh
``revision`` UUID, ``rules`` of ``{metricKey, comparator: GTE|LTE, threshold}``), which
MLflow's UI reads to mark the run's metrics pass/fail.

Ardea's addition: :func:`check` gives each criterion's outcome on
:attr:`EvaluationResult.quality_criteria <ardea.evaluation.result.EvaluationResult>`, and
for a mean also whether it holds at both ends of the mean's 95% interval (``ci_low`` /
``ci_high``): a criterion that passes at its value but not at the far end of the interval
"passes, but not significantly".
"""

from __future__ import annotations

import json
import logging
import math
import re
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.scorers.base import AGGREGATIONS

__all__ = [
    "QUALITY_CRITERIA_TAG",
    "CriterionResult",
    "QualityRule",
    "build_tag",
    "check",
    "extra_aggregations",
    "parse",
    "warn_unmeasured",
]

QUALITY_CRITERIA_TAG = "mlflow.genaiEvaluate.qualityCriteria"
"""Run tag holding the criteria (MLflow's name)."""

MAX_TAG_CHARS = 8000
"""Longest run tag value (MLflow's limit)."""

_EXAMPLE = "correctness >= 0.9 AND `latency/p90` <= 2"
_CODES = {">=": "GTE", "<=": "LTE"}

_NAME = r"`(?P<tick>[^`]+)`|\"(?P<quote>[^\"]+)\"|(?P<bare>[A-Za-z_][\w.]*)"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_ONE = re.compile(rf"\s*(?:{_NAME})\s*(?P<op>>=|<=|!=|=|>|<)\s*(?P<value>{_NUMBER})\s*")
_JOIN = re.compile(r"(?<=\s)and\s", re.IGNORECASE)

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QualityRule:
    """One condition: ``<scorer>/<aggregation> <comparator> <threshold>``."""

    scorer_name: str
    aggregation: str
    comparator: str
    threshold: float

    @property
    def metric_key(self) -> str:
        """The run metric the rule checks."""
        return f"{self.scorer_name}/{self.aggregation}"

    def holds(self, value: float) -> bool:
        """Whether ``value`` meets the rule."""
        return value >= self.threshold if self.comparator == ">=" else value <= self.threshold

    def to_dict(self) -> dict[str, Any]:
        """The rule as the run tag holds it."""
        return {
            "metricKey": self.metric_key,
            "comparator": _CODES[self.comparator],
            "threshold": self.threshold,
        }


def _syntax_error(text: str, pos: int) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"Invalid quality criteria {text!r} at {text[pos:]!r}. Expected conditions joined by "
        f"AND, such as {_EXAMPLE!r}. Wrap names that contain spaces or symbols in backticks."
    )


def _rule(match: re.Match[str], counts: Counter[str]) -> QualityRule:
    condition = match.group().strip()
    threshold = float(match["value"])
    if not math.isfinite(threshold):
        raise InvalidArgumentError(
            f"Invalid condition {condition!r}: the value must be a finite number."
        )
    comparator = match["op"]
    if comparator not in _CODES:
        raise InvalidArgumentError(
            f"Invalid condition {condition!r}: only `>=` and `<=` are supported."
        )
    key = match["tick"] or match["quote"] or match["bare"]
    name, aggregation = key, "mean"
    if counts[key] == 0 and "/" in key:
        head, _, tail = key.rpartition("/")
        if counts[head] and tail in AGGREGATIONS:
            name, aggregation = head, tail
    if counts[name] == 0:
        known = ", ".join(repr(n) for n in sorted(counts))
        raise InvalidArgumentError(
            f"The condition on {key!r} doesn't match any scorer passed to `evaluate`. Use a "
            "scorer name to check its mean, or `<scorer name>/<aggregation>` in backticks, "
            f"where <aggregation> is one of {', '.join(AGGREGATIONS)}. Scorer names: {known}."
        )
    if counts[name] > 1:
        raise InvalidArgumentError(
            f"The condition on {key!r} matches more than one scorer passed to `evaluate`, so "
            "it can't be matched to a single metric. Give each scorer a unique name."
        )
    return QualityRule(name, aggregation, comparator, threshold)


def parse(scorer_names: Sequence[str], text: Any) -> list[QualityRule]:
    """The rules of ``text`` (None or blank: none), checked against the scorers' names.

    Raises:
        InvalidArgumentError: Not a string, bad syntax, a comparator other than ``>=``/``<=``,
            a value that is not finite, an unknown scorer or aggregation, two conditions on
            one metric (MLflow's messages).
    """
    if text is None:
        return []
    if not isinstance(text, str):
        raise InvalidArgumentError(
            f"`quality_criteria` must be a string such as {_EXAMPLE!r}, got {type(text).__name__}."
        )
    if not text.strip():
        return []
    counts: Counter[str] = Counter(scorer_names)
    rules: list[QualityRule] = []
    pos = 0
    while True:
        match = _ONE.match(text, pos)
        if match is None:
            raise _syntax_error(text, pos)
        rule = _rule(match, counts)
        if any(r.metric_key == rule.metric_key for r in rules):
            raise InvalidArgumentError(
                f"Invalid quality criteria: more than one condition on {rule.metric_key!r}. "
                "Set one condition per metric."
            )
        rules.append(rule)
        pos = match.end()
        if pos == len(text):
            return rules
        join = _JOIN.match(text, pos)
        if join is None:
            raise _syntax_error(text, pos)
        pos = join.end()


def build_tag(rules: Sequence[QualityRule]) -> str | None:
    """The run tag's value (None without rules).

    Raises:
        InvalidArgumentError: Longer than a run tag may be.
    """
    if not rules:
        return None
    value = json.dumps(
        {
            "schemaVersion": 1,
            "revision": str(uuid.uuid4()),
            "rules": [r.to_dict() for r in rules],
        },
        separators=(",", ":"),
    )
    if len(value) > MAX_TAG_CHARS:
        raise InvalidArgumentError(
            f"The quality criteria are {len(value)} characters once serialized, over the "
            f"{MAX_TAG_CHARS} character limit for a run tag. Set fewer conditions."
        )
    return value


def extra_aggregations(rules: Sequence[QualityRule]) -> dict[str, list[str]]:
    """The aggregations the rules check, by scorer name."""
    out: dict[str, list[str]] = {}
    for r in rules:
        out.setdefault(r.scorer_name, []).append(r.aggregation)
    return out


def warn_unmeasured(rules: Sequence[QualityRule], metrics: Mapping[str, float]) -> None:
    """Log MLflow's warning for each rule whose metric this evaluation did not produce."""
    for r in rules:
        if r.metric_key not in metrics:
            _log.warning(
                "The condition on scorer '%s' can't be checked: this evaluation produced no "
                "'%s' metric. The scorer must return booleans, numbers, or yes/no values under "
                "its own name. If the run already has this metric from an earlier evaluation, "
                "the condition is checked against that value.",
                r.scorer_name,
                r.metric_key,
            )


@dataclass(frozen=True)
class CriterionResult:
    """How one quality criterion fared (Ardea's; MLflow's UI shows only pass/fail).

    Attributes:
        rule: The condition.
        value: The metric's value in this evaluation (None: not measured).
        passed: Whether the value meets it (None: not measured).
        ci_low: Lower end of the metric's 95% interval (means only; else None).
        ci_high: Upper end.
        significant: Whether the verdict holds over the whole interval (the far end meets
            the condition when it passed, misses it when it failed); None without interval.
    """

    rule: QualityRule
    value: float | None
    passed: bool | None
    ci_low: float | None = None
    ci_high: float | None = None
    significant: bool | None = None

    @property
    def metric_key(self) -> str:
        """The metric checked."""
        return self.rule.metric_key

    @property
    def verdict(self) -> str:
        """The outcome in words.

        ``pass``, ``fail``, ``pass (not significant)``, ``fail (not significant)`` or
        ``unmeasured``.
        """
        if self.passed is None:
            return "unmeasured"
        word = "pass" if self.passed else "fail"
        return f"{word} (not significant)" if self.significant is False else word

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values."""
        return {
            "metric_key": self.metric_key,
            "comparator": self.rule.comparator,
            "threshold": self.rule.threshold,
            "value": self.value,
            "passed": self.passed,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "significant": self.significant,
            "verdict": self.verdict,
        }

    def __str__(self) -> str:
        shown = "n/a" if self.value is None else f"{self.value:.4g}"
        interval = ""
        if self.ci_low is not None and self.ci_high is not None:
            interval = f" [{self.ci_low:.4g}, {self.ci_high:.4g}]"
        return (
            f"{self.metric_key} {self.rule.comparator} {self.rule.threshold:g}: "
            f"{shown}{interval} -> {self.verdict}"
        )


def check(rules: Sequence[QualityRule], metrics: Mapping[str, float]) -> list[CriterionResult]:
    """Each rule against ``metrics`` (with ``<scorer>/ci_low``/``ci_high`` for means)."""
    out: list[CriterionResult] = []
    for r in rules:
        value = metrics.get(r.metric_key)
        if value is None:
            out.append(CriterionResult(r, None, None))
            continue
        passed = r.holds(value)
        low = high = None
        significant = None
        if r.aggregation == "mean":
            low = metrics.get(f"{r.scorer_name}/ci_low")
            high = metrics.get(f"{r.scorer_name}/ci_high")
            if low is not None and high is not None:
                far = low if r.comparator == ">=" else high  # the end that could miss
                near = high if r.comparator == ">=" else low
                significant = r.holds(far) if passed else not r.holds(near)
        out.append(CriterionResult(r, float(value), passed, low, high, significant))
    return out
