"""The one place where ended traces become online scoring work: inside the write that ends them.

Every SQL trace store write that ends traces (root spans, a record with a final state, whole
traces from the gateway's writer) calls :meth:`TraceEndSampler.in_write` on its write
connection, so a trace's work rows commit with the trace itself: a crash between the two is
impossible, and no second transaction is paid on the ingest path. Whoever writes the traces
(the OTLP receiver, the MLflow routes, the gateway's trace writer process, an SDK on a local
database) gets the same sampling.

In the write, the sampler reads the experiment's active scorers (cached per workspace and
experiment for :data:`CONFIG_TTL_S` seconds, and dropped when a config changes in this process)
and inserts the rows of the scorers that need no search: trace-level scorers without a filter,
sampled by :func:`~ardea.store.online_sampling.sampled` at the rate scaled by
:func:`~ardea.store.online_sampling.degrade_factor` of the backlog (counted at most every
:data:`BACKLOG_REFRESH_S` seconds, plus the rows this process stored since). The insert runs
under a savepoint (on SQLite, where a failed statement undoes only itself, none): if it
fails, it is logged and the traces are stored all the same. Scorers
with a filter and session-level scorers need a search of committed traces:
:meth:`TraceEndSampler.after_commit` does them in a second write, after the commit, and then
calls the listeners (a server's scorer loop wakes up).

There is one sampler per :class:`~ardea.store.sql._db.engine.Database` (:func:`sampler_for`),
set as its ``trace_end_hook`` by ``open_sql_backend``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from ardea._core import env
from ardea.entities.online_scoring import ActiveScorer, WorkItem
from ardea.store.online_sampling import degrade_factor, items_for, sampled, session_items
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.online_scoring.store import count_backlog, enqueue_rows, read_active_scorers
from ardea.store.traces import TraceStore

__all__ = [
    "BACKLOG_REFRESH_S",
    "CONFIG_TTL_S",
    "Deferred",
    "TraceEndSampler",
    "sampler_for",
]

log = logging.getLogger(__name__)

CONFIG_TTL_S = 5.0
"""Seconds an experiment's active scorers are cached (another process's change applies
within it; this process's own changes apply at once)."""
BACKLOG_REFRESH_S = 2.0
"""Seconds between two counts of the backlog (for the degrade factor)."""
_CACHE_MAX = 10_000


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        return default


@dataclass(frozen=True)
class Deferred:
    """What :meth:`TraceEndSampler.in_write` leaves for after the commit.

    Attributes:
        experiment_id: The experiment of the ended traces.
        trace_ids: The ended traces (each once).
        scorers: The active scorers that need a search (a filter, or session-level).
        factor: The degrade factor the write sampled at.
        added: Rows the write stored already.
    """

    experiment_id: str
    trace_ids: tuple[str, ...]
    scorers: tuple[ActiveScorer, ...]
    factor: float
    added: int


