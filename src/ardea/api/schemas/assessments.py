"""Assessments (feedback and expectations), as ``mlflow_assessment_json.assessment_to_json``.

Times are RFC 3339 strings. An assessment has either ``feedback`` or ``expectation``.
"""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import NotRequired, TypedDict

__all__ = [
    "Assessment",
    "AssessmentError",
    "AssessmentResponse",
    "AssessmentSource",
    "Expectation",
    "Feedback",
    "IssueReference",
    "SerializedValue",
]


class AssessmentSource(TypedDict):
    """Who made the assessment."""

    source_type: Literal["HUMAN", "LLM_JUDGE", "CODE", "SOURCE_TYPE_UNSPECIFIED"]
    source_id: str


class AssessmentError(TypedDict):
    """Why a feedback has no value (a judge that failed, ...)."""

    error_code: NotRequired[str]
    error_message: NotRequired[str]
    stack_trace: NotRequired[str]


class Feedback(TypedDict):
    """A feedback value (any JSON value) and, when it failed, its error."""

    value: Any
    error: NotRequired[AssessmentError]


class SerializedValue(TypedDict):
    """An expectation value that is a list or an object, as JSON text."""

    serialization_format: Literal["JSON_FORMAT"]
    value: str


class Expectation(TypedDict):
    """An expected value: ``value`` for a scalar, ``serialized_value`` for a list or object."""

    value: NotRequired[Any]
    serialized_value: NotRequired[SerializedValue]


class IssueReference(TypedDict):
    """An issue link's value (MLflow's ``IssueReference``).

    ``issue_name`` is the issue's name; the assessment's name is the issue id.
    """

    issue_name: str


class Assessment(TypedDict):
    """Feedback or an expectation on a trace (or one of its spans)."""

    assessment_id: str
    assessment_name: str
    trace_id: str
    span_id: NotRequired[str]
    source: AssessmentSource
    create_time: str
    last_update_time: str
    rationale: NotRequired[str]
    metadata: dict[str, str]
    valid: bool
    overrides: NotRequired[str]
    feedback: NotRequired[Feedback]
    expectation: NotRequired[Expectation]
    issue: NotRequired[IssueReference]


class AssessmentResponse(TypedDict):
    """CreateAssessment, GetAssessment and UpdateAssessment."""

    assessment: Assessment
