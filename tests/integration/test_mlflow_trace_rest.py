"""The ``mlflow`` client's trace REST calls beyond tracing itself, against a live ``ardea
server``: trace metrics (QueryTraceMetrics), filter correlation, the trace artifact download,
linking traces to a run right after tracing them, the legacy v2 start/end calls, and
assessments sent inside a trace record (StartTraceV3), as MLflow's REST suite drives them.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import pytest
import requests

mlflow = pytest.importorskip("mlflow")

from mlflow.entities import SpanEvent, TraceInfo, TraceLocation, TraceState  # noqa: E402
from mlflow.entities.trace_data import TraceData  # noqa: E402
from mlflow.entities.trace_metrics import (  # noqa: E402
    AggregationType,
    MetricAggregation,
    MetricViewType,
)
from mlflow.entities.trace_status import TraceStatus  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.tracing.analysis import TraceFilterCorrelationResult  # noqa: E402
from mlflow.tracing.client import TracingClient  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

pytestmark = pytest.mark.slow

WAIT_S = 60.0


@pytest.fixture
def client(mlflow_env: str, live_server_module: Any) -> Iterator[MlflowClient]:
    yield MlflowClient(live_server_module.url)
    mlflow.flush_trace_async_logging()
    mlflow.set_tracking_uri(None)


def _experiment(client: MlflowClient, prefix: str) -> str:
    return client.create_experiment(f"{prefix}-{uuid.uuid4().hex[:8]}")


def _traced(client: MlflowClient, experiment_id: str, name: str, **tags: str) -> str:
    span = client.start_trace(name=name, experiment_id=experiment_id, tags=tags or None)
    client.end_trace(request_id=span.request_id, status=TraceStatus.OK)
    return str(span.request_id)


def _wait_count(client: MlflowClient, experiment_id: str, n: int) -> None:
    mlflow.flush_trace_async_logging()
    deadline = time.monotonic() + WAIT_S
    while len(client.search_traces(locations=[experiment_id])) < n:
        if time.monotonic() > deadline:
            raise AssertionError(f"fewer than {n} traces in experiment {experiment_id}")
        time.sleep(0.1)


def test_query_trace_metrics_counts_traces_by_status(client: MlflowClient) -> None:
    exp = _experiment(client, "query-trace-metrics")
    for name, status in (("t1", TraceStatus.OK), ("t2", TraceStatus.OK), ("t3", "ERROR")):
        span = client.start_trace(name=name, experiment_id=exp)
        client.end_trace(request_id=span.request_id, status=status)
    _wait_count(client, exp, 3)

    store = client._tracing_client.store
    metrics = store.query_trace_metrics(
        experiment_ids=[exp],
        view_type=MetricViewType.TRACES,
        metric_name="trace_count",
        aggregations=[MetricAggregation(aggregation_type=AggregationType.COUNT)],
        dimensions=["trace_status"],
    )
    assert [asdict(m) for m in metrics] == [
        {
            "metric_name": "trace_count",
            "dimensions": {"trace_status": "ERROR"},
            "values": {"COUNT": 1},
        },
        {
            "metric_name": "trace_count",
            "dimensions": {"trace_status": "OK"},
            "values": {"COUNT": 2},
        },
    ]
    assert metrics.token is None

    latency = store.query_trace_metrics(
        experiment_ids=[exp],
        view_type=MetricViewType.TRACES,
        metric_name="latency",
        aggregations=[
            MetricAggregation(aggregation_type=AggregationType.PERCENTILE, percentile_value=50),
            MetricAggregation(aggregation_type=AggregationType.MAX),
        ],
        time_interval_seconds=3600,
        start_time_ms=0,
        end_time_ms=int(time.time() * 1000) + 60_000,
    )
    assert len(latency) == 1 and set(latency[0].values) == {"P50.0", "MAX"}
    assert latency[0].dimensions["time_bucket"].endswith("+00:00")

    with pytest.raises(MlflowException, match="invalid aggregation_type"):
        store.query_trace_metrics(
            experiment_ids=[exp],
            view_type=MetricViewType.TRACES,
            metric_name="trace_count",
            aggregations=[MetricAggregation(aggregation_type=AggregationType.SUM)],
        )


def test_calculate_trace_filter_correlation(client: MlflowClient) -> None:
    exp = _experiment(client, "correlation")
    for i in range(6):
        _traced(client, exp, f"prod-{i}", env="prod", span_type="TOOL")
    for i in range(4):
        _traced(client, exp, f"dev-{i}", env="dev", span_type="LLM" if i >= 1 else "TOOL")
    _wait_count(client, exp, 10)
    tracing = TracingClient(tracking_uri=client.tracking_uri)

    result = tracing.calculate_trace_filter_correlation(
        experiment_ids=[exp],
        filter_string1="tags.env = 'prod'",
        filter_string2="tags.span_type = 'TOOL'",
    )
    assert isinstance(result, TraceFilterCorrelationResult)
    counts = (result.total_count, result.filter1_count, result.filter2_count, result.joint_count)
    assert counts == (10, 6, 7, 6)
    assert 0.6 < result.npmi < 0.8 and result.npmi_smoothed is not None

    dev = tracing.calculate_trace_filter_correlation(
        experiment_ids=[exp],
        filter_string1="tags.env = 'dev'",
        filter_string2="tags.span_type = 'LLM'",
    )
    assert (dev.total_count, dev.filter1_count, dev.filter2_count, dev.joint_count) == (
        10,
        4,
        3,
        3,
    )
    assert dev.npmi > 0.5

    none = tracing.calculate_trace_filter_correlation(
        experiment_ids=[exp],
        filter_string1="tags.env = 'staging'",
        filter_string2="tags.span_type = 'TOOL'",
    )
    assert (none.filter1_count, none.joint_count) == (0, 0) and math.isnan(none.npmi)

    based = tracing.calculate_trace_filter_correlation(
        experiment_ids=[exp],
        filter_string1="tags.span_type = 'TOOL'",
        filter_string2="tags.span_type = 'LLM'",
        base_filter="tags.env = 'dev'",
    )
    assert (based.total_count, based.joint_count, based.npmi) == (4, 0, -1.0)

    with pytest.raises(MlflowException, match="Invalid"):
        tracing.calculate_trace_filter_correlation(
            experiment_ids=[exp],
            filter_string1="invalid.filter = 'test'",
            filter_string2="tags.span_type = 'TOOL'",
        )


def test_get_trace_artifact_answers_traces_json_as_mlflow_does(client: MlflowClient) -> None:
    mlflow.set_experiment(f"artifact-{uuid.uuid4().hex[:8]}")
    with mlflow.start_span(name="test") as span:
        span.set_attributes({"fruit": "apple"})
        span.add_event(SpanEvent("test_event", timestamp=99999, attributes={"foo": "bar"}))
    mlflow.flush_trace_async_logging()

    response = requests.get(
        f"{client.tracking_uri}/ajax-api/2.0/mlflow/get-trace-artifact",
        params={"request_id": span.trace_id},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=traces.json"
    data = TraceData.from_dict(json.loads(response.text))
    assert data.spans[0].to_dict() == span.to_dict()


def test_link_traces_right_after_tracing_them_then_search_by_run(client: MlflowClient) -> None:
    exp = mlflow.set_experiment(f"link-{uuid.uuid4().hex[:8]}").experiment_id
    run_id = client.create_run(exp).info.run_id

    with mlflow.start_run(run_id=run_id), mlflow.start_span(name="in-run") as span1:
        span1.set_attributes({"test": "value1"})
    with mlflow.start_span(name="linked") as span2:
        span2.set_attributes({"test": "value2"})
    # At once, while the export of trace 2 may still be under way.
    client.link_traces_to_run(trace_ids=[span2.trace_id], run_id=run_id)
    with mlflow.start_span(name="unlinked") as span3:
        span3.set_attributes({"test": "value3"})

    found = client.search_traces(locations=[exp], flush=True)
    assert {t.info.trace_id for t in found} == {span1.trace_id, span2.trace_id, span3.trace_id}
    linked = client.search_traces(locations=[exp], filter_string=f"attribute.run_id = '{run_id}'")
    assert {t.info.trace_id for t in linked} == {span1.trace_id, span2.trace_id}

    # A trace that never came: accepted, and nothing else changes.
    client.link_traces_to_run(trace_ids=["tr-" + uuid.uuid4().hex], run_id=run_id)
    again = client.search_traces(locations=[exp], filter_string=f"attribute.run_id = '{run_id}'")
    assert len(again) == 2
    with pytest.raises(MlflowException, match="not found"):
        client.link_traces_to_run(trace_ids=[span3.trace_id], run_id=uuid.uuid4().hex)


def test_legacy_v2_start_and_end_trace(client: MlflowClient) -> None:
    exp = _experiment(client, "start-end-v2")
    store = client._tracing_client.store

    def user_tags(tags: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in tags.items() if not k.startswith("mlflow.")}

    info = store.deprecated_start_trace_v2(
        experiment_id=exp,
        timestamp_ms=1000,
        request_metadata={"meta1": "apple", "meta2": "grape"},
        tags={"tag1": "football", "tag2": "basketball"},
    )
    assert info.request_id and info.experiment_id == exp
    assert (info.timestamp_ms, info.execution_time_ms) == (1000, 0)
    assert info.status == TraceStatus.IN_PROGRESS
    assert info.request_metadata == {"meta1": "apple", "meta2": "grape"}
    assert user_tags(info.tags) == {"tag1": "football", "tag2": "basketball"}
    assert info.tags["mlflow.artifactLocation"].endswith(f"/traces/{info.request_id}/artifacts")

    ended = store.deprecated_end_trace_v2(
        request_id=info.request_id,
        timestamp_ms=3000,
        status=TraceStatus.OK,
        request_metadata={"meta1": "orange", "meta3": "banana"},
        tags={"tag1": "soccer", "tag3": "tennis"},
    )
    assert (ended.request_id, ended.experiment_id) == (info.request_id, exp)
    assert (ended.timestamp_ms, ended.execution_time_ms, ended.status) == (
        1000,
        2000,
        TraceStatus.OK,
    )
    assert ended.request_metadata == {"meta1": "orange", "meta2": "grape", "meta3": "banana"}
    assert user_tags(ended.tags) == {"tag1": "soccer", "tag2": "basketball", "tag3": "tennis"}

    v3 = client._tracing_client.get_trace_info(info.request_id)
    assert (v3.state, v3.execution_duration) == (TraceState.OK, 2000)
    got = requests.get(
        f"{client.tracking_uri}/api/2.0/mlflow/traces/{info.request_id}/info", timeout=30
    ).json()["trace_info"]
    assert (got["status"], got["execution_time_ms"]) == ("OK", 2000)
    found = requests.get(
        f"{client.tracking_uri}/api/2.0/mlflow/traces",
        params={"experiment_ids": exp, "filter": "tags.tag3 = 'tennis'"},
        timeout=30,
    ).json()["traces"]
    assert [t["request_id"] for t in found] == [info.request_id]
    with pytest.raises(MlflowException, match="not found"):
        store.deprecated_end_trace_v2(
            request_id=uuid.uuid4().hex,
            timestamp_ms=3000,
            status=TraceStatus.OK,
            request_metadata={},
            tags={},
        )


def test_assessments_logged_inside_a_trace_travel_with_its_record(
    client: MlflowClient,
) -> None:
    mlflow.set_experiment(f"record-assessments-{uuid.uuid4().hex[:8]}")
    with mlflow.start_span(name="judged") as span:
        mlflow.log_feedback(trace_id=span.trace_id, name="quality", value=True, rationale="ok")
        mlflow.log_expectation(trace_id=span.trace_id, name="expected", value={"a": 1})
    mlflow.flush_trace_async_logging()

    info = client._tracing_client.get_trace_info(span.trace_id)  # GetTraceInfoV3
    by_name = {a.name: a for a in info.assessments}
    assert set(by_name) == {"quality", "expected"}
    assert by_name["quality"].feedback.value is True
    assert by_name["quality"].rationale == "ok"
    assert by_name["expected"].expectation.value == {"a": 1}
    assert all(a.assessment_id.startswith("a-") for a in info.assessments)
    (batch,) = client._tracing_client.store.batch_get_trace_infos([span.trace_id])
    assert {a.assessment_id for a in batch.assessments} == {
        a.assessment_id for a in info.assessments
    }
    trace = mlflow.get_trace(span.trace_id)
    assert {a.name for a in trace.info.assessments} == {"quality", "expected"}


def test_a_retried_trace_record_does_not_duplicate_its_assessments(
    client: MlflowClient,
) -> None:
    exp = _experiment(client, "retried-record")
    trace_id = "tr-" + uuid.uuid4().hex
    body = {
        "trace": {
            "trace_info": {
                "trace_id": trace_id,
                "trace_location": {
                    "type": "MLFLOW_EXPERIMENT",
                    "mlflow_experiment": {"experiment_id": exp},
                },
                "request_time": "2026-11-26T03:38:42.662Z",
                "execution_duration": "0.077s",
                "state": "OK",
                "assessments": [
                    {
                        "assessment_id": "a-" + "1" * 32,
                        "assessment_name": "ok",
                        "source": {"source_type": "CODE", "source_id": "check"},
                        "feedback": {"value": 0.5},
                    }
                ],
            }
        }
    }
    for _ in range(2):  # the client's retry after a lost answer
        r = requests.post(f"{client.tracking_uri}/api/3.0/mlflow/traces", json=body, timeout=30)
        assert r.status_code == 200, r.text
        assert [a["assessment_id"] for a in r.json()["trace"]["trace_info"]["assessments"]] == [
            "a-" + "1" * 32
        ]
    info = client._tracing_client.get_trace_info(trace_id)
    assert [(a.name, a.feedback.value) for a in info.assessments] == [("ok", 0.5)]

    stolen = dict(body["trace"]["trace_info"], trace_id="tr-" + uuid.uuid4().hex)
    r = requests.post(
        f"{client.tracking_uri}/api/3.0/mlflow/traces", json={"trace": {"trace_info": stolen}}
    )
    assert r.status_code == 400 and r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "belongs to another trace" in r.json()["message"]


def test_start_trace_v3_through_the_tracing_client_keeps_assessment_ids(
    client: MlflowClient,
) -> None:
    from mlflow.entities import AssessmentSource, Feedback

    exp = _experiment(client, "client-record")
    feedback = Feedback(
        name="score",
        value=3,
        source=AssessmentSource(source_type="HUMAN", source_id="ann"),
    )
    record = TraceInfo(
        trace_id="tr-" + uuid.uuid4().hex,
        trace_location=TraceLocation.from_experiment_id(exp),
        request_time=1000,
        execution_duration=20,
        state=TraceState.OK,
        assessments=[feedback],
    )
    stored = client._tracing_client.start_trace(record)  # the client assigns the id
    (sent,) = stored.assessments
    assert sent.assessment_id.startswith("a-") and sent.name == "score"
    (kept,) = client._tracing_client.get_trace_info(record.trace_id).assessments
    assert (kept.assessment_id, kept.feedback.value) == (sent.assessment_id, 3)
