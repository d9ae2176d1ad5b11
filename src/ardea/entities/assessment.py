"""Assessments of traces: feedback (judges, people, code) and expectations (ground truth).

:class:`Assessment` is the stored record every store reads and writes. Its MLflow-shaped
views (``source``, ``create_time_ms``, ``feedback``, ``expectation``, ``run_id``, ...) let code
written for ``mlflow.entities.Assessment`` read it unchanged. The typed subclasses users build,
:class:`~ardea.entities.feedback.Feedback` and :class:`~ardea.entities.feedback.Expectation`,
live in :mod:`ardea.entities.feedback`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ardea._core.errors import InvalidArgumentError

__all__ = [
    "SOURCE_RUN_ID_KEY",
    "Assessment",
    "AssessmentError",
    "AssessmentSource",
    "AssessmentSourceType",
    "ExpectationValue",
    "FeedbackValue",
]

SOURCE_RUN_ID_KEY = "mlflow.assessment.sourceRunId"
"""Metadata key of the run that produced an assessment (MLflow's evaluation writes it)."""


class AssessmentSourceType(str, Enum):
    """Who made an assessment.

    Strings are accepted in any case (``"llm_judge"``); MLflow's deprecated ``"AI_JUDGE"`` is
    read as ``LLM_JUDGE`` with a ``FutureWarning``, as ``mlflow`` does.
    """

    HUMAN = "HUMAN"
    LLM_JUDGE = "LLM_JUDGE"
    CODE = "CODE"
    SOURCE_TYPE_UNSPECIFIED = "SOURCE_TYPE_UNSPECIFIED"
    AI_JUDGE = "LLM_JUDGE"

    @classmethod
    def _missing_(cls, value: object) -> AssessmentSourceType:
        text = value.upper() if isinstance(value, str) else value
        if text == "AI_JUDGE":
            warnings.warn("AI_JUDGE is deprecated. Use LLM_JUDGE instead.", FutureWarning, 2)
            return cls.LLM_JUDGE
        for member in cls:
            if member.value == text:
                return member
        valid = [m.value for m in cls]
        raise InvalidArgumentError(
            f"Invalid assessment source type: {value}. Valid source types: {valid}"
        )

    def __str__(self) -> str:
        return self.value


@dataclass(slots=True)
class AssessmentSource:
    """Who made an assessment: a type and an id (a person, a judge model, a script).

    Args:
        source_type: ``HUMAN``, ``LLM_JUDGE``, ``CODE`` or ``SOURCE_TYPE_UNSPECIFIED`` (an
            :class:`AssessmentSourceType` or a string in any case).
        source_id: Who exactly, e.g. ``"alice@example.com"`` or ``"gpt-4.1-mini"``.

    Raises:
        InvalidArgumentError: An unknown source type.

    Example::

        AssessmentSource(source_type="HUMAN", source_id="alice@example.com")
    """

    source_type: str
    source_id: str | None = "default"

    def __post_init__(self) -> None:
        if not isinstance(self.source_type, str):
            raise InvalidArgumentError(
                f"Invalid assessment source type: {self.source_type!r}. "
                f"Valid source types: {[m.value for m in AssessmentSourceType]}"
            )
        self.source_type = AssessmentSourceType(self.source_type).value

    def to_dictionary(self) -> dict[str, Any]:
        """``{"source_type": ..., "source_id": ...}``."""
        return {"source_type": self.source_type, "source_id": self.source_id}

    @classmethod
    def from_dictionary(cls, source_dict: dict[str, Any]) -> AssessmentSource:
        """The source a :meth:`to_dictionary` dict describes."""
        return cls(**source_dict)


@dataclass(slots=True)
class AssessmentError:
    """Why a feedback could not be computed (a judge that timed out, a scorer that raised).

    Args:
        error_code: A short code, e.g. ``"RATE_LIMIT_EXCEEDED"`` or an exception class name.
        error_message: What went wrong.
        stack_trace: The traceback, if any.
    """

    error_code: str | None = None
    error_message: str | None = None
    stack_trace: str | None = None

    def to_dictionary(self) -> dict[str, Any]:
        """The error's three fields as a dict."""
        return {
            "error_code": self.error_code,
            "error_message": self.error_message,
            "stack_trace": self.stack_trace,
        }

    @classmethod
    def from_dictionary(cls, error_dict: dict[str, Any]) -> AssessmentError:
        """The error a :meth:`to_dictionary` dict describes."""
        return cls(**error_dict)


@dataclass(slots=True)
class FeedbackValue:
    """MLflow's ``assessment.feedback``: the value and the error of a feedback (a copy)."""

    value: Any
    error: AssessmentError | None = None


@dataclass(slots=True)
class ExpectationValue:
    """MLflow's ``assessment.expectation``: the expected value (a copy)."""

    value: Any


@dataclass(slots=True)
class Assessment:
    """A feedback or an expectation attached to a trace (or one of its spans).

    Exactly one of ``feedback`` / ``expectation`` is set (``kind`` says which); its value is
    any JSON value. Build new ones with :class:`~ardea.entities.Feedback` or
    :class:`~ardea.entities.Expectation`; stores answer those subclasses too.
    """

    assessment_id: str
    trace_id: str
    name: str
    kind: str  # "feedback" | "expectation"
    value: Any = None
    source_type: str = AssessmentSourceType.HUMAN.value
    source_id: str = "default"
    create_time: int = 0
    last_update_time: int = 0
    rationale: str | None = None
    error: AssessmentError | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    span_id: str | None = None
    overrides: str | None = None
    valid: bool = True

    @property
    def source(self) -> AssessmentSource:
        """Who made it, as MLflow's ``AssessmentSource`` shape."""
        return AssessmentSource(self.source_type, self.source_id)

    @source.setter
    def source(self, source: AssessmentSource) -> None:
        self.source_type = AssessmentSourceType(source.source_type).value
        self.source_id = source.source_id or "default"

    @property
    def create_time_ms(self) -> int:
        """Creation time, epoch milliseconds (MLflow's name for ``create_time``)."""
        return self.create_time

    @create_time_ms.setter
    def create_time_ms(self, value: int) -> None:
        self.create_time = int(value)

    @property
    def last_update_time_ms(self) -> int:
        """Last update time, epoch milliseconds (MLflow's name for ``last_update_time``)."""
        return self.last_update_time

    @last_update_time_ms.setter
    def last_update_time_ms(self, value: int) -> None:
        self.last_update_time = int(value)

    @property
    def run_id(self) -> str | None:
        """The run that produced it (metadata ``mlflow.assessment.sourceRunId``), if any."""
        return (self.metadata or {}).get(SOURCE_RUN_ID_KEY)

    @property
    def feedback(self) -> FeedbackValue | None:
        """Value and error of a feedback; None for an expectation."""
        return FeedbackValue(self.value, self.error) if self.kind == "feedback" else None

    @property
    def expectation(self) -> ExpectationValue | None:
        """Value of an expectation; None for a feedback."""
        return ExpectationValue(self.value) if self.kind == "expectation" else None

    @property
    def error_code(self) -> str | None:
        """The error's code, if the feedback failed."""
        return self.error.error_code if self.error is not None else None

    @property
    def error_message(self) -> str | None:
        """The error's message, if the feedback failed."""
        return self.error.error_message if self.error is not None else None
