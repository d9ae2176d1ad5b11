"""Reading a run folder back: the files each pytest run leaves become its results."""

from __future__ import annotations

import json
from pathlib import Path

from mlflow_compat.runner import collect_folder, collect_suite

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="2">
 <testcase classname="tests.t" name="test_a" time="1.0"/>
 <testcase classname="tests.t" name="test_b" time="2.0"><failure message="no"/></testcase>
</testsuite></testsuites>
"""


def _write_run(out: Path, tag: str, status: dict[str, object] | None) -> None:
    (out / f"junit-{tag}.xml").write_text(JUNIT, encoding="utf-8")
    deselected = {"deselected": [{"nodeid": "tests/t.py::test_g"}], "unused_patterns": ["x::y"]}
    (out / f"deselected-{tag}.json").write_text(json.dumps(deselected), encoding="utf-8")
    if status is not None:
        (out / f"status-{tag}.json").write_text(json.dumps(status), encoding="utf-8")


def test_collect_suite_reads_junit_deselected_and_status(tmp_path: Path) -> None:
    status = {"exit_code": 1, "seconds": 9.5, "note": "", "keyword": None}
    _write_run(tmp_path, "ardea-rest", status)
    run = collect_suite(tmp_path, "ardea-rest")
    assert (run.suite, run.server, run.exit_code, run.seconds) == ("rest", "ardea", 1, 9.5)
    assert {r.outcome for r in run.results.values()} == {"passed", "failed"}
    assert run.deselected == [{"nodeid": "tests/t.py::test_g"}]
    assert run.unused_patterns == ["x::y"]


def test_collect_suite_of_a_partial_or_older_run(tmp_path: Path) -> None:
    # -k selected a subset: no pattern is stale for it.
    _write_run(tmp_path, "ardea-otlp", {"exit_code": 1, "seconds": 1, "note": "", "keyword": "a"})
    assert collect_suite(tmp_path, "ardea-otlp").unused_patterns == []
    # No status file (a folder from before it existed): no exit code, the tests' time.
    _write_run(tmp_path, "mlflow-rest", None)
    run = collect_suite(tmp_path, "mlflow-rest")
    assert run.exit_code is None and run.seconds == 3.0 and not run.crashed


def test_collect_folder_finds_every_run_in_suite_order(tmp_path: Path) -> None:
    for tag in ("mlflow-otlp", "ardea-webhooks", "ardea-rest", "ardea-registry"):
        _write_run(tmp_path, tag, {"exit_code": 0, "seconds": 1})
    # A suite whose files the checkout lacks leaves only a status file.
    status = {"exit_code": None, "seconds": 0, "note": "missing in checkout: x"}
    (tmp_path / "status-mlflow-rest.json").write_text(json.dumps(status), encoding="utf-8")
    runs = collect_folder(tmp_path)
    assert [(r.server, r.suite) for r in runs] == [
        ("ardea", "rest"), ("ardea", "registry"), ("ardea", "webhooks"),
        ("mlflow", "rest"), ("mlflow", "otlp"),
    ]  # fmt: skip
    assert runs[3].results == {} and runs[3].note == "missing in checkout: x"
