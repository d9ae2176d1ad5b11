"""MLflow's trace metric queries (QueryTraceMetrics): what may be asked, and how to aggregate.

A query names a view (``TRACES``, ``SPANS`` or ``ASSESSMENTS``), one metric of that view,
the aggregations to compute and the dimensions to group by; :data:`CATALOGUE` lists what each
metric allows, as MLflow 3.18 does. Filters are single comparisons
``<view>.<entity>[.<key>] = '<value>'`` (:func:`parse_metric_filter`):

    trace.status | trace.tag.<key> | trace.metadata.<key>      every view
    span.name | span.status | span.type                        the SPANS view
    assessment.name | assessment.type                          the ASSESSMENTS view

A key may be backticked or double-quoted (``trace.tag.`my.key```); unquoted, everything after
the second dot is the key (``trace.metadata.mlflow.sourceRun``). Stores check a query with
:func:`check_query` and may aggregate in Python with :func:`aggregate` (percentiles are
linearly interpolated, as numpy's default and SQL's ``PERCENTILE_CONT``). Every error is an
:class:`~ardea._core.errors.InvalidArgumentError`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType

from ardea._core.errors import InvalidArgumentError
from ardea.entities.trace_metrics import (
    AggregationType,
    MetricAggregation,
    MetricViewType,
    TraceMetricsQuery,
)
from ardea.store.search._scanner import Scanner

__all__ = [
    "CATALOGUE",
    "MAX_RESULTS_DEFAULT",
    "MAX_RESULTS_LIMIT",
    "TIME_BUCKET",
    "MetricFilter",
    "MetricSpec",
    "aggregate",
    "bucket_label",
    "check_query",
    "parse_metric_filter",
    "percentile",
]

TIME_BUCKET = "time_bucket"
"""The dimension naming a data point's time bucket (its start, ISO 8601 in UTC)."""
MAX_RESULTS_DEFAULT = 1000
"""Data points answered when the query names no ``max_results`` (MLflow's default)."""
MAX_RESULTS_LIMIT = 50_000
"""The most data points one query may ask for."""

_A = AggregationType
_ALL = frozenset({_A.SUM.value, _A.AVG.value, _A.MIN.value, _A.MAX.value, _A.PERCENTILE.value})
_NO_SUM = _ALL - {_A.SUM.value}
_COUNT = frozenset({_A.COUNT.value})


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """What one metric allows: its aggregations and dimensions."""

    aggregations: frozenset[str]
    dimensions: frozenset[str]


def _spec(aggregations: frozenset[str], *dimensions: str) -> MetricSpec:
    return MetricSpec(aggregations, frozenset(dimensions))


_MODEL = ("span_model_name", "span_model_provider")
_TOKENS = _spec(_ALL, "trace_name")
_COST = _spec(_ALL, *_MODEL)

CATALOGUE: Mapping[str, Mapping[str, MetricSpec]] = MappingProxyType(
    {
        MetricViewType.TRACES.value: MappingProxyType(
            {
                "trace_count": _spec(_COUNT, "trace_name", "trace_status"),
                "session_count": _spec(_COUNT),
                "latency": _spec(_NO_SUM, "trace_name"),
                "input_tokens": _TOKENS,
                "output_tokens": _TOKENS,
                "total_tokens": _TOKENS,
                "cache_read_input_tokens": _TOKENS,
                "cache_creation_input_tokens": _TOKENS,
            }
        ),
        MetricViewType.SPANS.value: MappingProxyType(
            {
                "span_count": _spec(_COUNT, "span_name", "span_type", "span_status", *_MODEL),
                "latency": _spec(_NO_SUM, "span_name", "span_status"),
                "input_cost": _COST,
                "output_cost": _COST,
                "total_cost": _COST,
            }
        ),
        MetricViewType.ASSESSMENTS.value: MappingProxyType(
            {
                "assessment_count": _spec(_COUNT, "assessment_name", "assessment_value"),
                "assessment_value": _spec(_NO_SUM, "assessment_name"),
            }
        ),
    }
)
"""View -> metric -> what it allows (MLflow 3.18's table)."""

