"""scripts/mlflow_suites.py without an MLflow checkout: skip list, junit parsing, report, launcher.

The script itself needs an MLflow source checkout and runs outside ``make test``
(docs/compatibility.md); these tests cover the parts that need none.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPTS = ROOT / "scripts"


@pytest.fixture(autouse=True)
def _scripts_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(SCRIPTS))


# --- skip list ---------------------------------------------------------------------------------

SAMPLE = """\
# comment
[filestore] MLflow's FileStore.
tests/a.py::*[file]
tests/a.py::*[file-*

[graphql] Only MLflow's UI calls it.
tests/a.py::test_graphql[*   # the GraphQL one
"""


def test_skiplist_groups_patterns_under_their_reason() -> None:
    from mlflow_compat.skiplist import SkipList

    skip = SkipList.parse(SAMPLE)
    assert [e.category for e in skip.entries] == ["filestore", "filestore", "graphql"]
    entry = skip.match("tests/a.py::test_graphql[sqlalchemy]")
    assert entry is not None
    assert entry.full_reason == "Only MLflow's UI calls it. (the GraphQL one)"
    assert entry.line == 7


def test_skiplist_star_is_the_only_wildcard() -> None:
    from mlflow_compat.skiplist import SkipList

    skip = SkipList.parse(SAMPLE)
    assert skip.match("tests/a.py::test_x[file]").category == "filestore"
    assert skip.match("tests/a.py::test_x[file-None-1]").category == "filestore"
    assert skip.match("tests/a.py::test_x[sqlalchemy]") is None
    assert skip.match("tests/a.py::test_x[f]") is None  # "[file]" is not a character class
    assert skip.match("tests/a.py::test_graphql_other[sqlalchemy]") is None
    assert skip.match("tests/b.py::test_x[file]") is None


def test_skiplist_reports_unused_patterns() -> None:
    from mlflow_compat.skiplist import SkipList

    skip = SkipList.parse(SAMPLE)
    unused = skip.unused(["tests/a.py::test_x[file]"])
    assert [e.pattern for e in unused] == ["tests/a.py::*[file-*", "tests/a.py::test_graphql[*"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("tests/a.py::t\n", r"pattern before any \[category\]"),
        ("[x]\ntests/a.py::t\n", "has no reason"),
        ("[x] why\nnot a node id\n", "not a node-id pattern"),
    ],
)
def test_skiplist_rejects_malformed_files(text: str, error: str) -> None:
    from mlflow_compat.skiplist import SkipList, SkipListError

    with pytest.raises(SkipListError, match=error):
        SkipList.parse(text)


def test_checked_in_skiplist_parses_and_every_entry_has_a_known_reason() -> None:
    from mlflow_compat.skiplist import SkipList

    skip = SkipList.load(SCRIPTS / "mlflow_suites_skip.txt")
    assert skip.entries
    categories = {e.category for e in skip.entries}
    assert categories <= {"filestore", "graphql", "in-process", "own-server"}, categories
    patterns = [e.pattern for e in skip.entries]
    assert len(patterns) == len(set(patterns))
    assert all(e.pattern.startswith("tests/") and e.reason for e in skip.entries)


# --- junit and report --------------------------------------------------------------------------

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="7">
 <testcase classname="tests.tracking.test_rest" name="test_ok[sqlalchemy]" time="1.5">
  <properties><property name="nodeid" value="tests/tracking/test_rest.py::test_ok[sqlalchemy]"/>
  </properties>
 </testcase>
 <testcase classname="tests.tracking.test_rest" name="test_status[sqlalchemy]" time="0.2">
  <failure message="assert 404 == 400&#10; +  where 404 = resp.status_code">trace</failure>
 </testcase>
 <testcase classname="tests.tracking.test_rest" name="test_setup" time="0.1">
  <error message="failed on setup with &quot;RuntimeError: no server&quot;">trace</error>
 </testcase>
 <testcase classname="tests.tracking.test_rest" name="test_skip" time="0">
  <skipped type="pytest.skip" message="FileStore is no longer supported.">x</skipped>
 </testcase>
 <testcase classname="tests.tracking.test_rest" name="test_xfail" time="0">
  <skipped type="pytest.xfail" message="not supported yet"/>
 </testcase>
 <testcase classname="tests.tracking.test_rest" name="test_xpass" time="0">
  <skipped message="xfail-marked test passes unexpectedly"/>
 </testcase>
 <testcase classname="tests.tracking.test_rest" name="test_both" time="0">
  <failure message="AssertionError: first">t</failure>
  <error message="failed on teardown">t</error>
 </testcase>
</testsuite></testsuites>
"""


def _write_junit(tmp_path: Path, text: str = JUNIT) -> Path:
    path = tmp_path / "junit.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_parse_junit_outcomes_and_first_lines(tmp_path: Path) -> None:
    from mlflow_compat.report import parse_junit

    results = parse_junit(_write_junit(tmp_path))
    by_name = {k.split("::")[1]: (v.outcome, v.message) for k, v in results.items()}
    assert by_name == {
        "test_ok[sqlalchemy]": ("passed", ""),
        "test_status[sqlalchemy]": ("failed", "assert 404 == 400"),
        "test_setup": ("error", 'failed on setup with "RuntimeError: no server"'),
        "test_skip": ("skipped", "FileStore is no longer supported."),
        "test_xfail": ("xfailed", "not supported yet"),
        "test_xpass": ("xpassed", ""),
        "test_both": ("failed", "AssertionError: first"),
    }
    # The plugin's nodeid property wins; without it the id is rebuilt from classname.
    assert "tests/tracking/test_rest.py::test_ok[sqlalchemy]" in results
    assert "tests/tracking/test_rest.py::test_setup" in results
    assert results["tests/tracking/test_rest.py::test_ok[sqlalchemy]"].seconds == 1.5


def test_report_lists_what_passes_on_mlflow_and_fails_on_ardea(tmp_path: Path) -> None:
    from mlflow_compat.report import SuiteRun, TestResult, build_report, render_table

    def run(server: str, outcomes: dict[str, str]) -> SuiteRun:
        results = {
            n: TestResult(n, o, "" if o == "passed" else f"{server} says {o}")
            for n, o in outcomes.items()
        }
        desel = [{"nodeid": "t.py::gql", "category": "graphql", "reason": "UI only"}]
        return SuiteRun("rest", server, results, desel, exit_code=1, seconds=3.0)

    mlflow = run("mlflow", {"t.py::a": "passed", "t.py::b": "passed", "t.py::c": "failed",
                            "t.py::d": "error", "t.py::e": "skipped"})  # fmt: skip
    ardea = run("ardea", {"t.py::a": "passed", "t.py::b": "failed", "t.py::c": "passed",
                          "t.py::d": "failed", "t.py::e": "skipped"})  # fmt: skip
    report = build_report([ardea, mlflow], {"mlflow_version": "3.11.2.dev0"})

    assert report["mlflow_pass_ardea_fail"] == [
        {"suite": "rest", "nodeid": "t.py::b", "outcome": "failed", "message": "ardea says failed"}
    ]
    assert [r["nodeid"] for r in report["ardea_pass_mlflow_fail"]] == ["t.py::c"]
    assert report["fail_on_both"] == [
        {"suite": "rest", "nodeid": "t.py::d", "mlflow": "mlflow says error",
         "ardea": "ardea says failed"}
    ]  # fmt: skip
    counts = {c["server"]: c for c in report["counts"]}
    assert counts["ardea"]["passed"] == 2 and counts["ardea"]["failed"] == 2
    assert counts["mlflow"]["error"] == 1 and counts["mlflow"]["deselected"] == 1
    assert report["deselected"] == [{"suite": "rest", **mlflow.deselected[0]}]

    table = render_table(report)
    assert "Pass on mlflow server, fail on ardea server: 1" in table
    assert "t.py::b" in table and "ardea says failed" in table


# --- launcher and CLI --------------------------------------------------------------------------


def test_launcher_starts_a_fresh_ardea_server_and_cleans_up(tmp_path: Path) -> None:
    from mlflow_compat.servers import ServerConfig, ServerLauncher

    ardea = Path(sys.executable).parent / "ardea"
    config = ServerConfig("ardea", (str(ardea),), str(tmp_path / "w"), str(tmp_path), {})
    launcher = ServerLauncher(config)
    root = (tmp_path / "root").as_uri()
    server = launcher.start(default_artifact_root=root)
    try:
        assert "--default-artifact-root" in launcher.argv(server.folder, 1, root)
        with urllib.request.urlopen(
            f"{server.url}/api/2.0/mlflow/experiments/get?experiment_id=0", timeout=10
        ) as r:
            assert root in r.read().decode()
    finally:
        server.stop()
    assert server.proc.poll() is not None
    assert [p.name for p in server.folder.iterdir()] == ["server.log"]
    second = launcher.start()
    second.stop()
    assert second.folder != server.folder


def test_cli_help_runs_without_a_checkout() -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPTS / "mlflow_suites.py"), "--help"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "--mlflow-checkout" in out.stdout and "--suites" in out.stdout
