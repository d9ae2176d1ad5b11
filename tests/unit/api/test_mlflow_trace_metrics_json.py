"""QueryTraceMetrics and CalculateTraceFilterCorrelation messages: requests and answers, and
that the ``mlflow`` client's protobuf messages read them."""

from __future__ import annotations

import math

from google.protobuf.json_format import ParseDict

from ardea.api.mlflow_trace_metrics_json import (
    QUERY_TRACE_METRICS,
    correlation_from_json,
    correlation_to_json,
    data_point_from_json,
    data_point_to_json,
    query_from_request,
    query_to_json,
)
from ardea.api.request_parsing import parse_dict
from ardea.entities import (
    MetricAggregation,
    MetricDataPoint,
    TraceFilterCorrelation,
    TraceMetricsQuery,
)

QUERY = TraceMetricsQuery(
    experiment_ids=("1", "2"),
    view_type="SPANS",
    metric_name="latency",
    aggregations=(MetricAggregation("PERCENTILE", 95.0), MetricAggregation("AVG")),
    dimensions=("span_name",),
    filters=("span.type = 'TOOL'",),
    time_interval_seconds=60,
    start_time_ms=0,
    end_time_ms=10,
    max_results=7,
)


def test_a_query_round_trips_and_is_mlflows_message() -> None:
    from mlflow.protos.service_pb2 import QueryTraceMetrics

    body = query_to_json(QUERY)
    assert query_from_request(parse_dict(QUERY_TRACE_METRICS, body), 1000) == QUERY
    proto = ParseDict(body, QueryTraceMetrics())
    assert (proto.metric_name, proto.aggregations[0].percentile_value) == ("latency", 95.0)
    bare = {k: v for k, v in body.items() if k != "max_results"}
    assert query_from_request(parse_dict(QUERY_TRACE_METRICS, bare), 1000).max_results == 1000


def test_data_points_and_correlations_parse_in_mlflow() -> None:
    from mlflow.entities.trace_metrics import MetricDataPoint as MlflowPoint
    from mlflow.protos.service_pb2 import CalculateTraceFilterCorrelation
    from mlflow.protos.service_pb2 import MetricDataPoint as ProtoPoint
    from mlflow.tracing.analysis import TraceFilterCorrelationResult

    point = MetricDataPoint("latency", {"span_name": "x"}, {"P95.0": 1.5, "AVG": 1.0})
    doc = data_point_to_json(point)
    assert data_point_from_json(doc) == point
    assert MlflowPoint.from_proto(ParseDict(doc, ProtoPoint())).values == point.values

    defined = TraceFilterCorrelation(0.5, 0.25, 2, 3, 1, 10)
    assert correlation_from_json(correlation_to_json(defined)) == defined
    undefined = correlation_to_json(TraceFilterCorrelation(math.nan, math.nan, 0, 3, 0, 10))
    assert set(undefined) == {"filter1_count", "filter2_count", "joint_count", "total_count"}
    parsed = TraceFilterCorrelationResult.from_proto(
        ParseDict(undefined, CalculateTraceFilterCorrelation.Response())
    )
    assert math.isnan(parsed.npmi) and parsed.npmi_smoothed is None
    back = correlation_from_json(undefined)
    assert math.isnan(back.npmi) and back.npmi_smoothed is not None
    assert math.isnan(back.npmi_smoothed)
