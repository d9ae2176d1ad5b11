"""``ardea experiments``: search, create, get, rename, delete, restore, csv (on a data folder)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result

Ardea = Callable[..., Result]


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def test_create_then_search_in_every_format(ardea: Ardea) -> None:
    out = _ok(ardea("experiments", "create", "-n", "fraud", "-t", "team=risk", "-t", "k=a=b"))
    assert out == "Created experiment 'fraud' with id 1\n"
    table = _ok(ardea("experiments", "search")).splitlines()
    assert table[0].split() == ["experiment_id", "name", "artifact_location", "creation_time"]
    assert table[2].split()[:3] == ["1", "fraud", "mlflow-artifacts:/1"]
    assert table[3].split()[:2] == ["0", "Default"]
    rows = json.loads(_ok(ardea("experiments", "search", "--output", "json")))
    assert rows[0]["name"] == "fraud" and rows[0]["tags"] == {"team": "risk", "k": "a=b"}
    assert isinstance(rows[0]["creation_time"], int)
    parsed = list(csv.DictReader(io.StringIO(_ok(ardea("experiments", "list", "--output", "csv")))))
    assert [r["name"] for r in parsed] == ["fraud", "Default"]
    assert parsed[0]["lifecycle_stage"] == "active"


def test_search_filter_order_and_max_results(ardea: Ardea) -> None:
    for name in ("a-1", "a-2", "b-1"):
        _ok(ardea("experiments", "create", "-n", name))

    def names(*args: str) -> list[str]:
        found = json.loads(_ok(ardea("experiments", "search", "--output", "json", *args)))
        return [r["name"] for r in found]

    assert names("-f", "name LIKE 'a-%'", "--order-by", "name ASC") == ["a-1", "a-2"]
    assert names("--order-by", "name DESC", "--max-results", "2") == ["b-1", "a-2"]


def test_get_by_id_or_name(ardea: Ardea) -> None:
    _ok(ardea("experiments", "create", "-n", "fraud", "-t", "team=risk"))
    by_id = json.loads(_ok(ardea("experiments", "get", "-x", "1", "--output", "json")))
    assert by_id["name"] == "fraud" and by_id["lifecycle_stage"] == "active"
    table = _ok(ardea("experiments", "describe", "-n", "fraud"))
    assert "team=risk" in table and "mlflow-artifacts:/1" in table
    missing = ardea("experiments", "get", "-n", "nope")
    assert missing.exit_code == 1
    assert "Experiment with name 'nope' does not exist." in missing.output
    both = ardea("experiments", "get", "-x", "1", "-n", "fraud")
    assert both.exit_code == 2 and "exactly one of" in both.output


def test_rename_delete_restore(ardea: Ardea) -> None:
    _ok(ardea("experiments", "create", "-n", "old"))
    _ok(ardea("experiments", "create", "-n", "other"))
    out = _ok(ardea("experiments", "rename", "-x", "1", "--new-name", "new"))
    assert out == "Experiment with ID 1 has been renamed to 'new'.\n"
    taken = ardea("experiments", "rename", "-x", "1", "--new-name", "other")
    assert taken.exit_code == 1 and "already exists" in taken.output
    out = _ok(ardea("experiments", "delete", "-x", "1", "-x", "2"))
    assert out.splitlines() == [
        "Experiment with ID 1 has been deleted.",
        "Experiment with ID 2 has been deleted.",
    ]
    deleted = _ok(ardea("experiments", "search", "-v", "deleted_only"))
    assert "lifecycle_stage" in deleted and "new" in deleted and "Default" not in deleted
    _ok(ardea("experiments", "restore", "-x", "1"))
    active = [
        r["name"] for r in json.loads(_ok(ardea("experiments", "search", "--output", "json")))
    ]
    assert active == ["new", "Default"]
    default = ardea("experiments", "delete", "-x", "0")
    assert default.exit_code == 1 and "default experiment" in default.output


def _csv(text: str) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_mlflow_columns(ardea: Ardea, seeded: Any, tmp_path: Path) -> None:
    text = _ok(ardea("experiments", "csv", "-x", seeded.experiment_id))
    header = text.splitlines()[0].split(",")
    assert header[:6] == [
        "run_id",
        "experiment_id",
        "status",
        "artifact_uri",
        "start_time",
        "end_time",
    ]
    assert "metrics.acc" in header and "params.lr" in header and "tags.team" in header
    rows = _csv(text)
    assert [r["run_id"] for r in rows] == seeded.run_ids[::-1]  # newest first
    assert rows[0]["metrics.acc"] == "0.9" and rows[1]["params.lr"] == "0.1"
    assert rows[0]["start_time"] == "2023-11-14 22:13:20.001000+00:00"
    out = tmp_path / "runs.csv"
    msg = _ok(ardea("experiments", "csv", "-x", seeded.experiment_id, "-o", str(out)))
    assert f"exported as a CSV to file: {out}" in msg
    assert out.read_text() == text
    assert ardea("experiments", "csv", "-x", "99").exit_code == 1


def test_tracking_uri_comes_from_the_environment(ardea: Ardea, data: str) -> None:
    _ok(ardea("experiments", "create", "-n", "via-env", uri=None, env={"ARDEA_TRACKING_URI": data}))
    names = json.loads(_ok(ardea("experiments", "search", "--output", "json")))
    assert names[0]["name"] == "via-env"
    _ok(
        ardea(
            "experiments", "create", "-n", "via-mlflow", uri=None, env={"MLFLOW_TRACKING_URI": data}
        )
    )
    assert "via-mlflow" in _ok(ardea("experiments", "search"))
