"""From pytest's junit XML to counts per suite and server, and to the list that matters most.

That list is the tests that pass against ``mlflow server`` and fail against ``ardea server``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
FAILING = ("failed", "error")
COLUMNS = (*OUTCOMES, "deselected")
_XPASS = "xfail-marked test passes unexpectedly"


@dataclass(frozen=True)
class TestResult:
    """One test's outcome (one of :data:`OUTCOMES`) and the first line of its message."""

    nodeid: str
    outcome: str
    message: str = ""
    seconds: float = 0.0


@dataclass
class SuiteRun:
    """The results of one pytest run: one suite against one server."""

    suite: str
    server: str
    results: dict[str, TestResult] = field(default_factory=dict)
    deselected: list[dict[str, str]] = field(default_factory=list)
    unused_patterns: list[str] = field(default_factory=list)
    exit_code: int | None = None
    seconds: float = 0.0
    note: str = ""

    def counts(self) -> dict[str, int]:
        """Number of tests per outcome, plus ``deselected`` (skip-listed)."""
        out = dict.fromkeys(COLUMNS, 0)
        for r in self.results.values():
            out[r.outcome] += 1
        out["deselected"] = len(self.deselected)
        return out


def first_line(text: str | None, limit: int = 300) -> str:
    """The first non-blank line of ``text``, cut to ``limit`` characters."""
    for line in (text or "").splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 3] + "..."
    return ""


def _nodeid(case: ET.Element) -> str:
    """The node id the plugin recorded, else one rebuilt from ``classname`` and ``name``.

    The rebuilt id assumes the module path is the whole ``classname`` (true for the
    suites here, which have no test classes).
    """
    for prop in case.iter("property"):
        if prop.get("name") == "nodeid" and prop.get("value"):
            return str(prop.get("value"))
    classname, name = case.get("classname", ""), case.get("name", "")
    return f"{classname.replace('.', '/')}.py::{name}" if classname else name


def _outcome(case: ET.Element) -> tuple[str, str]:
    failure, error, skipped = case.find("failure"), case.find("error"), case.find("skipped")
    if failure is not None:
        return "failed", first_line(failure.get("message") or failure.text)
    if error is not None:
        return "error", first_line(error.get("message") or error.text)
    if skipped is not None:
        message = skipped.get("message") or ""
        if message.startswith(_XPASS):
            return "xpassed", ""
        kind = "xfailed" if skipped.get("type") == "pytest.xfail" else "skipped"
        return kind, first_line(message or skipped.text)
    return "passed", ""


def parse_junit(path: str | Path) -> dict[str, TestResult]:
    """Results by node id from a pytest junit XML file (xunit1 or xunit2)."""
    results: dict[str, TestResult] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        nodeid = _nodeid(case)
        outcome, message = _outcome(case)
        results[nodeid] = TestResult(nodeid, outcome, message, float(case.get("time") or 0))
    return results


def _by_suite(runs: Iterable[SuiteRun]) -> dict[str, dict[str, SuiteRun]]:
    grouped: dict[str, dict[str, SuiteRun]] = {}
    for run in runs:
        grouped.setdefault(run.suite, {})[run.server] = run
    return grouped


def compare(mlflow: SuiteRun, ardea: SuiteRun) -> dict[str, list[dict[str, str]]]:
    """Tests whose outcome differs in a way that matters, and those failing on both.

    Returns:
        ``mlflow_pass_ardea_fail`` (with Ardea's first failure line), ``ardea_pass_mlflow_fail``
        and ``fail_on_both`` (with both servers' lines), each sorted by node id.
    """
    out: dict[str, list[dict[str, str]]] = {
        "mlflow_pass_ardea_fail": [],
        "ardea_pass_mlflow_fail": [],
        "fail_on_both": [],
    }
    for nodeid in sorted(set(mlflow.results) | set(ardea.results)):
        m, a = mlflow.results.get(nodeid), ardea.results.get(nodeid)
        if m is None or a is None:
            continue
        row = {"suite": mlflow.suite, "nodeid": nodeid}
        if m.outcome == "passed" and a.outcome in FAILING:
            row |= {"outcome": a.outcome, "message": a.message}
            out["mlflow_pass_ardea_fail"].append(row)
        elif a.outcome == "passed" and m.outcome in FAILING:
            row |= {"outcome": m.outcome, "message": m.message}
            out["ardea_pass_mlflow_fail"].append(row)
        elif m.outcome in FAILING and a.outcome in FAILING:
            out["fail_on_both"].append({**row, "mlflow": m.message, "ardea": a.message})
    return out


def _count_row(run: SuiteRun) -> dict[str, Any]:
    return {
        "suite": run.suite,
        "server": run.server,
        **run.counts(),
        "exit_code": run.exit_code,
        "seconds": round(run.seconds, 1),
        "note": run.note,
    }


def build_report(runs: list[SuiteRun], meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON report: meta, counts per (suite, server), comparisons, the skip list used."""
    report: dict[str, Any] = {
        "meta": meta or {},
        "counts": [_count_row(r) for r in runs],
        "mlflow_pass_ardea_fail": [],
        "ardea_pass_mlflow_fail": [],
        "fail_on_both": [],
        "deselected": [],
        "unused_patterns": [],
        "results": {f"{r.suite}/{r.server}": [asdict(t) for t in r.results.values()] for r in runs},
    }
    for suite, servers in _by_suite(runs).items():
        if "mlflow" in servers and "ardea" in servers:
            for key, rows in compare(servers["mlflow"], servers["ardea"]).items():
                report[key].extend(rows)
        first = next(iter(servers.values()))
        report["deselected"] += [{"suite": suite, **d} for d in first.deselected]
        report["unused_patterns"] += first.unused_patterns
    return report


def render_table(report: dict[str, Any]) -> str:
    """The counts as a text table, then the MLflow-passes-Ardea-fails list."""
    header = ("suite", "server", *COLUMNS, "seconds")
    rows = [header] + [
        (c["suite"], c["server"], *(str(c[k]) for k in COLUMNS), str(c["seconds"]))
        for c in report["counts"]
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    regressions = report["mlflow_pass_ardea_fail"]
    if any(c["server"] == "mlflow" for c in report["counts"]) and any(
        c["server"] == "ardea" for c in report["counts"]
    ):
        lines += ["", f"Pass on mlflow server, fail on ardea server: {len(regressions)}"]
        lines += [f"  {r['nodeid']}\n      {r['outcome']}: {r['message']}" for r in regressions]
    if report["unused_patterns"]:
        lines += ["", "Skip-list patterns that matched no collected test:"]
        lines += [f"  {p}" for p in report["unused_patterns"]]
    return "\n".join(lines)


def write_json(report: dict[str, Any], path: str | Path) -> None:
    """Write the report as indented JSON."""
    Path(path).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
