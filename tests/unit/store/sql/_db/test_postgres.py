"""PostgreSQL session settings and the one-statement write (``_db.postgres``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ardea._core.env import ARDEA_PG_SYNCHRONOUS_COMMIT
from ardea._core.errors import InvalidArgumentError
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.postgres import synchronous_commit_mode

pytestmark = pytest.mark.postgres


def _show(database: Database) -> list[str]:
    """``synchronous_commit`` as seen by several pooled connections held at once."""
    conns = [database.write_engine.connect() for _ in range(3)]
    try:
        return [c.exec_driver_sql("SHOW synchronous_commit").scalar_one() for c in conns]
    finally:
        for c in conns:
            c.close()


def test_unset_keeps_the_servers_durable_default(
    postgres_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ARDEA_PG_SYNCHRONOUS_COMMIT, raising=False)
    database = Database(postgres_uri)
    try:
        assert database.pg_synchronous_commit is None
        assert _show(database) == ["on"] * 3
    finally:
        database.close()


def test_the_environment_sets_synchronous_commit_on_every_pooled_session(
    postgres_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ARDEA_PG_SYNCHRONOUS_COMMIT, " OFF ")
    database = Database(postgres_uri)
    try:
        assert database.pg_synchronous_commit == "off"
        assert _show(database) == ["off"] * 3
        # a write still commits (the setting changes when, not whether)
        assert database.write(lambda c: c.exec_driver_sql("SELECT 1").scalar_one()) == 1
        assert _show(database) == ["off"] * 3  # still set after a transaction
    finally:
        database.close()


def test_the_argument_wins_over_the_environment(
    postgres_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ARDEA_PG_SYNCHRONOUS_COMMIT, "off")
    database = Database(postgres_uri, pg_synchronous_commit="local")
    try:
        assert _show(database) == ["local"] * 3
    finally:
        database.close()


@pytest.mark.parametrize("bad", ["bogus", "off; DROP TABLE runs", "0"])
def test_a_bad_value_is_refused(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ARDEA_PG_SYNCHRONOUS_COMMIT, bad)
    with pytest.raises(InvalidArgumentError, match=ARDEA_PG_SYNCHRONOUS_COMMIT):
        synchronous_commit_mode()


def test_the_server_refuses_to_start_with_a_bad_value(postgres_uri: str, tmp_path: Path) -> None:
    ardea = Path(sys.executable).parent / "ardea"
    done = subprocess.run(
        [
            str(ardea),
            "server",
            "--port",
            "0",
            "--backend-store-uri",
            postgres_uri,
            "--artifacts-destination",
            str(tmp_path / "a"),
        ],
        env={"PATH": "/usr/bin:/bin", ARDEA_PG_SYNCHRONOUS_COMMIT: "sometimes"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Invalid PostgreSQL synchronous_commit 'sometimes'" in done.stderr + done.stdout
    assert ARDEA_PG_SYNCHRONOUS_COMMIT in done.stderr + done.stdout


def test_sqlite_ignores_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ARDEA_PG_SYNCHRONOUS_COMMIT, "bogus")
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        assert database.pg_synchronous_commit is None
        assert database.write_statement("SELECT 1", ()) is None  # PostgreSQL only
    finally:
        database.close()


def test_write_statement_commits_on_its_own_and_reports_failure_as_none(
    postgres_uri: str,
) -> None:
    database = Database(postgres_uri)
    try:
        database.write(lambda c: c.exec_driver_sql("DROP TABLE IF EXISTS pgrate_probe"))
        database.write(lambda c: c.exec_driver_sql("CREATE TABLE pgrate_probe (x int unique)"))
        row = database.write_statement("INSERT INTO pgrate_probe VALUES (%s) RETURNING x", (7,))
        assert row == (7,)
        # committed: another connection sees it
        assert database.read(lambda c: c.exec_driver_sql("SELECT x FROM pgrate_probe").all()) == [
            (7,)
        ]
        # a failing statement wrote nothing and leaves the pooled connection usable
        assert database.write_statement("INSERT INTO pgrate_probe VALUES (%s)", (7,)) is None
        assert database.write_statement("SELECT count(*) FROM pgrate_probe", ()) == (1,)
        assert _show(database) == ["on"] * 3
    finally:
        database.write(lambda c: c.exec_driver_sql("DROP TABLE IF EXISTS pgrate_probe"))
        database.close()
