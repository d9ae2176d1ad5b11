"""The sweep's SQL: which experiments have a policy (every workspace), and their due traces.

The sweep works on the database as a whole, so :func:`policy_experiments` reads the
``experiments`` table itself for each experiment's workspace;
``tests/architecture/test_workspace_scope.py`` allows this module to do so. The delete is
keyed on ``(request_time, trace_id)``, the order of the ``(experiment_id, request_time)``
index, so each batch is one index range scan; on PostgreSQL the batch's rows are taken
``FOR UPDATE SKIP LOCKED``, so two sweeps (or a writer touching a trace) never wait on each
other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.entities.retention import RETENTION_TAGS, RetentionPolicy, policy_from_tags
from ardea.store.retention import RetentionTarget
from ardea.store.sql._db.common import chunked
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.retention.tables import trace_retention_policies as _P
from ardea.store.sql.traces import tables as t
from ardea.store.sql.tracking.tables import experiment_tags, experiments

__all__ = [
    "archive_rows",
    "archived_location",
    "delete_trace_rows",
    "due_condition",
    "due_rows",
    "plan_targets",
    "policy_experiments",
]


def workspace_policies(conn: Connection) -> dict[str, RetentionPolicy]:
    """Every workspace's policy, by workspace name."""
    rows = conn.execute(sa.select(_P.c.workspace, _P.c.max_age_days, _P.c.max_traces, _P.c.archive))
    return {
        r.workspace: RetentionPolicy(
            r.max_age_days, r.max_traces, None if r.archive is None else bool(r.archive)
        )
        for r in rows
    }


def policy_experiments(conn: Connection) -> list[tuple[int, str, RetentionPolicy]]:
    """``(experiment_id, workspace, policy in force)`` of each experiment with a limit."""
    by_workspace = workspace_policies(conn)
    ex, tg = experiments.c, experiment_tags.c
    tagged = sa.select(tg.experiment_id).where(tg.key.in_(RETENTION_TAGS))
    where = [ex.experiment_id.in_(tagged)]
    with_policy = [w for w, p in by_workspace.items() if p.limits]
    if with_policy:
        where.append(ex.workspace.in_(with_policy))
    rows = list(
        conn.execute(
            sa.select(ex.experiment_id, ex.workspace)
            .where(sa.or_(*where))
            .order_by(ex.experiment_id)
        )
    )
    tags: dict[int, dict[str, str]] = {}
    for chunk in chunked([r.experiment_id for r in rows]):
        query = sa.select(tg.experiment_id, tg.key, tg.value).where(
            tg.experiment_id.in_(chunk), tg.key.in_(RETENTION_TAGS)
        )
        for exp, key, value in conn.execute(query):
            tags.setdefault(exp, {})[key] = value
    out = []
    for r in rows:
        base = by_workspace.get(r.workspace, RetentionPolicy())
        policy = policy_from_tags(tags.get(r.experiment_id, {})).over(base)
        if policy.limits:
            out.append((int(r.experiment_id), str(r.workspace), policy))
    return out


def due_condition(target: RetentionTarget) -> Any:
    """The SQL condition true for ``target``'s due traces (its experiment's only)."""
    tr = t.traces.c
    either = []
    if target.age_cutoff_ms is not None:
        either.append(tr.request_time < target.age_cutoff_ms)
    if target.count_boundary is not None:
        when, trace_id = target.count_boundary
        either.append(
            sa.or_(
                tr.request_time < when,
                sa.and_(tr.request_time == when, tr.trace_id <= trace_id),
            )
        )
    if not either:
        return sa.false()
    return sa.and_(tr.experiment_id == int(target.experiment_id), sa.or_(*either))


def _boundary(conn: Connection, experiment_id: int, keep: int) -> tuple[int, str] | None:
    tr = t.traces.c
    row = conn.execute(
        sa.select(tr.request_time, tr.trace_id)
        .where(tr.experiment_id == experiment_id)
        .order_by(tr.request_time.desc(), tr.trace_id.desc())
        .offset(keep)
        .limit(1)
    ).first()
    return None if row is None else (int(row.request_time), str(row.trace_id))


