"""Online scoring's ingest hook: sample ended traces for the active scorers, store work rows.

Called on the ingest path once a write that ended traces is committed (OTLP root spans,
StartTraceV3 with a final state). It never calls a judge: per experiment it reads the
active scorers (one indexed read, cached for :data:`CONFIG_TTL_S` seconds), keeps the traces
each one samples and whose filter matches, and stores their rows in one batch insert.

Sampling is a deterministic hash of ``(trace_id, scorer_id)`` against the rate
(:func:`sampled`): every replica, and a repeated call, takes the same decision, and over many
traces the share taken is a binomial sample of the rate. A ``filter_string`` (the trace
search grammar) is checked with one search of the sampled ids; a filter that the grammar
refuses is logged and skips that scorer, never the ingest. The rate can be scaled down by the
caller's ``degrade`` factor when the backlog is too long (hash-based, so a degraded sample is
a subset of the full one).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence

from ardea._core.errors import ArdeaError
from ardea.entities import Trace
from ardea.entities.online_scoring import ActiveScorer, WorkItem
from ardea.store.backend import Backend

__all__ = [
    "CONFIG_TTL_S",
    "SESSION_QUIET_S",
    "OnlineEnqueuer",
    "backfill",
    "sampled",
    "session_items",
    "session_traces",
]

log = logging.getLogger(__name__)

CONFIG_TTL_S = 5.0
"""Seconds an experiment's active scorers are cached (a config change applies within it)."""
SESSION_QUIET_S = 60.0
"""Default seconds without a new trace after which a session is scored."""

_SAFE_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
_SAFE_SESSION = re.compile(r"[A-Za-z0-9_.:@/\-]{1,250}")
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


class OnlineEnqueuer:
    """Turns ended traces into work rows (see the module docstring).

    Args:
        degrade: The factor (0..1] the configured rates are scaled by now (1: none).
        on_enqueue: Called (on the caller's thread) after rows were stored, to wake a loop.
        ttl: Seconds the active scorers of an experiment are cached.
        session_quiet_s: Seconds without a new trace after which a session is scored.
    """

    def __init__(
        self,
        degrade: Callable[[], float] = lambda: 1.0,
        on_enqueue: Callable[[], None] | None = None,
        ttl: float = CONFIG_TTL_S,
        session_quiet_s: float = SESSION_QUIET_S,
    ) -> None:
        self.session_quiet_s = session_quiet_s
        self._degrade = degrade
        self._on_enqueue = on_enqueue
        self._ttl = ttl
        self._cache: dict[tuple[str, str], tuple[float, list[ActiveScorer]]] = {}
        self._lock = threading.Lock()

    def active(self, backend: Backend, experiment_id: str) -> list[ActiveScorer]:
        """The experiment's active scorers (cached for ``ttl`` seconds)."""
        key = (backend.workspace, str(experiment_id))
        now = time.monotonic()
        with self._lock:
            found = self._cache.get(key)
        if found is not None and found[0] > now:
            return found[1]
        try:
            scorers = backend.online_scoring.active_scorers(str(experiment_id))
        except ArdeaError:  # a backend without online scoring
            scorers = []
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key] = (now + self._ttl, scorers)
        return scorers

    def cached(self, backend: Backend, experiment_id: str) -> list[ActiveScorer] | None:
        """The cached active scorers of the experiment, or None when not cached (or stale)."""
        with self._lock:
            found = self._cache.get((backend.workspace, str(experiment_id)))
        return found[1] if found is not None and found[0] > time.monotonic() else None

    def forget(self) -> None:
        """Drop the cache (the next call reads the configs again)."""
        with self._lock:
            self._cache.clear()

    def items_for(
        self,
        backend: Backend,
        experiment_id: str,
        trace_ids: Sequence[str],
        scorers: Sequence[ActiveScorer],
        rate_factor: float,
    ) -> list[WorkItem]:
        """The work rows the scorers' samples and filters take of ``trace_ids``."""
        items: list[WorkItem] = []
        for scorer in scorers:
            if scorer.session_level:
                continue  # sessions: see session_items
            rate = scorer.sample_rate * rate_factor
            chosen = [t for t in trace_ids if sampled(t, scorer.scorer_id, rate)]
            if chosen and scorer.filter_string:
                chosen = self._matching(backend, experiment_id, scorer, chosen)
            items += [
                WorkItem(t, str(experiment_id), scorer.scorer_id, scorer.version, scorer.kind)
                for t in chosen
            ]
        return items

    @staticmethod
    def _matching(
        backend: Backend, experiment_id: str, scorer: ActiveScorer, trace_ids: list[str]
    ) -> list[str]:
        safe = [t for t in trace_ids if _SAFE_ID.fullmatch(t)]
        found: list[str] = []
        for start in range(0, len(safe), _CHUNK):
            listed = ", ".join(f"'{t}'" for t in safe[start : start + _CHUNK])
            query = f"{scorer.filter_string} AND trace.request_id IN ({listed})"
            try:
                page = backend.traces.search_traces([str(experiment_id)], query, max_results=_CHUNK)
            except ArdeaError as exc:
                log.warning(
                    "Online scorer %r: its filter cannot run (%s); no trace enqueued",
                    scorer.name,
                    exc,
                )
                return []
            found += [info.trace_id for info in page]
        return found

    def traces_ended(self, backend: Backend, experiment_id: str, trace_ids: Sequence[str]) -> int:
        """Sample ``trace_ids`` (ended traces of the experiment) and store their work rows.

        Returns:
            How many new rows were stored (0 when no scorer is active: one cached lookup).
        """
        if not trace_ids:
            return 0
        scorers = self.active(backend, experiment_id)
        if not scorers:
            return 0
        unique = list(dict.fromkeys(trace_ids))
        factor = self._degrade()
        items = self.items_for(backend, experiment_id, unique, scorers, factor)
        added = backend.online_scoring.enqueue(items) if items else 0
        if added and self._on_enqueue is not None:
            self._on_enqueue()
        if any(s.session_level for s in scorers):
            sessions = session_items(backend, experiment_id, unique, scorers, factor)
            if sessions:
                due = int(time.time() * 1000 + self.session_quiet_s * 1000)
                added += backend.online_scoring.enqueue(sessions, not_before=due)
        return added


