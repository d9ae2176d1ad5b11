"""MLflow's QueryTraceMetrics over the trace tables (:mod:`ardea.store.trace_metrics_query`).

Every view reads one row per counted thing, with its group (time bucket and dimensions) and
its value, from the traces of the query's experiments:

* TRACES: ``traces`` rows; time = ``request_time``; values: the id (counts), the session
  (counted distinct), the duration, the token columns, cached tokens from metadata.
* SPANS: the ``spans`` of those traces; the range is on the trace's ``request_time`` for span
  counts and latency and on the span's start for costs, buckets always on the span's start;
  values: the id, end minus start (ms), ``cost``, input/output cost from the
  ``mlflow.llm.cost`` attribute.
* ASSESSMENTS: the valid ``assessments`` of those traces; time = the trace's
  ``request_time``; values: the id (counts), the value as a number.

Two ways to aggregate. When every value is a column and no percentile is asked, the database
groups (``GROUP BY`` over a subquery of labelled columns, ordered and limited there). Otherwise
the rows come back and are grouped in Python (:func:`~ardea.store.trace_metrics_query.aggregate`):
percentiles, and values that live in JSON (cached tokens in the ``mlflow.trace.tokenUsage``
metadata, input/output cost, assessment values: ``true``/``"yes"`` = 1, ``false``/``"no"`` = 0,
numbers as they are, anything else no value). Either way rows with no value or an unknown
dimension are left out, groups are ordered by bucket then dimension values by code point
(PostgreSQL compares them under the "C" collation; the other databases' columns are binary),
and the first ``max_results`` are answered.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ardea.entities import MetricDataPoint, TraceMetricsQuery
from ardea.entities.trace_metrics import AggregationType, MetricViewType
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql.traces import tables as t
from ardea.store.sql.traces.search import json_member_text
from ardea.store.trace_metrics_query import (
    TIME_BUCKET,
    MetricFilter,
    aggregate,
    bucket_label,
)

__all__ = ["query_trace_metrics"]

_T, _S, _A = t.traces.c, t.spans.c, t.assessments.c
_NS_PER_MS = 1_000_000
_TOKEN_USAGE_KEY = "mlflow.trace.tokenUsage"
_COST_ATTRIBUTE = "mlflow.llm.cost"
_PROVIDER_ATTRIBUTE = "mlflow.llm.provider"
_TRACE_NAME_TAG = "mlflow.traceName"
_SESSION_KEY = "mlflow.trace.session"
_SOURCE_RUN_KEY = "mlflow.sourceRun"
_SQL_AGGREGATES: dict[str, Callable[[Any], ColumnElement[Any]]] = {
    AggregationType.COUNT.value: sa.func.count,
    AggregationType.SUM.value: sa.func.sum,
    AggregationType.AVG.value: sa.func.avg,
    AggregationType.MIN.value: sa.func.min,
    AggregationType.MAX.value: sa.func.max,
}

Derive = Callable[[Any], float | None]


@dataclass
class _Source:
    """Where one view's rows come from, and how to read their value."""

    from_: Any
    value: ColumnElement[Any]
    derive: Derive | None  # None: ``value`` is the number itself (aggregated in SQL)
    time: ColumnElement[Any]  # the range's column, ms
    bucket_time: ColumnElement[Any]  # the bucket's column, ms
    dimensions: dict[str, ColumnElement[Any]]
    where: Sequence[ColumnElement[bool]]
    distinct: bool = False  # count distinct values (sessions)
    time_in_ns: bool = False  # ``time`` is in nanoseconds


def _json(raw: Any) -> Any:
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _member(key: str) -> Derive:
    """A numeric member of a JSON object (possibly itself JSON-encoded in a string)."""

    def derive(raw: Any) -> float | None:
        doc = _json(raw)
        if isinstance(doc, str):
            doc = _json(doc)
        return _finite(doc.get(key)) if isinstance(doc, dict) else None

    return derive


def _assessment_number(raw: Any) -> float | None:
    """A stored assessment value (JSON text) as MLflow aggregates it (None: not a number)."""
    value = _json(raw)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, str):
        word = value.strip().lower()
        return {"yes": 1.0, "no": 0.0}.get(word)
    return _finite(value)


