"""Migrations: HEAD_REVISION matches Alembic, the migrated schema matches tables.py, and an
up-to-date SQLite store opens without importing Alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from ardea._core.errors import FailedPreconditionError, InvalidArgumentError
from ardea.store.sql import migrate
from ardea.store.sql.engine import normalize_uri
from ardea.store.sql.tables import metadata
from ardea.store.sql.tracking import SqlTrackingStore


def test_head_revision_is_alembic_head() -> None:
    script = ScriptDirectory(str(migrate.MIGRATIONS_DIR))
    assert script.get_heads() == [migrate.HEAD_REVISION]


def _schema_diff(url: str) -> list:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": migrate.VERSION_TABLE}
        )
        diff = compare_metadata(ctx, metadata)
    engine.dispose()
    return diff


def test_sqlite_upgrade_matches_tables(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'm.db'}"
    engine = sa.create_engine(uri)
    with engine.connect() as conn:
        assert migrate.current_revision(conn) is None
    migrate.upgrade(uri)
    migrate.upgrade(uri)  # idempotent
    with engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.HEAD_REVISION
        assert "alembic_version" not in sa.inspect(conn).get_table_names()
    engine.dispose()
    assert _schema_diff(uri) == []


@pytest.mark.postgres
def test_postgres_upgrade_matches_tables(postgres_uri: str) -> None:
    schema = "ardea_migrate_test"
    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in postgres_uri else "?"
    uri = f"{postgres_uri}{sep}options=-csearch_path%3D{schema}"
    with pytest.raises(FailedPreconditionError, match="ardea db upgrade"):
        SqlTrackingStore(uri, auto_migrate=False)
    migrate.upgrade(uri)
    assert _schema_diff(normalize_uri(uri)) == []
    store = SqlTrackingStore(uri, auto_migrate=False)  # now current: opens
    assert store.get_experiment("0").name == "Default"
    second = store.create_experiment("after-default")
    assert second == "1"  # the explicit id 0 did not disturb the sequence
    store.close()
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def test_current_sqlite_store_opens_without_alembic(tmp_path: Path) -> None:
    path = tmp_path / "fast.db"
    SqlTrackingStore(f"sqlite:///{path}").close()
    code = (
        "import sys\n"
        "from ardea.store.sql.tracking import SqlTrackingStore\n"
        f"s = SqlTrackingStore({f'sqlite:///{path}'!r})\n"
        "assert s.get_experiment('0').name == 'Default'\n"
        "s.close()\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"


def test_reopen_keeps_data(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'keep.db'}"
    store = SqlTrackingStore(uri)
    eid = store.create_experiment("kept")
    store.close()
    store = SqlTrackingStore(uri)
    assert store.get_experiment(eid).name == "kept"
    assert [e.name for e in store.search_experiments(order_by=["name"])] == ["Default", "kept"]
    store.close()


@pytest.mark.mysql
def test_mysql_upgrade_matches_tables(mysql_uri: str) -> None:
    uri = mysql_uri
    engine = sa.create_engine(normalize_uri(uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
        for table in [*metadata.sorted_tables, sa.table(migrate.VERSION_TABLE)]:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table.name}"))
    engine.dispose()
    migrate.upgrade(uri)
    migrate.upgrade(uri)
    assert _schema_diff(normalize_uri(uri)) == []
    store = SqlTrackingStore(uri)
    assert store.get_experiment("0").name == "Default"
    assert store.create_experiment("Default-but-other-case") == "1"
    store.create_experiment("default")  # names are case-sensitive (binary collation)
    store.close()


def test_upgrade_accepts_a_data_folder(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    migrate.upgrade(str(folder))
    engine = sa.create_engine(f"sqlite:///{folder / 'ardea.db'}")
    with engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.HEAD_REVISION
    engine.dispose()
    with pytest.raises(InvalidArgumentError, match="server URI"):
        migrate.upgrade("http://127.0.0.1:5000")


def test_upgrade_reports_each_revision_it_applies(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'progress.db'}"
    lines: list[str] = []
    migrate.upgrade(uri, progress=lines.append)
    revisions = [s.revision for s in ScriptDirectory(str(migrate.MIGRATIONS_DIR)).walk_revisions()]
    assert lines[0].startswith(f"Upgrading the database schema: {len(revisions)} to apply")
    applied = [line.split()[1] for line in lines[1:]]
    assert applied == list(reversed(revisions))  # oldest first, one line each
    assert lines[-1].endswith(" s") and f"({len(revisions)}/{len(revisions)})" in lines[-1]
    lines.clear()
    migrate.upgrade(uri, progress=lines.append)  # up to date: nothing to say
    assert lines == []
