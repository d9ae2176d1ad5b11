"""MLflow's trace analytics messages: QueryTraceMetrics and CalculateTraceFilterCorrelation.

Shared by the server (request -> entity, entity -> answer) and the REST trace store (entity
-> request, answer -> entity). A data point is ``{metric_name, dimensions: {name: value},
values: {label: number}}``; an undefined NPMI (NaN) is left out of the correlation answer, as
MLflow leaves it out. Pure: no web framework.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ardea.api.request_parsing import Field, RequestSpec
from ardea.entities import (
    MetricAggregation,
    MetricDataPoint,
    TraceFilterCorrelation,
    TraceMetricsQuery,
)

__all__ = [
    "AGGREGATION_TYPE",
    "CALCULATE_TRACE_FILTER_CORRELATION",
    "METRIC_VIEW_TYPE",
    "QUERY_TRACE_METRICS",
    "correlation_from_json",
    "correlation_to_json",
    "data_point_from_json",
    "data_point_to_json",
    "query_from_request",
    "query_to_json",
]

METRIC_VIEW_TYPE = {"TRACES": 1, "SPANS": 2, "ASSESSMENTS": 3}
"""MLflow's ``MetricViewType`` enum: name -> proto number."""
AGGREGATION_TYPE = {"COUNT": 1, "SUM": 2, "AVG": 3, "PERCENTILE": 4, "MIN": 5, "MAX": 6}
"""MLflow's ``AggregationType`` enum: name -> proto number."""

_STRS = Field("string", repeated=True)
_AGGREGATION = RequestSpec(
    "MetricAggregation",
    {
        "aggregation_type": Field("enum", required=True, enum=AGGREGATION_TYPE),
        "percentile_value": Field("double"),
    },
    {},
)
QUERY_TRACE_METRICS = RequestSpec(
    "QueryTraceMetrics",
    {
        "experiment_ids": Field("string", required=True, repeated=True),
        "view_type": Field("enum", required=True, enum=METRIC_VIEW_TYPE),
        "metric_name": Field("string", required=True),
        "aggregations": Field("message", required=True, repeated=True, message=_AGGREGATION),
        "dimensions": _STRS,
        "filters": _STRS,
        "time_interval_seconds": Field("int64"),
        "start_time_ms": Field("int64"),
        "end_time_ms": Field("int64"),
        "max_results": Field("int64"),
        "page_token": Field("string"),
    },
    {},
)
"""QueryTraceMetrics (``POST /api/3.0/mlflow/traces/metrics``)."""
CALCULATE_TRACE_FILTER_CORRELATION = RequestSpec(
    "CalculateTraceFilterCorrelation",
    {
        "experiment_ids": Field("string", required=True, repeated=True),
        "filter_string1": Field("string", required=True),
        "filter_string2": Field("string", required=True),
        "base_filter": Field("string"),
    },
    {},
)
"""CalculateTraceFilterCorrelation (``POST /api/3.0/.../traces/calculate-filter-correlation``)."""


def query_from_request(req: Mapping[str, Any], default_max_results: int) -> TraceMetricsQuery:
    """A parsed QueryTraceMetrics request as a query (``page_token`` is not part of it)."""
    max_results = req["max_results"]
    return TraceMetricsQuery(
        experiment_ids=tuple(req["experiment_ids"]),
        view_type=req["view_type"],
        metric_name=req["metric_name"],
        aggregations=tuple(
            MetricAggregation(a["aggregation_type"], a["percentile_value"])
            for a in req["aggregations"]
        ),
        dimensions=tuple(req["dimensions"]),
        filters=tuple(req["filters"]),
        time_interval_seconds=req["time_interval_seconds"] or None,
        start_time_ms=req["start_time_ms"],
        end_time_ms=req["end_time_ms"],
        max_results=default_max_results if max_results is None else max_results,
    )


def query_to_json(query: TraceMetricsQuery) -> dict[str, Any]:
    """A query as the QueryTraceMetrics request body."""
    body: dict[str, Any] = {
        "experiment_ids": list(query.experiment_ids),
        "view_type": query.view_type,
        "metric_name": query.metric_name,
        "aggregations": [
            {"aggregation_type": a.aggregation_type}
            | ({} if a.percentile_value is None else {"percentile_value": a.percentile_value})
            for a in query.aggregations
        ],
        "max_results": query.max_results,
    }
    if query.dimensions:
        body["dimensions"] = list(query.dimensions)
    if query.filters:
        body["filters"] = list(query.filters)
    for name in ("time_interval_seconds", "start_time_ms", "end_time_ms"):
        value = getattr(query, name)
        if value is not None:
            body[name] = value
    return body


def data_point_to_json(point: MetricDataPoint) -> dict[str, Any]:
    """A data point as MLflow's ``MetricDataPoint`` JSON."""
    return {
        "metric_name": point.metric_name,
        "dimensions": dict(point.dimensions),
        "values": dict(point.values),
    }


def data_point_from_json(doc: Mapping[str, Any]) -> MetricDataPoint:
    """A ``MetricDataPoint`` JSON object as a data point."""
    return MetricDataPoint(
        metric_name=str(doc.get("metric_name", "")),
        dimensions={str(k): str(v) for k, v in (doc.get("dimensions") or {}).items()},
        values={str(k): float(v) for k, v in (doc.get("values") or {}).items()},
    )


def _defined(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def correlation_to_json(result: TraceFilterCorrelation) -> dict[str, Any]:
    """The CalculateTraceFilterCorrelation answer (NaN values left out)."""
    out: dict[str, Any] = {
        "filter1_count": result.filter1_count,
        "filter2_count": result.filter2_count,
        "joint_count": result.joint_count,
        "total_count": result.total_count,
    }
    if _defined(result.npmi):
        out["npmi"] = result.npmi
    if _defined(result.npmi_smoothed):
        out["npmi_smoothed"] = result.npmi_smoothed
    return out


def correlation_from_json(doc: Mapping[str, Any]) -> TraceFilterCorrelation:
    """The CalculateTraceFilterCorrelation answer as a result (absent NPMI: NaN)."""
    smoothed = doc.get("npmi_smoothed")
    return TraceFilterCorrelation(
        npmi=float(doc["npmi"]) if doc.get("npmi") is not None else math.nan,
        npmi_smoothed=float(smoothed) if smoothed is not None else math.nan,
        filter1_count=int(doc.get("filter1_count") or 0),
        filter2_count=int(doc.get("filter2_count") or 0),
        joint_count=int(doc.get("joint_count") or 0),
        total_count=int(doc.get("total_count") or 0),
    )