def _traces(metric: str, experiments: ColumnElement[bool]) -> _Source:
    base = [experiments]
    dims: dict[str, ColumnElement[Any]] = {"trace_name": _T.name, "trace_status": _T.state}
    columns: dict[str, ColumnElement[Any]] = {
        "trace_count": _T.trace_id,
        "latency": _T.execution_duration,
        "input_tokens": _T.input_tokens,
        "output_tokens": _T.output_tokens,
        "total_tokens": _T.total_tokens,
    }
    if metric in columns:
        return _Source(
            t.traces, columns[metric], None, _T.request_time, _T.request_time, dims, base
        )
    if metric == "session_count":
        time = _T.request_time
        return _Source(t.traces, _T.session_id, None, time, time, dims, base, distinct=True)
    meta = t.trace_metadata.alias("usage")
    joined = t.traces.join(
        meta, sa.and_(meta.c.trace_id == _T.trace_id, meta.c.key == _TOKEN_USAGE_KEY)
    )
    derive = _member(metric)  # cache_read_input_tokens, cache_creation_input_tokens
    return _Source(joined, meta.c.value, derive, _T.request_time, _T.request_time, dims, base)


def _spans(metric: str, experiments: ColumnElement[bool], dialect: str) -> _Source:
    joined = t.spans.join(t.traces, _T.trace_id == _S.trace_id)
    base = [experiments]
    dims: dict[str, ColumnElement[Any]] = {
        "span_name": _S.name,
        "span_type": _S.span_type,
        "span_status": _S.status_code,
        "span_model_name": _S.model,
        "span_model_provider": json_member_text(_S.attributes, _PROVIDER_ATTRIBUTE, dialect),
    }
    span_ms = _S.start_time_ns // _NS_PER_MS
    if metric == "span_count":
        return _Source(joined, _S.span_id, None, _T.request_time, span_ms, dims, base)
    if metric == "latency":
        value = (_S.end_time_ns - _S.start_time_ns) // _NS_PER_MS
        return _Source(joined, value, None, _T.request_time, span_ms, dims, base)
    if metric == "total_cost":
        return _Source(
            joined, _S.cost, None, _S.start_time_ns, span_ms, dims, base, time_in_ns=True
        )
    cost = json_member_text(_S.attributes, _COST_ATTRIBUTE, dialect)
    derive = _member(metric)  # input_cost, output_cost
    return _Source(joined, cost, derive, _S.start_time_ns, span_ms, dims, base, time_in_ns=True)


def _assessments(metric: str, experiments: ColumnElement[bool]) -> _Source:
    joined = t.assessments.join(t.traces, _T.trace_id == _A.trace_id)
    base = [experiments, _A.valid == sa.true()]
    dims: dict[str, ColumnElement[Any]] = {"assessment_name": _A.name, "assessment_value": _A.value}
    if metric == "assessment_count":
        return _Source(joined, _A.assessment_id, None, _T.request_time, _T.request_time, dims, base)
    derive = _assessment_number
    return _Source(joined, _A.value, derive, _T.request_time, _T.request_time, dims, base)


def _key_value_exists(table: sa.Table, key: str, value: str) -> ColumnElement[bool]:
    c = table.c
    return sa.exists().where(c.trace_id == _T.trace_id, c.key == key, c.value == value)


def _filter(f: MetricFilter) -> ColumnElement[bool]:
    """One parsed filter as a condition on the joined rows."""
    if f.view == "span":
        column = {"name": _S.name, "status": _S.status_code, "type": _S.span_type}[f.entity]
        return column == f.value
    if f.view == "assessment":
        return {"name": _A.name, "type": _A.kind}[f.entity] == f.value
    if f.entity == "status":
        return _T.state == f.value
    key = f.key or ""
    if f.entity == "tag":
        if key == _TRACE_NAME_TAG:
            return _T.name == f.value
        return _key_value_exists(t.trace_tags, key, f.value)
    if key == _SESSION_KEY:
        return _T.session_id == f.value
    if key == _SOURCE_RUN_KEY:
        return sa.or_(_T.run_id == f.value, _key_value_exists(t.trace_metadata, key, f.value))
    return _key_value_exists(t.trace_metadata, key, f.value)


def _time_range(source: _Source, query: TraceMetricsQuery) -> list[ColumnElement[bool]]:
    """``start <= time <= end`` (inclusive, ms); a nanosecond column covers the end's ms."""
    scale = _NS_PER_MS if source.time_in_ns else 1
    out: list[ColumnElement[bool]] = []
    if query.start_time_ms is not None:
        out.append(source.time >= query.start_time_ms * scale)
    if query.end_time_ms is not None:
        out.append(source.time < (query.end_time_ms + 1) * scale)
    return out


def _source(query: TraceMetricsQuery, experiments: ColumnElement[bool], dialect: str) -> _Source:
    view, metric = query.view_type, query.metric_name
    if view == MetricViewType.TRACES.value:
        return _traces(metric, experiments)
    if view == MetricViewType.SPANS.value:
        return _spans(metric, experiments, dialect)
    return _assessments(metric, experiments)


