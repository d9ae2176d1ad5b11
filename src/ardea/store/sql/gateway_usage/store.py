"""The gateway usage rollup in the tracking database.

:meth:`SqlGatewayUsageStore.add` is one upsert with many parameter sets: ``INSERT ... ON
CONFLICT (row_key, minute) DO UPDATE SET n = n + excluded.n`` on PostgreSQL and SQLite,
``INSERT ... ON DUPLICATE KEY UPDATE n = n + VALUES(n)`` on MySQL. Each addition is atomic on
its row, so several server processes add to the same minute without losing counts.
:meth:`SqlGatewayUsageStore.query` sums in SQL, per ``minute - minute % bucket`` and group.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.store.gateway_usage import (
    BUCKET_SECONDS,
    Bucket,
    GroupBy,
    UsageDelta,
    UsageMeasures,
    UsagePoint,
)
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.visibility import visibility_condition
from ardea.store.sql.gateway_usage.tables import _MEASURES
from ardea.store.sql.gateway_usage.tables import gateway_usage as _t

__all__ = ["SqlGatewayUsageStore"]

_GROUP_COLUMNS: dict[str, tuple[str, ...]] = {
    "endpoint": ("endpoint",),
    "key": ("key_id",),
    "user": ("user_name",),
    "model": ("provider", "model"),
}


def _row_key(d: UsageDelta) -> str:
    parts = (d.workspace, d.endpoint_id, d.endpoint, d.key_id, d.user, d.provider, d.model)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _row(d: UsageDelta) -> dict[str, Any]:
    m = d.measures
    return {
        "row_key": _row_key(d),
        "minute": d.minute,
        "workspace": d.workspace,
        "endpoint_id": d.endpoint_id[:64],
        "endpoint": d.endpoint[:255],
        "key_id": d.key_id[:64],
        "user_name": d.user[:255],
        "provider": d.provider[:64],
        "model": d.model[:255],
        "requests": m.requests,
        "errors": m.errors,
        "input_tokens": m.input_tokens,
        "output_tokens": m.output_tokens,
        "cost_micros": m.cost_micros,
        "unpriced": m.unpriced,
        "latency_us_sum": round(m.latency_ms_sum * 1000),
        "cache_hits": m.cache_hits,
        "fallbacks": m.fallbacks,
    }


def _upsert(dialect: str) -> Any:
    if dialect == "mysql":
        from sqlalchemy.dialects import mysql

        stmt = mysql.insert(_t)
        return stmt.on_duplicate_key_update({m: _t.c[m] + stmt.inserted[m] for m in _MEASURES})
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        pg = postgresql.insert(_t)
        return pg.on_conflict_do_update(
            index_elements=["row_key", "minute"],
            set_={m: _t.c[m] + pg.excluded[m] for m in _MEASURES},
        )
    from sqlalchemy.dialects import sqlite

    lite = sqlite.insert(_t)
    return lite.on_conflict_do_update(
        index_elements=["row_key", "minute"],
        set_={m: _t.c[m] + lite.excluded[m] for m in _MEASURES},
    )


def _merge(deltas: Sequence[UsageDelta]) -> list[UsageDelta]:
    """One delta per row (a batch often holds many requests of one minute and caller)."""
    merged: dict[tuple[str, int], UsageDelta] = {}
    for d in deltas:
        key = (_row_key(d), d.minute)
        found = merged.get(key)
        if found is None:
            merged[key] = UsageDelta(
                d.workspace,
                d.minute,
                d.endpoint_id,
                d.endpoint,
                d.key_id,
                d.user,
                d.provider,
                d.model,
                UsageMeasures(),
            )
            found = merged[key]
        found.measures.add(d.measures)
    return sorted(merged.values(), key=lambda d: (_row_key(d), d.minute))  # lock order


class SqlGatewayUsageStore:
    """The :class:`~ardea.store.gateway_usage.GatewayUsageStore` of a tracking database.

    Args:
        db: The open database (its schema at ``0017_gateway_usage`` or later).
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, deltas: Sequence[UsageDelta]) -> None:
        """Add ``deltas`` to their rows in one statement (see the module docstring)."""
        rows = [_row(d) for d in _merge(deltas)]
        if not rows:
            return
        stmt = _upsert(self._db.dialect)
        self._db.write(lambda conn: conn.execute(stmt, rows))

    def query(
        self,
        workspace: str,
        start: int,
        end: int,
        *,
        bucket: Bucket,
        group_by: GroupBy,
        endpoint: str | None = None,
    ) -> list[UsagePoint]:
        """Sums per bucket and group over ``[start, end)`` seconds (the contract's)."""
        size = BUCKET_SECONDS[bucket]
        names = _GROUP_COLUMNS[group_by]
        bucket_col = (_t.c.minute - _t.c.minute % size).label("bucket_start")
        groups = [_t.c[n] for n in names]
        sums = [sa.func.sum(_t.c[m]).label(m) for m in _MEASURES]
        where = (_t.c.workspace == workspace) & (_t.c.minute >= start) & (_t.c.minute < end)
        if endpoint is not None:
            where = where & (_t.c.endpoint == endpoint)
        readable = visibility_condition("gateway_endpoint", _t.c.endpoint_id)
        if readable is not None:
            where = where & readable
        query = (
            sa.select(bucket_col, *groups, *sums)
            .where(where)
            .group_by(bucket_col, *groups)
            .order_by(bucket_col, *groups)
        )

        def op(conn: Connection) -> list[Any]:
            return list(conn.execute(query).mappings().all())

        points = []
        for row in self._db.read(op):
            group = (
                "/".join(str(row[n]) for n in names)
                if group_by != "model"
                else (
                    f"{row['provider']}/{row['model']}" if row["provider"] or row["model"] else ""
                )
            )
            points.append(
                UsagePoint(
                    bucket_start=int(row["bucket_start"]),
                    group=group,
                    measures=UsageMeasures(
                        requests=int(row["requests"] or 0),
                        errors=int(row["errors"] or 0),
                        input_tokens=int(row["input_tokens"] or 0),
                        output_tokens=int(row["output_tokens"] or 0),
                        cost_micros=int(row["cost_micros"] or 0),
                        unpriced=int(row["unpriced"] or 0),
                        latency_ms_sum=int(row["latency_us_sum"] or 0) / 1000,
                        cache_hits=int(row["cache_hits"] or 0),
                        fallbacks=int(row["fallbacks"] or 0),
                    ),
                )
            )
        return points

    def purge(self, before: int) -> int:
        """Delete the rows of minutes before ``before``."""

        def op(conn: Connection) -> int:
            return int(conn.execute(_t.delete().where(_t.c.minute < before)).rowcount)

        return self._db.write(op)
