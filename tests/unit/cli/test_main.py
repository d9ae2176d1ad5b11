"""The ``ardea`` command line: version, ``-h`` everywhere, ``db upgrade``, lazy imports."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
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


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield prefix
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


ALL_COMMANDS = list(_commands(cli))


def test_every_command_is_listed() -> None:
    top = {c[0] for c in ALL_COMMANDS if c}
    assert {"server", "ui", "experiments", "runs", "artifacts", "gc", "db"} <= top
    for expected in (
        ("experiments", "search"),
        ("experiments", "list"),
        ("experiments", "csv"),
        ("runs", "describe"),
        ("artifacts", "log-artifacts"),
        ("db", "upgrade"),
    ):
        assert expected in ALL_COMMANDS


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: " ".join(c) or "ardea")
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_h_is_help_on_every_command(command: tuple[str, ...], flag: str) -> None:
    result = CliRunner().invoke(cli, [*command, flag], prog_name="ardea")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: ardea {' '.join(command)}".rstrip())
    assert "-h, --help" in result.output


def test_server_host_is_a_long_option_only() -> None:
    result = CliRunner().invoke(cli, ["server", "-h"])
    assert result.exit_code == 0 and "--host" in result.output
    assert "-h, --host" not in result.output
    # -h is never taken as the host, even with a value after it.
    assert CliRunner().invoke(cli, ["server", "-h", "0.0.0.0"]).exit_code == 0


def test_an_unknown_id_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["experiments", "get", "-x", "77", "--tracking-uri", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert result.output == "Error: No Experiment with id=77 exists\n"


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


def test_db_upgrade_defaults_to_the_default_tracking_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ardea-data" / "ardea.db").is_file()
    assert f"Database {tmp_path / 'ardea-data'} is up to date." in result.output
    other = tmp_path / "elsewhere"
    monkeypatch.setenv("ARDEA_TRACKING_URI", str(other))
    assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0
    assert (other / "ardea.db").is_file()


def test_db_upgrade_refuses_a_server_url_and_hides_passwords() -> None:
    result = CliRunner().invoke(cli, ["db", "upgrade", "http://127.0.0.1:5000"])
    assert result.exit_code == 2
    assert "is a server" in result.output and "--backend-store-uri" in result.output
    result = CliRunner().invoke(cli, ["db", "upgrade", "https://u:secret@host:1"])
    assert "secret" not in result.output


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
