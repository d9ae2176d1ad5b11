"""The ``ardea`` command line: version, help, ``db upgrade``, lazy imports."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ardea.cli.main import cli
from ardea.cli.version import ardea_version


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"ardea, version {ardea_version()}"


def test_server_help_lists_the_options() -> None:
    result = CliRunner().invoke(cli, ["server", "--help"])
    assert result.exit_code == 0
    for option in (
        "--host",
        "--port",
        "--backend-store-uri",
        "--default-artifact-root",
        "--artifacts-destination",
        "--workers",
        "--access-log",
        "--dev",
        "--allow-artifact-root",
        "--sqlite-synchronous",
    ):
        assert option in result.output


def test_server_rejects_zero_workers() -> None:
    result = CliRunner().invoke(cli, ["server", "--workers", "0"])
    assert result.exit_code != 0
    assert "--workers" in result.output


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    result = CliRunner().invoke(cli, ["db", "upgrade", f"sqlite:///{db}"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "ardea_alembic_version" in tables
    assert len(tables) > 3
    # Idempotent.
    assert CliRunner().invoke(cli, ["db", "upgrade", f"sqlite:///{db}"]).exit_code == 0


def test_cli_import_is_light() -> None:
    code = (
        "import sys, ardea.cli.main; "
        "bad = [m for m in ('fastapi', 'sqlalchemy', 'uvicorn', 'alembic') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_server_sqlite_synchronous_option_reaches_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import ardea.cli.server as server_cli

    seen: list[object] = []
    monkeypatch.setattr(server_cli, "run", seen.append)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARDEA_SQLITE_SYNCHRONOUS", raising=False)
    assert CliRunner().invoke(cli, ["server", "--sqlite-synchronous", "FULL"]).exit_code == 0
    assert CliRunner().invoke(cli, ["server"]).exit_code == 0
    monkeypatch.setenv("ARDEA_SQLITE_SYNCHRONOUS", "full")
    assert CliRunner().invoke(cli, ["server"]).exit_code == 0
    assert [s.sqlite_synchronous for s in seen] == ["full", "", "full"]  # type: ignore[attr-defined]
    bad = CliRunner().invoke(cli, ["server", "--sqlite-synchronous", "off"])
    assert bad.exit_code != 0
    assert "--sqlite-synchronous" in bad.output
