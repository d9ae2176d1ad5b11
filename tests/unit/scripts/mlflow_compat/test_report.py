"""The report: defects apart from later-issue failures, counts, exit code, table, reloading."""

from __future__ import annotations

from pathlib import Path

from mlflow_compat.patterns import PatternList
from mlflow_compat.report import (
    build_report,
    compare,
    exit_code,
    load_runs,
    render_table,
    write_json,
)
from mlflow_compat.results import SuiteRun, TestResult

LATER = PatternList.parse(
    "[gateway] The AI gateway comes later.\n"
    "t.py::test_gw_*\n"
    "[issues] Issues come later.\n"
    "t.py::test_issue[*  # one note\n"
    "other.py::test_elsewhere\n"
)
DESELECTED = [{"nodeid": "t.py::test_gql", "category": "graphql", "reason": "UI only"}]


def _run(server: str, outcomes: dict[str, str], suite: str = "rest", code: int = 1) -> SuiteRun:
    results = {
        n: TestResult(n, o, "" if o == "passed" else f"{server} says {o}")
        for n, o in outcomes.items()
    }
    return SuiteRun(suite, server, results, list(DESELECTED), exit_code=code, seconds=3.0)


MLFLOW = {
    "t.py::test_ok": "passed",
    "t.py::test_defect": "passed",
    "t.py::test_defect_error": "passed",
    "t.py::test_gw_secret": "passed",
    "t.py::test_gw_done": "passed",
    "t.py::test_issue[sqlalchemy]": "passed",
    "t.py::test_better": "failed",
    "t.py::test_both": "error",
    "t.py::test_gw_both": "failed",
    "t.py::test_skipped": "skipped",
}
ARDEA = {
    "t.py::test_ok": "passed",
    "t.py::test_defect": "failed",
    "t.py::test_defect_error": "error",
    "t.py::test_gw_secret": "failed",
    "t.py::test_gw_done": "passed",
    "t.py::test_issue[sqlalchemy]": "error",
    "t.py::test_better": "passed",
    "t.py::test_both": "failed",
    "t.py::test_gw_both": "failed",
    "t.py::test_skipped": "skipped",
}


def test_compare_splits_defects_from_later_issue_failures() -> None:
    out = compare(_run("mlflow", MLFLOW), _run("ardea", ARDEA), LATER)

    assert out["mlflow_pass_ardea_fail"] == [
        {"suite": "rest", "nodeid": "t.py::test_defect", "outcome": "failed",
         "message": "ardea says failed"},
        {"suite": "rest", "nodeid": "t.py::test_defect_error", "outcome": "error",
         "message": "ardea says error"},
    ]  # fmt: skip
    assert out["later_issue_failures"] == [
        {"suite": "rest", "nodeid": "t.py::test_gw_secret", "outcome": "failed",
         "message": "ardea says failed", "category": "gateway",
         "reason": "The AI gateway comes later."},
        {"suite": "rest", "nodeid": "t.py::test_issue[sqlalchemy]", "outcome": "error",
         "message": "ardea says error", "category": "issues",
         "reason": "Issues come later. (one note)"},
    ]  # fmt: skip
    # A later-listed test that passes on Ardea: its feature exists.
    assert [r["nodeid"] for r in out["later_issue_passes"]] == ["t.py::test_gw_done"]
    assert out["ardea_pass_mlflow_fail"] == [
        {"suite": "rest", "nodeid": "t.py::test_better", "outcome": "failed",
         "message": "mlflow says failed"}
    ]  # fmt: skip
    both = {r["nodeid"]: r for r in out["fail_on_both"]}
    assert set(both) == {"t.py::test_both", "t.py::test_gw_both"}
    assert both["t.py::test_both"]["mlflow"] == "mlflow says error"
    assert both["t.py::test_gw_both"]["category"] == "gateway"


def test_without_a_later_list_every_difference_is_a_defect() -> None:
    out = compare(_run("mlflow", MLFLOW), _run("ardea", ARDEA))
    assert len(out["mlflow_pass_ardea_fail"]) == 4
    assert out["later_issue_failures"] == out["later_issue_passes"] == []


