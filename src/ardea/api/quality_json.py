"""The JSON of Ardea's quality-over-time endpoint, both ways.

``GET /api/3.0/ardea/experiments/{id}/quality``. Each bucket carries its pass rate and the
Wilson score interval at the answer's ``confidence`` (:func:`ardea._core.intervals.wilson_bounds`,
the interval ``ardea.evaluation`` reports for pass rates).
"""

from __future__ import annotations

from typing import Any

from ardea._core.intervals import wilson_bounds
from ardea.entities.quality import QualityMetrics, QualitySeries

__all__ = ["quality_from_json", "quality_to_json"]


def _bucket(start_ms: int, passed: int, total: int, confidence: float) -> dict[str, Any]:
    bounds = wilson_bounds(passed, total, confidence)
    return {
        "start_ms": start_ms,
        "passed": passed,
        "total": total,
        "rate": passed / total if total else None,
        "low": bounds[0] if bounds else None,
        "high": bounds[1] if bounds else None,
    }


def quality_to_json(m: QualityMetrics, confidence: float = 0.95) -> dict[str, Any]:
    """The endpoint's answer for ``m`` (intervals at ``confidence``)."""
    series = []
    for s in m.series:
        buckets = [
            _bucket(m.start_ms + i * m.bucket_ms, p, n, confidence)
            for i, (p, n) in enumerate(zip(s.passed, s.total, strict=True))
        ]
        overall = _bucket(m.start_ms, s.pass_count, s.verdict_count, confidence)
        series.append({"judge": s.judge, "group": s.group, "overall": overall, "buckets": buckets})
    return {
        "start_ms": m.start_ms,
        "end_ms": m.end_ms,
        "bucket_ms": m.bucket_ms,
        "group_by": m.group_by,
        "confidence": confidence,
        "series": series,
    }


def quality_from_json(doc: dict[str, Any]) -> QualityMetrics:
    """A :class:`QualityMetrics` from the endpoint's answer (the intervals are dropped)."""
    series = [
        QualitySeries(
            str(s["judge"]),
            s.get("group"),
            [int(b["passed"]) for b in s.get("buckets") or []],
            [int(b["total"]) for b in s.get("buckets") or []],
        )
        for s in doc.get("series") or []
    ]
    return QualityMetrics(
        int(doc["start_ms"]),
        int(doc["end_ms"]),
        int(doc["bucket_ms"]),
        str(doc.get("group_by") or ""),
        series,
    )
