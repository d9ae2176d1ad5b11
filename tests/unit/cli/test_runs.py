"""``ardea runs``: list (table, JSON, CSV), describe, delete, restore (on a data folder)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from click.testing import Result

Ardea = Callable[..., Result]


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def test_list_is_a_table_newest_first(ardea: Ardea, seeded: Any) -> None:
    lines = _ok(ardea("runs", "list", "-x", seeded.experiment_id)).splitlines()
    assert lines[0].split() == ["start_time", "run_name", "run_id", "status"]
    assert [line.split()[2:4] for line in lines[2:]] == [
        ["r1", seeded.run_ids[1]],
        ["r0", seeded.run_ids[0]],
    ]
    assert all(line.endswith("FINISHED") for line in lines[2:])


def test_list_as_json_and_csv(ardea: Ardea, seeded: Any) -> None:
    runs = json.loads(_ok(ardea("runs", "list", "-x", seeded.experiment_id, "--output", "json")))
    assert runs[0]["info"]["run_id"] == seeded.run_ids[1]
    assert runs[0]["data"]["metrics"] == {"acc": 0.9}
    assert runs[1]["data"]["params"]["lr"] == "0.1"
    text = _ok(ardea("runs", "list", "-x", seeded.experiment_id, "--output", "csv"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["run_id"] for r in rows] == seeded.run_ids[::-1]
    assert rows[0]["tags.mlflow.runName"] == "r1"


def test_filter_order_max_results_and_env_experiment(ardea: Ardea, seeded: Any) -> None:
    def ids(*args: str, env: dict[str, str] | None = None) -> list[str]:
        out = _ok(ardea("runs", "list", "--output", "json", *args, env=env))
        return [r["info"]["run_id"] for r in json.loads(out)]

    x = ("-x", seeded.experiment_id)
    assert ids(*x, "-f", "metrics.acc > 0.85") == [seeded.run_ids[1]]
    assert ids(*x, "--order-by", "metrics.acc ASC") == seeded.run_ids
    assert ids(*x, "--max-results", "1") == [seeded.run_ids[1]]
    assert ids(env={"MLFLOW_EXPERIMENT_ID": seeded.experiment_id}) == seeded.run_ids[::-1]
    assert ids("-x", "0", *x) == seeded.run_ids[::-1]  # several experiments
    bad = ardea("runs", "list", *x, "-f", "metrics.acc >>> 1")
    assert bad.exit_code == 1 and bad.output.startswith("Error: ")
    assert ardea("runs", "list").exit_code == 2  # no experiment: a usage error


def test_describe_json_and_table(ardea: Ardea, seeded: Any) -> None:
    rid = seeded.run_ids[0]
    run = json.loads(_ok(ardea("runs", "describe", "--run-id", rid)))
    assert run["info"]["run_id"] == rid and run["info"]["run_name"] == "r0"
    assert run["data"] == {
        "metrics": {"acc": 0.8},
        "params": {"lr": "0.1"},
        "tags": {"team": "risk", "mlflow.runName": "r0"},
    }
    assert set(run) == {"info", "data", "inputs", "outputs"}
    table = _ok(ardea("runs", "describe", "-r", rid, "--output", "table"))
    assert "params.lr" in table and "metrics.acc" in table and "2023-11-14" in table
    missing = ardea("runs", "describe", "-r", "f" * 32)
    assert missing.exit_code == 1 and "not found" in missing.output.lower()


def test_delete_and_restore_several(ardea: Ardea, seeded: Any) -> None:
    a, b = seeded.run_ids
    out = _ok(ardea("runs", "delete", "-r", a, "--run-id", b))
    assert out.splitlines() == [
        f"Run with ID {a} has been deleted.",
        f"Run with ID {b} has been deleted.",
    ]
    assert "run_id" in _ok(ardea("runs", "list", "-x", seeded.experiment_id))
    assert len(_ok(ardea("runs", "list", "-x", seeded.experiment_id)).splitlines()) == 2
    deleted = _ok(ardea("runs", "list", "-x", seeded.experiment_id, "-v", "deleted_only"))
    assert "lifecycle_stage" in deleted and deleted.count("deleted") == 2
    assert _ok(ardea("runs", "restore", "-r", a)) == f"Run with ID {a} has been restored.\n"
    active = json.loads(_ok(ardea("runs", "list", "-x", seeded.experiment_id, "--output", "json")))
    assert [r["info"]["run_id"] for r in active] == [a]
    assert ardea("runs", "delete", "-r", "f" * 32).exit_code == 1
