"""SQLAlchemy statements compiled once, then run straight on the DBAPI cursor.

A registry search page is a few hundred microseconds of SQLite work; building the statement,
computing SQLAlchemy's cache key and wrapping the result cost as much again. Searches whose
statement depends only on the request's filter and order (the limit and offset are bound
parameters) compile it once per dialect with :func:`compile_raw` and keep the
:class:`RawQuery` in an LRU cache next to the parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from ardea.store.sql._db.common import raw_cursor

__all__ = ["RawQuery", "compile_raw"]


@dataclass(frozen=True)
class RawQuery:
    """A statement's SQL text for one dialect with its bound values.

    ``names`` orders the parameters for positional paramstyles (``qmark``, ``format``); it is
    ``None`` for named ones (``pyformat``), which take the mapping as is.
    """

    sql: str
    names: tuple[str, ...] | None
    params: Mapping[str, Any]

    def run(self, conn: Connection, **values: Any) -> list[tuple[Any, ...]]:
        """Execute on ``conn``'s DBAPI connection with ``values`` for the open parameters."""
        merged = {**self.params, **values}
        args: Any = merged if self.names is None else tuple(merged[n] for n in self.names)
        cursor = raw_cursor(conn)
        try:
            cursor.execute(self.sql, args)
            return list(cursor.fetchall())
        finally:
            cursor.close()


def compile_raw(statement: ClauseElement, dialect: Dialect) -> RawQuery:
    """Compile ``statement`` for ``dialect`` (``IN`` lists expanded) into a :class:`RawQuery`.

    Only for statements whose parameters need no bind processing (strings and numbers):
    values reach the driver as given.
    """
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    if not isinstance(compiled, SQLCompiler):  # e.g. a DDLCompiler, which has no parameters
        raise TypeError(f"Not a SQL statement: {statement!r}")
    names = tuple(compiled.positiontup) if compiled.positiontup is not None else None
    return RawQuery(compiled.string, names, dict(compiled.params))
