"""Issues: quality or operational problems found in an experiment's traces (MLflow's ``Issue``).

An issue belongs to one experiment and links the traces it was seen on. The link is MLflow's:
an assessment of kind ``issue`` on the trace, named by the issue id, whose value is the
issue's name (:data:`ISSUE_KIND`), so ``issue.id = 'iss-...'`` in a trace search and the
trace's own assessments both show it.

:class:`IssueProposal` is Ardea's: a cluster of failing judge rationales offered to a person,
who may accept it as an issue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from ardea._core.errors import InvalidArgumentError

__all__ = [
    "ISSUE_KIND",
    "Issue",
    "IssueExample",
    "IssueProposal",
    "IssueSeverity",
    "IssueStatus",
    "check_issue_id",
    "check_issue_name",
]

ISSUE_KIND = "issue"
"""The assessment kind that links a trace to an issue (assessment name = the issue id)."""

_ISSUE_ID = re.compile(r"iss-[A-Za-z0-9_-]{1,32}")


class IssueStatus(str, Enum):
    """Where an issue stands (MLflow's values)."""

    PENDING = "pending"
    REJECTED = "rejected"
    RESOLVED = "resolved"

    def __str__(self) -> str:
        return self.value


class IssueSeverity(str, Enum):
    """How much an issue matters (MLflow's values, lowest first)."""

    NOT_AN_ISSUE = "not_an_issue"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    def __str__(self) -> str:
        return self.value


def check_issue_id(issue_id: object) -> str:
    """``issue_id`` if it is ``iss-`` and 1 to 32 letters, digits, ``_`` or ``-``.

    Raises:
        InvalidArgumentError: Anything else.
    """
    if not isinstance(issue_id, str) or _ISSUE_ID.fullmatch(issue_id) is None:
        raise InvalidArgumentError("issue_id must be iss-* and at most 36 characters")
    return issue_id


def check_issue_name(name: object) -> str:
    """``name`` if it is a string of 1 to 250 characters.

    Raises:
        InvalidArgumentError: Anything else.
    """
    if not isinstance(name, str) or not 1 <= len(name) <= 250:
        raise InvalidArgumentError("Issue name must contain 1 to 250 characters")
    return name


@dataclass(slots=True)
class Issue:
    """One issue of an experiment (the fields of MLflow's ``Issue`` message).

    ``trace_count`` is filled only when a search asks for it (``include_trace_count``).
    """

    issue_id: str
    experiment_id: str
    name: str
    description: str
    status: str
    created_timestamp: int
    last_updated_timestamp: int
    severity: str | None = None
    root_causes: list[str] = field(default_factory=list)
    source_run_id: str | None = None
    categories: list[str] = field(default_factory=list)
    created_by: str | None = None
    trace_count: int | None = None
    last_seen_timestamp: int | None = None
    last_updated_by: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class IssueExample:
    """One failing judge verdict of a proposal: its trace, judge and rationale."""

    trace_id: str
    judge: str
    rationale: str
    assessment_id: str


@dataclass(slots=True)
class IssueProposal:
    """A cluster of failing judge rationales, proposed as an issue.

    Attributes:
        name: The most representative rationale (nearest the cluster's centre), or a model's
            summary when one was asked for.
        size: How many failing verdicts the cluster holds.
        trace_ids: Every trace of the cluster (distinct, most representative first).
        judges: The judges (assessment names) involved, with their verdict counts.
        examples: Up to a few verdicts nearest the centre.
        cohesion: Mean cosine similarity of the members to the centre (1 = identical).
    """

    name: str
    size: int
    trace_ids: list[str]
    judges: dict[str, int]
    examples: list[IssueExample]
    cohesion: float
