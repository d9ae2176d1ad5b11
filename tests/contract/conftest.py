"""Fixtures for the contract suites (each runs one behaviour suite over every backend)."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:  # tests/ holds the shared fixture modules
    sys.path.insert(0, _TESTS)

from fixtures import workspaces  # noqa: E402
from fixtures.backends import fresh_sqlite, served, shared_backend  # noqa: E402
from fixtures.replicas import replicas_backend  # noqa: E402
from fixtures.s3 import S3Server, s3_env, s3_server  # noqa: E402, F401

# isort: split

# --------------------------------------------------------------------- tracking store backends

from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from ardea.store.backend import Backend  # noqa: E402
from ardea.store.tracking import TrackingStore  # noqa: E402

_PG_SCHEMA = "ardea_tracking_contract"
_PG_REPLICAS_SCHEMA = "ardea_replicas_contract"


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test (migrating once keeps tests fast)."""
    from ardea.store.sql.backend import open_sql_backend

    path = tmp_path_factory.mktemp("tracking-template") / "template.db"
    open_sql_backend(f"sqlite:///{path}").close()  # close() checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def _postgres_backend(postgres_uri: str) -> Iterator[Backend]:
    """One PostgreSQL backend per session, in its own schema so other suites are not disturbed."""
    import sqlalchemy as sa

    from ardea.store.sql._db.engine import normalize_uri
    from ardea.store.sql.backend import open_sql_backend

    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {_PG_SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {_PG_SCHEMA}"))
    engine.dispose()
    sep = "&" if "?" in postgres_uri else "?"
    backend = open_sql_backend(f"{postgres_uri}{sep}options=-csearch_path%3D{_PG_SCHEMA}")
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def _mysql_backend(mysql_uri: str) -> Iterator[Backend]:
    """One MySQL/MariaDB backend per session (its tables dropped first)."""
    import sqlalchemy as sa

    from ardea.store.sql import schema as tables
    from ardea.store.sql._db.engine import normalize_uri
    from ardea.store.sql._db.migrate import VERSION_TABLE
    from ardea.store.sql.backend import open_sql_backend

    engine = sa.create_engine(normalize_uri(mysql_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
        for table in [*tables.metadata.sorted_tables, sa.table(VERSION_TABLE)]:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table.name}"))
    engine.dispose()
    backend = open_sql_backend(mysql_uri)
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def _replicas(postgres_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Three ``ardea server`` replicas on one PostgreSQL schema behind haproxy (a session's)."""
    from ardea.store.sql.backend import open_sql_backend
    from fixtures.replicas import Replicas, haproxy_or_skip, pg_schema_uri

    haproxy_or_skip()
    uri = pg_schema_uri(postgres_uri, _PG_REPLICAS_SCHEMA)
    # No alert evaluator timer: its passes would move rules between a test's writes and reads
    # (the evaluator across replicas has its own test, tests/unit/server/test_alerts_replicas.py).
    env = {"ARDEA_ALERTS": "0"}
    replicas = Replicas(uri, tmp_path_factory.mktemp("replicas"), count=3, env=env)
    local = open_sql_backend(uri)  # wipes the database between tests
    try:
        yield replicas, local
    finally:
        local.close()
        replicas.close()


@pytest.fixture
def rest_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A REST backend talking to the real server app over a fresh SQLite backend."""
    local = fresh_sqlite(request, tmp_path)
    with served(local) as remote:
        yield remote
    local.close()


@pytest.fixture
def rest_tracking_store(rest_backend: Backend) -> TrackingStore:
    """The REST backend's tracking store (the REST client against the real server app)."""
    return rest_backend.tracking


@pytest.fixture(
    params=[
        "sqlite",
        "rest",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
        *workspaces.MODES,
        workspaces.REST_MODE,
        pytest.param("replicas", marks=[pytest.mark.replicas, pytest.mark.postgres]),
    ]
)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A fresh, empty backend (only the Default experiment) of each kind.

    ``rest`` is :func:`rest_backend` (the REST client against the real server app). The
    ``ws-*`` ones are SQLite backends of one workspace, with a canary in another and an
    isolation check after the test (:mod:`fixtures.workspaces`). ``replicas`` is a REST
    backend through haproxy in front of three ``ardea server`` processes on one PostgreSQL
    database (:mod:`fixtures.replicas`).
    """
    if request.param in (*workspaces.MODES, workspaces.REST_MODE):
        yield from workspaces.run_in_workspace(request, tmp_path)
    elif request.param == "sqlite":
        local = fresh_sqlite(request, tmp_path)
        yield local
        local.close()
    elif request.param == "rest":
        yield request.getfixturevalue("rest_backend")
    elif request.param == "replicas":
        yield from replicas_backend(request)
    else:
        yield shared_backend(request, request.param)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def sql_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A fresh SQL backend of each database (no REST client, no workspace variants)."""
    if request.param == "sqlite":
        local = fresh_sqlite(request, tmp_path)
        yield local
        local.close()
    else:
        yield shared_backend(request, request.param)


@pytest.fixture
def tracking_store(backend: Backend) -> TrackingStore:
    """A fresh, empty tracking store on each backend."""
    return backend.tracking
