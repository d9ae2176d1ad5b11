"""Online scoring answers (``/api/3.0/ardea/online-scoring/*``, Ardea's own routes)."""

from __future__ import annotations

from typing_extensions import TypedDict

from ardea.api.schemas.common import Int64

__all__ = [
    "BackfillResponse",
    "ClaimResponse",
    "DoneResponse",
    "OnlineScoringStatusResponse",
    "WorkJson",
]


class WorkJson(TypedDict):
    """One claimed work row: the trace, the scorer version to run, the claim."""

    trace_id: str
    scorer_id: str
    scorer_version: int
    experiment_id: str
    scorer_name: str
    serialized_scorer: str
    kind: str
    attempts: int
    lease_until: Int64


class ClaimResponse(TypedDict):
    """The rows claimed (empty: nothing to do now)."""

    work: list[WorkJson]


class DoneResponse(TypedDict):
    """Whether the caller still held the claim (False: another worker owns the row now)."""

    accepted: bool


class BackfillResponse(TypedDict):
    """How many past traces were looked at and how many new rows were stored."""

    traces: int
    enqueued: int


class OnlineScoringStatusResponse(TypedDict):
    """Work rows of the experiment by state, and this server's loop and sampling state."""

    counts: dict[str, int]
    enabled: bool
    running: bool
    backlog: int
    max_backlog: int
    degrade_factor: float
    degraded: bool
