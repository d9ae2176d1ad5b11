"""PostgreSQL statistics refresh before searches (a no-op on SQLite)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from ardea.store.sql._db.engine import normalize_uri
from ardea.store.sql._db.maintenance import StatsRefresher
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.tracking import tables as t


def test_sqlite_needs_nothing(tmp_path: Path) -> None:
    backend = open_sql_backend(f"sqlite:///{tmp_path / 's.db'}")
    store = backend.tracking
    assert StatsRefresher(store.database, interval_s=0).maybe_refresh() == []
    backend.close()


@pytest.mark.postgres
def test_postgres_analyzes_tables_that_grew(postgres_uri: str) -> None:
    schema = "ardea_stats_test"
    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in postgres_uri else "?"
    backend = open_sql_backend(f"{postgres_uri}{sep}options=-csearch_path%3D{schema}")
    store = backend.tracking
    try:
        rows = [
            {
                "run_id": uuid.uuid4().hex,
                "experiment_id": 0,
                "run_name": "r",
                "user_id": "",
                "status": "RUNNING",
                "start_time": i,
                "artifact_uri": "x",
                "lifecycle_stage": "active",
            }
            for i in range(2000)
        ]
        store.database.write(lambda conn: conn.execute(t.runs.insert(), rows))
        refresher = StatsRefresher(store.database, interval_s=3600)
        analyzed: list[str] = []
        for _ in range(50):  # the statistics counters are flushed asynchronously
            refresher._next_check = 0.0
            analyzed = refresher.maybe_refresh()
            if analyzed:
                break
            time.sleep(0.1)
        assert "runs" in analyzed
        assert refresher.maybe_refresh() == []  # within the interval: no second check
    finally:
        backend.close()
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def test_one_refresher_per_database(tmp_path: Path) -> None:
    from ardea.store.sql._db.maintenance import stats_for

    backend = open_sql_backend(f"sqlite:///{tmp_path / 's.db'}")
    store = backend.tracking
    other_backend = open_sql_backend(f"sqlite:///{tmp_path / 'o.db'}")
    other = other_backend.tracking
    try:
        assert stats_for(store.database) is stats_for(store.database)
        assert stats_for(store.database) is not stats_for(other.database)
    finally:
        backend.close()
        other_backend.close()


@pytest.mark.postgres
def test_postgres_registry_search_analyzes_registry_tables(postgres_uri: str) -> None:
    from ardea.store.sql._db.maintenance import stats_for
    from ardea.store.sql.registry.store import SqlRegistryStore
    from ardea.store.sql.registry.tables import registered_models

    schema = "ardea_stats_registry_test"
    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in postgres_uri else "?"
    backend = open_sql_backend(f"{postgres_uri}{sep}options=-csearch_path%3D{schema}")
    store = backend.tracking
    registry = SqlRegistryStore(store.database)
    last_analyze = sa.text(
        "SELECT last_analyze FROM pg_stat_user_tables "
        "WHERE schemaname = current_schema() AND relname = 'registered_models'"
    )
    try:
        rows = [
            {"name": f"m-{i}", "creation_timestamp": i, "last_updated_timestamp": i}
            for i in range(2000)
        ]
        store.database.write(lambda conn: conn.execute(registered_models.insert(), rows))
        analyzed = None
        for _ in range(50):  # the statistics counters are flushed asynchronously
            stats_for(store.database)._next_check = 0.0
            assert len(registry.search_registered_models(max_results=5)) == 5
            analyzed = store.database.read(lambda conn: conn.execute(last_analyze).scalar())
            if analyzed is not None:
                break
            time.sleep(0.1)
        assert analyzed is not None
    finally:
        registry.close()
        backend.close()
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()
