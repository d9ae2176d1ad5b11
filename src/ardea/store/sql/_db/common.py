"""Helpers every SQL aggregate uses: dialect-aware inserts and chunked ``IN`` lists."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SQLiteInsert

__all__ = ["IN_CHUNK", "chunked", "insert_ignore", "raw_cursor", "upsert"]

T = TypeVar("T")

IN_CHUNK = 1000
"""Most ids bound into one ``IN (...)`` list."""


def raw_cursor(conn: Connection) -> Any:
    """A DB-API cursor on ``conn``'s open connection, for hot paths the typed proxy slows down.

    Raises:
        RuntimeError: ``conn`` is closed or invalidated.
    """
    raw = conn.connection.dbapi_connection
    if raw is None:
        raise RuntimeError("the connection is closed")
    return raw.cursor()


def chunked(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size`` items."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def insert_ignore(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows, silently skipping those whose primary/unique key already exists."""
    if not rows:
        return
    name = conn.dialect.name
    stmt: sa.Insert
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table).on_conflict_do_nothing()
    elif name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(table).on_conflict_do_nothing()
    else:
        stmt = table.insert().prefix_with("IGNORE")
    conn.execute(stmt, list(rows))


def upsert(
    conn: Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert rows, overwriting the ``update`` columns of rows whose ``keys`` already exist."""
    if not rows:
        return
    name = conn.dialect.name
    stmt: sa.Insert
    if name in ("sqlite", "postgresql"):
        ins: SQLiteInsert | PostgresInsert
        if name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            ins = sqlite_insert(table)
        else:
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            ins = pg_insert(table)
        stmt = ins.on_conflict_do_update(
            index_elements=list(keys), set_={c: ins.excluded[c] for c in update}
        )
    else:
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        my_ins = mysql_insert(table)
        stmt = my_ins.on_duplicate_key_update({c: my_ins.inserted[c] for c in update})
    conn.execute(stmt, list(rows))
