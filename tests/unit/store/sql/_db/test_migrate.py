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
from ardea.store.sql._db import migrate
from ardea.store.sql._db.collation import mysql_collation, mysql_table_options
from ardea.store.sql._db.engine import normalize_uri
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.schema import metadata


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
        open_sql_backend(uri, auto_migrate=False)
    migrate.upgrade(uri)
    assert _schema_diff(normalize_uri(uri)) == []
    backend = open_sql_backend(uri, auto_migrate=False)  # now current: opens
    store = backend.tracking
    assert store.get_experiment("0").name == "Default"
    second = store.create_experiment("after-default")
    assert second == "1"  # the explicit id 0 did not disturb the sequence
    backend.close()
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def test_current_sqlite_store_opens_without_alembic(tmp_path: Path) -> None:
    path = tmp_path / "fast.db"
    open_sql_backend(f"sqlite:///{path}").close()
    code = (
        "import sys\n"
        "from ardea.store.sql.backend import open_sql_backend\n"
        f"b = open_sql_backend({f'sqlite:///{path}'!r})\n"
        "assert b.tracking.get_experiment('0').name == 'Default'\n"
        "b.close()\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"


def test_reopen_keeps_data(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'keep.db'}"
    backend = open_sql_backend(uri)
    store = backend.tracking
    eid = store.create_experiment("kept")
    backend.close()
    backend = open_sql_backend(uri)
    store = backend.tracking
    assert store.get_experiment(eid).name == "kept"
    assert [e.name for e in store.search_experiments(order_by=["name"])] == ["Default", "kept"]
    backend.close()


@pytest.mark.mysql
def test_mysql_upgrade_matches_tables(mysql_uri: str) -> None:
    uri = mysql_uri
    engine = sa.create_engine(normalize_uri(uri), poolclass=sa.pool.NullPool)
    _drop_mysql_tables(engine)
    engine.dispose()
    migrate.upgrade(uri)
    migrate.upgrade(uri)
    assert _schema_diff(normalize_uri(uri)) == []
    collations = _mysql_collations(uri)  # Alembic's diff does not compare collations
    nopad = collations.pop("expected")
    assert set(collations) == {t.name for t in metadata.sorted_tables}
    assert set(collations.values()) == {nopad}
    backend = open_sql_backend(uri)
    store = backend.tracking
    assert store.get_experiment("0").name == "Default"
    assert store.create_experiment("Default-but-other-case") == "1"
    store.create_experiment("default")  # names are case-sensitive (binary collation)
    store.create_experiment("default ")  # and trailing spaces count (NO PAD)
    backend.close()


def _mysql_collations(uri: str) -> dict[str, str]:
    """Per Ardea table, its collation if it and all its text columns share one, else "mixed";
    under "expected", the server's NO PAD collation."""
    engine = sa.create_engine(normalize_uri(uri), poolclass=sa.pool.NullPool)
    names = {t.name for t in metadata.sorted_tables}
    found: dict[str, set[str]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT table_name, table_collation FROM information_schema.tables "
                "WHERE table_schema = DATABASE() UNION ALL "
                "SELECT table_name, collation_name FROM information_schema.columns "
                "WHERE table_schema = DATABASE() AND collation_name IS NOT NULL"
            )
        ).all()
        expected = mysql_collation(conn.dialect)
    engine.dispose()
    for table, collation in rows:
        if table in names:
            found.setdefault(str(table), set()).add(str(collation))
    out = {t: c.pop() if len(c) == 1 else "mixed" for t, c in found.items()}
    return {**out, "expected": expected}


def _as_mysql(uri: str) -> str:
    return "mysql://" + uri.partition("://")[2]


def _drop_mysql_tables(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
        for table in [*metadata.sorted_tables, sa.table(migrate.VERSION_TABLE)]:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table.name}"))


