"""Links of traces to runs, including links to traces that are not stored yet.

A linked trace has the run in its ``run_id`` column (what ``attribute.run_id`` filters) and
in its ``mlflow.sourceRun`` metadata. The ``mlflow`` client (3.17+) exports traces
asynchronously, so ``link_traces_to_run`` right after a traced call can name a trace whose
spans and record are still on their way: such a link is kept in ``pending_trace_links`` and
applied when the trace's row is created (the explicit link wins over a run the arriving record
names). A pending link older than :data:`PENDING_LINK_TTL_MS` is dropped the next time links
are stored; one whose run is deleted goes with it (foreign key).

Why no link is lost when a trace arrives while it is being linked: on SQLite every write runs
on the one writer thread, so the trace's transaction and the link's see each other in order,
and each claims inside its own transaction. PostgreSQL and MySQL run them concurrently, each
blind to the other's uncommitted rows, so both sides write first and look only after their
commit (:meth:`SqlTraceStore` does the looking): whichever commits second sees the other's
row. Claiming twice is harmless (the same upserts, then the pending row is gone).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import NotFoundError
from ardea._core.ids import now_ms
from ardea.store.sql._db.common import chunked, upsert
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql.traces import tables as t
from ardea.store.sql.traces.info import SOURCE_RUN_KEY
from ardea.store.sql.tracking import tables as tt

__all__ = [
    "PENDING_LINK_TTL_MS",
    "claim_pending_links",
    "existing_trace_ids",
    "has_pending_links",
    "link_traces_op",
]

PENDING_LINK_TTL_MS = 24 * 3600 * 1000
"""How long a link to a trace that has not arrived is kept (a day)."""

_P = t.pending_trace_links.c
_T = t.traces.c


def existing_trace_ids(
    conn: Connection, scope: WorkspaceScope | None, trace_ids: Sequence[str]
) -> set[str]:
    """The ids among ``trace_ids`` that have a ``traces`` row in ``scope`` (None: anywhere)."""
    found: set[str] = set()
    for chunk in chunked(list(trace_ids)):
        query = sa.select(_T.trace_id).where(_T.trace_id.in_(chunk))
        if scope is not None:
            query = query.where(scope.owns_experiment(_T.experiment_id))
        found.update(conn.execute(query).scalars())
    return found


def has_pending_links(conn: Connection, trace_ids: Sequence[str]) -> bool:
    """Whether a pending link names any of ``trace_ids`` (one indexed lookup per 1,000)."""
    for chunk in chunked(list(trace_ids)):
        query = sa.select(_P.trace_id).where(_P.trace_id.in_(chunk)).limit(1)
        if conn.execute(query).first() is not None:
            return True
    return False


def _apply(conn: Connection, links: dict[str, str]) -> None:
    """Set run ``links[trace_id]`` on each (existing) trace: column and metadata."""
    rows = [{"trace_id": i, "key": SOURCE_RUN_KEY, "value": r} for i, r in sorted(links.items())]
    upsert(conn, t.trace_metadata, rows, ["trace_id", "key"], ["value"])
    by_run: dict[str, list[str]] = {}
    for trace_id, run_id in links.items():
        by_run.setdefault(run_id, []).append(trace_id)
    for run_id, ids in by_run.items():
        for chunk in chunked(sorted(ids)):
            conn.execute(t.traces.update().where(_T.trace_id.in_(chunk)).values(run_id=run_id))


def _claimable(scope: WorkspaceScope) -> sa.Select[tuple[str, str]]:
    """The pending links of ``:trace_ids`` (expanding) whose trace and run are in ``scope``.

    Built once per scope: every new trace runs it (on SQLite inside the write).
    """
    runs = tt.runs.c
    return (
        sa.select(_P.trace_id, _P.run_id)
        .select_from(
            t.pending_trace_links.join(t.traces, _T.trace_id == _P.trace_id).join(
                tt.runs, runs.run_id == _P.run_id
            )
        )
        .where(
            _P.trace_id.in_(sa.bindparam("trace_ids", expanding=True)),
            scope.owns_experiment(_T.experiment_id),
            scope.owns_experiment(runs.experiment_id),
        )
    )


def claim_pending_links(
    conn: Connection, trace_ids: Sequence[str], scope: WorkspaceScope = DEFAULT_SCOPE
) -> dict[str, str]:
    """Apply and delete the pending links of those ``trace_ids`` that are stored traces.

    Only a link whose trace and run are both in ``scope`` is applied (a run of one workspace
    never takes a trace of another, whoever created the trace first).

    Returns:
        Trace id -> run id of the links applied.
    """
    pending: dict[str, str] = {}
    query = scope.cached(("traces", "claim_pending_links"), lambda: _claimable(scope))
    for chunk in chunked(sorted(set(trace_ids))):
        rows = conn.execute(query, {"trace_ids": list(chunk)})
        pending.update({row.trace_id: row.run_id for row in rows})
    if not pending:
        return {}
    _apply(conn, pending)
    for chunk in chunked(sorted(pending)):
        conn.execute(t.pending_trace_links.delete().where(_P.trace_id.in_(chunk)))
    return pending


def link_traces_op(
    scope: WorkspaceScope, trace_ids: Sequence[str], run_id: str
) -> Callable[[Connection], list[str]]:
    """The write linking ``trace_ids`` to ``run_id``; it returns the ids left pending.

    The write raises NotFoundError when the run does not exist in ``scope``, or a trace
    exists in another workspace. Stored traces are linked at once; the others get a pending
    link (replacing an older one of the same trace).
    """
    ids = sorted(set(trace_ids))

    def op(conn: Connection) -> list[str]:
        runs = tt.runs.c
        run = conn.execute(
            sa.select(runs.run_id).where(
                runs.run_id == run_id, scope.owns_experiment(runs.experiment_id)
            )
        ).first()
        if run is None:
            raise NotFoundError(f"Run with id={run_id} not found")
        found = existing_trace_ids(conn, scope, ids)
        foreign = sorted(existing_trace_ids(conn, None, [i for i in ids if i not in found]))
        if foreign:
            raise NotFoundError(f"Trace with ID {foreign[0]} is not found.")
        if found:
            _apply(conn, dict.fromkeys(found, run_id))
        missing = [i for i in ids if i not in found]
        if not missing:
            return []
        now = now_ms()
        conn.execute(
            t.pending_trace_links.delete().where(_P.created_time < now - PENDING_LINK_TTL_MS)
        )
        rows = [{"trace_id": i, "run_id": run_id, "created_time": now} for i in missing]
        upsert(conn, t.pending_trace_links, rows, ["trace_id"], ["run_id", "created_time"])
        return missing

    return op
