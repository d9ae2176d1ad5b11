"""Fixtures for the contract suites (each runs one behaviour suite over every backend)."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:  # tests/ holds the shared fixture modules
    sys.path.insert(0, _TESTS)

from fixtures.s3 import S3Server, s3_env, s3_server  # noqa: E402, F401
from fixtures.sql_wipe import wipe  # noqa: E402

# isort: split

# --------------------------------------------------------------------- tracking store backends

import shutil  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

_PG_SCHEMA = "ardea_tracking_contract"


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test (migrating once keeps tests fast)."""
    from ardea.store.sql.tracking.store import SqlTrackingStore

    path = tmp_path_factory.mktemp("tracking-template") / "template.db"
    SqlTrackingStore(f"sqlite:///{path}").close()  # close() checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def _postgres_tracking(postgres_uri: str) -> Iterator[object]:
    """One PostgreSQL store per session, in its own schema so other suites are not disturbed."""
    import sqlalchemy as sa

    from ardea.store.sql._db.engine import normalize_uri
    from ardea.store.sql.tracking.store import SqlTrackingStore

    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {_PG_SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {_PG_SCHEMA}"))
    engine.dispose()
    sep = "&" if "?" in postgres_uri else "?"
    store = SqlTrackingStore(f"{postgres_uri}{sep}options=-csearch_path%3D{_PG_SCHEMA}")
    yield store
    store.close()


@pytest.fixture(scope="session")
def _mysql_tracking(mysql_uri: str) -> Iterator[object]:
    """One MySQL/MariaDB store per session (its tables dropped first)."""
    import sqlalchemy as sa

    from ardea.store.sql import schema as tables
    from ardea.store.sql._db.engine import normalize_uri
    from ardea.store.sql._db.migrate import VERSION_TABLE
    from ardea.store.sql.tracking.store import SqlTrackingStore

    uri = mysql_uri
    engine = sa.create_engine(normalize_uri(uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
        for table in [*tables.metadata.sorted_tables, sa.table(VERSION_TABLE)]:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table.name}"))
    engine.dispose()
    store = SqlTrackingStore(uri)
    yield store
    store.close()


def _fresh_sqlite(request: pytest.FixtureRequest, tmp_path: Path) -> object:
    from ardea.store.sql.tracking.store import SqlTrackingStore

    template: Path = request.getfixturevalue("_sqlite_template")
    path = tmp_path / f"{uuid.uuid4().hex}.db"
    shutil.copyfile(template, path)
    return SqlTrackingStore(f"sqlite:///{path}")


@pytest.fixture
def rest_tracking_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """A ``RestTrackingStore`` talking to the real server app over a fresh SQLite store.

    The app runs in-process behind :class:`fixtures.asgi.SyncASGITransport` (no socket);
    retries are off so a server error fails the test at once.
    """
    from ardea.server.app import create_app
    from ardea.server.deps import ServerDeps, ServerSettings
    from ardea.store.artifacts.local import LocalArtifactStore
    from ardea.store.rest.http import RestClient
    from ardea.store.rest.tracking import RestTrackingStore
    from fixtures.asgi import SyncASGITransport

    backend = _fresh_sqlite(request, tmp_path)
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    app = create_app(ServerDeps(backend, artifacts, ServerSettings()))  # type: ignore[arg-type]
    transport = SyncASGITransport(app)
    rest = RestClient("http://localhost", max_retries=0, transport=transport)
    store = RestTrackingStore("http://localhost", rest=rest)
    yield store
    store.close()
    transport.close()
    artifacts.close()
    backend.close()  # type: ignore[attr-defined]


@pytest.fixture(
    params=[
        "sqlite",
        "rest",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def tracking_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """A fresh, empty tracking store (only the Default experiment) on each backend.

    ``rest`` is :func:`rest_tracking_store` (the REST client against the real server app).
    """
    if request.param == "sqlite":
        store = _fresh_sqlite(request, tmp_path)
        yield store
        store.close()  # type: ignore[attr-defined]
    elif request.param == "rest":
        yield request.getfixturevalue("rest_tracking_store")
    else:
        store = request.getfixturevalue(f"_{request.param}_tracking")
        wipe(store)
        yield store