def _alembic_command(engine: sa.Engine, name: str, revision: str) -> None:
    """Alembic's ``upgrade`` or ``downgrade`` to ``revision``, as ``migrate.py`` sets it up."""
    from alembic import command
    from alembic.config import Config

    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
        cfg.attributes["connection"] = conn
        getattr(command, name)(cfg, revision)


@pytest.mark.mysql
@pytest.mark.parametrize("scheme", ["mysql", "mariadb+pymysql"])
def test_mysql_upgrade_from_pad_space_keeps_rows_and_splits_keys(
    mysql_uri: str, scheme: str
) -> None:
    """A database made by 0005 (PAD SPACE) with rows in it, upgraded to head.

    ``mariadb+pymysql://`` selects SQLAlchemy's "mariadb" dialect, which ignores the
    ``mysql_*`` table options of revisions 0001-0005: its tables get the database's default
    collation, and 0006 must convert them all the same.
    """
    from ardea.store.sql.registry import tables as rt
    from ardea.store.sql.tracking import tables as t

    uri = f"{scheme}://{normalize_uri(mysql_uri).partition('://')[2]}"
    engine = sa.create_engine(normalize_uri(uri), poolclass=sa.pool.NullPool)
    if scheme.startswith("mariadb"):
        probe = sa.create_engine(normalize_uri(_as_mysql(uri)), poolclass=sa.pool.NullPool)
        with probe.connect() as conn:
            if not conn.dialect.is_mariadb:
                pytest.skip("the mariadb dialect needs a MariaDB server")
    _drop_mysql_tables(engine)
    _alembic_command(engine, "upgrade", "0005_version_stage_index")
    before = _mysql_collations(uri)
    nopad = before.pop("expected")
    assert nopad not in before.values()
    if scheme == "mysql":
        assert set(before.values()) == {"utf8mb4_bin"}
    run = {"run_id": "r1", "experiment_id": 1, "run_name": "n", "user_id": "u"}
    run |= {"status": "RUNNING", "start_time": 1, "artifact_uri": "a", "lifecycle_stage": "active"}
    exp = {"experiment_id": 1, "name": "e", "artifact_location": "a", "lifecycle_stage": "active"}
    exp |= {"creation_time": 1, "last_update_time": 1}
    model = {"name": "m", "creation_timestamp": 1, "last_updated_timestamp": 1}
    version = {"name": "m", "version": 1, "creation_timestamp": 1, "last_updated_timestamp": 1}
    version |= {"current_stage": "None", "source": "s", "status": "READY"}
    lr_padded = sa.select(sa.func.count()).select_from(t.params).where(t.params.c.key == "lr ")
    with engine.begin() as conn:
        conn.execute(t.experiments.insert(), exp)
        conn.execute(t.runs.insert(), run)
        conn.execute(t.params.insert(), {"run_id": "r1", "key": "lr", "value": "0.1"})
        conn.execute(rt.registered_models.insert(), model)
        conn.execute(rt.model_versions.insert(), version)
        assert conn.execute(lr_padded).scalar() == 1  # the PAD SPACE bug: "lr " finds "lr"
    lines: list[str] = []
    migrate.upgrade(uri, progress=lines.append)
    applied = [line for line in lines if line.startswith("  applied")]
    revisions = [line.split()[1] for line in applied]
    assert revisions[0] == "0006_mysql_nopad_collation" and revisions[-1] == migrate.HEAD_REVISION
    tables = [line for line in lines if line.startswith("    ")]  # one line per converted table
    assert len(tables) == 27 and tables[-1].strip().endswith(" s") and "(27/27)" in tables[-1]
    collations = _mysql_collations(uri)
    assert collations.pop("expected") == nopad in ("utf8mb4_nopad_bin", "utf8mb4_0900_bin")
    assert set(collations.values()) == {nopad}
    assert _schema_diff(normalize_uri(uri)) == []
    with engine.begin() as conn:
        assert conn.execute(sa.select(t.params.c.value)).scalars().all() == ["0.1"]
        assert conn.execute(sa.select(rt.model_versions.c.source)).scalars().all() == ["s"]
        assert conn.execute(lr_padded).scalar() == 0
        conn.execute(t.params.insert(), {"run_id": "r1", "key": "lr ", "value": "0.2"})
        fks = conn.execute(
            sa.text(
                "SELECT COUNT(*) FROM information_schema.referential_constraints "
                "WHERE constraint_schema = DATABASE()"
            )
        ).scalar()
        assert fks == sum(len(table.foreign_key_constraints) for table in metadata.sorted_tables)
        conn.execute(t.runs.delete())  # the recreated keys still cascade
        assert conn.execute(sa.select(sa.func.count()).select_from(t.params)).scalar() == 0
        conn.execute(rt.registered_models.update().values(name="m2"))
        assert conn.execute(sa.select(rt.model_versions.c.name)).scalars().all() == ["m2"]
    backend = open_sql_backend(uri, auto_migrate=False)  # at head: opens
    store = backend.tracking
    assert store.get_experiment_by_name("e").experiment_id == "1"
    backend.close()
    _alembic_command(engine, "downgrade", "0005_version_stage_index")
    assert set(_mysql_collations(uri).values()) == {"utf8mb4_bin", nopad}  # nopad: "expected"
    _alembic_command(engine, "upgrade", "head")  # leave the shared database usable
    engine.dispose()


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


