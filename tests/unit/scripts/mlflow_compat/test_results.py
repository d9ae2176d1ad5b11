"""One pytest run's results: pytest's junit XML to outcomes, and the run's JSON form."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlflow_compat.results import SuiteRun, TestResult, first_line, parse_junit

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


def test_parse_junit_outcomes_and_first_lines(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(JUNIT, encoding="utf-8")
    results = parse_junit(path)
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


def test_first_line_skips_blank_lines_and_cuts_long_ones() -> None:
    assert first_line("\n  \n  second line  \nthird") == "second line"
    assert first_line(None) == ""
    assert first_line("x" * 400, limit=10) == "xxxxxxx..."


def test_counts_and_json_round_trip() -> None:
    run = SuiteRun(
        "rest",
        "ardea",
        {
            "t.py::a": TestResult("t.py::a", "passed", "", 1.0),
            "t.py::b": TestResult("t.py::b", "failed", "boom", 2.0),
        },
        [{"nodeid": "t.py::gql", "category": "graphql", "reason": "UI only"}],
        ["t.py::stale"],
        exit_code=1,
        seconds=3.5,
        note="n",
    )
    counts = run.counts()
    assert (counts["passed"], counts["failed"], counts["error"], counts["deselected"]) == (
        1,
        1,
        0,
        1,
    )
    assert SuiteRun.from_json(run.to_json()) == run


@pytest.mark.parametrize(
    ("exit_code", "crashed"),
    [(0, False), (1, False), (5, False), (None, False), (2, True), (3, True), (-9, True)],
)
def test_crashed_means_pytest_did_not_reach_its_end(exit_code: int | None, crashed: bool) -> None:
    assert SuiteRun("rest", "ardea", exit_code=exit_code).crashed is crashed
