"""Ardea's own trace reads under ``/ardea/``: span pages and trace metrics over time."""

from __future__ import annotations

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64
from ardea.api.schemas.spans import OtelSpan

__all__ = ["AssessmentMetrics", "GetTraceSpansResponse", "TraceMetrics", "TraceMetricsBucket"]


class GetTraceSpansResponse(TypedDict):
    """One page of a trace's spans (all, the roots, or one span's children), by start time.

    ``parent_span_ids`` lists the spans of the page that have children (their base64
    ``span_id``); ``next_page_token`` is there only when more follow.
    """

    spans: list[OtelSpan]
    parent_span_ids: list[str]
    next_page_token: NotRequired[str]


class TraceMetricsBucket(TypedDict):
    """One time slice (or the whole range, as ``totals``); latencies in milliseconds.

    A latency percentile is ``null`` when the slice has no finished trace.
    """

    start_ms: Int64
    trace_count: Int64
    error_count: Int64
    latency_p50_ms: float | None
    latency_p90_ms: float | None
    latency_p99_ms: float | None
    input_tokens: Int64
    output_tokens: Int64
    cost: float


class AssessmentMetrics(TypedDict):
    """One feedback name over the range, with one entry per bucket in each list.

    ``pass_rates``, ``pass_counts`` and ``verdict_counts`` run bucket by bucket. A rate or mean
    is ``null`` where there was nothing to count.
    """

    name: str
    count: Int64
    pass_count: Int64
    verdict_count: Int64
    pass_rate: float | None
    numeric_count: Int64
    numeric_mean: float | None
    pass_rates: list[float | None]
    pass_counts: list[Int64]
    verdict_counts: list[Int64]


class TraceMetrics(TypedDict):
    """Trace metrics of an experiment over ``[start_ms, end_ms)`` in equal buckets."""

    start_ms: Int64
    end_ms: Int64
    bucket_ms: Int64
    buckets: list[TraceMetricsBucket]
    totals: TraceMetricsBucket
    assessments: list[AssessmentMetrics]
