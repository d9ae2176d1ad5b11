"""Online scoring: the scorers that sample an experiment's traces, and their work rows.

A registered scorer with an online config whose ``sample_rate`` is above 0 is *active*: each
trace of its experiment that ends is sampled (a deterministic hash of the trace and scorer
ids against the rate) and, when its ``filter_string`` matches, one work row is stored for
(trace, scorer, latest version). A work row is ``pending``, then ``claimed`` by one worker
under a lease, then ``done`` (its assessments written in the same transaction) or
``failed``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "KIND_CODE",
    "KIND_JUDGE",
    "STATES",
    "ActiveScorer",
    "ClaimedWork",
    "WorkItem",
    "WorkKey",
]

KIND_JUDGE = "judge"
"""Work a server may run: LLM judges and Ardea's built-in scorers (no user code)."""
KIND_CODE = "code"
"""Work only a scorer-worker runs: user ``@scorer`` code never runs in the server."""
STATES = ("pending", "claimed", "done", "failed")
"""A work row's states, in order."""


@dataclass(frozen=True)
class ActiveScorer:
    """A scorer that samples new traces of its experiment.

    Attributes:
        scorer_id: The registered scorer's id.
        experiment_id: Its experiment.
        name: Its registered name.
        version: Its latest version (what new work runs).
        kind: :data:`KIND_JUDGE` or :data:`KIND_CODE`.
        sample_rate: The configured fraction of traces, in (0, 1].
        filter_string: A trace search filter the trace must match, or None.
        session_level: Whether it judges whole sessions (scored once a session goes quiet).
    """

    scorer_id: str
    experiment_id: str
    name: str
    version: int
    kind: str
    sample_rate: float
    filter_string: str | None
    session_level: bool = False


@dataclass(frozen=True)
class WorkKey:
    """What identifies one work row (and the assessments it writes)."""

    trace_id: str
    scorer_id: str
    scorer_version: int


@dataclass(frozen=True)
class WorkItem:
    """A work row to store: a sampled trace for one scorer version."""

    trace_id: str
    experiment_id: str
    scorer_id: str
    scorer_version: int
    kind: str


@dataclass(frozen=True)
class ClaimedWork:
    """A work row claimed by a worker, with what it needs to run the scorer.

    Attributes:
        key: The row.
        experiment_id: The trace's experiment.
        workspace: The experiment's workspace.
        name: The scorer's registered name.
        serialized_scorer: The scorer version's JSON.
        kind: :data:`KIND_JUDGE` or :data:`KIND_CODE`.
        attempts: Claims so far, this one included.
        enqueued_time: When the row was stored (epoch ms).
        lease_until: When the claim lapses (epoch ms) unless completed or failed.
    """

    key: WorkKey
    experiment_id: str
    workspace: str
    name: str
    serialized_scorer: str
    kind: str
    attempts: int
    enqueued_time: int
    lease_until: int
