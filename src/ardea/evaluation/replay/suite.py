"""A folder of recorded traces run as a test suite: what ``ardea test`` runs and reports.

Every ``*.json`` file under the folder (sorted, subfolders included) is one test case: one
trace, or a session (a JSON list of traces) replayed turn by turn. A case passes when the
replay follows the recording, fails on a divergence, and is an error when the recording
cannot be replayed (a bad file, a missing span). :func:`junit_xml` writes the JUnit XML
report CI systems read.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ardea._core.errors import ArdeaError, InvalidArgumentError
from ardea.evaluation.replay._files import load_traces
from ardea.evaluation.replay._result import ReplayResult, SessionReplayResult
from ardea.evaluation.replay._run import replay

__all__ = ["Case", "SuiteResult", "junit_xml", "run_suite"]

PASSED, FAILED, ERROR = "passed", "failed", "error"


@dataclass(slots=True)
class Case:
    """One recording's outcome.

    Attributes:
        name: The file, relative to the suite folder.
        outcome: ``passed``, ``failed`` (diverged) or ``error`` (could not replay).
        seconds: Wall time of the replay.
        message: One line: why it failed or errored (empty when it passed).
        details: The divergence's summary and diff, or the error.
        results: The replay results (one per turn).
    """

    name: str
    outcome: str
    seconds: float
    message: str = ""
    details: str = ""
    results: list[ReplayResult] = field(default_factory=list)


@dataclass(slots=True)
class SuiteResult:
    """Every case of a suite run.

    Attributes:
        cases: The cases, in file order.
        seconds: Wall time of the whole run.
    """

    cases: list[Case]
    seconds: float

    def count(self, outcome: str) -> int:
        """How many cases had ``outcome``."""
        return sum(1 for c in self.cases if c.outcome == outcome)

    @property
    def passed(self) -> bool:
        """Whether every case passed (and there was at least one)."""
        return bool(self.cases) and all(c.outcome == PASSED for c in self.cases)


def _case(path: Path, root: Path, predict_fn: Callable[..., Any], mode: str) -> Case:
    name = path.relative_to(root).as_posix()
    start = time.perf_counter()
    try:
        traces = load_traces(path)
        outcome = replay(traces, predict_fn, mode=mode)
    except ArdeaError as exc:
        return Case(name, ERROR, time.perf_counter() - start, exc.message, exc.message)
    seconds = time.perf_counter() - start
    assert isinstance(outcome, SessionReplayResult)
    results = outcome.results
    failed = next((r for r in results if r.divergence is not None), None)
    if failed is None:
        return Case(name, PASSED, seconds, results=results)
    d = failed.divergence
    assert d is not None
    message = f"diverged at step {d.step} ({d.span_name}): {d.message}"
    return Case(name, FAILED, seconds, message, failed.summary(), results)


def run_suite(
    folder: str | Path,
    predict_fn: Callable[..., Any],
    mode: str = "all",
    on_case: Callable[[Case], None] | None = None,
) -> SuiteResult:
    """Replay every recording under ``folder``.

    Args:
        folder: The folder of trace files.
        predict_fn: The app's entry point.
        mode: The replay mode (see :func:`ardea.replay`).
        on_case: Called after each case (progress output).

    Returns:
        The :class:`SuiteResult`.

    Raises:
        InvalidArgumentError: ``folder`` is not a folder, or holds no ``*.json`` file.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InvalidArgumentError(f"{root} is not a folder of recorded traces")
    files = sorted(p for p in root.rglob("*.json") if p.is_file())
    if not files:
        raise InvalidArgumentError(f"{root} holds no recorded traces (*.json files)")
    start = time.perf_counter()
    cases = []
    for path in files:
        case = _case(path, root, predict_fn, mode)
        cases.append(case)
        if on_case is not None:
            on_case(case)
    return SuiteResult(cases, time.perf_counter() - start)


def junit_xml(result: SuiteResult, suite_name: str = "ardea test") -> str:
    """The suite result as JUnit XML (one ``testcase`` per recording)."""
    suites = ET.Element("testsuites")
    suite = ET.SubElement(suites, "testsuite", {
        "name": suite_name,
        "tests": str(len(result.cases)),
        "failures": str(result.count(FAILED)),
        "errors": str(result.count(ERROR)),
        "skipped": "0",
        "time": f"{result.seconds:.3f}",
    })  # fmt: skip
    for case in result.cases:
        element = ET.SubElement(suite, "testcase", {
            "classname": "ardea.replay",
            "name": case.name,
            "time": f"{case.seconds:.3f}",
        })  # fmt: skip
        if case.outcome == FAILED:
            failure = ET.SubElement(
                element, "failure", {"message": case.message, "type": "divergence"}
            )
            failure.text = case.details
        elif case.outcome == ERROR:
            error = ET.SubElement(
                element, "error", {"message": case.message, "type": "bad recording"}
            )
            error.text = case.details
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
