"""``ardea.log_feedback`` and its siblings on an embedded store (a folder and a SQLite file)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest

import ardea
from ardea.entities import AssessmentError, AssessmentSource, Expectation, Feedback
from ardea.tracing import provider

pytest.importorskip("ardea.store.sql.traces.store")


@pytest.fixture
def trace_id(tracking_uri: str) -> Iterator[str]:
    """A finished trace of the fluent API's experiment (its spans not yet exported)."""
    provider.reset()

    @ardea.trace
    def answer(q: str) -> str:
        return q.upper()

    answer("hi")
    found = ardea.get_last_active_trace_id()
    assert found is not None
    yield found
    provider.reset()


def _ids(filter_string: str) -> list[str]:
    found = ardea.search_traces(filter_string=filter_string, return_type="list")
    return [t.info.trace_id for t in found]


def test_log_read_override_update_delete(trace_id: str) -> None:
    judge = AssessmentSource("LLM_JUDGE", "gpt-4.1-mini")
    first = ardea.log_feedback(
        trace_id=trace_id, name="correct", value=True, source=judge, rationale="looks right"
    )
    assert isinstance(first, Feedback) and first.assessment_id.startswith("a-")
    assert (first.trace_id, first.source, first.rationale) == (trace_id, judge, "looks right")
    expected = ardea.log_expectation(trace_id=trace_id, name="expected", value={"answer": "HI"})
    assert isinstance(expected, Expectation) and expected.source.source_type == "HUMAN"
    assert _ids("feedback.correct = 'true'") == [trace_id]

    fixed = ardea.override_feedback(
        trace_id=trace_id,
        assessment_id=first.assessment_id,
        value=False,
        rationale="wrong",
        source=AssessmentSource("HUMAN", "alice"),
        metadata={"reason": "typo"},
    )
    assert (fixed.name, fixed.overrides, fixed.valid) == ("correct", first.assessment_id, True)
    old = ardea.get_assessment(trace_id, first.assessment_id)
    assert (old.valid, old.value, old.rationale) == (False, True, "looks right")  # kept
    assert _ids("feedback.correct = 'true'") == []
    assert _ids("feedback.correct = 'false'") == [trace_id]

    updated = ardea.update_assessment(
        trace_id,
        fixed.assessment_id,
        Feedback(name="correct", value=False, rationale="really wrong", metadata={"pass": 2}),
    )
    assert (updated.rationale, updated.metadata) == (
        "really wrong",
        {"reason": "typo", "pass": "2"},
    )
    assert updated.source == AssessmentSource("HUMAN", "alice")  # source stays, as in MLflow
    assert updated.last_update_time >= fixed.last_update_time

    info = ardea.get_trace(trace_id).info
    assert {a.assessment_id: a.valid for a in info.assessments} == {
        first.assessment_id: False,
        expected.assessment_id: True,
        fixed.assessment_id: True,
    }
    ardea.delete_assessment(trace_id, fixed.assessment_id)
    assert ardea.get_assessment(trace_id, first.assessment_id).valid is True
    assert _ids("feedback.correct = 'true'") == [trace_id]
    with pytest.raises(ardea.NotFoundError):
        ardea.get_assessment(trace_id, fixed.assessment_id)


def test_log_assessment_sets_the_trace_and_a_new_id(trace_id: str) -> None:
    feedback = Feedback(name="score", value=0.5)
    stored = ardea.log_assessment(trace_id, feedback)
    assert feedback.trace_id == trace_id and stored.assessment_id
    again = ardea.log_assessment(trace_id, stored)  # a second, separate assessment
    assert again.assessment_id != stored.assessment_id
    assert _ids("feedback.score > 0.4") == [trace_id]


def test_feedback_with_an_error_and_no_value(trace_id: str) -> None:
    stored = ardea.log_feedback(
        trace_id=trace_id,
        name="faithfulness",
        error=AssessmentError("RATE_LIMIT_EXCEEDED", "try later"),
    )
    got = ardea.get_assessment(trace_id, stored.assessment_id)
    assert (got.value, got.error_code, got.error_message) == (
        None,
        "RATE_LIMIT_EXCEEDED",
        "try later",
    )
    cleared = ardea.update_assessment(
        trace_id, stored.assessment_id, Feedback(name="faithfulness", value=0.8)
    )
    assert (cleared.value, cleared.error) == (0.8, None)  # value and error change together


def test_bad_input_changes_nothing(trace_id: str) -> None:
    kept = ardea.log_feedback(trace_id=trace_id, name="ok", value=1)
    other = "tr-" + "0" * 32
    with pytest.raises(ardea.InvalidArgumentError, match="JSON value"):
        ardea.log_feedback(trace_id=trace_id, name="bad", value={1, 2})
    with pytest.raises(ardea.InvalidArgumentError, match="AssessmentSource"):
        ardea.log_feedback(trace_id=trace_id, value=1, source="HUMAN")  # type: ignore[arg-type]
    with pytest.raises(ardea.NotFoundError, match="not found"):
        ardea.log_feedback(trace_id=other, value=1)
    with pytest.raises(ardea.InvalidArgumentError):
        ardea.log_feedback(trace_id="", value=1)
    with pytest.raises(ardea.InvalidArgumentError, match="not a feedback"):
        expected = ardea.log_expectation(trace_id=trace_id, name="e", value="x")
        ardea.override_feedback(trace_id=trace_id, assessment_id=expected.assessment_id, value=2)
    with pytest.raises(ardea.InvalidArgumentError, match="Cannot update feedback value"):
        ardea.update_assessment(trace_id, expected.assessment_id, Feedback(value=2))
    with pytest.raises(ardea.InvalidArgumentError, match="JSON value"):
        ardea.update_assessment(trace_id, kept.assessment_id, Feedback(name="ok", value=object()))
    with pytest.raises(ardea.InvalidArgumentError, match="Feedback or an Expectation"):
        ardea.log_assessment(trace_id, {"name": "x", "value": 1})  # type: ignore[arg-type]
    # An assessment of another trace is not found through this one.
    with pytest.raises(ardea.NotFoundError):
        ardea.get_assessment(other, kept.assessment_id)
    info = ardea.get_trace(trace_id).info
    assert [(a.name, a.value, a.valid) for a in info.assessments] == [
        ("ok", 1, True),
        ("e", "x", True),
    ]


def test_an_open_trace_is_reported_as_in_progress(tracking_uri: str) -> None:
    provider.reset()
    in_progress = pytest.raises(ardea.FailedPreconditionError, match="still in progress")
    with ardea.start_span("outer") as span, in_progress:
        ardea.log_feedback(trace_id=span.trace_id, value=1)
    provider.reset()


def test_signatures_match_mlflow() -> None:
    mlflow_assessment = pytest.importorskip("mlflow.tracing.assessment")
    for name in (
        "log_feedback",
        "log_expectation",
        "log_assessment",
        "get_assessment",
        "update_assessment",
        "override_feedback",
        "delete_assessment",
    ):
        ours = inspect.signature(getattr(ardea, name)).parameters
        theirs = inspect.signature(getattr(mlflow_assessment, name)).parameters
        assert [(p.name, p.kind, p.default) for p in ours.values()] == [
            (p.name, p.kind, p.default) for p in theirs.values()
        ], name
