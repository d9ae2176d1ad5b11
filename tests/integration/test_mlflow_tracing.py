"""The real ``mlflow`` tracing client (3.18.0; 3.17.2 in make test's second pass) against a
live ``ardea server``.

Spans travel over OTLP (``/v1/traces``, since the server reports version 3.18.0), the trace
record over StartTraceV3, and reads over GetTraceInfoV3 / GetTrace / SearchTracesV3 /
BatchGetTraces, exactly as against ``mlflow server``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

mlflow = pytest.importorskip("mlflow")

from mlflow.entities import AssessmentSource, SpanType  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

pytestmark = pytest.mark.slow

WAIT_S = 60.0


@pytest.fixture
def client(mlflow_env: str, live_server_module: Any) -> Iterator[MlflowClient]:
    yield MlflowClient(live_server_module.url)
    mlflow.flush_trace_async_logging()
    mlflow.set_tracking_uri(None)


def _complete(trace_id: str, n_spans: int) -> Any:
    """The trace once the server holds ``n_spans`` spans (export is asynchronous)."""
    mlflow.flush_trace_async_logging()
    deadline = time.monotonic() + WAIT_S
    while True:
        trace = mlflow.get_trace(trace_id)
        if trace is not None and len(trace.data.spans) >= n_spans:
            return trace
        if time.monotonic() > deadline:
            raise AssertionError(f"trace {trace_id} never reached {n_spans} spans: {trace}")
        time.sleep(0.1)


@mlflow.trace(span_type=SpanType.TOOL)
def add(a: int, b: int) -> int:
    return a + b


@mlflow.trace(name="agent", span_type=SpanType.AGENT)
def agent(question: str) -> dict[str, Any]:
    total = add(1, 2)
    with mlflow.start_span("llm-call", span_type=SpanType.CHAT_MODEL) as span:
        span.set_inputs({"messages": [{"role": "user", "content": question}]})
        span.set_outputs({"choices": [{"message": {"role": "assistant", "content": "42"}}]})
        span.set_attribute("custom.flag", True)
    mlflow.update_current_trace(tags={"env": "test", "team": "ml"})
    return {"answer": 42, "total": total}


@mlflow.trace
def broken(x: int) -> int:
    raise ValueError(f"bad input {x}")


def test_decorated_and_manual_spans_round_trip(client: MlflowClient) -> None:
    exp = mlflow.set_experiment("tracing-roundtrip")
    assert agent("what is six times seven?") == {"answer": 42, "total": 3}
    trace_id = mlflow.get_last_active_trace_id()
    assert trace_id is not None and trace_id.startswith("tr-")

    trace = _complete(trace_id, 3)
    info = trace.info
    assert info.experiment_id == exp.experiment_id
    assert info.state.value == "OK"
    assert info.tags["env"] == "test"
    assert info.tags["mlflow.traceName"] == "agent"
    assert info.execution_duration is not None and info.execution_duration >= 0

    by_name = {s.name: s for s in trace.data.spans}
    assert set(by_name) == {"agent", "add", "llm-call"}
    root = by_name["agent"]
    assert root.parent_id is None
    assert root.span_type == SpanType.AGENT
    assert root.inputs == {"question": "what is six times seven?"}
    assert root.outputs == {"answer": 42, "total": 3}
    assert by_name["add"].span_type == SpanType.TOOL
    assert by_name["add"].inputs == {"a": 1, "b": 2}
    assert by_name["add"].outputs == 3
    assert by_name["add"].parent_id == root.span_id
    llm = by_name["llm-call"]
    assert llm.span_type == SpanType.CHAT_MODEL
    assert llm.inputs == {"messages": [{"role": "user", "content": "what is six times seven?"}]}
    assert llm.get_attribute("custom.flag") is True
    assert llm.trace_id == trace_id


def test_exception_marks_the_trace_error(client: MlflowClient) -> None:
    mlflow.set_experiment("tracing-errors")
    with pytest.raises(ValueError, match="bad input 3"):
        broken(3)
    trace_id = mlflow.get_last_active_trace_id()
    trace = _complete(trace_id, 1)
    assert trace.info.state.value == "ERROR"
    (span,) = trace.data.spans
    assert span.status.status_code.value == "ERROR"
    assert any(e.name == "exception" for e in span.events)
    event = next(e for e in span.events if e.name == "exception")
    assert event.attributes["exception.type"] == "ValueError"


def test_search_by_tag_status_and_span_type(client: MlflowClient) -> None:
    exp = mlflow.set_experiment("tracing-search")
    agent("one")
    ok_id = mlflow.get_last_active_trace_id()
    with pytest.raises(ValueError):
        broken(1)
    err_id = mlflow.get_last_active_trace_id()
    _complete(ok_id, 3)
    _complete(err_id, 1)

    def ids(filter_string: str) -> set[str]:
        found = mlflow.search_traces(
            locations=[exp.experiment_id], filter_string=filter_string, return_type="list"
        )
        return {t.info.trace_id for t in found}

    assert ids("tags.env = 'test' AND trace.status = 'OK'") == {ok_id}
    assert ids("trace.status = 'ERROR'") == {err_id}
    assert ids("span.type = 'CHAT_MODEL'") == {ok_id}
    assert ids("") == {ok_id, err_id}
    found = mlflow.search_traces(locations=[exp.experiment_id], return_type="list")
    spans = {t.info.trace_id: len(t.data.spans) for t in found}
    assert spans == {ok_id: 3, err_id: 1}


def test_assessments_and_tags(client: MlflowClient) -> None:
    mlflow.set_experiment("tracing-assess")
    agent("rate me")
    trace_id = mlflow.get_last_active_trace_id()
    _complete(trace_id, 3)

    feedback = mlflow.log_feedback(
        trace_id=trace_id,
        name="correctness",
        value=True,
        rationale="matches",
        source=AssessmentSource(source_type="HUMAN", source_id="alice"),
    )
    assert feedback.assessment_id.startswith("a-")
    mlflow.log_expectation(trace_id=trace_id, name="expected", value={"answer": 42, "tags": ["x"]})
    client.set_trace_tag(trace_id, "reviewed", "yes")

    info = client.get_trace(trace_id).info
    assert info.tags["reviewed"] == "yes"
    by_name = {a.name: a for a in info.assessments}
    assert by_name["correctness"].value is True
    assert by_name["correctness"].rationale == "matches"
    assert by_name["correctness"].source.source_id == "alice"
    assert by_name["expected"].value == {"answer": 42, "tags": ["x"]}

    got = mlflow.get_assessment(trace_id, feedback.assessment_id)
    assert got.value is True
    updated = mlflow.update_assessment(
        trace_id=trace_id,
        assessment_id=feedback.assessment_id,
        assessment=mlflow.entities.Feedback(name="correctness", value=False),
    )
    assert updated.value is False
    assert mlflow.get_assessment(trace_id, feedback.assessment_id).value is False

    mlflow.delete_assessment(trace_id=trace_id, assessment_id=feedback.assessment_id)
    names = {a.name for a in client.get_trace(trace_id).info.assessments}
    assert names == {"expected"}

    client.delete_trace_tag(trace_id, "reviewed")
    assert "reviewed" not in client.get_trace(trace_id).info.tags


def test_traces_in_a_run_are_linked_and_deletable(client: MlflowClient) -> None:
    exp = mlflow.set_experiment("tracing-run")
    with mlflow.start_run() as run:
        add(2, 3)
    trace_id = mlflow.get_last_active_trace_id()
    trace = _complete(trace_id, 1)
    assert trace.info.trace_metadata.get("mlflow.sourceRun") == run.info.run_id
    found = mlflow.search_traces(
        locations=[exp.experiment_id], run_id=run.info.run_id, return_type="list"
    )
    assert [t.info.trace_id for t in found] == [trace_id]
    deleted = client.delete_traces(exp.experiment_id, trace_ids=[trace_id])
    assert deleted == 1
    assert mlflow.search_traces(locations=[exp.experiment_id], return_type="list") == []
