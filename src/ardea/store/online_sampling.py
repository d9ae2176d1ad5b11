"""Which ended traces online scorers take: hash sampling, filters and sessions.

The trace stores call this when a write ends traces (see
:mod:`ardea.store.sql.online_scoring.sampler`), whoever wrote them: the OTLP receiver, the
MLflow trace routes, the gateway's trace writer, an SDK on a local database. Backfill calls it
over a time range.

Sampling is a deterministic hash of ``(trace_id, scorer_id)`` against the rate
(:func:`sampled`): every replica, and a repeated call, takes the same decision, and over many
traces the share taken is a binomial sample of the rate. A degraded rate (the backlog is too
long: :func:`degrade_factor`) samples a subset of the full one. A ``filter_string`` (the trace
search grammar) is checked with one search of the sampled ids; a filter that the grammar
refuses is logged and skips that scorer, never the write that ended the traces.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence

from ardea._core.errors import ArdeaError
from ardea.entities.online_scoring import ActiveScorer, WorkItem
from ardea.store.traces import TraceStore

__all__ = [
    "ENDED_STATES",
    "SAFE_SESSION",
    "degrade_factor",
    "items_for",
    "matching",
    "sampled",
    "session_items",
]

log = logging.getLogger(__name__)

ENDED_STATES = frozenset({"OK", "ERROR"})
"""Trace states that end a trace (a record stored with one samples it)."""
SAFE_SESSION = re.compile(r"[A-Za-z0-9_.:@/\-]{1,250}")
"""Session ids that may be quoted into a search filter."""

_SAFE_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
_SCALE = float(2**64)
_CHUNK = 500  # ids per filter search (the search's page limit)


def sampled(trace_id: str, scorer_id: str, rate: float) -> bool:
    """Whether ``rate`` samples ``trace_id`` for ``scorer_id`` (the same answer everywhere)."""
    if rate <= 0.0:
        return False
    if rate >= 1.0:
        return True
    digest = hashlib.sha256(f"{trace_id}\0{scorer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE < rate


def degrade_factor(backlog: int, max_backlog: int) -> float:
    """The factor sample rates are scaled by (the scorer sheds load, never the ingest path).

    1 up to ``max_backlog`` unfinished rows, then ``max_backlog / backlog``.
    """
    return 1.0 if backlog <= max_backlog else max_backlog / backlog


def matching(
    traces: TraceStore, experiment_id: str, scorer: ActiveScorer, trace_ids: Sequence[str]
) -> list[str]:
    """The ids among ``trace_ids`` that the scorer's filter matches (all when it has none).

    A filter the grammar refuses matches nothing (logged).
    """
    if not scorer.filter_string:
        return list(trace_ids)
    safe = [t for t in trace_ids if _SAFE_ID.fullmatch(t)]
    found: list[str] = []
    for start in range(0, len(safe), _CHUNK):
        listed = ", ".join(f"'{t}'" for t in safe[start : start + _CHUNK])
        query = f"{scorer.filter_string} AND trace.request_id IN ({listed})"
        try:
            page = traces.search_traces([str(experiment_id)], query, max_results=_CHUNK)
        except ArdeaError as exc:
            log.warning(
                "Online scorer %r: its filter cannot run (%s); no trace enqueued", scorer.name, exc
            )
            return []
        found += [info.trace_id for info in page]
    return found


def items_for(
    traces: TraceStore,
    experiment_id: str,
    trace_ids: Sequence[str],
    scorers: Sequence[ActiveScorer],
    rate_factor: float,
) -> list[WorkItem]:
    """The work rows the trace-level scorers' samples and filters take of ``trace_ids``."""
    items: list[WorkItem] = []
    for scorer in scorers:
        if scorer.session_level:
            continue  # sessions: see session_items
        rate = scorer.sample_rate * rate_factor
        chosen = [t for t in trace_ids if sampled(t, scorer.scorer_id, rate)]
        if chosen:
            chosen = matching(traces, experiment_id, scorer, chosen)
        items += [
            WorkItem(t, str(experiment_id), scorer.scorer_id, scorer.version, scorer.kind)
            for t in chosen
        ]
    return items


def _sessions_of(traces: TraceStore, experiment_id: str, trace_ids: Sequence[str]) -> set[str]:
    safe = [t for t in trace_ids if _SAFE_ID.fullmatch(t)]
    found: set[str] = set()
    for start in range(0, len(safe), _CHUNK):
        listed = ", ".join(f"'{t}'" for t in safe[start : start + _CHUNK])
        query = f"trace.request_id IN ({listed}) AND trace.session IS NOT NULL"
        page = traces.search_traces([str(experiment_id)], query, max_results=_CHUNK)
        found |= {
            i.session_id for i in page if i.session_id and SAFE_SESSION.fullmatch(i.session_id)
        }
    return found


def _first_trace(traces: TraceStore, experiment_id: str, session_id: str) -> str | None:
    page = traces.search_traces(
        [str(experiment_id)],
        f"trace.session = '{session_id}'",
        max_results=1,
        order_by=["timestamp_ms ASC"],
    )
    return page[0].trace_id if len(page) else None


def session_items(
    traces: TraceStore,
    experiment_id: str,
    trace_ids: Sequence[str],
    scorers: Sequence[ActiveScorer],
    rate_factor: float,
) -> list[WorkItem]:
    """Work rows of the session-level scorers for the sessions these traces belong to.

    A session is sampled by a hash of (session id, scorer id); its row is keyed by the
    session's first trace (where its assessments go), so a session is scored once.
    """
    session_scorers = [s for s in scorers if s.session_level]
    if not session_scorers:
        return []
    items: list[WorkItem] = []
    try:
        for session_id in sorted(_sessions_of(traces, experiment_id, trace_ids)):
            chosen = [
                s
                for s in session_scorers
                if sampled(session_id, s.scorer_id, s.sample_rate * rate_factor)
            ]
            first = _first_trace(traces, experiment_id, session_id) if chosen else None
            if first is not None:
                items += [
                    WorkItem(first, str(experiment_id), s.scorer_id, s.version, s.kind)
                    for s in chosen
                ]
    except ArdeaError as exc:
        log.warning(
            "Online scoring could not find the sessions of %d trace(s): %s", len(trace_ids), exc
        )
        return []
    return items
