"""Ardea's reads of logged evaluations under ``/ardea/evaluations/`` (for the web UI)."""

from __future__ import annotations

from typing import Any

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64

__all__ = [
    "EvaluationComparisonResponse",
    "EvaluationEstimate",
    "EvaluationResultsResponse",
    "EvaluationRow",
    "EvaluationRowScore",
    "EvaluationScorerComparison",
    "EvaluationScorerSummary",
    "EvaluationSummaryResponse",
    "LabelCount",
    "PairedRowTraces",
]


class EvaluationEstimate(TypedDict):
    """A point estimate with its two-sided interval (``low``/``high`` null when none)."""

    name: str
    value: float | None
    low: float | None
    high: float | None
    confidence: float
    method: str
    n: Int64


class LabelCount(TypedDict):
    """How many rows got one label (``pass``/``fail`` for binary scorers)."""

    label: str
    count: Int64


class EvaluationScorerSummary(TypedDict):
    """One scorer over one evaluation: counts and its aggregates with intervals."""

    scorer: str
    kind: str
    n_rows: Int64
    n_missing: Int64
    n_valid: Int64
    errors: Int64
    estimates: list[EvaluationEstimate]
    counts: list[LabelCount]


class EvaluationSummaryResponse(TypedDict):
    """An evaluation run's aggregates, one entry per scorer (sorted by name)."""

    run_id: str
    experiment_id: str
    run_name: str
    is_evaluation: bool
    n_rows: Int64
    scorers: list[EvaluationScorerSummary]


class EvaluationRowScore(TypedDict):
    """One scorer's verdict on one row; ``value`` is null when the scorer failed."""

    value: Any
    source_type: str
    rationale: NotRequired[str]
    error: NotRequired[str]


class EvaluationRow(TypedDict):
    """One row (trace) of an evaluation with its scores and expectations."""

    trace_id: str
    state: str
    scores: dict[str, EvaluationRowScore]
    expectations: dict[str, Any]
    request_preview: NotRequired[str]
    response_preview: NotRequired[str]
    record_id: NotRequired[str]


class EvaluationResultsResponse(TypedDict):
    """An evaluation run's rows, oldest trace first, and the scorers seen on them."""

    run_id: str
    experiment_id: str
    run_name: str
    is_evaluation: bool
    scorers: list[str]
    rows: list[EvaluationRow]


class EvaluationScorerComparison(TypedDict):
    """One scorer compared: baseline (a) vs candidate (b), difference ``b - a``."""

    scorer: str
    kind: str
    n_paired: Int64
    n_missing: Int64
    greater_is_better: bool
    test: str
    p_value: float | None
    p_adjusted: float | None
    a_value: float | None
    b_value: float | None
    diff: float | None
    diff_low: float | None
    diff_high: float | None
    effects: dict[str, float | None]
    other_p_values: dict[str, float | None]
    improved_rows: list[str]
    regressed_rows: list[str]
    changed_rows: list[str]
    verdict: str
    noise_floor: float | None
    within_noise: bool | None


class PairedRowTraces(TypedDict):
    """A row key of the comparison and its trace on each side (null where it has none)."""

    key: str
    baseline_trace_id: str | None
    candidate_trace_id: str | None


class EvaluationComparisonResponse(TypedDict):
    """Two evaluations compared row by row (see docs/evaluation-statistics.md)."""

    baseline_run_id: str
    candidate_run_id: str
    scorers: list[EvaluationScorerComparison]
    n_pairs: Int64
    unpaired_a: list[str]
    unpaired_b: list[str]
    ambiguous: list[str]
    alpha: float
    correction: str
    confidence: float
    rows: list[PairedRowTraces]
