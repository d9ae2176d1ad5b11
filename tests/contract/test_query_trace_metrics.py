"""``query_trace_metrics`` (MLflow's QueryTraceMetrics) over SQLite, the REST store,
PostgreSQL and MySQL/MariaDB: the same seed gives the same data points on each."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities import (
    Assessment,
    MetricAggregation,
    MetricDataPoint,
    Span,
    TraceInfo,
    TraceMetricsQuery,
)
from ardea.store.backend import Backend
from ardea.store.traces import TraceStore
from fixtures import workspaces
from fixtures.backends import fresh_sqlite, served, shared_backend

T0 = 1_577_836_800_000  # 2020-01-01T00:00:00Z
HOUR = 3_600_000
MS = 1_000_000
# trace number -> (name, state, request time, duration ms, session, model, provider)
TRACES: dict[int, tuple[str, str, int, int, str | None, str, str]] = {
    1: ("a", "OK", T0, 100, "s1", "gpt-x", "openai"),
    2: ("a", "OK", T0 + 600_000, 200, "s1", "gpt-x", "openai"),
    3: ("b", "ERROR", T0 + HOUR, 300, "s2", "claude", "anthropic"),
    4: ("b", "OK", T0 + HOUR + 1_800_000, 400, None, "claude", "anthropic"),
}


def tid(n: int) -> str:
    return f"tr-{n:032x}"


def _spans(n: int) -> list[Span]:
    name, state, start, duration, _, model, provider = TRACES[n]
    begin = start * MS
    usage = {"input_tokens": n, "output_tokens": 2 * n, "total_tokens": 3 * n}
    cost = {"input_cost": 0.1 * n, "output_cost": 0.2 * n, "total_cost": 0.3 * n}
    return [
        Span(tid(n), f"{n:014x}01", None, name, "CHAIN", "OK", "", begin, begin + duration * MS),
        Span(
            tid(n),
            f"{n:014x}02",
            f"{n:014x}01",
            "llm",
            "CHAT_MODEL",
            "ERROR" if state == "ERROR" else "OK",
            "",
            begin + 10 * MS,
            begin + (10 + 10 * n) * MS,
            attributes={
                "mlflow.chat.tokenUsage": usage,
                "mlflow.llm.cost": cost,
                "mlflow.llm.model": model,
                "mlflow.llm.provider": provider,
            },
        ),
    ]


def _record(n: int, experiment_id: str) -> TraceInfo:
    name, state, start, duration, session, _, _ = TRACES[n]
    metadata: dict[str, str] = {}
    if session:
        metadata["mlflow.trace.session"] = session
    if n in (1, 3):
        cached = {"input_tokens": n, "cache_read_input_tokens": 5 if n == 1 else 7}
        metadata["mlflow.trace.tokenUsage"] = json.dumps(cached)
    tags = {"mlflow.traceName": name, **({"env": "prod"} if n in (1, 3) else {})}
    return TraceInfo(
        tid(n), experiment_id, start, duration, state, None, None, None, metadata, tags
    )


def _feedback(n: int, name: str, value: Any, kind: str = "feedback") -> Assessment:
    return Assessment("", tid(n), name, kind, value, "HUMAN", "ann")


def seed(backend: Backend, experiment_id: str, other_id: str) -> None:
    """Four traces (two per hour, names a/b, one ERROR), their spans and assessments, plus one
    trace in another experiment that no query of ``experiment_id`` may count."""
    store = backend.traces
    for n in TRACES:
        store.log_spans(experiment_id, _spans(n))
        store.start_trace(_record(n, experiment_id))
    store.log_spans(other_id, [Span(tid(9), "9" * 16, None, "a", start_time_ns=T0 * MS)])
    store.start_trace(TraceInfo(tid(9), other_id, T0, 1000, "OK", tags={"mlflow.traceName": "a"}))
    for assessment in (
        _feedback(1, "correct", True),
        _feedback(2, "correct", False),
        _feedback(3, "correct", "yes"),
        _feedback(3, "score", 0.5),
        _feedback(4, "score", 1.0),
        _feedback(4, "expected", "x", "expectation"),
        _feedback(9, "correct", False),
    ):
        store.create_assessment(assessment)
    wrong = store.create_assessment(_feedback(4, "correct", False))
    right = _feedback(4, "correct", True)
    right.overrides = wrong.assessment_id  # the overridden one no longer counts
    store.create_assessment(right)


@pytest.fixture(
    params=[
        "sqlite",
        "rest",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
        *workspaces.MODES,
    ]
)
def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[TraceStore, str]]:
    """A trace store over the seed (REST: the server app's, over HTTP), and its experiment."""
    shared = request.param in ("postgres", "mysql")
    opened = workspaces.opened(request, tmp_path)
    backend = (
        next(opened)
        if opened
        else shared_backend(request, request.param)
        if shared
        else fresh_sqlite(request, tmp_path)
    )
    exp = backend.tracking.create_experiment("metrics")
    seed(backend, exp, backend.tracking.create_experiment("other"))
    if request.param == "rest":
        with served(backend) as remote:
            yield remote.traces, exp
    else:
        yield backend.traces, exp
    if opened:
        next(opened, None)  # the isolation check, then the database closes
    elif not shared:
        backend.close()


def agg(kind: str, p: float | None = None) -> MetricAggregation:
    return MetricAggregation(kind, p)


def query(
    seeded: tuple[TraceStore, str],
    view: str,
    metric: str,
    *aggregations: MetricAggregation,
    **options: Any,
) -> list[tuple[dict[str, str], dict[str, float]]]:
    store, exp = seeded
    for name in ("dimensions", "filters"):
        options[name] = tuple(options.get(name, ()))
    q = TraceMetricsQuery((exp,), view, metric, aggregations or (agg("COUNT"),), **options)
    page = store.query_trace_metrics(q)
    assert page.token is None
    assert all(isinstance(p, MetricDataPoint) and p.metric_name == metric for p in page)
    return [(p.dimensions, p.values) for p in page]


def test_trace_counts_by_status_name_and_nothing(seeded: tuple[TraceStore, str]) -> None:
    by_status = query(seeded, "TRACES", "trace_count", dimensions=["trace_status"])
    assert by_status == [
        ({"trace_status": "ERROR"}, {"COUNT": 1}),
        ({"trace_status": "OK"}, {"COUNT": 3}),
    ]
    assert query(seeded, "TRACES", "trace_count") == [({}, {"COUNT": 4})]
    both = query(seeded, "TRACES", "trace_count", dimensions=["trace_name", "trace_status"])
    assert [d for d, _ in both] == [
        {"trace_name": "a", "trace_status": "OK"},
        {"trace_name": "b", "trace_status": "ERROR"},
        {"trace_name": "b", "trace_status": "OK"},
    ]
    first = query(seeded, "TRACES", "trace_count", dimensions=["trace_status"], max_results=1)
    assert first == [({"trace_status": "ERROR"}, {"COUNT": 1})]
    assert query(seeded, "TRACES", "session_count") == [({}, {"COUNT": 2})]


def test_latency_aggregations_and_percentiles(seeded: tuple[TraceStore, str]) -> None:
    aggs = (agg("AVG"), agg("PERCENTILE", 50), agg("PERCENTILE", 90), agg("MIN"), agg("MAX"))
    points = query(seeded, "TRACES", "latency", *aggs, dimensions=["trace_name"])
    assert [d for d, _ in points] == [{"trace_name": "a"}, {"trace_name": "b"}]
    a, b = (v for _, v in points)
    assert a == pytest.approx(
        {"AVG": 150.0, "P50.0": 150.0, "P90.0": 190.0, "MIN": 100.0, "MAX": 200.0}
    )
    assert b == pytest.approx(
        {"AVG": 350.0, "P50.0": 350.0, "P90.0": 390.0, "MIN": 300.0, "MAX": 400.0}
    )
    (only,) = query(seeded, "TRACES", "latency", agg("PERCENTILE", 0.0))
    assert only == ({}, {"P0.0": 100.0})


def test_time_buckets_and_an_inclusive_range(seeded: tuple[TraceStore, str]) -> None:
    buckets = query(
        seeded,
        "TRACES",
        "trace_count",
        time_interval_seconds=3600,
        start_time_ms=T0,
        end_time_ms=T0 + 3 * HOUR,
    )
    assert buckets == [
        ({"time_bucket": "2020-01-01T00:00:00+00:00"}, {"COUNT": 2}),
        ({"time_bucket": "2020-01-01T01:00:00+00:00"}, {"COUNT": 2}),
    ]
    with_status = query(
        seeded,
        "TRACES",
        "latency",
        agg("MAX"),
        agg("PERCENTILE", 50),
        dimensions=["trace_name"],
        time_interval_seconds=3600,
        start_time_ms=T0,
        end_time_ms=T0 + 3 * HOUR,
    )
    assert [(d["time_bucket"][11:13], d["trace_name"], v["MAX"]) for d, v in with_status] == [
        ("00", "a", 200.0),
        ("01", "b", 400.0),
    ]
    exact = query(seeded, "TRACES", "trace_count", start_time_ms=T0 + HOUR, end_time_ms=T0 + HOUR)
    assert exact == [({}, {"COUNT": 1})]
    assert query(seeded, "TRACES", "latency", agg("AVG"), start_time_ms=T0 + 5 * HOUR) == []


def test_token_metrics_from_spans_and_cached_tokens_from_metadata(
    seeded: tuple[TraceStore, str],
) -> None:
    tokens = query(seeded, "TRACES", "input_tokens", agg("SUM"), dimensions=["trace_name"])
    assert tokens == [({"trace_name": "a"}, {"SUM": 3.0}), ({"trace_name": "b"}, {"SUM": 7.0})]
    total = query(seeded, "TRACES", "total_tokens", agg("SUM"), agg("PERCENTILE", 50))
    assert total == [({}, {"SUM": 30.0, "P50.0": 7.5})]
    cached = query(
        seeded, "TRACES", "cache_read_input_tokens", agg("SUM"), dimensions=["trace_name"]
    )
    assert cached == [({"trace_name": "a"}, {"SUM": 5.0}), ({"trace_name": "b"}, {"SUM": 7.0})]
    assert query(seeded, "TRACES", "cache_creation_input_tokens", agg("SUM")) == []


def test_trace_filters(seeded: tuple[TraceStore, str]) -> None:
    def count(*filters: str) -> float:
        ((_, values),) = query(seeded, "TRACES", "trace_count", filters=filters)
        return values["COUNT"]

    assert count("trace.status = 'OK'", "trace.tag.mlflow.traceName = 'b'") == 1
    assert count("trace.metadata.mlflow.trace.session = 's1'") == 2
    assert count("trace.tag.env = 'prod'") == 2
    assert count('trace.tag.`env` = "prod"', "trace.status = 'ERROR'") == 1
    assert count("trace.metadata.nope = 'x'") == 0


def test_span_metrics(seeded: tuple[TraceStore, str]) -> None:
    by_type = query(seeded, "SPANS", "span_count", dimensions=["span_type"])
    assert by_type == [
        ({"span_type": "CHAIN"}, {"COUNT": 4}),
        ({"span_type": "CHAT_MODEL"}, {"COUNT": 4}),
    ]
    by_status = query(seeded, "SPANS", "span_count", dimensions=["span_status"])
    assert by_status == [
        ({"span_status": "ERROR"}, {"COUNT": 1}),
        ({"span_status": "OK"}, {"COUNT": 7}),
    ]
    latency = query(
        seeded,
        "SPANS",
        "latency",
        agg("MAX"),
        agg("PERCENTILE", 50),
        dimensions=["span_name"],
        filters=["span.type = 'CHAT_MODEL'"],
    )
    assert latency == [({"span_name": "llm"}, {"MAX": 40.0, "P50.0": 25.0})]
    cost = query(seeded, "SPANS", "total_cost", agg("SUM"), dimensions=["span_model_name"])
    assert [d for d, _ in cost] == [{"span_model_name": "claude"}, {"span_model_name": "gpt-x"}]
    assert [v["SUM"] for _, v in cost] == pytest.approx([2.1, 0.9])
    inputs = query(seeded, "SPANS", "input_cost", agg("SUM"), dimensions=["span_model_provider"])
    assert [d["span_model_provider"] for d, _ in inputs] == ["anthropic", "openai"]
    assert [v["SUM"] for _, v in inputs] == pytest.approx([0.7, 0.3])
    buckets = query(
        seeded,
        "SPANS",
        "span_count",
        filters=["trace.tag.env = 'prod'"],
        time_interval_seconds=3600,
        start_time_ms=T0,
        end_time_ms=T0 + 3 * HOUR,
    )
    assert [v["COUNT"] for _, v in buckets] == [2, 2]


def test_assessment_metrics(seeded: tuple[TraceStore, str]) -> None:
    counts = query(seeded, "ASSESSMENTS", "assessment_count", dimensions=["assessment_name"])
    assert counts == [
        ({"assessment_name": "correct"}, {"COUNT": 4}),
        ({"assessment_name": "expected"}, {"COUNT": 1}),
        ({"assessment_name": "score"}, {"COUNT": 2}),
    ]
    by_value = query(
        seeded,
        "ASSESSMENTS",
        "assessment_count",
        dimensions=["assessment_name", "assessment_value"],
        filters=["assessment.name = 'correct'"],
    )
    assert [(d["assessment_value"], v["COUNT"]) for d, v in by_value] == [
        ('"yes"', 1),
        ("false", 1),
        ("true", 2),
    ]
    means = query(
        seeded,
        "ASSESSMENTS",
        "assessment_value",
        agg("AVG"),
        agg("MIN"),
        dimensions=["assessment_name"],
    )
    assert means == [
        ({"assessment_name": "correct"}, {"AVG": 0.75, "MIN": 0.0}),
        ({"assessment_name": "score"}, {"AVG": 0.75, "MIN": 0.5}),
    ]
    expectations = query(
        seeded, "ASSESSMENTS", "assessment_count", filters=["assessment.type = 'expectation'"]
    )
    assert expectations == [({}, {"COUNT": 1})]


@pytest.mark.parametrize(
    ("view", "metric", "aggregation", "options", "message"),
    [
        ("RUNS", "trace_count", agg("COUNT"), {}, "view_type"),
        ("TRACES", "span_count", agg("COUNT"), {}, "metric_name"),
        ("TRACES", "trace_count", agg("SUM"), {}, "aggregation_type"),
        ("TRACES", "latency", agg("PERCENTILE"), {}, "Percentile value is required"),
        ("TRACES", "latency", agg("PERCENTILE", 101), {}, "between 0 and 100"),
        ("TRACES", "latency", agg("AVG", 5), {}, "only allowed for PERCENTILE"),
        ("TRACES", "trace_count", agg("COUNT"), {"dimensions": ("span_type",)}, "dimension"),
        ("TRACES", "trace_count", agg("COUNT"), {"time_interval_seconds": 60}, "start_time_ms"),
        ("TRACES", "trace_count", agg("COUNT"), {"max_results": 0}, "max_results"),
        ("TRACES", "trace_count", agg("COUNT"), {"filters": ("trace.status > 'OK'",)}, "'='"),
        ("TRACES", "trace_count", agg("COUNT"), {"filters": ("nope.x = 'y'",)}, "view type"),
        (
            "TRACES",
            "trace_count",
            agg("COUNT"),
            {"filters": ("trace.tag = 'y'",)},
            "requires a key",
        ),
        ("TRACES", "trace_count", agg("COUNT"), {"filters": ("trace.status = OK",)}, "quoted"),
        ("TRACES", "trace_count", agg("COUNT"), {"filters": ("span.name = 'x'",)}, "SPANS"),
        (
            "SPANS",
            "span_count",
            agg("COUNT"),
            {"filters": ("assessment.name = 'x'",)},
            "ASSESSMENTS",
        ),
    ],
)
def test_bad_queries_are_refused(
    seeded: tuple[TraceStore, str],
    view: str,
    metric: str,
    aggregation: MetricAggregation,
    options: dict[str, Any],
    message: str,
) -> None:
    store, exp = seeded
    with pytest.raises(InvalidArgumentError, match=message):
        store.query_trace_metrics(
            TraceMetricsQuery((exp,), view, metric, (aggregation,), **options)
        )


def test_unknown_experiments_match_nothing(seeded: tuple[TraceStore, str]) -> None:
    store, _ = seeded
    q = TraceMetricsQuery(("123456",), "TRACES", "trace_count", (agg("COUNT"),), ("trace_status",))
    assert list(store.query_trace_metrics(q)) == []
