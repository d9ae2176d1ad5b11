"""Metric history keyed by ``metric_series``: one series per run and key, created on demand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Metric, Param
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.tracking import tables as t
from ardea.store.sql.tracking.metrics import series_ids
from ardea.store.sql.tracking.store import SqlTrackingStore

_PG_SCHEMA = "ardea_metric_series_test"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlTrackingStore]:
    if request.param == "sqlite":
        backend = open_sql_backend(f"sqlite:///{tmp_path / 'm.db'}")
        s = backend.tracking
    else:
        from ardea.store.sql._db.engine import normalize_uri

        uri: str = request.getfixturevalue("postgres_uri")
        engine = sa.create_engine(normalize_uri(uri), poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {_PG_SCHEMA} CASCADE"))
            conn.execute(sa.text(f"CREATE SCHEMA {_PG_SCHEMA}"))
        engine.dispose()
        sep = "&" if "?" in uri else "?"
        backend = open_sql_backend(f"{uri}{sep}options=-csearch_path%3D{_PG_SCHEMA}")
        s = backend.tracking
    yield s
    backend.close()


def _series(store: SqlTrackingStore) -> dict[tuple[str, str], int]:
    ms = t.metric_series
    with store.database.read_engine.connect() as conn:
        rows = conn.execute(sa.select(ms.c.run_id, ms.c.key, ms.c.series_id)).all()
    return {(r.run_id, r.key): r.series_id for r in rows}


def _count(store: SqlTrackingStore, table: sa.Table) -> int:
    with store.database.read_engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_one_series_per_run_and_key(store: SqlTrackingStore) -> None:
    exp = store.create_experiment("e")
    r1 = store.create_run(exp).info.run_id
    r2 = store.create_run(exp).info.run_id
    store.log_batch(r1, metrics=[Metric("a", 1.0, 1, 0), Metric("b", 2.0, 1, 0)])
    first = _series(store)
    store.log_batch(r1, metrics=[Metric("b", 3.0, 2, 1), Metric("c", 4.0, 2, 1)])
    store.log_batch(r2, metrics=[Metric("a", 5.0, 3, 0)])
    series = _series(store)
    assert set(series) == {(r1, "a"), (r1, "b"), (r1, "c"), (r2, "a")}
    assert len(set(series.values())) == 4
    assert {k: series[k] for k in first} == first  # existing series keep their id
    assert [m.value for m in store.get_metric_history(r1, "a")] == [1.0]
    assert [m.value for m in store.get_metric_history(r1, "b")] == [2.0, 3.0]
    assert [m.value for m in store.get_metric_history(r2, "a")] == [5.0]
    assert list(store.get_metric_history(r2, "b")) == []


def test_series_ids_mixes_existing_and_new(store: SqlTrackingStore) -> None:
    exp = store.create_experiment("e")
    run = store.create_run(exp).info.run_id
    store.log_metric(run, Metric("old", 1.0, 1, 0))
    known = _series(store)[(run, "old")]
    ids = store.database.write(lambda conn: series_ids(conn, run, ["old", "new1", "new2"]))
    assert ids["old"] == known
    assert set(ids) == {"old", "new1", "new2"}
    assert len(set(ids.values())) == 3
    assert _series(store) == {(run, k): v for k, v in ids.items()}


def test_known_keys_cost_one_series_statement(tmp_path: Path) -> None:
    backend = open_sql_backend(f"sqlite:///{tmp_path / 'q.db'}")
    store = backend.tracking
    statements: list[str] = []

    def record(statement: str) -> None:  # sees plain DBAPI statements too
        if "metric_series" in statement:
            statements.append(statement)

    def trace(callback: object) -> None:
        store.database.write(
            lambda conn: conn.connection.dbapi_connection.set_trace_callback(callback)  # type: ignore[union-attr]
        )

    try:
        run = store.create_run(store.create_experiment("e")).info.run_id
        batch = [Metric(f"k{i % 10}", float(i), 1, i) for i in range(1000)]
        trace(record)
        store.log_batch(run, metrics=batch)
        # Look up, insert the 10 new series (traced once per row), read their ids back.
        verbs = [st.split()[0] for st in statements]
        assert verbs == ["SELECT"] + ["INSERT"] * 10 + ["SELECT"]
        statements.clear()
        store.log_batch(run, metrics=[Metric(m.key, m.value, 2, m.step + 1) for m in batch])
        assert [st.split()[0] for st in statements] == ["SELECT"]  # all known: one look-up
    finally:
        trace(None)
        backend.close()


def test_failed_batch_creates_no_series(store: SqlTrackingStore) -> None:
    exp = store.create_experiment("e")
    run = store.create_run(exp).info.run_id
    store.log_batch(run, params=[Param("p", "1")])
    with pytest.raises(InvalidArgumentError):
        store.log_batch(run, metrics=[Metric("m", 1.0, 1, 0)], params=[Param("p", "2")])
    assert _series(store) == {}
    assert _count(store, t.metrics) == 0


def test_deleting_a_run_row_cascades_to_its_history(store: SqlTrackingStore) -> None:
    exp = store.create_experiment("e")
    gone = store.create_run(exp).info.run_id
    kept = store.create_run(exp).info.run_id
    for run in (gone, kept):
        store.log_batch(run, metrics=[Metric("m", float(i), 1, i) for i in range(5)])

    def delete(conn: sa.Connection) -> None:
        conn.execute(t.runs.delete().where(t.runs.c.run_id == gone))

    store.database.write(delete)
    assert set(_series(store)) == {(kept, "m")}
    assert _count(store, t.metrics) == 5
    assert len(store.get_metric_history(kept, "m")) == 5
