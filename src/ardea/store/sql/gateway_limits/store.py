"""Windowed counters in the tracking database: exact limits across server processes.

:meth:`SqlCounterStore.charge` runs in one write transaction: it creates the missing rows
(``INSERT ... ON CONFLICT DO NOTHING`` on PostgreSQL and SQLite, ``INSERT IGNORE`` on MySQL),
then adds to each row with a conditional ``UPDATE ... SET amount = amount + :n WHERE
amount + :n <= :limit``. The UPDATE takes the row's lock and re-reads the committed amount, so
two processes racing for the last unit of a limit are serialised: one row count is 1, the
other 0, and the loser's transaction is rolled back whole (nothing it charged stays). Rows are
charged in key order, so two transactions never wait on each other in a cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.store.gateway_limits import Charge
from ardea.store.sql._db.engine import Database
from ardea.store.sql.gateway_limits.tables import gateway_limit_counters as _t

__all__ = ["SqlCounterStore"]


class _Refused(Exception):
    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def _insert_missing(conn: Connection, dialect: str, rows: list[dict[str, Any]]) -> None:
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        conn.execute(postgresql.insert(_t).on_conflict_do_nothing(), rows)
    elif dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        conn.execute(sqlite.insert(_t).on_conflict_do_nothing(), rows)
    else:
        conn.execute(_t.insert().prefix_with("IGNORE"), rows)


class SqlCounterStore:
    """The :class:`~ardea.store.gateway_limits.CounterStore` of a tracking database.

    Args:
        db: The open database (its schema at ``0016_gateway_limits`` or later).
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def charge(self, charges: Sequence[Charge]) -> int | None:
        """Apply every charge atomically, or none (see the contract)."""
        if not charges:
            return None
        order = sorted(range(len(charges)), key=lambda i: (charges[i].key, charges[i].window_start))
        dialect = self._db.dialect

        def op(conn: Connection) -> None:
            seen: set[tuple[str, int]] = set()
            rows = []
            for i in order:
                c = charges[i]
                if (c.key, c.window_start) not in seen:
                    seen.add((c.key, c.window_start))
                    rows.append(
                        {
                            "counter_key": c.key,
                            "window_start": c.window_start,
                            "amount": 0,
                            "alerted": 0,
                            "expires_at": c.expires_at,
                        }
                    )
            _insert_missing(conn, dialect, rows)
            for i in order:
                c = charges[i]
                where = (_t.c.counter_key == c.key) & (_t.c.window_start == c.window_start)
                if c.limit is not None:
                    where = where & (_t.c.amount + c.amount <= c.limit)
                result = conn.execute(
                    _t.update().where(where).values(amount=_t.c.amount + c.amount)
                )
                if result.rowcount != 1:
                    raise _Refused(i)

        try:
            self._db.write(op)
        except _Refused as refused:
            return refused.index
        return None

    def read(self, counters: Sequence[tuple[str, int]]) -> list[int]:
        """The amounts of ``(key, window_start)`` counters (0 when absent)."""
        if not counters:
            return []
        wanted = list(dict.fromkeys(counters))

        def op(conn: Connection) -> dict[tuple[str, int], int]:
            found: dict[tuple[str, int], int] = {}
            for key, start in wanted:
                value = conn.execute(
                    sa.select(_t.c.amount).where(
                        (_t.c.counter_key == key) & (_t.c.window_start == start)
                    )
                ).scalar()
                if value is not None:
                    found[(key, start)] = int(value)
            return found

        found = self._db.read(op)
        return [found.get(c, 0) for c in counters]

    def mark_alerted(self, key: str, window_start: int, expires_at: int) -> bool:
        """Set the counter's alert flag; True only for the first caller."""
        dialect = self._db.dialect

        def op(conn: Connection) -> bool:
            _insert_missing(
                conn,
                dialect,
                [
                    {
                        "counter_key": key,
                        "window_start": window_start,
                        "amount": 0,
                        "alerted": 0,
                        "expires_at": expires_at,
                    }
                ],
            )
            result = conn.execute(
                _t.update()
                .where(
                    (_t.c.counter_key == key)
                    & (_t.c.window_start == window_start)
                    & (_t.c.alerted == 0)
                )
                .values(alerted=1)
            )
            return bool(result.rowcount == 1)

        return self._db.write(op)

    def purge(self, now: int) -> int:
        """Delete the rows that expired before ``now``."""

        def op(conn: Connection) -> int:
            return int(conn.execute(_t.delete().where(_t.c.expires_at < now)).rowcount)

        return self._db.write(op)
