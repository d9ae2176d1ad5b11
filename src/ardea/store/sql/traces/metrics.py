"""Trace metrics of an experiment per time bucket, for the experiment overview's charts.

Counts, latency percentiles, tokens, cost and assessment pass rates.

Everything is aggregated in the database. Latency percentiles are PostgreSQL's
``percentile_cont`` there; on SQLite and MySQL, which have no such aggregate, the durations of
the range come back as one sorted column (grouped by bucket) and the percentiles are read
off in Python with the same linear interpolation (:func:`percentile`). On PostgreSQL that
took 2 s for 200,000 traces (issue 19's sizes), most of it moving the rows.

Buckets split ``[start_ms, end_ms)`` into ``buckets`` equal slices (the last may be shorter);
a trace falls in the bucket of its ``request_time``. Assessment pass rates count valid
feedback only: ``true`` and the strings ``yes`` / ``pass`` / ``true`` (any case) pass,
``false`` and every other string fail, numbers are averaged instead, ``null`` (an error) is
skipped.
"""

from __future__ import annotations

import json
import math
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError
from ardea.entities.trace_metrics import AssessmentMetrics, BucketMetrics, TraceMetrics
from ardea.store.sql.traces import tables as t
from ardea.store.trace_metrics_query import percentile

__all__ = [
    "MAX_BUCKETS",
    "assessment_verdict",
    "bucket_count",
    "percentile",
    "trace_metrics",
]

MAX_BUCKETS = 1000
"""The most buckets one request may ask for."""

_PASS = frozenset({"yes", "pass", "true"})
_T = t.traces.c
_A = t.assessments.c


def assessment_verdict(raw: str | None) -> bool | float | None:
    """A stored feedback value (JSON text) as a verdict (bool), a number, or None to skip."""
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return value.strip().lower() in _PASS
    return None


def bucket_count(start_ms: int, end_ms: int, buckets: int) -> int:
    """``buckets``, checked with the range (InvalidArgumentError when either is bad)."""
    if start_ms < 0 or end_ms <= start_ms:
        raise InvalidArgumentError(
            f"Invalid time range [{start_ms}, {end_ms}): end_ms must be after start_ms and "
            "both must be non-negative epoch milliseconds."
        )
    if not 1 <= buckets <= MAX_BUCKETS:
        raise InvalidArgumentError(
            f"Invalid value {buckets} for parameter 'buckets': it must be between 1 and "
            f"{MAX_BUCKETS}."
        )
    return buckets


def _fill_percentiles(bucket: BucketMetrics, durations: list[float]) -> None:
    bucket.latency_p50_ms = percentile(durations, 0.5)
    bucket.latency_p90_ms = percentile(durations, 0.9)
    bucket.latency_p99_ms = percentile(durations, 0.99)


_QUANTILES = (0.5, 0.9, 0.99)


def _pg_percentiles(duration: Any) -> Any:
    """PostgreSQL's ``percentile_cont`` of :data:`_QUANTILES`, NULL durations left out.

    The same linear interpolation as :func:`percentile`.
    """
    quantiles: Any = sa.literal_column(f"ARRAY[{', '.join(map(str, _QUANTILES))}]::float8[]")
    return sa.func.percentile_cont(quantiles).within_group(duration)


def _set_percentiles(bucket: BucketMetrics, values: list[float | None] | None) -> None:
    p50, p90, p99 = values or (None, None, None)
    bucket.latency_p50_ms = None if p50 is None else float(p50)
    bucket.latency_p90_ms = None if p90 is None else float(p90)
    bucket.latency_p99_ms = None if p99 is None else float(p99)


def _python_percentiles(
    conn: Connection, r: Any, out: list[BucketMetrics], totals: BucketMetrics
) -> None:
    """Percentiles read off the sorted durations of the range (SQLite, MySQL)."""
    durations = (
        sa.select(r.bucket, r.execution_duration)
        .where(r.execution_duration.is_not(None))
        .order_by(r.bucket, r.execution_duration)
    )
    per_bucket: dict[int, list[float]] = {}
    for idx, duration in conn.execute(durations):
        per_bucket.setdefault(int(idx), []).append(float(duration))
    for idx, values in per_bucket.items():
        _fill_percentiles(out[idx], values)
    _fill_percentiles(totals, sorted(v for values in per_bucket.values() for v in values))


