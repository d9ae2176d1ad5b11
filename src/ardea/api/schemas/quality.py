"""The answer of ``GET /api/3.0/ardea/experiments/{id}/quality`` (quality over time)."""

from __future__ import annotations

from typing_extensions import TypedDict

from ardea.api.schemas.common import Int64

__all__ = ["QualityBucket", "QualityResponse", "QualitySeriesJson"]


class QualityBucket(TypedDict):
    """One bucket of a series: verdicts, passes, the pass rate and its Wilson interval.

    ``rate``, ``low`` and ``high`` are null when the bucket has no verdict.
    """

    start_ms: Int64
    passed: int
    total: int
    rate: float | None
    low: float | None
    high: float | None


class QualitySeriesJson(TypedDict):
    """One judge (and group): per bucket, and over the whole range (``overall``)."""

    judge: str
    group: str | None
    overall: QualityBucket
    buckets: list[QualityBucket]


class QualityResponse(TypedDict):
    """Pass rates per judge (and group) per bucket, with Wilson intervals."""

    start_ms: Int64
    end_ms: Int64
    bucket_ms: Int64
    group_by: str
    confidence: float
    series: list[QualitySeriesJson]
