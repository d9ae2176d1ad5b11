"""MLflow's trace analytics answers: QueryTraceMetrics and CalculateTraceFilterCorrelation."""

from __future__ import annotations

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64

__all__ = [
    "CalculateTraceFilterCorrelationResponse",
    "MetricDataPoint",
    "QueryTraceMetricsResponse",
]


class MetricDataPoint(TypedDict):
    """One group: its dimension values and its aggregated values.

    ``dimensions`` holds the grouping dimensions asked for, and ``time_bucket`` (the bucket's
    start, ISO 8601 in UTC) when the query gave a time interval. ``values`` maps each
    aggregation (``COUNT``, ``SUM``, ``AVG``, ``MIN``, ``MAX``, ``P<percentile>`` such as
    ``P50.0``) to its value; one without a value is left out.
    """

    metric_name: str
    dimensions: dict[str, str]
    values: dict[str, float]


class QueryTraceMetricsResponse(TypedDict):
    """QueryTraceMetrics: the groups, in order of time bucket then dimension values.

    Everything comes on one page: ``next_page_token`` is never set (as in MLflow).
    """

    data_points: list[MetricDataPoint]
    next_page_token: NotRequired[str]


class CalculateTraceFilterCorrelationResponse(TypedDict):
    """CalculateTraceFilterCorrelation: trace counts and the NPMI of the two filters.

    ``npmi`` and ``npmi_smoothed`` are left out when undefined (a filter matches no trace).
    """

    npmi: NotRequired[float]
    npmi_smoothed: NotRequired[float]
    filter1_count: Int64
    filter2_count: Int64
    joint_count: Int64
    total_count: Int64
