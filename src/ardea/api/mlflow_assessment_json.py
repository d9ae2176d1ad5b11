"""Assessments (feedback, expectations, issue links) <-> MLflow's ``Assessment`` JSON.

Feedback values are any JSON value; expectation values that are lists or objects travel as
``serialized_value`` (``JSON_FORMAT``), as the ``mlflow`` client sends and expects them. Pure.
"""

from __future__ import annotations

from typing import Any

import orjson

from ardea._core.errors import InvalidArgumentError
from ardea.api.mlflow_v3_common import (
    check_trace_id,
    opt_str,
    parse_timestamp_ms,
    str_map,
    timestamp_to_json,
)
from ardea.entities.assessment import Assessment, AssessmentError, AssessmentSourceType
from ardea.entities.feedback import make_assessment

__all__ = ["assessment_from_json", "assessment_to_json"]

_SOURCE_TYPES = frozenset(t.value for t in AssessmentSourceType)


def _dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def assessment_to_json(a: Assessment) -> dict[str, Any]:
    """An :class:`Assessment` as MLflow's ``Assessment`` JSON."""
    out: dict[str, Any] = {
        "assessment_id": a.assessment_id,
        "assessment_name": a.name,
        "trace_id": a.trace_id,
        "source": {"source_type": a.source_type, "source_id": a.source_id},
        "create_time": timestamp_to_json(a.create_time),
        "last_update_time": timestamp_to_json(a.last_update_time),
        "metadata": dict(a.metadata),
        "valid": a.valid,
    }
    if a.span_id:
        out["span_id"] = a.span_id
    if a.rationale is not None:
        out["rationale"] = a.rationale
    if a.overrides:
        out["overrides"] = a.overrides
    if a.kind == "issue":
        out["issue"] = {"issue_name": a.value if isinstance(a.value, str) else ""}
    elif a.kind == "expectation":
        if isinstance(a.value, (dict, list)):
            out["expectation"] = {
                "serialized_value": {
                    "serialization_format": "JSON_FORMAT",
                    "value": _dumps(a.value),
                }
            }
        else:
            out["expectation"] = {"value": a.value}
    else:
        feedback: dict[str, Any] = {"value": a.value}
        if a.error is not None:
            err = {
                "error_code": a.error.error_code,
                "error_message": a.error.error_message,
                "stack_trace": a.error.stack_trace,
            }
            feedback["error"] = {k: v for k, v in err.items() if v is not None}
        out["feedback"] = feedback
    return out


def _expectation_value(e: dict[str, Any]) -> Any:
    serialized = e.get("serialized_value")
    if isinstance(serialized, dict):
        fmt = serialized.get("serialization_format", "JSON_FORMAT")
        if fmt != "JSON_FORMAT":
            raise InvalidArgumentError(f"Unknown expectation serialization format {fmt!r}.")
        try:
            return orjson.loads(serialized.get("value") or "null")
        except orjson.JSONDecodeError:
            raise InvalidArgumentError("Expectation serialized_value is not valid JSON.") from None
    return e.get("value")


def assessment_from_json(d: Any, trace_id: str | None = None) -> Assessment:
    """An ``Assessment`` JSON object as an :class:`Assessment` (id and times may be empty).

    Raises:
        InvalidArgumentError: No name, neither feedback nor expectation, or bad field types.
    """
    if not isinstance(d, dict):
        raise InvalidArgumentError("'assessment' must be an object.")
    name = d.get("assessment_name")
    if not isinstance(name, str) or not name:
        raise InvalidArgumentError("'assessment.assessment_name' is required.")
    tid = check_trace_id(trace_id or d.get("trace_id"))
    source = d.get("source") or {}
    if not isinstance(source, dict):
        raise InvalidArgumentError("'assessment.source' must be an object.")
    feedback, expectation, issue = d.get("feedback"), d.get("expectation"), d.get("issue")
    value: Any
    error: AssessmentError | None
    if isinstance(issue, dict):
        issue_name = issue.get("issue_name")
        if not isinstance(issue_name, str) or not issue_name:
            raise InvalidArgumentError("'assessment.issue.issue_name' is required.")
        kind, value, error = "issue", issue_name, None
    elif isinstance(expectation, dict):
        kind, value, error = "expectation", _expectation_value(expectation), None
    elif isinstance(feedback, dict):
        kind, value, error = "feedback", feedback.get("value"), _error(feedback.get("error"))
    else:
        raise InvalidArgumentError(
            "An assessment needs a 'feedback', an 'expectation' or an 'issue'."
        )
    create = d.get("create_time")
    update = d.get("last_update_time")
    valid = d.get("valid", True)
    if valid is not None and not isinstance(valid, bool):
        raise InvalidArgumentError("'assessment.valid' must be a boolean.")
    source_type = source.get("source_type") or AssessmentSourceType.HUMAN.value
    if source_type not in _SOURCE_TYPES:
        raise InvalidArgumentError(
            f"Invalid assessment source type {source_type!r}: use one of {sorted(_SOURCE_TYPES)}."
        )
    return make_assessment(
        assessment_id=opt_str(d, "assessment_id") or "",
        trace_id=tid,
        name=name,
        kind=kind,
        value=value,
        source_type=source_type,
        source_id=opt_str(source, "source_id") or "default",
        create_time=parse_timestamp_ms(create, "create_time") if create else 0,
        last_update_time=parse_timestamp_ms(update, "last_update_time") if update else 0,
        rationale=opt_str(d, "rationale"),
        error=error,
        metadata=str_map(d.get("metadata"), "metadata"),
        span_id=opt_str(d, "span_id") or None,
        overrides=opt_str(d, "overrides") or None,
        valid=True if valid is None else valid,
    )


def _error(e: Any) -> AssessmentError | None:
    if not isinstance(e, dict):
        return None
    return AssessmentError(
        error_code=opt_str(e, "error_code"),
        error_message=opt_str(e, "error_message"),
        stack_trace=opt_str(e, "stack_trace"),
    )
