"""Running one online scoring work row: a registered scorer on one stored trace.

Used by the server's scorer loop (judges and Ardea's built-in scorers only: user code never
runs in the server) and by ``ardea scorer-worker`` (which also runs the code scorers it was
given). :func:`score_work` answers the feedbacks to store, or raises :class:`NotReady` when
the trace has no root span yet (its spans may still be on the way) and :class:`WorkFailed`
when the scorer could not judge it (every feedback an error: a provider outage, a scorer that
raised), so that the caller retries or fails the row instead of storing errors.
"""

from __future__ import annotations

import threading
from typing import Any

from ardea.entities import Feedback
from ardea.evaluation.rows import item_from_trace
from ardea.evaluation.scorers.base import Scorer
from ardea.evaluation.scorers.run import arun_scorer
from ardea.evaluation.scorers.serialize import scorer_from_json

__all__ = [
    "NotReady",
    "ScorerCache",
    "WorkFailed",
    "score_session",
    "score_work",
    "trace_ready",
]


class NotReady(Exception):
    """The trace cannot be scored yet (no root span stored)."""


class WorkFailed(Exception):
    """The scorer gave no usable feedback for this trace (the message says why)."""


def trace_ready(trace: Any) -> bool:
    """Whether the trace has its root span (what a judge reads)."""
    spans = getattr(trace, "spans", None)
    if spans is None:
        spans = getattr(getattr(trace, "data", None), "spans", None) or []
    return any(getattr(s, "parent_span_id", getattr(s, "parent_id", None)) is None for s in spans)


class ScorerCache:
    """Scorers rebuilt from their JSON, by (scorer id, version), so clients are reused.

    Args:
        allow_code: Whether a code scorer is acceptable (False in the server: it raises).
        local: Scorers given by name (a scorer-worker's imported ``@scorer`` functions); a
            registered name found here runs this object instead of the JSON.
    """

    def __init__(self, allow_code: bool = False, local: dict[str, Scorer] | None = None) -> None:
        self._allow_code = allow_code
        self._local = dict(local or {})
        self._built: dict[tuple[str, int], Scorer] = {}
        self._lock = threading.Lock()

    def get(self, scorer_id: str, version: int, name: str, serialized: str) -> Scorer:
        """The scorer of this version.

        Raises:
            InvalidArgumentError: JSON that cannot be rebuilt (a code scorer without a local
                implementation), or a code scorer where code is not allowed.
        """
        if name in self._local:
            scorer = self._local[name]
            if scorer.is_judge or self._allow_code:
                return scorer
        key = (scorer_id, version)
        with self._lock:
            found = self._built.get(key)
        if found is not None:
            return found
        scorer = scorer_from_json(serialized)
        with self._lock:
            if len(self._built) > 1000:
                self._built.clear()
            self._built[key] = scorer
        return scorer


async def score_work(scorer: Scorer, trace: Any) -> list[Feedback]:
    """The feedbacks of ``scorer`` on ``trace``, each on the trace's root span.

    Raises:
        NotReady: The trace has no root span yet.
        WorkFailed: A session-level scorer, no feedback, or only errors.
    """
    if not trace_ready(trace):
        raise NotReady(f"Trace {trace.info.trace_id} has no root span yet")
    if scorer.session_level:
        raise WorkFailed(f"Scorer {scorer.name!r} is session-level: not run on single traces")
    item = item_from_trace(trace, 0)
    feedbacks = await arun_scorer(
        scorer,
        inputs=item.inputs,
        outputs=item.outputs,
        expectations=item.expectations or None,
        trace=trace,
    )
    _check(scorer, feedbacks)
    for feedback in feedbacks:
        if feedback.span_id is None and item.root_span_id:
            feedback.span_id = item.root_span_id
    return feedbacks


def _check(scorer: Scorer, feedbacks: list[Feedback]) -> None:
    if not feedbacks:
        raise WorkFailed(f"Scorer {scorer.name!r} returned no feedback")
    errors = [f.error for f in feedbacks if f.error is not None]
    if len(errors) == len(feedbacks):
        first = errors[0]
        message = getattr(first, "error_message", None) or str(first)
        raise WorkFailed(f"Scorer {scorer.name!r} failed: {message}"[:2000])


async def score_session(scorer: Scorer, traces: list[Any]) -> list[Feedback]:
    """The feedbacks of a session-level ``scorer`` on a session's traces (oldest first).

    Raises:
        NotReady: A trace of the session has no root span yet.
        WorkFailed: No trace, no feedback, or only errors.
    """
    if not traces:
        raise WorkFailed(f"Scorer {scorer.name!r}: the session has no trace")
    if not all(trace_ready(t) for t in traces):
        raise NotReady("A trace of the session has no root span yet")
    feedbacks = await arun_scorer(scorer, session=list(traces))
    _check(scorer, feedbacks)
    return feedbacks
