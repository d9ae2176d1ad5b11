"""scripts/mlflow_suites.py without an MLflow checkout: its command line and report-only mode.

Running the suites needs an MLflow source checkout, so that happens outside ``make test``
(docs/compatibility.md); rebuilding a report from a run folder needs none.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mlflow_suites
import pytest

SCRIPTS = Path(__file__).resolve().parents[3] / "scripts"


def _junit(outcomes: dict[str, str]) -> str:
    cases = []
    for name, outcome in outcomes.items():
        body = '<failure message="assert 404 == 200"/>' if outcome == "failed" else ""
        cases.append(f'<testcase classname="tests.t" name="{name}" time="1">{body}</testcase>')
    return f"<testsuites><testsuite>{''.join(cases)}</testsuite></testsuites>"


def _run_folder(path: Path, ardea: dict[str, str], mlflow: dict[str, str] | None) -> Path:
    path.mkdir()
    for server, outcomes in (("ardea", ardea), ("mlflow", mlflow)):
        if outcomes is None:
            continue
        (path / f"junit-{server}-rest.xml").write_text(_junit(outcomes), encoding="utf-8")
        status = {"exit_code": 1, "seconds": 2.0, "note": "", "keyword": None}
        (path / f"status-{server}-rest.json").write_text(json.dumps(status), encoding="utf-8")
    (path / "meta.json").write_text(json.dumps({"mlflow_version": "3.x"}), encoding="utf-8")
    return path


@pytest.fixture
def later(tmp_path: Path) -> Path:
    path = tmp_path / "later.txt"
    path.write_text("[gateway] Later.\ntests/t.py::test_gateway\n", encoding="utf-8")
    return path


def test_help_runs_without_a_checkout() -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPTS / "mlflow_suites.py"), "--help"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    options = ("--mlflow-checkout", "--suites", "--later", "--report-only", "--mlflow-baseline")
    assert all(option in out.stdout for option in options)


def test_report_only_exits_1_for_a_defect(tmp_path: Path, later: Path) -> None:
    folder = _run_folder(
        tmp_path / "run",
        {"test_a": "passed", "test_defect": "failed", "test_gateway": "failed"},
        {"test_a": "passed", "test_defect": "passed", "test_gateway": "passed"},
    )
    assert mlflow_suites.main(["--report-only", str(folder), "--later", str(later)]) == 1
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert [r["nodeid"] for r in report["mlflow_pass_ardea_fail"]] == ["tests/t.py::test_defect"]
    assert [r["nodeid"] for r in report["later_issue_failures"]] == ["tests/t.py::test_gateway"]
    assert report["meta"]["mlflow_version"] == "3.x" and report["meta"]["report_only"] is True


def test_report_only_exits_0_when_only_later_issue_tests_fail(
    tmp_path: Path, later: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _run_folder(
        tmp_path / "run",
        {"test_a": "passed", "test_gateway": "failed"},
        {"test_a": "passed", "test_gateway": "passed"},
    )
    out = tmp_path / "elsewhere.json"
    args = ["--report-only", str(folder), "--later", str(later), "--json", str(out)]
    assert mlflow_suites.main(args) == 0
    printed = capsys.readouterr().out
    assert "Pass on mlflow server, fail on ardea server: 0" in printed
    assert "[gateway] 1: test_gateway" in printed
    assert out.is_file() and not (folder / "report.json").exists()


def test_mlflow_baseline_supplies_the_mlflow_side(tmp_path: Path, later: Path) -> None:
    mlflow = {"test_a": "passed", "test_b": "passed"}
    old = _run_folder(tmp_path / "old", {"test_a": "passed"}, mlflow)
    assert mlflow_suites.main(["--report-only", str(old), "--later", str(later)]) == 0
    new = _run_folder(tmp_path / "new", {"test_a": "passed", "test_b": "failed"}, None)
    args = ["--report-only", str(new), "--server", "ardea", "--later", str(later),
            "--mlflow-baseline", str(old / "report.json")]  # fmt: skip
    assert mlflow_suites.main(args) == 1
    report = json.loads((new / "report.json").read_text(encoding="utf-8"))
    assert [r["nodeid"] for r in report["mlflow_pass_ardea_fail"]] == ["tests/t.py::test_b"]
    assert report["meta"]["mlflow_baseline"] == str((old / "report.json").resolve())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "--mlflow-checkout is required"),
        (["--report-only", "x", "--mlflow-baseline", "r.json"], "use it with --server ardea"),
    ],
)
def test_bad_arguments_are_refused(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        mlflow_suites.main(args)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