# entity -> whether it takes a key, per filter view
_FILTER_ENTITIES: Mapping[str, Mapping[str, bool]] = MappingProxyType(
    {
        "trace": MappingProxyType({"status": False, "tag": True, "metadata": True}),
        "span": MappingProxyType({"name": False, "status": False, "type": False}),
        "assessment": MappingProxyType({"name": False, "type": False}),
    }
)
_FILTER_VIEW_OF = {
    "span": MetricViewType.SPANS.value,
    "assessment": MetricViewType.ASSESSMENTS.value,
}


@dataclass(frozen=True, slots=True)
class MetricFilter:
    """One parsed filter: ``<view>.<entity>[.<key>] = '<value>'``."""

    view: str
    entity: str
    key: str | None
    value: str


def parse_metric_filter(text: str) -> MetricFilter:
    """Parse one filter of a metric query.

    Raises:
        InvalidArgumentError: Not a single ``identifier = 'string'`` comparison, an unknown
            view or entity, a key missing or superfluous, or another comparator.
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgumentError(f"Invalid filter: {text!r}. Expected one filter clause.")
    scanner = Scanner(text)
    ident = scanner.identifier()
    if len(ident.parts) < 2:
        raise scanner.error(
            f"Invalid identifier {ident.text!r}. Columns should be specified as "
            "'trace.<key>', 'span.<key>', 'assessment.<key>'"
        )
    view, entity = ident.parts[0], ident.parts[1]
    key = ".".join(ident.parts[2:]) or None
    entities = _FILTER_ENTITIES.get(view)
    if entities is None:
        raise scanner.error(
            f"Invalid view type {view!r}. Valid values are {list(_FILTER_ENTITIES)}"
        )
    if entity not in entities:
        raise scanner.error(
            f"Invalid entity {entity!r} specified for view type {view!r}. "
            f"Valid entities are {list(entities)}"
        )
    if entities[entity] and key is None:
        raise scanner.error(
            f"Filtering by {entity} requires a key, e.g. '{view}.{entity}.<key> = <value>'"
        )
    if not entities[entity] and key is not None:
        raise scanner.error(
            f"Filtering by {entity} does not require a key, use '{view}.{entity}' instead"
        )
    operator = scanner.operator()
    if operator != "=":
        raise scanner.error(f"Invalid comparator: {operator!r}, only '=' operator is supported")
    value = scanner.value()
    if value.kind != "string" or not isinstance(value.value, str):
        raise scanner.error(
            f"Expected a quoted string value for {entity} value (e.g. 'my-value'). "
            f"Got value {value.text}"
        )
    if not scanner.at_end():
        raise scanner.error(f"Invalid filter: expected one filter clause, got {scanner.rest()!r}")
    return MetricFilter(view, entity, key, value.value)


def _check_aggregation(agg: MetricAggregation, allowed: frozenset[str]) -> None:
    kind, p = agg.aggregation_type, agg.percentile_value
    if kind not in allowed:
        raise InvalidArgumentError(
            f"Found invalid aggregation_type(s): [{kind!r}]. "
            f"Supported aggregation types: {sorted(allowed)}"
        )
    if kind == _A.PERCENTILE.value:
        if p is None:
            raise InvalidArgumentError("Percentile value is required for PERCENTILE aggregation")
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 100:
            raise InvalidArgumentError(f"Percentile value must be between 0 and 100, got {p}")
    elif p is not None:
        raise InvalidArgumentError(
            f"Percentile value is only allowed for PERCENTILE aggregation type, got {kind}"
        )


def _check_int(name: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidArgumentError(f"Invalid value {value!r} for parameter {name!r}")


def check_query(query: TraceMetricsQuery) -> list[MetricFilter]:
    """Check a query against :data:`CATALOGUE`; returns its parsed filters.

    Raises:
        InvalidArgumentError: An unknown view, metric, aggregation or dimension, a bad
            percentile, a filter of another view, a time bucket without both ends of the
            range, no experiment, or ``max_results`` out of 1..:data:`MAX_RESULTS_LIMIT`.
    """
    metrics = CATALOGUE.get(query.view_type)
    if metrics is None:
        raise InvalidArgumentError(
            f"view_type must be one of {list(CATALOGUE)}, got {query.view_type!r}"
        )
    spec = metrics.get(query.metric_name)
    if spec is None:
        raise InvalidArgumentError(
            f"metric_name must be one of {list(metrics)}, got {query.metric_name!r}"
        )
    if not query.aggregations:
        raise InvalidArgumentError("Missing value for required parameter 'aggregations'.")
    for agg in query.aggregations:
        _check_aggregation(agg, spec.aggregations)
    invalid = sorted(set(query.dimensions) - spec.dimensions)
    if invalid:
        raise InvalidArgumentError(
            f"Found invalid dimension(s): {invalid}. Supported dimensions: "
            f"{sorted(spec.dimensions)}"
        )
    if len(set(query.dimensions)) != len(query.dimensions):
        raise InvalidArgumentError(f"A dimension is named twice: {list(query.dimensions)}")
    if not query.experiment_ids:
        raise InvalidArgumentError("Missing value for required parameter 'experiment_ids'.")
    for name in ("time_interval_seconds", "start_time_ms", "end_time_ms", "max_results"):
        _check_int(name, getattr(query, name))
    interval = query.time_interval_seconds
    if interval is not None and interval < 0:
        raise InvalidArgumentError(f"Invalid time_interval_seconds {interval}: must be positive")
    if interval and (query.start_time_ms is None or query.end_time_ms is None):
        raise InvalidArgumentError(
            "start_time_ms and end_time_ms are required if time_interval_seconds is set"
        )
    if not 1 <= query.max_results <= MAX_RESULTS_LIMIT:
        raise InvalidArgumentError(
            f"Invalid value {query.max_results} for parameter 'max_results': it must be "
            f"between 1 and {MAX_RESULTS_LIMIT}."
        )
    filters = [parse_metric_filter(f) for f in query.filters]
    for f in filters:
        needed = _FILTER_VIEW_OF.get(f.view)
        if needed is not None and needed != query.view_type:
            raise InvalidArgumentError(
                f"Filtering by {f.view} is only supported for {needed} view type, "
                f"got {query.view_type}"
            )
    return filters


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """The ``q`` (0..1) percentile of ascending values, linearly interpolated; None if empty."""
    if not sorted_values:
        return None
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    frac = pos - lo
    return float(sorted_values[lo]) + (float(sorted_values[hi]) - float(sorted_values[lo])) * frac


def aggregate(
    values: Sequence[float], aggregations: Sequence[MetricAggregation]
) -> dict[str, float]:
    """The aggregations of one group's values, by label; those without a value are left out.

    ``COUNT`` of no values is 0; every other aggregation of no values has none.
    """
    out: dict[str, float] = {}
    ordered = sorted(values)
    for agg in aggregations:
        kind = agg.aggregation_type
        result: float | None
        if kind == _A.COUNT.value:
            result = float(len(ordered))
        elif not ordered:
            result = None
        elif kind == _A.SUM.value:
            result = math.fsum(ordered)
        elif kind == _A.AVG.value:
            result = math.fsum(ordered) / len(ordered)
        elif kind == _A.MIN.value:
            result = float(ordered[0])
        elif kind == _A.MAX.value:
            result = float(ordered[-1])
        else:
            result = percentile(ordered, float(agg.percentile_value or 0.0) / 100)
        if result is not None:
            out[agg.label] = result
    return out


def bucket_label(start_ms: int | float) -> str:
    """A time bucket's start as MLflow names it: ISO 8601 in UTC (``...T00:00:00+00:00``)."""
    return datetime.fromtimestamp(float(start_ms) / 1000.0, tz=timezone.utc).isoformat()
