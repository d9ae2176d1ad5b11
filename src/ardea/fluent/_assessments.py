"""Assessments on the fluent tracking URI: ``ardea.log_feedback``, ``ardea.log_expectation``, ...

The same names, arguments and defaults as ``mlflow.log_feedback`` and its siblings (the
``log_*`` and ``override_feedback`` functions take keywords only, as there). Spans of this
process still queued for export are exported first, so a trace that just ended can be
assessed at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ardea._core.errors import FailedPreconditionError, NotFoundError
from ardea.entities.assessment import Assessment, AssessmentError, AssessmentSource
from ardea.entities.feedback import DEFAULT_FEEDBACK_NAME
from ardea.fluent._state import get_client

if TYPE_CHECKING:
    from ardea.client import ArdeaClient

__all__ = [
    "delete_assessment",
    "get_assessment",
    "log_assessment",
    "log_expectation",
    "log_feedback",
    "override_feedback",
    "update_assessment",
]


def _client() -> ArdeaClient:
    from ardea.tracing.provider import flush

    flush()  # a trace that ended in this process is exported before it is assessed
    return get_client()


def _open_in_this_process(trace_id: str) -> bool:
    from ardea.tracing.context import registry

    with registry.lock:
        return any(meta.trace_id == trace_id for meta in registry.open.values())


def _log(trace_id: str, assessment: Assessment) -> Assessment:
    try:
        return _client().log_assessment(trace_id, assessment)
    except NotFoundError:
        if isinstance(trace_id, str) and _open_in_this_process(trace_id):
            raise FailedPreconditionError(
                f"Trace {trace_id} is still in progress: assess it once its root span has ended."
            ) from None
        raise


def log_assessment(trace_id: str, assessment: Assessment) -> Assessment:
    """Attach a :class:`~ardea.entities.Feedback` or :class:`~ardea.entities.Expectation`.

    Args:
        trace_id: The trace (``tr-`` + 32 hex).
        assessment: The feedback or expectation; ``assessment.trace_id`` is set.

    Returns:
        The stored assessment, with its new id.

    Raises:
        InvalidArgumentError: Not an assessment, or a value that is not JSON.
        NotFoundError: No such trace.
        FailedPreconditionError: The trace is still running in this process.

    Example::

        from ardea.entities import Feedback

        ardea.log_assessment(trace_id, Feedback(name="faithfulness", value=0.9))
    """
    return _log(trace_id, assessment)


def log_feedback(
    *,
    trace_id: str,
    name: str = DEFAULT_FEEDBACK_NAME,
    value: Any = None,
    source: AssessmentSource | None = None,
    error: BaseException | AssessmentError | None = None,
    rationale: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    span_id: str | None = None,
) -> Assessment:
    """Log a feedback on a trace (keywords only, as ``mlflow.log_feedback``).

    Args:
        trace_id: The trace.
        name: What is judged (default ``"feedback"``).
        value: bool, number, string, or a list or dict of them.
        source: Who judged (default ``CODE``).
        error: Why there is no value: an exception or an :class:`AssessmentError`.
        rationale: Why this value.
        metadata: Extra strings (values are converted to strings).
        span_id: The span it is about, if one.

    Returns:
        The stored :class:`~ardea.entities.Feedback`.

    Raises:
        InvalidArgumentError: A value that is not JSON, a bad source or error.
        NotFoundError: No such trace.

    Example::

        ardea.log_feedback(trace_id=trace_id, name="helpful", value=True,
                           source=AssessmentSource("HUMAN", "alice"), rationale="clear")
    """
    from ardea.entities.feedback import Feedback

    feedback = Feedback(
        name=name,
        value=value,
        source=source,
        error=error,
        rationale=rationale,
        metadata=metadata,
        span_id=span_id,
    )
    return _log(trace_id, feedback)


def log_expectation(
    *,
    trace_id: str,
    name: str,
    value: Any,
    source: AssessmentSource | None = None,
    metadata: Mapping[str, Any] | None = None,
    span_id: str | None = None,
) -> Assessment:
    """Log an expectation (ground truth) on a trace (keywords only, as in MLflow).

    Args:
        trace_id: The trace.
        name: What is expected, e.g. ``"expected_response"``.
        value: Any JSON value (required).
        source: Who set it (default ``HUMAN``).
        metadata: Extra strings (values are converted to strings).
        span_id: The span it is about, if one.

    Returns:
        The stored :class:`~ardea.entities.Expectation`.

    Raises:
        InvalidArgumentError: No value, a value that is not JSON, a bad source.
        NotFoundError: No such trace.
    """
    from ardea.entities.feedback import Expectation

    expectation = Expectation(
        name=name, value=value, source=source, metadata=metadata, span_id=span_id
    )
    return _log(trace_id, expectation)


def get_assessment(trace_id: str, assessment_id: str) -> Assessment:
    """One assessment of a trace (overridden ones too, with ``valid=False``).

    Raises:
        NotFoundError: No such assessment on this trace.
    """
    return _client().get_assessment(trace_id, assessment_id)


def update_assessment(trace_id: str, assessment_id: str, assessment: Assessment) -> Assessment:
    """Change an assessment in place: name, value (and error), rationale; metadata merged.

    Args:
        trace_id: The trace.
        assessment_id: The assessment to change.
        assessment: A Feedback or Expectation with the new fields (same kind as stored).

    Returns:
        The updated assessment.

    Raises:
        InvalidArgumentError: A different kind, or a value that is not JSON.
        NotFoundError: No such assessment on this trace.
    """
    return _client().update_assessment(trace_id, assessment_id, assessment)


def override_feedback(
    *,
    trace_id: str,
    assessment_id: str,
    value: Any,
    rationale: str | None = None,
    source: AssessmentSource | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Assessment:
    """Replace a feedback by a new one; the old one stays, marked ``valid=False``.

    Args:
        trace_id: The trace.
        assessment_id: The feedback to override.
        value: The corrected value.
        rationale: Why.
        source: Who corrected it (default ``CODE``).
        metadata: Extra strings.

    Returns:
        The new :class:`~ardea.entities.Feedback` (its ``overrides`` is the old id).

    Raises:
        InvalidArgumentError: The assessment is an expectation; a bad value or source.
        NotFoundError: No such assessment on this trace.
    """
    return _client().override_feedback(
        trace_id, assessment_id, value, rationale=rationale, source=source, metadata=metadata
    )


def delete_assessment(trace_id: str, assessment_id: str) -> None:
    """Delete an assessment; a feedback it overrode becomes valid again.

    Raises:
        NotFoundError: No such assessment on this trace.
    """
    _client().delete_assessment(trace_id, assessment_id)
