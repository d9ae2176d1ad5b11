"""Statements per call on PostgreSQL's tracking hot paths, counted at the driver.

Every statement a psycopg cursor runs is counted (SQLAlchemy's and the raw-cursor hot paths
alike, and a pool pre-ping would be one), so a per-item round trip, a per-request reflection
or ``SELECT version()`` or a ping fails these tests. The counts match SQLite's statements for
the same calls (``BEGIN``/``COMMIT`` aside, which psycopg sends without a cursor).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy import event

from ardea.entities import Metric, Param, RunTag
from ardea.store.sql.tracking.store import SqlTrackingStore

pytestmark = pytest.mark.postgres


@pytest.fixture
def store(pg_tracking_store: SqlTrackingStore) -> SqlTrackingStore:
    return pg_tracking_store


def _statements(
    store: SqlTrackingStore, fn: Callable[[], object], autocommit: list[bool] | None = None
) -> list[str]:
    """The statements ``fn`` ran, in order, as psycopg's cursors saw them.

    ``autocommit`` gets, per statement, whether it ran outside BEGIN/COMMIT (its own
    implicit transaction: one round trip in all).
    """
    seen: list[str] = []

    class Counting(psycopg.Cursor):
        def execute(self, query: Any, params: Any = None, **kw: Any) -> Any:
            seen.append(str(query))
            if autocommit is not None:
                autocommit.append(self.connection.autocommit)
            return super().execute(query, params, **kw)

        def executemany(self, query: Any, params_seq: Any, **kw: Any) -> Any:
            seen.append(str(query))  # one statement, pipelined by psycopg
            return super().executemany(query, params_seq, **kw)

    engine = store.database.write_engine

    def checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        dbapi_conn.cursor_factory = Counting

    def checkin(dbapi_conn: Any, _record: Any) -> None:
        if dbapi_conn is not None:
            dbapi_conn.cursor_factory = psycopg.Cursor

    dialect = engine.dialect
    ping = dialect.do_ping

    def counted_ping(dbapi_conn: Any) -> bool:  # runs before the checkout event
        seen.append("<pool pre-ping>")
        return ping(dbapi_conn)

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    setattr(dialect, "do_ping", counted_ping)  # noqa: B010 - an instance attribute
    try:
        fn()
    finally:
        del dialect.do_ping  # back to the class's method
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "checkin", checkin)
    return seen


def _points(key: str, start: int, n: int) -> list[Metric]:
    return [Metric(key, float(i), 1, start + i) for i in range(n)]


def _no_overhead(statements: list[str]) -> None:
    for s in statements:
        text = s.strip().lower()
        assert text not in ("", ";", "select 1", "<pool pre-ping>"), "a pool pre-ping"
        assert "version()" not in text and "pg_catalog" not in text, s


@pytest.mark.parametrize("n", [1, 10, 1000])
def test_log_batch_of_metrics_is_three_statements_whatever_its_size(
    store: SqlTrackingStore, n: int
) -> None:
    run_id = store.create_run(store.create_experiment("e")).info.run_id
    store.log_batch(run_id, metrics=_points("m", 0, n))  # creates the series
    statements = _statements(store, lambda: store.log_batch(run_id, metrics=_points("m", n, n)))
    _no_overhead(statements)
    # the run (and its experiment's workspace), the series ids, then the history rows and
    # the latest values in one statement
    assert len(statements) == 3, statements
    history = store.get_metric_history(run_id, "m")
    assert [p.step for p in history] == list(range(2 * n))


@pytest.mark.parametrize("new_series", [False, True])
def test_log_metric_is_one_statement_without_begin_or_commit(
    store: SqlTrackingStore, new_series: bool
) -> None:
    run_id = store.create_run(store.create_experiment("e")).info.run_id
    store.log_metric(run_id, Metric("m", 1.0, 1, 0))
    key = "n" if new_series else "m"
    autocommit: list[bool] = []
    statements = _statements(
        store, lambda: store.log_metric(run_id, Metric(key, 2.0, 2, 1)), autocommit
    )
    _no_overhead(statements)
    # the run check, the series (found or created), the point and the latest value in one
    # statement, committed on its own: one round trip
    assert len(statements) == 1, statements
    assert autocommit == [True]
    metrics = sorted((m.key, m.value) for m in store.get_run(run_id).data.metrics)
    assert metrics == ([("m", 1.0), ("n", 2.0)] if new_series else [("m", 2.0)])
    assert [p.step for p in store.get_metric_history(run_id, key)] == (
        [1] if new_series else [0, 1]
    )


def test_log_metric_tied_to_a_model_takes_the_transactional_path(store: SqlTrackingStore) -> None:
    run_id = store.create_run(store.create_experiment("e")).info.run_id
    store.log_metric(run_id, Metric("m", 1.0, 1, 0))
    autocommit: list[bool] = []
    statements = _statements(
        store,
        lambda: store.log_metric(run_id, Metric("m", 2.0, 2, 1, model_id="m-1")),
        autocommit,
    )
    assert len(statements) >= 3 and not any(autocommit), statements


def test_log_batch_of_params_and_tags_does_not_grow_with_the_batch(
    store: SqlTrackingStore,
) -> None:
    exp = store.create_experiment("e")

    def counted(n: int) -> int:
        run_id = store.create_run(exp).info.run_id
        params = [Param(f"p{i}", "v") for i in range(n)]
        tags = [RunTag(f"t{i}", "v") for i in range(n)]
        statements = _statements(store, lambda: store.log_batch(run_id, params=params, tags=tags))
        _no_overhead(statements)
        assert len(store.get_run(run_id).data.params) == n
        return len(statements)

    assert counted(1) == counted(100)


def test_create_run_and_reads_take_a_fixed_number_of_statements(store: SqlTrackingStore) -> None:
    exp = store.create_experiment("e")
    store.create_run(exp)
    create = _statements(store, lambda: store.create_run(exp))
    _no_overhead(create)
    assert len(create) == 3, create  # the experiment, the run, its tags
    run_id = store.create_run(exp).info.run_id
    store.log_batch(run_id, metrics=_points("m", 0, 100))
    history = _statements(store, lambda: store.get_metric_history(run_id, "m"))
    _no_overhead(history)
    assert len(history) == 2, history  # the run's workspace check, the points
    get = _statements(store, lambda: store.get_run(run_id))
    _no_overhead(get)
    assert len(get) == 7, get  # the run, then one IN-list read per child table

    def searched() -> list[str]:
        # The planner-statistics refresher (maintenance.py) reads pg_stat_user_tables at most
        # every few seconds: not per request, so left out of the count.
        found = _statements(store, lambda: store.search_runs([exp], max_results=1000))
        return [s for s in found if "pg_stat_user_tables" not in s]

    few = searched()
    for _ in range(30):
        store.log_batch(store.create_run(exp).info.run_id, metrics=_points("m", 0, 1))
    many = searched()
    _no_overhead(many)
    assert len(few) == len(many), (few, many)
