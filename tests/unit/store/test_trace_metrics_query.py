"""MLflow's trace metric queries: the catalogue checks, the filter grammar, Python aggregates."""

from __future__ import annotations

from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities import MetricAggregation, TraceMetricsQuery
from ardea.store.trace_metrics_query import (
    CATALOGUE,
    MetricFilter,
    aggregate,
    bucket_label,
    check_query,
    parse_metric_filter,
)


def q(
    view: str = "TRACES", metric: str = "trace_count", *aggs: MetricAggregation, **kw: Any
) -> TraceMetricsQuery:
    return TraceMetricsQuery(("1",), view, metric, aggs or (MetricAggregation("COUNT"),), **kw)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("trace.status = 'OK'", MetricFilter("trace", "status", None, "OK")),
        ('trace.tag.env = "prod"', MetricFilter("trace", "tag", "env", "prod")),
        ("trace.tag.`my.key` = 'v'", MetricFilter("trace", "tag", "my.key", "v")),
        (
            "trace.metadata.mlflow.sourceRun = 'r1'",
            MetricFilter("trace", "metadata", "mlflow.sourceRun", "r1"),
        ),
        ("  span.type='TOOL'  ", MetricFilter("span", "type", None, "TOOL")),
        ("assessment.name = 'it''s'", MetricFilter("assessment", "name", None, "it's")),
    ],
)
def test_filters_parse(text: str, expected: MetricFilter) -> None:
    assert parse_metric_filter(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Expected one filter clause"),
        ("status = 'OK'", "Columns should be specified as"),
        ("run.status = 'OK'", "Invalid view type"),
        ("trace.name = 'x'", "Invalid entity"),
        ("trace.metadata = 'x'", "requires a key"),
        ("span.name.x = 'x'", "does not require a key"),
        ("trace.status != 'OK'", "only '=' operator"),
        ("trace.status = 5", "quoted string"),
        ("trace.status = 'OK' AND trace.status = 'ERROR'", "one filter clause"),
    ],
)
def test_bad_filters_are_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        parse_metric_filter(text)


def test_the_catalogue_is_mlflows() -> None:
    assert set(CATALOGUE) == {"TRACES", "SPANS", "ASSESSMENTS"}
    assert set(CATALOGUE["TRACES"]["latency"].aggregations) == {"AVG", "MIN", "MAX", "PERCENTILE"}
    assert CATALOGUE["SPANS"]["span_count"].dimensions >= {"span_type", "span_model_provider"}
    assert check_query(q(filters=("trace.status = 'OK'",))) == [
        MetricFilter("trace", "status", None, "OK")
    ]
    check_query(
        q("TRACES", "latency", MetricAggregation("PERCENTILE", 99.9), dimensions=("trace_name",))
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (q(dimensions=("trace_status", "trace_status")), "named twice"),
        (
            TraceMetricsQuery((), "TRACES", "trace_count", (MetricAggregation("COUNT"),)),
            "experiment_ids",
        ),
        (TraceMetricsQuery(("1",), "TRACES", "trace_count", ()), "aggregations"),
        (q(time_interval_seconds=-5, start_time_ms=0, end_time_ms=1), "must be positive"),
        (q(max_results=50_001), "max_results"),
        (q(start_time_ms=True), "start_time_ms"),  # type: ignore[arg-type]
        (q("TRACES", "latency", MetricAggregation("PERCENTILE", True)), "between 0 and 100"),  # type: ignore[arg-type]
    ],
)
def test_bad_queries(query: TraceMetricsQuery, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        check_query(query)


def test_python_aggregates() -> None:
    aggs = [
        MetricAggregation("COUNT"),
        MetricAggregation("SUM"),
        MetricAggregation("AVG"),
        MetricAggregation("MIN"),
        MetricAggregation("MAX"),
        MetricAggregation("PERCENTILE", 50),
        MetricAggregation("PERCENTILE", 75.5),
    ]
    assert aggregate([300.0, 100.0, 200.0], aggs) == pytest.approx(
        {
            "COUNT": 3,
            "SUM": 600,
            "AVG": 200,
            "MIN": 100,
            "MAX": 300,
            "P50.0": 200,
            "P75.5": 251,
        }
    )
    assert aggregate([], aggs) == {"COUNT": 0.0}


def test_labels_and_bucket_names() -> None:
    assert MetricAggregation("PERCENTILE", 50).label == "P50.0"
    assert MetricAggregation("PERCENTILE", 99.9).label == "P99.9"
    assert MetricAggregation("MAX").label == "MAX"
    assert bucket_label(1577836800000) == "2020-01-01T00:00:00+00:00"
