"""The results of one pytest run: each test's outcome, read from pytest's junit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
FAILING = ("failed", "error")
_XPASS = "xfail-marked test passes unexpectedly"


@dataclass(frozen=True)
class TestResult:
    """One test's outcome (one of :data:`OUTCOMES`) and the first line of its message."""

    __test__ = False  # not a pytest test class, whatever its name

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
        out = dict.fromkeys((*OUTCOMES, "deselected"), 0)
        for r in self.results.values():
            out[r.outcome] += 1
        out["deselected"] = len(self.deselected)
        return out

    @property
    def crashed(self) -> bool:
        """True when pytest ran and did not reach its end.

        Its exit code is neither 0 (all passed), 1 (some failed) nor 5 (nothing selected):
        interrupted, an internal or usage error, or killed (-9) after the suite timeout. A
        run that never started (no test file in the checkout) has no exit code and did not
        crash.
        """
        return self.exit_code is not None and self.exit_code not in (0, 1, 5)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (results as a list); :meth:`from_json` reverses it."""
        data = asdict(self)
        data["results"] = [asdict(r) for r in self.results.values()]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SuiteRun:
        """The run that :meth:`to_json` wrote."""
        results = [TestResult(**r) for r in data.get("results", [])]
        return cls(
            suite=data["suite"],
            server=data["server"],
            results={r.nodeid: r for r in results},
            deselected=list(data.get("deselected", [])),
            unused_patterns=list(data.get("unused_patterns", [])),
            exit_code=data.get("exit_code"),
            seconds=float(data.get("seconds", 0.0)),
            note=data.get("note", ""),
        )


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
