"""PostgreSQL specifics of :class:`~ardea.store.sql._db.engine.Database`.

- :func:`autocommit_row`: one idempotent statement in its own implicit transaction. psycopg
  otherwise sends ``BEGIN``, the statement and ``COMMIT`` as three round trips; a statement in
  autocommit mode is one, and skips SQLAlchemy's transaction bookkeeping too (the hot
  ``log-metric`` path, see ``tracking.metric_fast``).
- :func:`synchronous_commit_mode`: ``ARDEA_PG_SYNCHRONOUS_COMMIT``, PostgreSQL's
  ``synchronous_commit`` for Ardea's sessions (default: the server's own setting, ``on``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Engine

from ardea._core.env import ARDEA_PG_SYNCHRONOUS_COMMIT, env_choice

__all__ = [
    "AsyncAutocommit",
    "PG_SYNCHRONOUS_COMMIT_MODES",
    "autocommit_row",
    "session_setup",
    "synchronous_commit_mode",
]

PG_SYNCHRONOUS_COMMIT_MODES = ("on", "off", "local", "remote_write", "remote_apply")
"""Accepted values of ``ARDEA_PG_SYNCHRONOUS_COMMIT`` (PostgreSQL's ``synchronous_commit``)."""


def synchronous_commit_mode(value: str | None = None) -> str | None:
    """``value``, else ``ARDEA_PG_SYNCHRONOUS_COMMIT``; None when unset (the server decides).

    Raises:
        InvalidArgumentError: Not one of :data:`PG_SYNCHRONOUS_COMMIT_MODES` (any case).
    """
    mode = env_choice(
        ARDEA_PG_SYNCHRONOUS_COMMIT,
        PG_SYNCHRONOUS_COMMIT_MODES,
        value,
        what="PostgreSQL synchronous_commit",
    )
    return mode or None


def session_setup(mode: str) -> Callable[[Any, Any], None]:
    """A ``connect`` listener that sets ``synchronous_commit`` on every new session."""

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True  # a SET outside any transaction lasts the session
        try:
            dbapi_conn.execute(f"SET synchronous_commit = {mode}")  # a value checked above
        finally:
            dbapi_conn.autocommit = autocommit

    return on_connect


def autocommit_row(
    engine: Engine, sql: str, params: Sequence[Any] | Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """Run one statement on its own (autocommit) and return its first row.

    Only for statements that may run twice with the same effect. Returns None when the
    statement failed (a broken connection, a deadlock, any database error): it wrote nothing,
    and the caller takes its transactional path, whose errors and retries are the usual ones.
    A broken connection is dropped from the pool.
    """
    import psycopg

    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        if conn is None:  # pragma: no cover - a checked-out connection is open
            return None
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone()
        except psycopg.Error:
            if conn.broken or conn.closed:
                raw.invalidate()
            return None
        finally:
            if not (conn.broken or conn.closed):
                conn.autocommit = False
        return None if row is None else tuple(row)
    finally:
        raw.close()


class AsyncAutocommit:
    """:func:`autocommit_row` for an event loop, on psycopg async connections of its own.

    A statement awaited on the loop costs no thread hand-off (which, for a one-statement
    write, costs more CPU than the statement). Up to ``size`` idle connections are kept, for
    the loop that opened them; a call from another loop drops them. ``synchronous_commit``
    is set on each new session as on the pool's.
    """

    def __init__(self, conninfo: str, size: int, synchronous_commit: str | None) -> None:
        self._conninfo = conninfo
        self._size = size
        self._sync = synchronous_commit
        self._idle: list[Any] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    async def row(self, sql: str, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The statement's first row; None when it failed (nothing written)."""
        import psycopg

        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self.close_idle()
            self._loop = loop
        conn = self._idle.pop() if self._idle else None
        try:
            if conn is None:
                conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
                if self._sync is not None:
                    await conn.execute(f"SET synchronous_commit = {self._sync}")
            cursor = await conn.execute(sql, params)
            row = await cursor.fetchone()
        except psycopg.Error:
            if conn is not None:
                conn.pgconn.finish()
            return None
        if self._closed or len(self._idle) >= self._size:
            conn.pgconn.finish()
        else:
            self._idle.append(conn)
        return None if row is None else tuple(row)

    def close_idle(self) -> None:
        """Close the idle connections (no I/O wait: the socket is just closed)."""
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.pgconn.finish()

    def close(self) -> None:
        """Close the idle connections; those in use close when their call returns."""
        self._closed = True
        self.close_idle()
