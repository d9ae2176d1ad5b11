"""Assessments over REST against a live ``ardea server``: Ardea's SDK, the stock ``mlflow``
3.18 client, each reading what the other wrote, and searches by assessment value."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import ardea
from ardea.entities import AssessmentSource, Expectation, Feedback
from ardea.tracing import provider

mlflow = pytest.importorskip("mlflow")

pytestmark = pytest.mark.slow

WAIT_S = 60.0


@pytest.fixture
def server(mlflow_env: str, live_server_module: Any) -> Iterator[str]:
    """The module's server, with Ardea's fluent API and the mlflow client both pointed at it."""
    provider.reset()
    provider.configure(schedule_delay=0.05)
    ardea.set_tracking_uri(mlflow_env)
    yield mlflow_env
    mlflow.flush_trace_async_logging()
    provider.reset()
    ardea.set_tracking_uri(None)


def _ardea_trace(experiment: str) -> str:
    ardea.set_experiment(experiment)

    @ardea.trace
    def answer(q: str) -> str:
        return q[::-1]

    answer("hello")
    trace_id = ardea.get_last_active_trace_id()
    assert trace_id is not None
    return trace_id


def _mlflow_trace(experiment: str) -> str:
    mlflow.set_experiment(experiment)

    @mlflow.trace
    def answer(q: str) -> str:
        return q.upper()

    answer("hello")
    trace_id = mlflow.get_last_active_trace_id()
    mlflow.flush_trace_async_logging()
    deadline = time.monotonic() + WAIT_S
    while mlflow.get_trace(trace_id) is None:
        assert time.monotonic() < deadline, f"trace {trace_id} never arrived"
        time.sleep(0.1)
    return str(trace_id)


def _mlflow_ids(experiment_id: str, filter_string: str) -> set[str]:
    found = mlflow.search_traces(
        locations=[experiment_id], filter_string=filter_string, return_type="list"
    )
    return {t.info.trace_id for t in found}


def _ardea_ids(filter_string: str) -> set[str]:
    found = ardea.search_traces(filter_string=filter_string, return_type="list")
    return {t.info.trace_id for t in found}


def test_ardea_sdk_over_rest(server: str) -> None:
    trace_id = _ardea_trace("assess-sdk")
    judge = AssessmentSource("LLM_JUDGE", "judge-1")
    first = ardea.log_feedback(
        trace_id=trace_id, name="correct", value=True, source=judge, rationale="fine"
    )
    assert isinstance(first, Feedback) and first.source == judge
    expected = ardea.log_expectation(trace_id=trace_id, name="expected", value={"a": [1, 2]})
    assert isinstance(expected, Expectation) and expected.value == {"a": [1, 2]}
    assert _ardea_ids("feedback.correct = 'true'") == {trace_id}
    assert _ardea_ids("expectation.expected LIKE '%[1, 2]%'") == {trace_id}

    fixed = ardea.override_feedback(
        trace_id=trace_id, assessment_id=first.assessment_id, value=False, rationale="no"
    )
    old = ardea.get_assessment(trace_id, first.assessment_id)
    assert (old.valid, old.value, fixed.overrides) == (False, True, first.assessment_id)
    assert _ardea_ids("feedback.correct = 'true'") == set()
    assert _ardea_ids("feedback.correct = 'false'") == {trace_id}

    with_error = ardea.log_feedback(trace_id=trace_id, name="judge", error=TimeoutError("slow"))
    assert ardea.get_assessment(trace_id, with_error.assessment_id).error_code == "TimeoutError"
    healed = ardea.update_assessment(
        trace_id, with_error.assessment_id, Feedback(name="judge", value=3, metadata={"k": 1})
    )
    assert (healed.value, healed.error, healed.metadata) == (3, None, {"k": "1"})
    assert _ardea_ids("feedback.judge >= 3") == {trace_id}

    ardea.delete_assessment(trace_id, fixed.assessment_id)
    assert ardea.get_assessment(trace_id, first.assessment_id).valid is True
    assert _ardea_ids("feedback.correct = 'true'") == {trace_id}


def test_bad_input_over_rest_changes_nothing(server: str) -> None:
    trace_id = _ardea_trace("assess-bad")
    other_id = _ardea_trace("assess-bad")
    kept = ardea.log_feedback(trace_id=trace_id, name="ok", value=1)
    with pytest.raises(ardea.NotFoundError):
        ardea.log_feedback(trace_id="tr-" + "0" * 32, value=1)
    with pytest.raises(ardea.NotFoundError):  # an assessment of another trace
        ardea.get_assessment(other_id, kept.assessment_id)
    with pytest.raises(ardea.NotFoundError):
        ardea.override_feedback(trace_id=other_id, assessment_id=kept.assessment_id, value=2)
    with pytest.raises(ardea.NotFoundError):
        ardea.delete_assessment(other_id, kept.assessment_id)
    with pytest.raises(ardea.InvalidArgumentError, match="JSON value"):
        ardea.log_feedback(trace_id=trace_id, value=object())
    url = f"{server}/api/3.0/mlflow/traces/{trace_id}/assessments"
    bad = {"assessment_name": "x", "source": {"source_type": "ROBOT"}, "feedback": {"value": 1}}
    response = httpx.post(url, json={"assessment": bad})
    assert response.status_code == 400
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    response = httpx.post(
        url, json={"assessment": {"assessment_name": "x", "feedback": {"value": 1}, "overrides": 5}}
    )
    assert response.status_code == 400
    assert [(a.name, a.valid) for a in ardea.get_trace(trace_id).info.assessments] == [("ok", True)]
    assert ardea.get_trace(other_id).info.assessments == []


def test_mlflow_reads_what_ardea_wrote(server: str) -> None:
    trace_id = _ardea_trace("assess-a2m")
    exp_id = ardea.get_trace(trace_id).info.experiment_id
    first = ardea.log_feedback(
        trace_id=trace_id,
        name="helpful",
        value="yes",
        source=AssessmentSource("HUMAN", "alice"),
        rationale="clear",
        metadata={"round": 1},
    )
    ardea.log_expectation(trace_id=trace_id, name="expected", value=["x", "y"])
    fixed = ardea.override_feedback(
        trace_id=trace_id, assessment_id=first.assessment_id, value="no"
    )

    got = mlflow.get_assessment(trace_id, first.assessment_id)
    assert isinstance(got, mlflow.entities.Feedback)
    assert (got.value, got.rationale, got.valid) == ("yes", "clear", False)
    assert (got.source.source_type, got.source.source_id) == ("HUMAN", "alice")
    assert got.metadata == {"round": "1"}
    new = mlflow.get_assessment(trace_id, fixed.assessment_id)
    assert (new.value, new.overrides, new.valid) == ("no", first.assessment_id, True)
    by_name = {
        a.name: a.value for a in mlflow.get_trace(trace_id).info.assessments if a.valid is not False
    }
    assert by_name == {"helpful": "no", "expected": ["x", "y"]}
    assert _mlflow_ids(exp_id, "feedback.helpful = 'no'") == {trace_id}
    assert _mlflow_ids(exp_id, "feedback.helpful = 'yes'") == set()
    assert _mlflow_ids(exp_id, "expectation.expected IS NOT NULL") == {trace_id}


def test_ardea_reads_what_mlflow_wrote(server: str) -> None:
    from mlflow.entities import AssessmentSource as MlflowSource

    trace_id = _mlflow_trace("assess-m2a")
    exp_id = mlflow.get_trace(trace_id).info.experiment_id
    first = mlflow.log_feedback(
        trace_id=trace_id,
        name="score",
        value=2,
        source=MlflowSource(source_type="LLM_JUDGE", source_id="gpt"),
        rationale="meh",
    )
    mlflow.log_expectation(trace_id=trace_id, name="expected", value={"answer": "HELLO"})
    fixed = mlflow.override_feedback(
        trace_id=trace_id, assessment_id=first.assessment_id, value=4, rationale="better"
    )

    old = ardea.get_assessment(trace_id, first.assessment_id)
    assert isinstance(old, Feedback)
    assert (old.value, old.valid, old.source) == (2, False, AssessmentSource("LLM_JUDGE", "gpt"))
    new = ardea.get_assessment(trace_id, fixed.assessment_id)
    assert (new.value, new.rationale, new.overrides) == (4, "better", first.assessment_id)
    assert _ardea_ids("feedback.score > 3") == {trace_id}
    assert _mlflow_ids(exp_id, "feedback.score > 3") == {trace_id}
    assert _mlflow_ids(exp_id, "feedback.score < 3") == set()
    assert _mlflow_ids(exp_id, "expectation.expected LIKE '%HELLO%'") == {trace_id}
    assert _mlflow_ids(exp_id, "feedback.missing IS NULL") == {trace_id}

    # Each client updates and deletes what the other wrote.
    ardea.update_assessment(trace_id, fixed.assessment_id, Feedback(name="score", value=5))
    assert mlflow.get_assessment(trace_id, fixed.assessment_id).value == 5
    mlflow.delete_assessment(trace_id=trace_id, assessment_id=fixed.assessment_id)
    assert ardea.get_assessment(trace_id, first.assessment_id).valid is True
    assert _ardea_ids("feedback.score = '2'") == {trace_id}
    with pytest.raises(ardea.NotFoundError):
        ardea.get_assessment(trace_id, fixed.assessment_id)
