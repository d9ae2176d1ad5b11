"""Assessments of traces: feedback (judges, people, code) and expectations (ground truth)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class AssessmentSourceType(str, Enum):
    """Who made an assessment."""

    HUMAN = "HUMAN"
    LLM_JUDGE = "LLM_JUDGE"
    CODE = "CODE"
    SOURCE_TYPE_UNSPECIFIED = "SOURCE_TYPE_UNSPECIFIED"


@dataclass(slots=True)
class AssessmentError:
    """Why a feedback could not be computed."""

    error_code: str | None = None
    error_message: str | None = None
    stack_trace: str | None = None


@dataclass(slots=True)
class Assessment:
    """A feedback or an expectation attached to a trace (or one of its spans).

    Exactly one of ``feedback`` / ``expectation`` is set (``kind`` says which); its value is
    any JSON value.
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