def _ordered(column: Any, dialect: str) -> Any:
    """``column`` for ORDER BY: strings by code point on PostgreSQL too."""
    if dialect == "postgresql" and isinstance(column.type, sa.String):
        return column.collate("C")
    return column


def _dimension_value(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _point(
    query: TraceMetricsQuery, key: Sequence[Any], values: dict[str, float]
) -> MetricDataPoint:
    names = ([TIME_BUCKET] if query.time_interval_seconds else []) + list(query.dimensions)
    dims: dict[str, str] = {}
    for name, value in zip(names, key, strict=True):
        dims[name] = bucket_label(int(value)) if name == TIME_BUCKET else _dimension_value(value)
    return MetricDataPoint(query.metric_name, dims, values)


def query_trace_metrics(
    conn: Connection,
    query: TraceMetricsQuery,
    filters: Sequence[MetricFilter],
    experiments: list[int],
    scope: WorkspaceScope = DEFAULT_SCOPE,
) -> list[MetricDataPoint]:
    """Run a checked query (:func:`~ardea.store.trace_metrics_query.check_query`).

    Args:
        conn: A read connection.
        query: The query.
        filters: Its parsed filters.
        experiments: Its experiment ids, as integers (unknown ones simply match nothing).
        scope: The workspace queried: experiments of others hold no trace.
    """
    dialect = conn.dialect.name
    source = _source(query, scope.in_experiments(_T.experiment_id, experiments), dialect)
    labelled: list[Any] = []
    if query.time_interval_seconds:
        width = query.time_interval_seconds * 1000
        labelled.append(((source.bucket_time // width) * width).label("g0"))
    for name in query.dimensions:
        labelled.append(source.dimensions[name].label(f"g{len(labelled)}"))
    where = [
        *source.where,
        *(_filter(f) for f in filters),
        *_time_range(source, query),
        source.value.is_not(None),
        *(c.element.is_not(None) for c in labelled[1 if query.time_interval_seconds else 0 :]),
    ]
    inner = sa.select(*labelled, source.value.label("v")).select_from(source.from_).where(*where)
    percentiles = any(
        a.aggregation_type == AggregationType.PERCENTILE.value for a in query.aggregations
    )
    if source.derive is None and not percentiles:
        return _grouped_in_sql(conn, query, inner.subquery("rows"), len(labelled), source.distinct)
    return _grouped_in_python(conn, query, inner, len(labelled), source.derive)


def _grouped_in_sql(
    conn: Connection, query: TraceMetricsQuery, rows: Any, n_keys: int, distinct: bool
) -> list[MetricDataPoint]:
    keys = [rows.c[f"g{i}"] for i in range(n_keys)]
    value = sa.distinct(rows.c.v) if distinct else rows.c.v
    aggregates = [
        _SQL_AGGREGATES[a.aggregation_type](value).label(f"a{i}")
        for i, a in enumerate(query.aggregations)
    ]
    select = sa.select(*keys, *aggregates).select_from(rows)
    if keys:
        dialect = conn.dialect.name
        select = select.group_by(*keys).order_by(*(_ordered(k, dialect) for k in keys))
    out: list[MetricDataPoint] = []
    for row in conn.execute(select.limit(query.max_results)):
        values = {
            a.label: float(row[n_keys + i])
            for i, a in enumerate(query.aggregations)
            if row[n_keys + i] is not None
        }
        if values:
            out.append(_point(query, row[:n_keys], values))
    return out


def _sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(k if isinstance(k, int) else str(k) for k in key)


def _grouped_in_python(
    conn: Connection, query: TraceMetricsQuery, select: Any, n_keys: int, derive: Derive | None
) -> list[MetricDataPoint]:
    groups: dict[tuple[Any, ...], list[float]] = {}
    bucketed = bool(query.time_interval_seconds)
    for row in conn.execute(select):
        raw = row[n_keys]
        number = derive(raw) if derive is not None else _finite(_plain(raw))
        if number is None:
            continue
        key = tuple(row[:n_keys])
        if bucketed:
            key = (int(key[0]), *key[1:])
        groups.setdefault(key, []).append(number)
    if not groups and n_keys == 0:
        groups[()] = []  # one group over nothing: COUNT is 0, as a SQL aggregate says
    out: list[MetricDataPoint] = []
    for key in sorted(groups, key=_sort_key):
        values = aggregate(groups[key], query.aggregations)
        if values:
            out.append(_point(query, key, values))
        if len(out) == query.max_results:
            break
    return out


def _plain(raw: Any) -> Any:
    """A database number as a Python int or float (Decimal from PostgreSQL/MySQL)."""
    if raw is None or isinstance(raw, (bool, int, float)):
        return raw
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None