class TraceEndSampler:
    """Samples the traces a write ends (see the module docstring).

    Args:
        ttl: Seconds an experiment's active scorers are cached.
    """

    def __init__(self, ttl: float = CONFIG_TTL_S) -> None:
        self._ttl = ttl
        self._cache: dict[tuple[str, int], tuple[float, list[ActiveScorer]]] = {}
        self._lock = threading.Lock()
        self._backlog = 0
        self._backlog_at = -float("inf")
        self.max_backlog = max(1, int(_number(env.ARDEA_ONLINE_SCORING_MAX_BACKLOG, 10_000)))
        self.session_quiet_s = max(
            0.0, _number(env.ARDEA_ONLINE_SCORING_SESSION_QUIET_SECONDS, 60.0)
        )
        self.listeners: list[Callable[[], None]] = []

    def needs_thread(self, deferred: Deferred | None) -> bool:
        """Whether :meth:`after_commit` of ``deferred`` searches and writes (else: listeners)."""
        return deferred is not None and bool(deferred.scorers)

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` (on the writer's thread) when rows were stored; returns the stop."""
        self.listeners.append(listener)

        def stop() -> None:
            if listener in self.listeners:
                self.listeners.remove(listener)

        return stop

    def forget(self) -> None:
        """Drop the cached configs (a config changed: the next write reads them again)."""
        with self._lock:
            self._cache.clear()

    def cached(self, workspace: str, experiment_id: int) -> list[ActiveScorer] | None:
        """The cached active scorers of the experiment, or None when not cached (or stale)."""
        with self._lock:
            found = self._cache.get((workspace, experiment_id))
        return found[1] if found is not None and found[0] > time.monotonic() else None

    def _active(self, conn: Connection, scope: WorkspaceScope, exp: int) -> list[ActiveScorer]:
        found = self.cached(scope.name, exp)
        if found is not None:
            return found
        scorers = read_active_scorers(conn, scope, exp)
        with self._lock:
            if len(self._cache) > _CACHE_MAX:
                self._cache.clear()
            self._cache[scope.name, exp] = (time.monotonic() + self._ttl, scorers)
        return scorers

    def _factor(self, conn: Connection) -> float:
        now = time.monotonic()
        if now - self._backlog_at >= BACKLOG_REFRESH_S:
            self._backlog = count_backlog(conn)
            self._backlog_at = now
        return degrade_factor(self._backlog, self.max_backlog)

    def in_write(
        self, conn: Connection, scope: WorkspaceScope, experiment_id: int, ended: Sequence[str]
    ) -> Deferred | None:
        """Inside the write that ended ``ended``: store the rows that need no search.

        Returns:
            What is left for :meth:`after_commit`, or None when no scorer is active (one
            cached lookup) or the sampling failed (logged; the write goes on).
        """
        if not ended:
            return None
        try:
            scorers = self._active(conn, scope, experiment_id)
            if not scorers:
                return None
            ids = tuple(dict.fromkeys(ended))
            factor = self._factor(conn)
            exp = str(experiment_id)
            plain = [s for s in scorers if not s.session_level and not s.filter_string]
            items = [
                WorkItem(t, exp, s.scorer_id, s.version, s.kind)
                for s in plain
                for t in ids
                if sampled(t, s.scorer_id, s.sample_rate * factor)
            ]
            added = 0
            if items and conn.dialect.name == "sqlite":
                # A failed SQLite statement undoes itself alone: no savepoint to pay for.
                added = enqueue_rows(conn, scope.name, items, count=False)
            elif items:
                with conn.begin_nested():  # a failure here never costs the traces
                    added = enqueue_rows(conn, scope.name, items, count=False)
            self._backlog += added  # counted again within BACKLOG_REFRESH_S
        except Exception:
            log.exception("Online scoring could not sample %d ended trace(s)", len(ended))
            return None
        later = tuple(s for s in scorers if s.session_level or s.filter_string)
        return Deferred(exp, ids, later, factor, added)

    def after_commit(
        self, db: Database, scope: WorkspaceScope, traces: TraceStore, deferred: Deferred | None
    ) -> int:
        """After the commit: the filtered and session-level scorers' rows, then wake listeners.

        Returns:
            Every row stored for these traces (in the write and now). Never raises.
        """
        if deferred is None:
            return 0
        added = deferred.added
        if deferred.scorers:
            try:
                added += self._searched(db, scope.name, traces, deferred)
            except Exception:
                log.exception(
                    "Online scoring could not sample %d ended trace(s)", len(deferred.trace_ids)
                )
        if added:
            for listener in list(self.listeners):
                try:
                    listener()
                except Exception:
                    log.exception("An online scoring listener failed")
        return added

    def _searched(self, db: Database, name: str, traces: TraceStore, deferred: Deferred) -> int:
        exp, ids, factor = deferred.experiment_id, deferred.trace_ids, deferred.factor
        items = items_for(traces, exp, ids, deferred.scorers, factor)
        added = db.write(lambda c: enqueue_rows(c, name, items)) if items else 0
        sessions = session_items(traces, exp, ids, deferred.scorers, factor)
        if sessions:
            due = int(time.time() * 1000 + self.session_quiet_s * 1000)
            added += db.write(lambda c: enqueue_rows(c, name, sessions, not_before=due))
        return added


_LOCK = threading.Lock()


def sampler_for(db: Database) -> TraceEndSampler:
    """The sampler of ``db``: its ``trace_end_hook``, set on first use."""
    with _LOCK:
        hook = db.trace_end_hook
        if not isinstance(hook, TraceEndSampler):
            hook = TraceEndSampler()
            db.trace_end_hook = hook
        return hook