def _mysql_dialect(version: tuple[int, ...], mariadb: bool) -> sa.engine.Dialect:
    from sqlalchemy.dialects.mysql.pymysql import MySQLDialect_pymysql

    dialect = MySQLDialect_pymysql(is_mariadb=mariadb)
    dialect.server_version_info = version
    return dialect


def test_mysql_collation_is_the_servers_no_pad_binary_one() -> None:
    assert mysql_collation(_mysql_dialect((10, 11, 18), mariadb=True)) == "utf8mb4_nopad_bin"
    assert mysql_collation(_mysql_dialect((8, 0, 17), mariadb=False)) == "utf8mb4_0900_bin"
    assert mysql_collation(_mysql_dialect((8, 4, 3), mariadb=False)) == "utf8mb4_0900_bin"
    with pytest.raises(FailedPreconditionError, match=r"MySQL 8\.0\.17\+.*server is MySQL 5\.7"):
        mysql_collation(_mysql_dialect((5, 7, 44), mariadb=False))
    options = mysql_table_options(_mysql_dialect((10, 6, 0), mariadb=True))
    assert options["mysql_collate"] == options["mariadb_collate"] == "utf8mb4_nopad_bin"
    assert options["mysql_charset"] == options["mariadb_charset"] == "utf8mb4"
    assert mysql_table_options(sa.create_engine("sqlite://").dialect) == {}


def _create_table_ddl(url: str) -> list[str]:
    """The ``CREATE TABLE`` statements ``metadata.create_all`` emits for a dialect."""
    ddl: list[str] = []
    engine = sa.create_mock_engine(url, lambda sql, *a, **k: ddl.append(str(sql.compile(engine))))
    metadata.create_all(engine, checkfirst=False)
    return [s for s in ddl if s.lstrip().startswith("CREATE TABLE")]


@pytest.mark.parametrize(
    ("url", "collation"),
    [
        ("mysql+pymysql://", "utf8mb4_0900_bin"),
        ("mariadb+pymysql://", "utf8mb4_nopad_bin"),  # dialect "mariadb": mariadb_* options
    ],
)
def test_create_all_declares_the_servers_collation(url: str, collation: str) -> None:
    """``tables.py`` names MariaDB's collation; ``create_all`` uses the server's."""
    creates = _create_table_ddl(url)
    assert len(creates) == len(metadata.tables)
    assert all(f"CHARSET=utf8mb4 COLLATE {collation}" in s for s in creates)
    assert not any("utf8mb4_bin" in s for s in creates)
