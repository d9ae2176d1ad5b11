"""``ardea db backup`` / ``ardea db restore``: SQLite files, PostgreSQL through pg_dump."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from click.testing import CliRunner, Result

from ardea.cli.main import cli
from ardea.store.sql.backend import open_sql_backend


def ardea(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def _seed(uri: str, artifacts: Path) -> tuple[str, str]:
    backend = open_sql_backend(uri, artifacts_destination=str(artifacts))
    try:
        experiment_id = backend.tracking.create_experiment("kept")
        run = backend.tracking.create_run(experiment_id, run_name="r")
        return experiment_id, run.info.run_id
    finally:
        backend.close()


def _read_back(uri: str, artifacts: Path, run_id: str) -> str:
    backend = open_sql_backend(uri, artifacts_destination=str(artifacts))
    try:
        return backend.tracking.get_run(run_id).info.run_name
    finally:
        backend.close()


def test_sqlite_backup_and_restore(tmp_path: Path) -> None:
    live = f"sqlite:///{tmp_path / 'live.db'}"
    _, run_id = _seed(live, tmp_path / "a")
    copy = tmp_path / "backups" / "ardea.db"
    result = ardea("db", "backup", "--to", str(copy), live)
    assert result.exit_code == 0, result.output
    assert f"to {copy}" in result.output

    target = tmp_path / "restored.db"
    restored = ardea("db", "restore", "--from", str(copy), f"sqlite:///{target}")
    assert restored.exit_code == 0, restored.output
    assert _read_back(f"sqlite:///{target}", tmp_path / "a", run_id) == "r"

    # An existing database is replaced only with --force.
    again = ardea("db", "restore", "--from", str(copy), f"sqlite:///{target}")
    assert again.exit_code != 0 and "--force" in again.output
    forced = ardea("db", "restore", "--from", str(copy), "--force", f"sqlite:///{target}")
    assert forced.exit_code == 0, forced.output


def test_a_data_folder_is_backed_up_by_its_database(tmp_path: Path) -> None:
    folder = tmp_path / "ardea-data"
    folder.mkdir()
    assert ardea("db", "upgrade", str(folder)).exit_code == 0
    result = ardea("db", "backup", "--to", str(tmp_path / "b.db"), str(folder))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b.db").stat().st_size > 0


def test_bad_input_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("nope")
    target = tmp_path / "t.db"
    refused = ardea("db", "restore", "--from", str(junk), f"sqlite:///{target}")
    assert refused.exit_code != 0 and "not a SQLite database" in refused.output
    assert not target.exists()
    missing = ardea("db", "backup", "--to", str(tmp_path / "x.db"), f"sqlite:///{tmp_path}/no.db")
    assert missing.exit_code != 0 and "no database file" in missing.output
    server = ardea("db", "backup", "--to", str(tmp_path / "x.db"), "http://127.0.0.1:5000")
    assert server.exit_code != 0 and "is a server" in server.output
    mysql = ardea("db", "backup", "--to", str(tmp_path / "x.db"), "mysql://u:p@127.0.0.1/db")
    assert mysql.exit_code != 0 and "mysqldump" in mysql.output and ":p@" not in mysql.output
    pg = ardea("db", "restore", "--from", str(junk), "postgresql://u:p@127.0.0.1/db")
    assert pg.exit_code != 0 and "pg_restore" in pg.output


def test_without_pg_dump_the_message_says_what_to_do(tmp_path: Path) -> None:
    result = ardea(
        "db", "backup", "--to", str(tmp_path / "x.dump"), "postgresql://u:secret@127.0.0.1/db",
        env={"PATH": str(tmp_path)},
    )  # fmt: skip
    assert result.exit_code != 0
    assert "pg_dump was not found" in result.output and "secret" not in result.output


def _database(uri: str, name: str, *, create: bool = True) -> str:
    import psycopg
    from psycopg import sql

    parts = urlsplit(uri)
    conninfo = urlunsplit(("postgresql", parts.netloc, parts.path, "", ""))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@pytest.fixture
def pg_pair(postgres_uri: str) -> Iterator[tuple[str, str]]:
    base = urlsplit(postgres_uri).path.lstrip("/")
    names = (f"{base}_bk_src", f"{base}_bk_dst")
    yield _database(postgres_uri, names[0]), _database(postgres_uri, names[1])
    for name in names:
        _database(postgres_uri, name, create=False)


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="PostgreSQL client tools missing")
def test_postgresql_backup_restores_with_pg_restore(
    pg_pair: tuple[str, str], tmp_path: Path
) -> None:
    source, target = pg_pair
    _, run_id = _seed(source, tmp_path / "a")
    dump = tmp_path / "ardea.dump"
    result = ardea("db", "backup", "--to", str(dump), source)
    assert result.exit_code == 0, result.output
    assert "pg_dump custom format" in result.output
    password = urlsplit(source).password
    assert f":{password}@" not in result.output and ":***@" in result.output
    # The documented restore: pg_restore into an empty database (docs/operations.md).
    parts = urlsplit(target)
    conninfo = urlunsplit(("postgresql", parts.netloc, parts.path, "", ""))
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={conninfo}", str(dump)],
        check=True,
    )
    assert _read_back(target, tmp_path / "a", run_id) == "r"