def _session_of_traces(backend: Backend, experiment_id: str, trace_ids: list[str]) -> set[str]:
    safe = [t for t in trace_ids if _SAFE_ID.fullmatch(t)]
    found: set[str] = set()
    for start in range(0, len(safe), _CHUNK):
        listed = ", ".join(f"'{t}'" for t in safe[start : start + _CHUNK])
        query = f"trace.request_id IN ({listed}) AND trace.session IS NOT NULL"
        page = backend.traces.search_traces([str(experiment_id)], query, max_results=_CHUNK)
        found |= {
            i.session_id for i in page if i.session_id and _SAFE_SESSION.fullmatch(i.session_id)
        }
    return found


def _first_trace(backend: Backend, experiment_id: str, session_id: str) -> str | None:
    page = backend.traces.search_traces(
        [str(experiment_id)],
        f"trace.session = '{session_id}'",
        max_results=1,
        order_by=["timestamp_ms ASC"],
    )
    return page[0].trace_id if len(page) else None


def session_items(
    backend: Backend,
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
        sessions = _session_of_traces(backend, experiment_id, list(trace_ids))
        for session_id in sorted(sessions):
            chosen = [
                s
                for s in session_scorers
                if sampled(session_id, s.scorer_id, s.sample_rate * rate_factor)
            ]
            first = _first_trace(backend, experiment_id, session_id) if chosen else None
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


def session_traces(backend: Backend, experiment_id: str, session_id: str) -> list[Trace]:
    """The traces of a session, oldest first (at most 500), with their spans."""
    if not _SAFE_SESSION.fullmatch(session_id):
        return []
    page = backend.traces.search_traces(
        [str(experiment_id)],
        f"trace.session = '{session_id}'",
        max_results=_CHUNK,
        order_by=["timestamp_ms ASC"],
    )
    found = backend.traces.batch_get_traces([i.trace_id for i in page])
    return sorted(found, key=lambda t: (t.info.request_time, t.info.trace_id))


def backfill(
    enqueuer: OnlineEnqueuer,
    backend: Backend,
    experiment_id: str,
    start_ms: int,
    end_ms: int,
    names: Sequence[str] = (),
) -> tuple[int, int]:
    """Enqueue the experiment's ended traces that started in ``[start_ms, end_ms]``.

    Each active scorer (those named, when ``names`` is given) samples and filters them as
    it would new traces (at its configured rate, not degraded); rows already there stay.

    Returns:
        (traces looked at, new rows stored).
    """
    scorers = backend.online_scoring.active_scorers(str(experiment_id))
    if names:
        wanted = set(names)
        scorers = [s for s in scorers if s.name in wanted]
    if not scorers:
        return 0, 0
    query = (
        f"trace.timestamp_ms >= {int(start_ms)} AND trace.timestamp_ms <= {int(end_ms)} "
        "AND trace.status != 'IN_PROGRESS'"
    )
    seen = added = 0
    token: str | None = None
    while True:
        page = backend.traces.search_traces(
            [str(experiment_id)], query, max_results=_CHUNK, page_token=token
        )
        ids = [info.trace_id for info in page]
        seen += len(ids)
        items = enqueuer.items_for(backend, experiment_id, ids, scorers, 1.0)
        added += backend.online_scoring.enqueue(items) if items else 0
        token = page.token
        if not token:
            return seen, added
