"""The ``assessments`` rows the SQL trace store prepares (texts, JSON, NUL checks)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ardea._core.errors import InvalidArgumentError
from ardea.entities import AssessmentSource, Expectation, Feedback
from ardea.entities.assessment import AssessmentError
from ardea.store.sql.traces.assessments import prepare_assessment

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(_JSON)
def test_value_text_is_what_json_dumps_writes(value: Any) -> None:
    feedback = Feedback(name="n", value=value, trace_id="tr-1")
    _, row = prepare_assessment(feedback)
    assert row["value"] == json.dumps(value, ensure_ascii=False, allow_nan=False)


_NO_NUL = st.text().filter(lambda s: "\x00" not in s)


@given(st.dictionaries(_NO_NUL, _NO_NUL, max_size=4))
def test_metadata_and_error_texts_are_what_json_dumps_writes(meta: dict[str, str]) -> None:
    feedback = Feedback(name="n", error=AssessmentError("E", "é"), metadata=meta, trace_id="t")
    _, row = prepare_assessment(feedback)
    assert row["metadata"] == json.dumps(meta)
    assert row["error"] == json.dumps(
        {"error_code": "E", "error_message": "é", "stack_trace": None}
    )


def test_the_stored_copy_is_typed_and_the_given_one_untouched() -> None:
    given_ = Expectation("expected", [1, "x"], trace_id="tr-1", span_id="s1")
    stored, row = prepare_assessment(given_)
    assert type(stored) is Expectation and stored is not given_
    assert given_.assessment_id == "" and stored.assessment_id == row["assessment_id"] != ""
    assert (row["kind"], row["span_id"], row["valid"]) == ("expectation", "s1", True)


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "a\x00b"},
        {"rationale": "why\x00"},
        {"span_id": "s\x00"},
        {"source": AssessmentSource("HUMAN", "bo\x00b")},
        {"metadata": {"k": "v\x00"}},
        {"metadata": {"k\x00": "v"}},
    ],
)
def test_nul_characters_in_texts_are_refused(changes: dict[str, Any]) -> None:
    feedback = Feedback(name="n", value=1, trace_id="tr-1")
    for key, value in changes.items():
        if key == "metadata":
            feedback.metadata = value
        else:
            setattr(feedback, key, value)
    with pytest.raises(InvalidArgumentError, match="NUL"):
        prepare_assessment(feedback)


@pytest.mark.parametrize("metadata", [{"k": 1}, {1: "v"}, ["k"]])
def test_metadata_that_is_not_strings_is_refused(metadata: Any) -> None:
    feedback = Feedback(name="n", value=1, trace_id="tr-1")
    feedback.metadata = metadata
    with pytest.raises(InvalidArgumentError, match="strings to strings"):
        prepare_assessment(feedback)


def test_a_value_that_is_not_json_is_refused() -> None:
    feedback = Feedback(name="n", value=1, trace_id="tr-1")
    feedback.value = float("nan")
    with pytest.raises(InvalidArgumentError, match="not JSON"):
        prepare_assessment(feedback)
