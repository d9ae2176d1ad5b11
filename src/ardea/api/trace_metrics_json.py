"""The JSON of Ardea's trace-metrics endpoint.

``GET /api/3.0/ardea/experiments/{id}/trace-metrics``. Shared by the server (entity to JSON)
and the REST trace store (JSON to entity).
"""

from __future__ import annotations

from typing import Any

from ardea.entities.trace_metrics import AssessmentMetrics, BucketMetrics, TraceMetrics

__all__ = ["trace_metrics_from_json", "trace_metrics_to_json"]

_BUCKET_FIELDS = (
    "start_ms",
    "trace_count",
    "error_count",
    "latency_p50_ms",
    "latency_p90_ms",
    "latency_p99_ms",
    "input_tokens",
    "output_tokens",
    "cost",
)


def _bucket_json(b: BucketMetrics) -> dict[str, Any]:
    return {name: getattr(b, name) for name in _BUCKET_FIELDS}


def trace_metrics_to_json(m: TraceMetrics) -> dict[str, Any]:
    """The endpoint's answer for ``m``."""
    return {
        "start_ms": m.start_ms,
        "end_ms": m.end_ms,
        "bucket_ms": m.bucket_ms,
        "buckets": [_bucket_json(b) for b in m.buckets],
        "totals": _bucket_json(m.totals),
        "assessments": [
            {
                "name": a.name,
                "count": a.count,
                "pass_count": a.pass_count,
                "verdict_count": a.verdict_count,
                "pass_rate": a.pass_rate,
                "numeric_count": a.numeric_count,
                "numeric_mean": a.numeric_mean,
                "pass_rates": a.pass_rates(),
                "pass_counts": a.bucket_pass,
                "verdict_counts": a.bucket_verdicts,
            }
            for a in m.assessments
        ],
    }


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _bucket(doc: dict[str, Any]) -> BucketMetrics:
    return BucketMetrics(
        start_ms=int(doc["start_ms"]),
        trace_count=int(doc.get("trace_count") or 0),
        error_count=int(doc.get("error_count") or 0),
        latency_p50_ms=_float_or_none(doc.get("latency_p50_ms")),
        latency_p90_ms=_float_or_none(doc.get("latency_p90_ms")),
        latency_p99_ms=_float_or_none(doc.get("latency_p99_ms")),
        input_tokens=int(doc.get("input_tokens") or 0),
        output_tokens=int(doc.get("output_tokens") or 0),
        cost=float(doc.get("cost") or 0.0),
    )


def _assessment(doc: dict[str, Any]) -> AssessmentMetrics:
    count = int(doc.get("numeric_count") or 0)
    mean = doc.get("numeric_mean")
    return AssessmentMetrics(
        name=doc["name"],
        count=int(doc.get("count") or 0),
        pass_count=int(doc.get("pass_count") or 0),
        verdict_count=int(doc.get("verdict_count") or 0),
        numeric_count=count,
        numeric_sum=float(mean) * count if mean is not None else 0.0,
        bucket_pass=[int(n) for n in doc.get("pass_counts") or []],
        bucket_verdicts=[int(n) for n in doc.get("verdict_counts") or []],
    )


def trace_metrics_from_json(doc: dict[str, Any]) -> TraceMetrics:
    """A :class:`TraceMetrics` from the endpoint's answer."""
    return TraceMetrics(
        start_ms=int(doc["start_ms"]),
        end_ms=int(doc["end_ms"]),
        bucket_ms=int(doc["bucket_ms"]),
        buckets=[_bucket(b) for b in doc.get("buckets") or []],
        totals=_bucket(doc["totals"]),
        assessments=[_assessment(a) for a in doc.get("assessments") or []],
    )
