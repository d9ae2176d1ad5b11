"""Prebuilt statements for the trace write paths.

Building a SQLAlchemy statement costs more than running it on SQLite, and the trace hot
paths (StartTraceV3, OTLP ingest) run a handful per request: each statement here is built
once per dialect and table and then reused (SQLAlchemy's compiled cache does the rest).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.traces import tables as t

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SQLiteInsert

__all__ = [
    "SPAN_TOTALS",
    "TRACES_INSERT",
    "TRACE_META",
    "TRACE_ROW",
    "TRACE_TAGS",
    "complete_trace_params",
    "complete_trace_stmt",
    "execute_rows",
    "insert_ignore_stmt",
    "trace_existing",
    "traces_existing",
    "traces_by_ids",
    "upsert_stmt",
]


def trace_existing(scope: WorkspaceScope) -> sa.Select[Any]:
    """Trace ``:trace_id``'s id, span count and whether ``scope`` holds it, when it exists."""

    def build() -> sa.Select[Any]:
        tr = t.traces.c
        return sa.select(
            tr.trace_id, tr.span_count, scope.owns_experiment(tr.experiment_id).label("visible")
        ).where(tr.trace_id == sa.bindparam("trace_id"))

    return scope.cached(("traces", "existing"), build)


def traces_existing(scope: WorkspaceScope) -> sa.Select[Any]:
    """:func:`trace_existing` of the traces in ``:trace_ids`` (those that exist)."""

    def build() -> sa.Select[Any]:
        tr = t.traces.c
        return sa.select(
            tr.trace_id, tr.span_count, scope.owns_experiment(tr.experiment_id).label("visible")
        ).where(tr.trace_id.in_(sa.bindparam("trace_ids", expanding=True)))

    return scope.cached(("traces", "existing_many"), build)


def traces_by_ids(scope: WorkspaceScope) -> sa.Select[Any]:
    """Id, ``info_finalized`` and visibility in ``scope`` of the traces in ``:trace_ids``."""

    def build() -> sa.Select[Any]:
        tr = t.traces.c
        return sa.select(
            tr.trace_id,
            tr.info_finalized,
            scope.owns_experiment(tr.experiment_id).label("visible"),
        ).where(tr.trace_id.in_(sa.bindparam("trace_ids", expanding=True)))

    return scope.cached(("traces", "by_ids"), build)


@functools.lru_cache(maxsize=64)
def _upsert(
    dialect: str, table: sa.Table, keys: tuple[str, ...], update: tuple[str, ...]
) -> sa.Insert:
    if dialect in ("sqlite", "postgresql"):
        ins: SQLiteInsert | PostgresInsert
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            ins = sqlite_insert(table)
        else:
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            ins = pg_insert(table)
        return ins.on_conflict_do_update(
            index_elements=list(keys), set_={c: ins.excluded[c] for c in update}
        )
    from sqlalchemy.dialects.mysql import insert as mysql_insert

    mins = mysql_insert(table)
    return mins.on_duplicate_key_update({c: mins.inserted[c] for c in update})


def upsert_stmt(
    conn: sa.Connection, table: sa.Table, keys: Sequence[str], update: Sequence[str]
) -> sa.Insert:
    """The (cached) insert-or-update statement of ``_common.upsert`` for this connection."""
    return _upsert(conn.dialect.name, table, tuple(keys), tuple(update))


@functools.lru_cache(maxsize=64)
def _insert_ignore(dialect: str, table: sa.Table) -> sa.Insert:
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    return table.insert().prefix_with("IGNORE")


def insert_ignore_stmt(conn: sa.Connection, table: sa.Table) -> sa.Insert:
    """The (cached) insert-skipping-duplicates statement of ``_common.insert_ignore``."""
    return _insert_ignore(conn.dialect.name, table)


_DRIVER_SQL: dict[tuple[Any, tuple[str, ...]], tuple[str, Callable[[Any], Any]]] = {}


def _getter(order: tuple[str, ...]) -> Callable[[Any], Any]:
    """A row's values in ``order``, as a tuple (one C call per row)."""
    if len(order) > 1:
        return operator.itemgetter(*order)
    return lambda row: tuple(row[k] for k in order)