def test_build_report_counts_and_stale_patterns() -> None:
    runs = [_run("ardea", ARDEA), _run("mlflow", MLFLOW), SuiteRun("otlp", "ardea")]
    report = build_report(runs, {"mlflow_version": "3.11.2.dev0"}, LATER)

    counts = {(c["suite"], c["server"]): c for c in report["counts"]}
    ardea = counts[("rest", "ardea")]
    assert (ardea["passed"], ardea["failed"], ardea["error"], ardea["skipped"]) == (3, 4, 2, 1)
    assert ardea["deselected"] == 1
    assert ardea["later"] == 3  # test_gw_secret, test_issue[sqlalchemy], test_gw_both
    assert counts[("rest", "mlflow")]["later"] == 1  # test_gw_both
    assert counts[("otlp", "ardea")]["passed"] == 0  # no mlflow run: nothing compared
    assert len(report["mlflow_pass_ardea_fail"]) == 2
    assert len(report["later_issue_failures"]) == 2
    assert report["deselected"] == [{"suite": "rest", **DESELECTED[0]}]
    # other.py was never collected, so its pattern is not stale; the rest all matched.
    assert report["later_unused_patterns"] == []
    stale = build_report(runs, {}, PatternList.parse("[x] why\nt.py::test_gone\n"))
    assert stale["later_unused_patterns"] == ["t.py::test_gone"]
    partial = build_report(runs, {"keyword": "ok"}, PatternList.parse("[x] why\nt.py::test_gone\n"))
    assert partial["later_unused_patterns"] == []


def test_exit_code_is_1_for_defects_only() -> None:
    assert exit_code(build_report([_run("ardea", ARDEA), _run("mlflow", MLFLOW)], {}, LATER)) == 1
    later_only = {**ARDEA, "t.py::test_defect": "passed", "t.py::test_defect_error": "passed"}
    runs = [_run("ardea", later_only), _run("mlflow", MLFLOW)]
    assert exit_code(build_report(runs, {}, LATER)) == 0
    # A crashed pytest run leaves the results incomplete: 2, unless there is a defect.
    crashed = [_run("ardea", later_only, code=2), _run("mlflow", MLFLOW)]
    assert exit_code(build_report(crashed, {}, LATER)) == 2
    crashed_defect = [_run("ardea", ARDEA, code=-9), _run("mlflow", MLFLOW)]
    assert exit_code(build_report(crashed_defect, {}, LATER)) == 1


def test_render_table_lists_defects_then_later_issue_failures_by_category() -> None:
    report = build_report([_run("ardea", ARDEA), _run("mlflow", MLFLOW, code=2)], {}, LATER)
    table = render_table(report)
    lines = table.splitlines()
    assert lines[0].split() == [
        "suite", "server", "passed", "failed", "error", "skipped", "xfailed", "xpassed",
        "deselected", "later", "seconds",
    ]  # fmt: skip
    assert "mlflow-rest: pytest exit code 2" in table
    assert "Pass on mlflow server, fail on ardea server: 2" in table
    assert "t.py::test_defect\n      failed: ardea says failed" in table
    assert "Later-issue failures" in table and "): 2" in table
    assert "  [gateway] 1: test_gw_secret" in lines
    assert "  [issues] 1: test_issue[sqlalchemy]" in lines
    assert "remove their pattern" in table and "  t.py::test_gw_done" in lines
    assert table.index("test_defect") < table.index("[gateway]")


def test_one_server_only_renders_counts_without_comparisons() -> None:
    table = render_table(build_report([_run("ardea", ARDEA)], {}, LATER))
    assert "Pass on mlflow server" not in table and "Later-issue" not in table


def test_runs_round_trip_through_the_json_report(tmp_path: Path) -> None:
    runs = [_run("ardea", ARDEA), _run("mlflow", MLFLOW)]
    path = tmp_path / "report.json"
    write_json(build_report(runs, {}, LATER), path)
    assert load_runs(path) == runs
    assert load_runs(path, server="mlflow") == [runs[1]]
