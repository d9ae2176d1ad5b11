"""The ``ardea`` data commands against a live ``ardea server`` (``--tracking-uri http://...``).

The same commands as ``tests/unit/cli`` (there on a data folder), here over the MLflow REST
API and the artifact proxy; ``gc`` is refused with the way to run it on the database, and then
run that way, on the server's own database, while the server runs.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ardea.cli.main import cli

pytestmark = pytest.mark.slow


def _ardea(server: Any, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--tracking-uri", server.url])


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def test_experiments_runs_and_artifacts_over_rest(live_server: Any, tmp_path: Path) -> None:
    from ardea.client import ArdeaClient

    out = _ok(_ardea(live_server, "experiments", "create", "-n", "remote", "-t", "k=v"))
    eid = out.strip().rsplit(" ", 1)[1]
    client = ArdeaClient(live_server.url)
    try:
        run = client.create_run(eid, run_name="r")
        rid = run.info.run_id
        client.log_param(rid, "lr", 0.1)
        client.log_metric(rid, "acc", 0.9)
        client.set_terminated(rid)
    finally:
        client.close()

    found = json.loads(_ok(_ardea(live_server, "experiments", "search", "--output", "json")))
    assert [e["name"] for e in found] == ["remote", "Default"]
    assert json.loads(
        _ok(_ardea(live_server, "experiments", "get", "-n", "remote", "--output", "json"))
    )["tags"] == {"k": "v"}
    _ok(_ardea(live_server, "experiments", "rename", "-x", eid, "--new-name", "renamed"))
    rows = list(
        csv.DictReader(io.StringIO(_ok(_ardea(live_server, "experiments", "csv", "-x", eid))))
    )
    assert rows[0]["run_id"] == rid and rows[0]["metrics.acc"] == "0.9"

    assert rid in _ok(_ardea(live_server, "runs", "list", "-x", eid))
    described = json.loads(_ok(_ardea(live_server, "runs", "describe", "-r", rid)))
    assert described["data"]["params"] == {"lr": "0.1"}

    local = tmp_path / "report.txt"
    local.write_text("remote report")
    _ok(_ardea(live_server, "artifacts", "log-artifact", "-l", str(local), "-r", rid, "-a", "docs"))
    listed = json.loads(_ok(_ardea(live_server, "artifacts", "list", "-r", rid, "-a", "docs")))
    assert listed == [{"path": "docs/report.txt", "is_dir": False, "file_size": 13}]
    dst = tmp_path / "dl"
    got = _ok(_ardea(live_server, "artifacts", "download", "-r", rid, "-a", "docs", "-d", str(dst)))
    assert (Path(got.strip()) / "report.txt").read_text() == "remote report"
    # The artifact went through the server's proxy into its own artifacts folder.
    assert (live_server.artifacts_dir / eid / rid / "artifacts" / "docs" / "report.txt").is_file()

    _ok(_ardea(live_server, "runs", "delete", "-r", rid))
    _ok(_ardea(live_server, "runs", "restore", "-r", rid))
    _ok(_ardea(live_server, "experiments", "delete", "-x", eid))
    deleted = _ok(_ardea(live_server, "experiments", "search", "-v", "deleted_only"))
    assert "renamed" in deleted
    _ok(_ardea(live_server, "experiments", "restore", "-x", eid))
    missing = _ardea(live_server, "runs", "describe", "-r", "f" * 32)
    assert missing.exit_code == 1 and missing.output.startswith("Error: ")


def test_gc_refuses_the_server_and_works_on_its_database(live_server: Any) -> None:
    from ardea.client import ArdeaClient

    client = ArdeaClient(live_server.url)
    try:
        eid = client.create_experiment("doomed")
        rid = client.create_run(eid, run_name="r").info.run_id
        client.log_text(rid, "bye", "x.txt")
        client.delete_experiment(eid)
    finally:
        client.close()

    refused = _ardea(live_server, "gc")
    assert refused.exit_code == 1 and "ardea gc needs the database" in refused.output

    folder = live_server.artifacts_dir / eid
    assert folder.is_dir()
    on_db = CliRunner().invoke(
        cli,
        [
            "gc",
            "--backend-store-uri",
            live_server.backend_store_uri,
            "--artifacts-destination",
            str(live_server.artifacts_dir),
        ],
    )
    assert on_db.exit_code == 0, on_db.output
    assert f"Experiment {eid} (doomed) has been permanently deleted." in on_db.output
    assert not folder.exists()
    gone = _ardea(live_server, "experiments", "get", "-x", eid)
    assert gone.exit_code == 1 and "No Experiment" in gone.output