def execute_rows(conn: sa.Connection, stmt: Any, rows: list[dict[str, Any]]) -> None:
    """``conn.execute(stmt, rows)`` for many same-keyed rows, cheaper on SQLite.

    SQLAlchemy processes every parameter of every row in Python (about a microsecond a
    value), which for a batch of spans cost more than SQLite's own work. On SQLite, whose
    driver takes plain tuples, the statement is compiled once per key set and the rows go
    straight to ``executemany``; no column of the tables written this way needs a bind
    processor there. On PostgreSQL the rows go as one array per column into a single
    ``INSERT ... SELECT * FROM unnest(...)`` (:func:`_pg_unnest_insert`): one statement, one
    text for psycopg to prepare, whatever the number of rows. MySQL keeps SQLAlchemy's path
    (its batched multi-row inserts beat the driver's ``executemany``).
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql" and len(rows) > 1:
        _pg_unnest_insert(conn, stmt, rows)
        return
    if conn.dialect.name != "sqlite":
        conn.execute(stmt, rows)
        return
    keys = tuple(rows[0])
    entry = _DRIVER_SQL.get((stmt, keys))
    if entry is None:
        compiled = stmt.compile(dialect=conn.dialect, column_keys=list(keys))
        entry = (str(compiled), _getter(tuple(compiled.positiontup or ())))
        _DRIVER_SQL[(stmt, keys)] = entry
    sql, values = entry
    conn.exec_driver_sql(sql, list(map(values, rows)))


_PG_UNNEST: dict[tuple[Any, tuple[str, ...]], tuple[str, list[tuple[str, Any]]]] = {}


def _pg_unnest_insert(conn: sa.Connection, stmt: Any, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: ``stmt`` (an insert, its ON CONFLICT clause kept) of ``rows`` in one statement.

    Each column's values go as one typed array (``%(k)s::TYPE[]``), their bind processors
    (booleans, doubles) applied here as SQLAlchemy would have.
    """
    keys = tuple(rows[0])
    entry = _PG_UNNEST.get((stmt, keys))
    if entry is None:
        dialect = conn.dialect
        sql = str(stmt.compile(dialect=dialect, column_keys=list(keys)))
        head, values = sql.split(" VALUES (", 1)
        conflict = values.find(" ON CONFLICT")
        tail = values[conflict:] if conflict >= 0 else ""
        table: sa.Table = stmt.table
        # the compiled column order, which the arrays must follow (SELECT * is positional)
        order = [
            n.strip().strip('"') for n in head[head.index("(") + 1 : head.rindex(")")].split(",")
        ]
        cols = [table.c[k] for k in order]
        arrays = ", ".join(f"%({c.key})s::{c.type.compile(dialect=dialect)}[]" for c in cols)
        entry = (
            f"{head} SELECT * FROM unnest({arrays}){tail}",
            [(c.key, c.type.bind_processor(dialect)) for c in cols],
        )
        _PG_UNNEST[(stmt, keys)] = entry
    sql, processors = entry
    params: dict[str, list[Any]] = {}
    for k, proc in processors:
        column = [row[k] for row in rows]
        params[k] = column if proc is None else [None if v is None else proc(v) for v in column]
    conn.exec_driver_sql(sql, params)


_tr, _sp = t.traces.c, t.spans.c
TRACES_INSERT = t.traces.insert()
"""Insert complete trace rows (executed many)."""
SPAN_TOTALS = sa.select(
    _sp.trace_id, _sp.span_id, _sp.input_tokens, _sp.output_tokens, _sp.cost
).where(
    _sp.trace_id.in_(sa.bindparam("trace_ids", expanding=True)),
    _sp.span_id.in_(sa.bindparam("span_ids", expanding=True)),
)
"""Token and cost columns of stored spans (candidates; the caller filters exact pairs)."""
TRACE_ROW = sa.select(t.traces).where(_tr.trace_id == sa.bindparam("trace_id"))
"""The full ``traces`` row of ``:trace_id``."""
TRACE_TAGS = sa.select(t.trace_tags.c.key, t.trace_tags.c.value).where(
    t.trace_tags.c.trace_id == sa.bindparam("trace_id")
)
"""Tags of ``:trace_id``."""
TRACE_META = sa.select(t.trace_metadata.c.key, t.trace_metadata.c.value).where(
    t.trace_metadata.c.trace_id == sa.bindparam("trace_id")
)
"""Metadata of ``:trace_id``."""

_COALESCED = (
    "name",
    "session_id",
    "user_id",
    "run_id",
    "client_request_id",
    "request_preview",
    "response_preview",
)
_OVERWRITTEN = ("request_time", "execution_duration", "end_time")


@functools.cache
def complete_trace_stmt(with_state: bool) -> sa.Update:
    """UPDATE merging a TraceInfo into a row its spans created (``v_<column>`` parameters).

    The info's times (and ``state`` when ``with_state``) overwrite; for the other columns
    a value the row already has wins over NULL in the info only where the info has none.
    """
    values: dict[str, Any] = {}
    for name in _OVERWRITTEN + (("state",) if with_state else ()):
        values[name] = sa.bindparam(f"v_{name}", type_=_tr[name].type)
    for name in _COALESCED:
        param = sa.cast(sa.bindparam(f"v_{name}", type_=_tr[name].type), _tr[name].type)
        values[name] = sa.func.coalesce(param, _tr[name])
    values["info_finalized"] = sa.true()
    return t.traces.update().where(_tr.trace_id == sa.bindparam("b_trace_id")).values(**values)


def complete_trace_params(values: dict[str, Any], with_state: bool) -> dict[str, Any]:
    """The parameters of :func:`complete_trace_stmt` for a ``trace_row`` dict."""
    names = _OVERWRITTEN + _COALESCED + (("state",) if with_state else ())
    params = {f"v_{name}": values[name] for name in names}
    params["b_trace_id"] = values["trace_id"]
    return params
