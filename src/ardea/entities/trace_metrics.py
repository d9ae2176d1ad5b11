"""Trace metrics: what the experiment overview charts, and MLflow's metric queries.

* :class:`TraceMetrics`: an experiment's traces per time bucket (counts, latency percentiles,
  tokens, cost, pass rates), from :meth:`ardea.store.traces.TraceStore.trace_metrics`.
* :class:`TraceMetricsQuery` -> :class:`MetricDataPoint` rows: MLflow's QueryTraceMetrics
  (one metric of traces, spans or assessments, aggregated per dimension and time bucket),
  from :meth:`~ardea.store.traces.TraceStore.query_trace_metrics`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

__all__ = [
    "AggregationType",
    "AssessmentMetrics",
    "BucketMetrics",
    "MetricAggregation",
    "MetricDataPoint",
    "MetricViewType",
    "TraceMetrics",
    "TraceMetricsQuery",
]


@dataclass(slots=True)
class BucketMetrics:
    """The traces of one time bucket (``start_ms`` inclusive)."""

    start_ms: int
    trace_count: int = 0
    error_count: int = 0
    latency_p50_ms: float | None = None
    latency_p90_ms: float | None = None
    latency_p99_ms: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0


@dataclass(slots=True)
class AssessmentMetrics:
    """One feedback name over the range, with its pass rate per bucket (None: no verdicts)."""

    name: str
    count: int = 0
    pass_count: int = 0
    verdict_count: int = 0
    numeric_count: int = 0
    numeric_sum: float = 0.0
    bucket_pass: list[int] = field(default_factory=list)
    bucket_verdicts: list[int] = field(default_factory=list)

    @property
    def pass_rate(self) -> float | None:
        """Passes over pass/fail verdicts, or None when there were none."""
        return self.pass_count / self.verdict_count if self.verdict_count else None

    @property
    def numeric_mean(self) -> float | None:
        """The mean of the numeric values, or None when there were none."""
        return self.numeric_sum / self.numeric_count if self.numeric_count else None

    def pass_rates(self) -> list[float | None]:
        """The pass rate of each bucket (None where the bucket had no verdicts)."""
        return [
            p / n if n else None
            for p, n in zip(self.bucket_pass, self.bucket_verdicts, strict=True)
        ]


@dataclass(slots=True)
class TraceMetrics:
    """Per-bucket series, totals and assessments of an experiment's traces over a range."""

    start_ms: int
    end_ms: int
    bucket_ms: int
    buckets: list[BucketMetrics]
    totals: BucketMetrics
    assessments: list[AssessmentMetrics]


class MetricViewType(str, Enum):
    """What a metric query counts: traces, spans or assessments (MLflow's names)."""

    TRACES = "TRACES"
    SPANS = "SPANS"
    ASSESSMENTS = "ASSESSMENTS"


class AggregationType(str, Enum):
    """How a metric query aggregates values (MLflow's names)."""

    COUNT = "COUNT"
    SUM = "SUM"
    AVG = "AVG"
    PERCENTILE = "PERCENTILE"
    MIN = "MIN"
    MAX = "MAX"


@dataclass(frozen=True, slots=True)
class MetricAggregation:
    """One aggregation of a metric query.

    Attributes:
        aggregation_type: An :class:`AggregationType` name.
        percentile_value: For ``PERCENTILE`` only: 0 to 100.
    """

    aggregation_type: str
    percentile_value: float | None = None

    @property
    def label(self) -> str:
        """The key of this aggregation in a data point's values, as MLflow writes it.

        ``COUNT``, ``AVG``, ...; a percentile is ``P`` and its value as a float (``P50.0``,
        ``P99.9``).
        """
        if self.aggregation_type == AggregationType.PERCENTILE.value:
            return f"P{float(self.percentile_value or 0.0)}"
        return str(self.aggregation_type)


@dataclass(frozen=True, slots=True)
class TraceMetricsQuery:
    """One metric of some experiments' traces, spans or assessments (MLflow's QueryTraceMetrics).

    Attributes:
        experiment_ids: The experiments.
        view_type: A :class:`MetricViewType` name.
        metric_name: A metric of that view (``trace_count``, ``latency``, ``span_count``,
            ``assessment_value``, ...).
        aggregations: What to compute per group.
        dimensions: What to group by (``trace_status``, ``span_type``, ...).
        filters: Conditions ``<view>.<entity>[.<key>] = '<value>'``, all of which must hold.
        time_interval_seconds: Also group by time buckets of this size (needs both times).
        start_time_ms: Earliest trace (or span) time included, epoch milliseconds.
        end_time_ms: Latest time included (inclusive).
        max_results: The most data points answered.
    """

    experiment_ids: tuple[str, ...]
    view_type: str
    metric_name: str
    aggregations: tuple[MetricAggregation, ...]
    dimensions: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    time_interval_seconds: int | None = None
    start_time_ms: int | None = None
    end_time_ms: int | None = None
    max_results: int = 1000


@dataclass(slots=True)
class MetricDataPoint:
    """One group of a metric query's answer.

    Attributes:
        metric_name: The metric queried.
        dimensions: Dimension name -> value of this group; ``time_bucket`` is the bucket's
            start as ISO 8601 (UTC).
        values: Aggregation label (:attr:`MetricAggregation.label`) -> value.
    """

    metric_name: str
    dimensions: dict[str, str]
    values: dict[str, float]
