"""Assessments on the explicit client, with ``mlflow``'s argument names and defaults.

Log, read, update, override and delete feedback and expectations of traces.

Every call checks its input before it writes, so a bad value, source or id changes nothing.
Assessments come back as :class:`~ardea.entities.Feedback` or
:class:`~ardea.entities.Expectation`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.client._base import ClientBase
from ardea.entities.assessment import Assessment, AssessmentError, AssessmentSource
from ardea.entities.feedback import (
    DEFAULT_FEEDBACK_NAME,
    Expectation,
    Feedback,
    json_value,
    with_fields,
)

__all__ = ["AssessmentsMixin", "as_assessment"]


def _check_id(what: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(f"`{what}` must be a non-empty string, got {value!r}")
    return value


def as_assessment(assessment: Any) -> Assessment:
    """An Ardea assessment from ``assessment``: one of Ardea's, or ``mlflow``'s entity.

    Raises:
        InvalidArgumentError: Neither a feedback nor an expectation.
    """
    if isinstance(assessment, Assessment):
        if assessment.kind not in ("feedback", "expectation"):
            raise InvalidArgumentError(
                f"Invalid assessment kind {assessment.kind!r}: expected feedback or expectation"
            )
        return assessment
    feedback: Any = getattr(assessment, "feedback", None)
    expectation: Any = getattr(assessment, "expectation", None)
    if feedback is None and expectation is None:
        raise InvalidArgumentError(
            "`assessment` must be a Feedback or an Expectation "
            f"(ardea.entities), got {type(assessment).__name__}"
        )
    source = getattr(assessment, "source", None)
    common: dict[str, Any] = {
        "name": assessment.name,
        "source": source,
        "metadata": getattr(assessment, "metadata", None),
        "span_id": getattr(assessment, "span_id", None),
        "create_time_ms": getattr(assessment, "create_time_ms", None),
        "last_update_time_ms": getattr(assessment, "last_update_time_ms", None),
    }
    if expectation is not None:
        return Expectation(value=expectation.value, **common)
    error = getattr(feedback, "error", None)
    if error is not None and not isinstance(error, AssessmentError):
        error = AssessmentError(
            getattr(error, "error_code", None),
            getattr(error, "error_message", None),
            getattr(error, "stack_trace", None),
        )
    return Feedback(
        value=feedback.value,
        error=error,
        rationale=getattr(assessment, "rationale", None),
        overrides=getattr(assessment, "overrides", None),
        **common,
    )


class AssessmentsMixin(ClientBase):
    """Feedback and expectations of traces (part of :class:`~ardea.client.ArdeaClient`)."""

    def log_assessment(self, trace_id: str, assessment: Assessment) -> Assessment:
        """Attach a :class:`Feedback` or an :class:`Expectation` to a trace.

        The assessment gets a new id (``a-`` + 32 hex); ``assessment.trace_id`` is set to
        ``trace_id``, as ``mlflow.log_assessment`` does. One with ``overrides`` set marks the
        assessment it names invalid (see :meth:`override_feedback`).

        Args:
            trace_id: The trace (``tr-`` + 32 hex).
            assessment: The feedback or expectation (``mlflow.entities`` ones are accepted).

        Returns:
            The stored assessment, with its id and times.

        Raises:
            InvalidArgumentError: Not an assessment, a value that is not JSON, bad metadata.
            NotFoundError: No such trace (or ``overrides`` names no assessment of it).
        """
        trace_id = _check_id("trace_id", trace_id)
        record = as_assessment(assessment)
        what = "Feedback value" if record.kind == "feedback" else "Expectation value"
        value = json_value(record.value, what)
        if record.kind == "expectation" and value is None:
            raise InvalidArgumentError("The `value` field must be specified.")
        stored = self.trace_store.create_assessment(
            with_fields(record, trace_id=trace_id, assessment_id="", value=value)
        )
        if isinstance(assessment, Assessment):
            assessment.trace_id = trace_id
        return stored

    def log_assessments(self, assessments: Sequence[tuple[str, Assessment]]) -> list[Assessment]:
        """Attach many new assessments, ``(trace_id, assessment)`` pairs, in one go.

        One transaction on a database (all or none are stored); one call each on a server.
        Checks as :meth:`log_assessment`; an assessment that ``overrides`` another is refused.

        Raises:
            InvalidArgumentError: A bad assessment (nothing is stored on a database).
            NotFoundError: A trace that does not exist.
        """
        records = []
        for trace_id, assessment in assessments:
            trace_id = _check_id("trace_id", trace_id)
            record = as_assessment(assessment)
            what = "Feedback value" if record.kind == "feedback" else "Expectation value"
            value = json_value(record.value, what)
            if record.kind == "expectation" and value is None:
                raise InvalidArgumentError("The `value` field must be specified.")
            records.append(with_fields(record, trace_id=trace_id, assessment_id="", value=value))
        stored = self.trace_store.create_assessments(records)
        for (trace_id, assessment), _ in zip(assessments, stored, strict=True):
            if isinstance(assessment, Assessment):
                assessment.trace_id = trace_id
        return stored

    def log_feedback(
        self,
        trace_id: str,
        name: str = DEFAULT_FEEDBACK_NAME,
        value: Any = None,
        source: AssessmentSource | None = None,
        error: BaseException | AssessmentError | None = None,
        rationale: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        span_id: str | None = None,
    ) -> Assessment:
        """Log a feedback (a judgement: value or error, rationale) on a trace.

        Args:
            trace_id: The trace.
            name: What is judged (default ``"feedback"``).
            value: bool, number, string, or a list or dict of them.
            source: Who judged (default: ``CODE``, as in MLflow).
            error: Why there is no value: an exception or an :class:`AssessmentError`.
            rationale: Why this value.
            metadata: Extra strings (values are converted to strings).
            span_id: The span it is about, if one.

        Returns:
            The stored :class:`Feedback`.

        Raises:
            InvalidArgumentError: A value that is not JSON, a bad source or error.
            NotFoundError: No such trace.
        """
        feedback = Feedback(
            name=name,
            value=value,
            source=source,
            error=error,
            rationale=rationale,
            metadata=metadata,
            span_id=span_id,
        )
        return self.log_assessment(trace_id, feedback)

    def log_expectation(
        self,
        trace_id: str,
        name: str,
        value: Any,
        source: AssessmentSource | None = None,
        metadata: Mapping[str, Any] | None = None,
        span_id: str | None = None,
    ) -> Assessment:
        """Log an expectation (ground truth, e.g. the expected answer) on a trace.

        Args:
            trace_id: The trace.
            name: What is expected, e.g. ``"expected_response"``.
            value: Any JSON value (required).
            source: Who set it (default: ``HUMAN``).
            metadata: Extra strings (values are converted to strings).
            span_id: The span it is about, if one.

        Returns:
            The stored :class:`Expectation`.

        Raises:
            InvalidArgumentError: No value, a value that is not JSON, a bad source.
            NotFoundError: No such trace.
        """
        expectation = Expectation(
            name=name, value=value, source=source, metadata=metadata, span_id=span_id
        )
        return self.log_assessment(trace_id, expectation)

    def get_assessment(self, trace_id: str, assessment_id: str) -> Assessment:
        """One assessment of a trace, overridden (``valid=False``) ones included.

        Raises:
            NotFoundError: No such assessment on this trace.
        """
        return self.trace_store.get_assessment(
            _check_id("trace_id", trace_id), _check_id("assessment_id", assessment_id)
        )

    def update_assessment(
        self, trace_id: str, assessment_id: str, assessment: Assessment
    ) -> Assessment:
        """Change an assessment in place, as MLflow does.

        Name and value (a feedback's error too) are replaced; the rationale when one is given;
        metadata is merged. Source, span and creation time stay. To keep the old value, use
        :meth:`override_feedback` instead.

        Args:
            trace_id: The trace.
            assessment_id: The assessment to change.
            assessment: A :class:`Feedback` or :class:`Expectation` with the new fields (of the
                same kind as the stored one).

        Returns:
            The updated assessment.

        Raises:
            InvalidArgumentError: A different kind, a value that is not JSON.
            NotFoundError: No such assessment on this trace.
        """
        new = as_assessment(assessment)
        current = self.get_assessment(trace_id, assessment_id)
        if new.kind != current.kind:
            old = "a Feedback" if current.kind == "feedback" else "an Expectation"
            raise InvalidArgumentError(f"Cannot update {new.kind} value on {old} assessment.")
        what = "Feedback value" if new.kind == "feedback" else "Expectation value"
        changes: dict[str, Any] = {"name": new.name, "value": json_value(new.value, what)}
        if new.kind == "expectation" and changes["value"] is None:
            raise InvalidArgumentError("The `value` field must be specified.")
        if new.kind == "feedback":
            changes["error"] = new.error
        if new.rationale is not None:
            changes["rationale"] = new.rationale
        if new.metadata:
            changes["metadata"] = dict(new.metadata)
        return self.trace_store.update_assessment(trace_id, assessment_id, changes)

    def override_feedback(
        self,
        trace_id: str,
        assessment_id: str,
        value: Any,
        rationale: str | None = None,
        source: AssessmentSource | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Assessment:
        """Replace a feedback by a new one and keep the old one, marked ``valid=False``.

        The new feedback has the old one's name and span and ``overrides`` = its id; searches
        and aggregates read only valid assessments, and :meth:`get_assessment` still answers
        the old one. Deleting the new one makes the old one valid again.

        Args:
            trace_id: The trace.
            assessment_id: The feedback to override.
            value: The corrected value.
            rationale: Why.
            source: Who corrected it (default: ``CODE``, as in MLflow).
            metadata: Extra strings.

        Returns:
            The new :class:`Feedback`.

        Raises:
            InvalidArgumentError: The assessment is an expectation; a bad value or source.
            NotFoundError: No such assessment on this trace.
        """
        old = self.get_assessment(trace_id, assessment_id)
        if old.kind != "feedback":
            raise InvalidArgumentError(
                f"The assessment with ID {assessment_id} is not a feedback assessment."
            )
        new = Feedback(
            name=old.name,
            span_id=old.span_id,
            value=value,
            rationale=rationale,
            source=source,
            metadata=metadata,
            overrides=old.assessment_id,
        )
        return self.log_assessment(trace_id, new)

    def delete_assessment(self, trace_id: str, assessment_id: str) -> None:
        """Delete an assessment; a feedback it overrode becomes valid again.

        Raises:
            NotFoundError: No such assessment on this trace.
        """
        self.trace_store.delete_assessment(
            _check_id("trace_id", trace_id), _check_id("assessment_id", assessment_id)
        )
