"""Answers of MLflow's issue routes (``/api/3.0/mlflow/issues...``) and Ardea's proposals."""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64

__all__ = [
    "IssueExampleJson",
    "IssueJson",
    "IssueProposalJson",
    "IssueProposalsResponse",
    "IssueResponse",
    "IssueTracesResponse",
    "SearchIssuesResponse",
]


class IssueJson(TypedDict):
    """MLflow's ``Issue``: a problem found in an experiment's traces."""

    issue_id: str
    experiment_id: str
    name: str
    description: str
    status: Literal["pending", "rejected", "resolved"]
    created_timestamp: Int64
    last_updated_timestamp: Int64
    severity: NotRequired[Literal["not_an_issue", "low", "medium", "high"]]
    root_causes: NotRequired[list[str]]
    source_run_id: NotRequired[str]
    categories: NotRequired[list[str]]
    created_by: NotRequired[str]
    last_updated_by: NotRequired[str]
    metadata: NotRequired[dict[str, str]]
    trace_count: NotRequired[int]
    last_seen_timestamp: NotRequired[Int64]


class IssueResponse(TypedDict):
    """One issue (create, get, update)."""

    issue: IssueJson


class SearchIssuesResponse(TypedDict):
    """A page of issues; ``total_count`` when asked for."""

    issues: list[IssueJson]
    next_page_token: NotRequired[str]
    total_count: NotRequired[int]


class IssueTracesResponse(TypedDict):
    """The traces an issue links, newest link first; ``linked``: how many a link call added."""

    trace_ids: list[str]
    linked: NotRequired[int]


class IssueExampleJson(TypedDict):
    """One failing judge verdict of a proposal."""

    trace_id: str
    judge: str
    rationale: str
    assessment_id: str


class IssueProposalJson(TypedDict):
    """A cluster of failing judge rationales proposed as an issue."""

    name: str
    size: int
    trace_ids: list[str]
    judges: dict[str, int]
    cohesion: float
    examples: list[IssueExampleJson]


class IssueProposalsResponse(TypedDict):
    """Proposals, largest first; how many failing verdicts were clustered, and how."""

    proposals: list[IssueProposalJson]
    failures: int
    embedding: str
