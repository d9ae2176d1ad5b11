"""Metric points: bulk insertion, latest values, history reads and bulk-interval sampling.

Hot path: a log-batch of 1000 points is three statements (series ids, history, latest
values), each one ``executemany`` (or, on PostgreSQL, one multi-row statement), never a round
trip per point. History rows are keyed by an integer ``series_id`` (``metric_series``: one row
per run and key), which makes their B-tree ~2.5x smaller and inserts ~1.3x faster.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.entities import Metric, PagedList
from ardea.store.search.paging import encode_page_token, offset_from_token
from ardea.store.sql._db.common import chunked, insert_ignore, raw_cursor
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.tracking import tables as t
from ardea.store.sql.tracking.common import encode_value

__all__ = [
    "history",
    "insert_metrics",
    "latest_upsert_sql",
    "sample_bulk_interval",
    "series_ids",
]

_HISTORY_COLS = ("series_id", "step", "timestamp", "value", "is_nan", "model_id",
                 "dataset_name", "dataset_digest")  # fmt: skip
_LATEST_COLS = ("run_id", "key", "value", "timestamp", "step", "is_nan")
_HISTORY_TYPES = ("int4", "bigint", "bigint", "float8", "bool", "text", "text", "text")
_LATEST_TYPES = ("text", "text", "float8", "bigint", "bigint", "bool")


def _q(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _placeholders(conn: Connection, n: int) -> str:
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    return ", ".join([mark] * n)


def insert_metrics(conn: Connection, run_id: str, metrics: Sequence[Metric]) -> None:
    """Insert metric points of one run (validated already) and update its latest values."""
    if not metrics:
        return
    series = series_ids(conn, run_id, list(dict.fromkeys(m.key for m in metrics)))
    rows: list[tuple[Any, ...]] = []
    latest: dict[str, tuple[Any, ...]] = {}
    extra = False  # any model or dataset column set?
    for m in metrics:
        value, is_nan = encode_value(m.value)
        step = int(m.step or 0)
        ts = int(m.timestamp)
        rows.append((series[m.key], step, ts, value, is_nan))
        extra = extra or bool(m.model_id or m.dataset_name or m.dataset_digest)
        cur = latest.get(m.key)
        if cur is None or (step, ts, value) > (cur[4], cur[3], cur[2]):
            latest[m.key] = (run_id, m.key, value, ts, step, is_nan)
    if extra or conn.dialect.name == "postgresql":
        # The full rows (rare: metrics tied to a model or dataset; PostgreSQL's unnest form).
        rows = [
            (*row, m.model_id, m.dataset_name, m.dataset_digest)
            for row, m in zip(rows, metrics, strict=True)
        ]
    latest_rows = [latest[k] for k in sorted(latest)]  # one lock order for all
    if conn.dialect.name == "postgresql":
        # History and latest values in one statement (a data-modifying CTE): one round trip
        # less per log-metric/log-batch; the two touch different tables, in the same order.
        if extra:
            rows = _merge_duplicates(rows)  # PostgreSQL's upsert may not touch one row twice
        conn.exec_driver_sql(
            f"WITH history AS ({_pg_history_sql(conn, extra)}) {_latest_sql(conn)}",
            (*_columns(rows), *_columns(latest_rows)),
        )
    else:
        _insert_history(conn, rows, fill_links=extra)
        _upsert_latest(conn, latest_rows)
    if extra:
        model_ids = sorted({m.model_id for m in metrics if m.model_id})
        if model_ids:  # where get_logged_model looks for the model's metrics
            rows_ = [{"model_id": mid, "run_id": run_id} for mid in model_ids]
            insert_ignore(conn, t.logged_model_metric_runs, rows_)


def _select_series(
    conn: Connection, run_id: str, keys: Sequence[str], lock: bool
) -> dict[str, int]:
    if lock:  # a locking read sees rows committed after this transaction's snapshot (MySQL)
        ms = t.metric_series
        stmt = (
            sa.select(ms.c.key, ms.c.series_id)
            .where(ms.c.run_id == run_id, ms.c.key.in_(keys))
            .with_for_update(read=True)
        )
        return {key: series_id for key, series_id in conn.execute(stmt)}
    # Hot path (every batch): plain SQL, which costs a fraction of a compiled Core select.
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    k = _q(conn, "key")
    sql = (
        f"SELECT {k}, series_id FROM metric_series WHERE run_id = {mark} AND {k} IN "
        f"({_placeholders(conn, len(keys))})"
    )
    return dict(_raw(conn, sql, (run_id, *keys)))


def series_ids(conn: Connection, run_id: str, keys: Sequence[str]) -> dict[str, int]:
    """The ``series_id`` of each of ``keys`` of a run, creating the missing series.

    One ``SELECT`` when all series exist (the usual case); otherwise the missing ones are
    inserted, ignoring rows a concurrent writer created meanwhile, and read back. Existing
    series are never re-inserted, so PostgreSQL and MySQL do not burn sequence values.

    Args:
        conn: A connection inside the caller's write transaction.
        run_id: The run (must exist).
        keys: Distinct metric keys (validated already).

    Returns:
        ``{key: series_id}`` for every key of ``keys``.
    """
    found: dict[str, int] = {}
    for part in chunked(list(keys), 500):
        found.update(_select_series(conn, run_id, part, lock=False))
    missing = [k for k in keys if k not in found]
    if not missing:
        return found
    ms = t.metric_series
    rows = [{"run_id": run_id, "key": k} for k in missing]
    dialect = conn.dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        conn.execute(sqlite_insert(ms).on_conflict_do_nothing(), rows)
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        conn.execute(pg_insert(ms).on_conflict_do_nothing(), rows)
    else:
        conn.execute(ms.insert().prefix_with("IGNORE"), rows)
    for part in chunked(missing, 500):
        found.update(_select_series(conn, run_id, part, lock=dialect != "sqlite"))
    return found


_LINK_COLS = ("model_id", "dataset_name", "dataset_digest")


def _fill_links_clause(conn: Connection) -> str:
    """An upsert tail that fills a stored point's empty model/dataset columns from a duplicate.

    The mlflow client logs a run's metrics, then logs the same points again tagged with the
    logged model's id (``log_model``); the second copy must link the stored point to the model
    rather than be dropped as a duplicate. A point already linked keeps its links.
    """
    if conn.dialect.name == "mysql":
        sets = ", ".join(f"{c} = COALESCE({c}, VALUES({c}))" for c in _LINK_COLS)
        return f" ON DUPLICATE KEY UPDATE {sets}"
    key = ", ".join(_q(conn, c) for c in _HISTORY_COLS[:5])
    sets = ", ".join(f"{c} = COALESCE(metrics.{c}, excluded.{c})" for c in _LINK_COLS)
    missing = " OR ".join(f"(metrics.{c} IS NULL AND excluded.{c} IS NOT NULL)" for c in _LINK_COLS)
    return f" ON CONFLICT ({key}) DO UPDATE SET {sets} WHERE {missing}"


def _merge_duplicates(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """One row per point (the first five columns), its links taken from the first that has them."""
    merged: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in rows:
        key = row[:5]
        prev = merged.get(key)
        merged[key] = (
            row
            if prev is None
            else (
                *key,
                *(a if a is not None else b for a, b in zip(prev[5:], row[5:], strict=True)),
            )
        )
    return list(merged.values())


def _insert_history(
    conn: Connection, rows: list[tuple[Any, ...]], *, fill_links: bool = False
) -> None:
    """SQLite's and MySQL's insert of history points (PostgreSQL's: :func:`insert_metrics`)."""
    dialect = conn.dialect.name
    if fill_links:
        rows = _merge_duplicates(rows)
    width = len(rows[0])  # 5: the model and dataset columns are all NULL and left out
    cols = ", ".join(_q(conn, c) for c in _HISTORY_COLS[:width])
    if fill_links:
        conn.exec_driver_sql(
            f"INSERT INTO metrics ({cols}) VALUES ({_placeholders(conn, width)})"
            + _fill_links_clause(conn),
            rows,
        )
        return
    verb = "INSERT OR IGNORE" if dialect == "sqlite" else "INSERT IGNORE"
    conn.exec_driver_sql(
        f"{verb} INTO metrics ({cols}) VALUES ({_placeholders(conn, width)})", rows
    )


def _columns(rows: Sequence[tuple[Any, ...]]) -> tuple[list[Any], ...]:
    """Rows as one list per column (the arrays PostgreSQL's ``unnest`` takes)."""
    return tuple(list(col) for col in zip(*rows, strict=True))


def _pg_history_sql(conn: Connection, fill_links: bool) -> str:
    """PostgreSQL's insert of history points, one array parameter per column.

    A single statement whatever the number of points, with no per-row placeholders for the
    driver to parse, and one text psycopg prepares once.
    """
    cols = ", ".join(_q(conn, c) for c in _HISTORY_COLS)
    tail = _fill_links_clause(conn) if fill_links else " ON CONFLICT DO NOTHING"
    return f"INSERT INTO metrics ({cols}) SELECT * FROM {_pg_unnest(_HISTORY_TYPES)}{tail}"


def _latest_sql(conn: Connection) -> str:
    """The upsert of latest values (SQLite and PostgreSQL), keeping the newest point per key."""
    dialect = conn.dialect.name
    source = (
        f"SELECT * FROM {_pg_unnest(_LATEST_TYPES)}"
        if dialect == "postgresql"
        else f"VALUES ({_placeholders(conn, 6)})"
    )
    return latest_upsert_sql(source)


def latest_upsert_sql(source: str) -> str:
    """The latest-values upsert of rows ``source`` (SQLite and PostgreSQL; quoted names).

    ``source`` yields ``(run_id, key, value, timestamp, step, is_nan)`` rows; a stored value
    is replaced only by a newer point (step, then timestamp, then value).
    """
    k, ts = '"key"', '"timestamp"'
    cols = ", ".join(f'"{c}"' if c in ("key", "timestamp") else c for c in _LATEST_COLS)
    return (
        f"INSERT INTO latest_metrics ({cols}) {source} "
        f"ON CONFLICT (run_id, {k}) DO UPDATE SET value = excluded.value, "
        f"{ts} = excluded.{ts}, step = excluded.step, is_nan = excluded.is_nan "
        "WHERE excluded.step > latest_metrics.step OR (excluded.step = latest_metrics.step "
        f"AND (excluded.{ts} > latest_metrics.{ts} OR (excluded.{ts} = latest_metrics.{ts} "
        "AND excluded.value > latest_metrics.value)))"
    )


def _pg_unnest(types: Sequence[str]) -> str:
    return "unnest(" + ", ".join(f"%s::{t}[]" for t in types) + ")"


def _upsert_latest(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    dialect = conn.dialect.name
    if dialect == "sqlite":  # PostgreSQL's goes with the history (insert_metrics)
        conn.exec_driver_sql(_latest_sql(conn), rows)
        return
    # MySQL evaluates ON DUPLICATE KEY assignments left to right, which breaks a conditional
    # multi-column update: compare in Python under a row lock instead.
    lm = t.latest_metrics
    run_id = rows[0][0]
    current = {
        r.key: (r.step, r.timestamp, r.value)
        for r in conn.execute(
            sa.select(lm.c.key, lm.c.step, lm.c.timestamp, lm.c.value)
            .where(lm.c.run_id == run_id, lm.c.key.in_([r[1] for r in rows]))
            .with_for_update()
        )
    }
    new = [dict(zip(_LATEST_COLS, r, strict=True)) for r in rows if r[1] not in current]
    changed = [
        dict(zip(_LATEST_COLS, r, strict=True))
        for r in rows
        if r[1] in current and (r[4], r[3], r[2]) > current[r[1]]
    ]
    if new:
        conn.execute(lm.insert(), new)
    for row in changed:
        conn.execute(
            lm.update()
            .where(lm.c.run_id == row["run_id"], lm.c.key == row["key"])
            .values(
                value=row["value"],
                timestamp=row["timestamp"],
                step=row["step"],
                is_nan=row["is_nan"],
            )
        )


def _raw(conn: Connection, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run ``sql`` on the DBAPI cursor of ``conn`` (same transaction) and fetch plain tuples.

    Used for big reads, where building SQLAlchemy rows would cost more than the query.
    """
    cursor = raw_cursor(conn)
    try:
        cursor.execute(sql, tuple(params))
        return list(cursor.fetchall())
    finally:
        cursor.close()


_POINT_COLS = ("step", "timestamp", "value", "is_nan", "model_id", "dataset_name",
               "dataset_digest")  # fmt: skip


def _point_columns(conn: Connection, table: str = "") -> str:
    prefix = f"{table}." if table else ""
    return ", ".join(prefix + _q(conn, c) for c in _POINT_COLS)


_SERIES_JOIN = "metric_series s JOIN metrics m ON m.series_id = s.series_id"
"""The history of metrics by run and key."""


def history(
    conn: Connection, run_id: str, key: str, max_results: int | None, page_token: str | None
) -> PagedList[Metric]:
    """One page of a metric's points, ordered by step, timestamp, value."""
    offset = offset_from_token(page_token)
    limit = 2**62 if max_results is None else max_results + 1
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    ts = _q(conn, "timestamp")
    sql = (
        f"SELECT {_point_columns(conn)} FROM metrics WHERE series_id = (SELECT series_id FROM "
        f"metric_series WHERE run_id = {mark} AND {_q(conn, 'key')} = {mark}) "
        f"ORDER BY step, {ts}, value LIMIT {mark} OFFSET {mark}"
    )
    rows = _raw(conn, sql, (run_id, key, limit, offset))
    token = None
    if max_results is not None and len(rows) > max_results:
        rows = rows[:max_results]
        token = encode_page_token({"offset": offset + max_results})
    nan = math.nan
    return PagedList(
        [
            Metric(key, nan if is_nan else float(value), ts_, step, ds_name, ds_digest, model_id)
            for step, ts_, value, is_nan, model_id, ds_name, ds_digest in rows
        ],
        token,
    )


def _kept_rows(n: int, k: int) -> tuple[int, int, int, int] | None:
    """Which of ``n`` ordered points a sample of at most ``k`` keeps (None: all of them).

    MLflow 3.18 splits the points into ``k`` buckets as SQL's ``NTILE(k)`` does (the first
    ``n % k`` buckets one point longer), keeps the first point of each bucket and makes the
    last point the last of the sample: the first points of buckets ``0 .. k-2``, then point
    ``n-1``. Returned as ``(q, big, last_start, n)``: the buckets hold ``q + 1`` points up to
    index ``big`` and ``q`` after it, and bucket ``k-1`` starts at ``last_start``.
    """
    if n <= k:
        return None
    q, r = divmod(n, k)
    big = r * (q + 1)
    last_start = big + (k - 1 - r) * q if k - 1 >= r else (k - 1) * (q + 1)
    return q, big, last_start, n


def sample_bulk_interval(
    conn: Connection,
    scope: WorkspaceScope,
    run_ids: Sequence[str],
    key: str,
    max_results: int,
    start_step: int | None,
    end_step: int | None,
) -> list[Metric]:
    """Sampled points of one metric over several runs (MLflow 3.18's sampling).

    Per run, the points in ``[start_step, end_step]`` ordered by step, timestamp, value: all
    of them up to ``max_results``, else ``max_results`` evenly spread points that start with
    the first and end with the last (:func:`_kept_rows`). Points come ordered by run (as
    given), then that order. Two queries: the number of points per run, then the kept points,
    chosen inside the database by their row number. Runs outside ``scope`` have no points.
    """
    ids = list(dict.fromkeys(run_ids))
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    k_, ts = _q(conn, "key"), _q(conn, "timestamp")
    in_range = ""
    range_args: tuple[int, ...] = ()
    if start_step is not None and end_step is not None:
        in_range = f" AND m.step >= {mark} AND m.step <= {mark}"
        range_args = (start_step, end_step)
    counts: dict[str, tuple[int, int]] = {}
    owned = scope.sql_owns_experiment("r.experiment_id")
    for part in chunked(ids, 100):
        sql = (
            f"SELECT s.run_id, s.series_id, COUNT(*) FROM {_SERIES_JOIN} JOIN runs r ON "
            f"r.run_id = s.run_id WHERE s.run_id IN ({', '.join([mark] * len(part))}) AND "
            f"s.{k_} = {mark}{in_range} AND {owned} GROUP BY s.run_id, s.series_id"
        )
        for run_id, series_id, n in _raw(conn, sql, (*part, key, *range_args)):
            counts[run_id] = (series_id, int(n))
    if not counts:
        return []
    # The sampling plan, one row per run: (series, keep all?, q, big, last_start, n).
    plan: list[tuple[int, int, int, int, int, int]] = []
    for series_id, n in counts.values():
        kept = _kept_rows(n, max_results)
        plan.append((series_id, 1, 1, 0, 0, n) if kept is None else (series_id, 0, *kept))
    row = ", ".join([mark] * 6)
    names = ("series_id", "keep_all", "q", "big", "last_start", "n")
    first = ", ".join(f"{mark} AS {name}" for name in names)
    plan_sql = " UNION ALL ".join([f"SELECT {first}"] + [f"SELECT {row}"] * (len(plan) - 1))
    mod = "%" if conn.dialect.name == "sqlite" else "%%"  # the drivers' placeholders use %
    ranked = (
        f"SELECT m.series_id, {_point_columns(conn, 'm')}, ROW_NUMBER() OVER (PARTITION BY "
        f"m.series_id ORDER BY m.step, m.{ts}, m.value, m.is_nan) - 1 AS i FROM metrics m "
        f"WHERE m.series_id IN ({', '.join([mark] * len(plan))}){in_range}"
    )
    keep = (
        f"p.keep_all = 1 OR r.i = p.n - 1 OR (r.i < p.last_start AND ((r.i < p.big AND "
        f"r.i {mod} (p.q + 1) = 0) OR (r.i >= p.big AND (r.i - p.big) {mod} p.q = 0)))"
    )
    sql = (
        f"SELECT r.series_id, r.step, r.{ts}, r.value, r.is_nan, r.model_id, r.dataset_name, "
        f"r.dataset_digest FROM ({ranked}) r JOIN ({plan_sql}) p ON p.series_id = r.series_id "
        f"WHERE {keep}"
    )
    series = [entry[0] for entry in plan]
    args = (*series, *range_args, *(value for entry in plan for value in entry))
    rows = _raw(conn, sql, args)
    run_of = {series_id: run_id for run_id, (series_id, _) in counts.items()}
    order = {r: i for i, r in enumerate(ids)}
    points = []
    for series_id, step, ts_, value, is_nan, model_id, ds_name, ds_digest in rows:
        run_id = run_of[series_id]
        metric = Metric(
            key,
            math.nan if is_nan else float(value),
            ts_,
            step,
            ds_name,
            ds_digest,
            model_id,
            run_id,
        )
        points.append((order[run_id], step, ts_, value, bool(is_nan), metric))
    points.sort(key=lambda p: p[:5])
    return [p[5] for p in points]
