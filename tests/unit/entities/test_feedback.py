"""``Feedback``, ``Expectation``, ``AssessmentSource``: MLflow's constructors and checks."""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import pytest

import ardea
from ardea._core.errors import InvalidArgumentError
from ardea.entities import (
    Assessment,
    AssessmentError,
    AssessmentSource,
    AssessmentSourceType,
    Expectation,
    Feedback,
)
from ardea.entities.feedback import make_assessment, with_fields


def test_feedback_defaults_match_mlflow() -> None:
    f = Feedback()
    assert (f.name, f.value, f.kind, f.valid) == ("feedback", None, "feedback", True)
    assert f.source == AssessmentSource("CODE", "default")
    assert f.create_time_ms > 0 and f.last_update_time_ms == f.create_time_ms
    assert f.metadata == {} and f.error is None and f.expectation is None
    assert isinstance(f, Assessment)


def test_expectation_defaults_to_a_human_source_and_needs_a_value() -> None:
    e = Expectation("expected", {"answer": [1, 2]})
    assert (e.kind, e.source.source_type, e.expectation) == ("expectation", "HUMAN", e.expectation)
    assert e.expectation is not None and e.expectation.value == {"answer": [1, 2]}
    assert e.feedback is None
    with pytest.raises(InvalidArgumentError, match="`value` field must be specified"):
        Expectation("expected", None)


def test_feedback_takes_mlflows_keywords() -> None:
    f = Feedback(
        name="relevance",
        value=0.9,
        rationale="on topic",
        source=AssessmentSource(source_type="llm_judge", source_id="gpt-4.1-mini"),
        trace_id="tr-1",
        metadata={"round": 2, "ok": True},
        span_id="00000000000000aa",
        create_time_ms=1000,
        last_update_time_ms=2000,
        overrides="a-1",
        valid=False,
    )
    assert f.source_type == "LLM_JUDGE" and f.source_id == "gpt-4.1-mini"
    assert f.metadata == {"round": "2", "ok": "True"}  # stored as strings, as MLflow sends them
    assert (f.create_time, f.last_update_time, f.overrides, f.valid) == (1000, 2000, "a-1", False)
    assert f.feedback is not None and f.feedback.value == 0.9


def test_errors_from_exceptions_and_strings() -> None:
    try:
        raise TimeoutError("judge timed out")
    except TimeoutError as exc:
        f = Feedback(name="x", error=exc)
    assert (f.error_code, f.error_message) == ("TimeoutError", "judge timed out")
    assert f.error is not None and "Traceback" in (f.error.stack_trace or "")
    assert Feedback(error="bad").error == AssessmentError("ASSESSMENT_ERROR", "bad")
    with pytest.raises(InvalidArgumentError, match="'error' must be"):
        Feedback(error=3)  # type: ignore[arg-type]


def test_a_huge_stack_trace_is_cut_to_its_end() -> None:
    exc = ValueError("x" * 20_000)
    f = Feedback(error=exc)
    assert f.error is not None and f.error.stack_trace is not None
    assert len(f.error.stack_trace) == 10_000
    assert f.error.stack_trace.startswith("[Stack trace is truncated]")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (3, 3),
        ("yes", "yes"),
        ((1, 2), [1, 2]),
        ({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]}),
    ],
)
def test_feedback_values_are_json(value: Any, expected: Any) -> None:
    assert Feedback(value=value).value == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({1, 2}, "must be a JSON value"),
        (object(), "must be a JSON value"),
        (float("nan"), "finite number"),
        ({"a": [float("inf")]}, r"at value\['a'\]\[0\] must be a finite"),
        ({1: "x"}, "non-string key"),
    ],
)
def test_bad_values_are_refused(value: Any, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        Feedback(value=value)
    with pytest.raises(InvalidArgumentError, match=message):
        Expectation("e", value)


def test_numpy_scalars_become_python_numbers() -> None:
    np = pytest.importorskip("numpy")
    assert Feedback(value=np.float32(0.5)).value == 0.5
    assert type(Feedback(value=np.int64(3)).value) is int
    assert Feedback(value=np.bool_(True)).value is True


def test_source_must_be_an_assessment_source() -> None:
    with pytest.raises(InvalidArgumentError, match="must be an instance of `AssessmentSource`"):
        Feedback(source="HUMAN")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="Invalid assessment source type: ROBOT"):
        AssessmentSource("ROBOT")


def test_source_types_are_case_insensitive_and_ai_judge_is_llm_judge() -> None:
    assert AssessmentSourceType("human") is AssessmentSourceType.HUMAN
    assert str(AssessmentSourceType.CODE) == "CODE"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert AssessmentSource("AI_JUDGE").source_type == "LLM_JUDGE"
    assert caught and caught[0].category is FutureWarning
    assert [m.value for m in AssessmentSourceType] == [
        "HUMAN",
        "LLM_JUDGE",
        "CODE",
        "SOURCE_TYPE_UNSPECIFIED",
    ]


def test_replace_and_with_fields_keep_the_type() -> None:
    f = Feedback(name="x", value=1, rationale="r")
    g = dataclasses.replace(f, trace_id="tr-1", assessment_id="a-1")
    assert type(g) is Feedback and (g.trace_id, g.assessment_id, g.rationale) == (
        "tr-1",
        "a-1",
        "r",
    )
    e = dataclasses.replace(Expectation("e", 1), valid=False)
    assert type(e) is Expectation and e.valid is False
    assert type(with_fields(Assessment("a", "t", "n", "expectation"))) is Expectation
    assert type(make_assessment(**dataclasses.asdict(f) | {"error": None})) is Feedback


def test_source_and_times_are_settable_views() -> None:
    f = Feedback()
    f.source = AssessmentSource("HUMAN", "bob")
    f.create_time_ms = 5
    assert (f.source_type, f.source_id, f.create_time) == ("HUMAN", "bob", 5)
    f.metadata["mlflow.assessment.sourceRunId"] = "run-1"
    assert f.run_id == "run-1"


def test_entities_are_reexported_lazily_from_ardea() -> None:
    assert ardea.Feedback is Feedback
    assert ardea.Expectation is Expectation
    assert ardea.AssessmentSource is AssessmentSource
    assert ardea.AssessmentSourceType is AssessmentSourceType
    assert ardea.AssessmentError is AssessmentError