def count_due(conn: Connection, target: RetentionTarget) -> int:
    """How many of ``target``'s due traces are stored."""
    query = sa.select(sa.func.count()).select_from(t.traces).where(due_condition(target))
    return int(conn.execute(query).scalar_one())


def plan_targets(conn: Connection, now_ms: int) -> list[RetentionTarget]:
    """The experiments with due traces at ``now_ms``, with their fixed cut-offs."""
    out = []
    for experiment_id, workspace, policy in policy_experiments(conn):
        boundary = _boundary(conn, experiment_id, policy.max_traces) if policy.max_traces else None
        target = RetentionTarget(
            str(experiment_id), workspace, policy, policy.age_cutoff_ms(now_ms), boundary, 0
        )
        due = count_due(conn, target)
        if due:
            out.append(replace(target, due=due))
    return out


def delete_trace_rows(conn: Connection, trace_ids: Sequence[str]) -> None:
    """Delete traces with their spans, tags, metadata and assessments.

    The children go explicitly (no cascade walks row by row); other rows referencing a trace
    by foreign key (online scoring work) go by ``ON DELETE CASCADE``.
    """
    for chunk in chunked(list(trace_ids)):
        for table in (t.spans, t.trace_tags, t.trace_metadata, t.assessments):
            conn.execute(table.delete().where(table.c.trace_id.in_(chunk)))
        conn.execute(t.traces.delete().where(t.traces.c.trace_id.in_(chunk)))


def delete_due_batch(conn: Connection, target: RetentionTarget, limit: int) -> int:
    """Delete up to ``limit`` of ``target``'s due traces, oldest first."""
    tr = t.traces.c
    query = (
        sa.select(tr.trace_id)
        .where(due_condition(target))
        .order_by(tr.request_time, tr.trace_id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(conn.execute(query).scalars())
    delete_trace_rows(conn, ids)
    return len(ids)


def due_rows(conn: Connection, target: RetentionTarget, limit: int) -> list[tuple[str, int]]:
    """Up to ``limit`` due traces of ``target``, oldest first, as ``(trace_id, request_time)``."""
    tr = t.traces.c
    query = (
        sa.select(tr.trace_id, tr.request_time)
        .where(due_condition(target))
        .order_by(tr.request_time, tr.trace_id)
        .limit(limit)
    )
    return [(str(r.trace_id), int(r.request_time)) for r in conn.execute(query)]


def archive_rows(
    conn: Connection, target: RetentionTarget, rows: Sequence[tuple[str, int]], location: str
) -> int:
    """Index ``rows`` as archived at ``location`` and delete the traces still stored."""
    tr = t.traces.c
    still: list[str] = []
    for chunk in chunked([trace_id for trace_id, _ in rows]):
        query = sa.select(tr.trace_id).where(tr.trace_id.in_(chunk), due_condition(target))
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        still.extend(conn.execute(query).scalars())
    kept = set(still)
    index = [
        {
            "trace_id": trace_id,
            "experiment_id": int(target.experiment_id),
            "location": location,
            "request_time": request_time,
        }
        for trace_id, request_time in rows
        if trace_id in kept
    ]
    if index:
        conn.execute(t.archived_traces.insert(), index)
    delete_trace_rows(conn, still)
    return len(still)


def archived_location(conn: Connection, scope: WorkspaceScope, trace_id: str) -> str | None:
    """The archive folder of ``trace_id`` when it is an archived trace of ``scope``."""
    ar = t.archived_traces.c
    query = sa.select(ar.location).where(
        ar.trace_id == trace_id, scope.owns_experiment(ar.experiment_id)
    )
    found = conn.execute(query).scalar()
    return None if found is None else str(found)