def trace_metrics(
    conn: Connection, experiment_id: int, start_ms: int, end_ms: int, buckets: int
) -> TraceMetrics:
    """Aggregate the traces of one experiment with ``start_ms <= request_time < end_ms``.

    Args:
        conn: A connection to the tracking database.
        experiment_id: The experiment's integer id.
        start_ms: Start of the range, epoch milliseconds (inclusive).
        end_ms: End of the range, epoch milliseconds (exclusive).
        buckets: How many equal time buckets (1 to :data:`MAX_BUCKETS`).

    Raises:
        InvalidArgumentError: An empty or negative range, or a bucket count out of bounds.
    """
    n = bucket_count(start_ms, end_ms, buckets)
    width = max(1, -(-(end_ms - start_ms) // n))  # ceiling division
    n = -(-(end_ms - start_ms) // width)  # tiny ranges: no empty trailing buckets
    # The bucket is computed in a subquery, so GROUP BY names a plain column (PostgreSQL
    # rejects grouping by an expression whose bound parameters differ from the SELECT's).
    ranged = (
        sa.select(
            ((_T.request_time - start_ms) // width).label("bucket"),
            _T.trace_id,
            _T.state,
            _T.execution_duration,
            _T.input_tokens,
            _T.output_tokens,
            _T.cost,
        )
        .where(
            _T.experiment_id == experiment_id,
            _T.request_time >= start_ms,
            _T.request_time < end_ms,
        )
        .subquery("ranged")
    )
    r = ranged.c
    out = [BucketMetrics(start_ms + i * width) for i in range(n)]
    totals = BucketMetrics(start_ms)

    postgres = conn.dialect.name == "postgresql"
    aggregates = [
        sa.func.count(),
        sa.func.sum(sa.case((r.state == "ERROR", 1), else_=0)),
        sa.func.sum(r.input_tokens),
        sa.func.sum(r.output_tokens),
        sa.func.sum(r.cost),
    ]
    counts = sa.select(r.bucket, *aggregates).group_by(r.bucket)
    if postgres:  # percentiles in the database, per bucket and (bucket NULL) for the range
        aggregates.append(_pg_percentiles(r.execution_duration))
        everything: Any = sa.tuple_()
        grouping = sa.func.grouping_sets(sa.tuple_(r.bucket), everything)
        counts = sa.select(r.bucket, *aggregates).group_by(grouping)
    for idx, count, errors, tokens_in, tokens_out, cost, *pcts in conn.execute(counts):
        if idx is None:  # PostgreSQL's row for the whole range
            _set_percentiles(totals, pcts[0])
            continue
        b = out[int(idx)]
        b.trace_count = int(count)
        b.error_count = int(errors or 0)
        b.input_tokens = int(tokens_in or 0)
        b.output_tokens = int(tokens_out or 0)
        b.cost = float(cost or 0.0)
        totals.trace_count += b.trace_count
        totals.error_count += b.error_count
        totals.input_tokens += b.input_tokens
        totals.output_tokens += b.output_tokens
        totals.cost += b.cost
        if pcts:
            _set_percentiles(b, pcts[0])
    if not postgres:
        _python_percentiles(conn, r, out, totals)

    return TraceMetrics(start_ms, end_ms, width, out, totals, _assessments(conn, ranged, n))


def _assessments(conn: Connection, ranged: Any, n: int) -> list[AssessmentMetrics]:
    """Valid feedback of the range's traces, grouped by name, bucket and stored value."""
    r = ranged.c
    query = (
        sa.select(_A.name, r.bucket, _A.value, sa.func.count())
        .select_from(t.assessments.join(ranged, _A.trace_id == r.trace_id))
        .where(_A.kind == "feedback", _A.valid == sa.true())
        .group_by(_A.name, r.bucket, _A.value)
    )
    by_name: dict[str, AssessmentMetrics] = {}
    for name, idx, raw, count in conn.execute(query):
        m = by_name.get(name)
        if m is None:
            m = by_name[name] = AssessmentMetrics(
                name, bucket_pass=[0] * n, bucket_verdicts=[0] * n
            )
        count = int(count)
        m.count += count
        verdict = assessment_verdict(raw)
        if isinstance(verdict, bool):
            m.verdict_count += count
            m.bucket_verdicts[int(idx)] += count
            if verdict:
                m.pass_count += count
                m.bucket_pass[int(idx)] += count
        elif isinstance(verdict, float):
            m.numeric_count += count
            m.numeric_sum += verdict * count
    return [by_name[k] for k in sorted(by_name)]
