"""Trace metrics of an experiment per time bucket: what the experiment overview charts.

Computed by the trace store (:meth:`ardea.store.traces.TraceStore.trace_metrics`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["AssessmentMetrics", "BucketMetrics", "TraceMetrics"]


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
