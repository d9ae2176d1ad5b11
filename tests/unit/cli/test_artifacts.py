"""``ardea artifacts``: log-artifact(s), list, download (by run, by URI) on a data folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result

Ardea = Callable[..., Result]


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def test_log_list_and_download(ardea: Ardea, seeded: Any, tmp_path: Path) -> None:
    rid = seeded.run_ids[0]
    model = tmp_path / "model.pkl"
    model.write_bytes(b"\x00weights")
    folder = tmp_path / "plots"
    (folder / "deep").mkdir(parents=True)
    (folder / "a.png").write_bytes(b"png")
    (folder / "deep" / "b.txt").write_text("b")

    out = _ok(ardea("artifacts", "log-artifact", "-l", str(model), "-r", rid, "-a", "model"))
    assert out == f"Logged {model} to run {rid} as model/model.pkl\n"
    _ok(ardea("artifacts", "log-artifacts", "--local-dir", str(folder), "--run-id", rid))

    top = json.loads(_ok(ardea("artifacts", "list", "-r", rid)))
    assert top == [
        {"path": "a.png", "is_dir": False, "file_size": 3},
        {"path": "deep", "is_dir": True},
        {"path": "model", "is_dir": True},
        {"path": "notes", "is_dir": True},
    ]
    table = _ok(ardea("artifacts", "list", "-r", rid, "-a", "model", "--output", "table"))
    assert table.splitlines()[2].split() == ["model/model.pkl", "False", "8"]

    dst = tmp_path / "dl"
    got = _ok(ardea("artifacts", "download", "-r", rid, "-a", "model/model.pkl", "-d", str(dst)))
    assert Path(got.strip()).read_bytes() == b"\x00weights"
    everything = Path(
        _ok(ardea("artifacts", "download", "-r", rid, "-d", str(tmp_path / "all"))).strip()
    )
    assert (everything / "deep" / "b.txt").read_text() == "b"
    assert (everything / "notes" / "a.txt").read_text() == "notes of r0"


def test_download_by_artifact_uri(ardea: Ardea, seeded: Any, tmp_path: Path) -> None:
    rid = seeded.run_ids[1]
    runs_uri = _ok(
        ardea("artifacts", "download", "-u", f"runs:/{rid}/notes", "-d", str(tmp_path / "a"))
    )
    assert (Path(runs_uri.strip()) / "a.txt").read_text() == "notes of r1"
    run = json.loads(_ok(ardea("runs", "describe", "-r", rid)))
    file_uri = f"{run['info']['artifact_uri']}/notes/a.txt"  # mlflow-artifacts:/1/<run>/...
    local = _ok(ardea("artifacts", "download", "-u", file_uri, "-d", str(tmp_path / "b")))
    assert Path(local.strip()) == tmp_path / "b" / "a.txt"
    assert Path(local.strip()).read_text() == "notes of r1"
    folder_uri = f"{run['info']['artifact_uri']}/notes"
    local = _ok(ardea("artifacts", "download", "-u", folder_uri, "-d", str(tmp_path / "c")))
    assert (Path(local.strip()) / "a.txt").read_text() == "notes of r1"


def test_usage_and_missing_things(ardea: Ardea, seeded: Any, tmp_path: Path) -> None:
    both = ardea("artifacts", "download", "-r", seeded.run_ids[0], "-u", "runs:/x/y")
    assert both.exit_code == 2 and "exactly one of" in both.output
    neither = ardea("artifacts", "download")
    assert neither.exit_code == 2
    missing_file = ardea("artifacts", "log-artifact", "-l", str(tmp_path / "nope"), "-r", "x")
    assert missing_file.exit_code == 2
    missing_run = ardea("artifacts", "list", "-r", "f" * 32)
    assert missing_run.exit_code == 1 and missing_run.output.startswith("Error: ")
    bad_path = ardea("artifacts", "list", "-r", seeded.run_ids[0], "-a", "../etc")
    assert bad_path.exit_code == 1 and "Invalid path" in bad_path.output
