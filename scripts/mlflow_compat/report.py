"""From the runs to the report: counts per suite and server, and the lists that matter.

The list that matters most is the tests that pass against ``mlflow server`` and fail against
``ardea server``. It is split in two with the later-issue list
(``scripts/mlflow_suites_later.txt``): failures of a feature a later issue builds
(``later_issue_failures``) and the rest, Ardea's defects (``mlflow_pass_ardea_fail``), which
alone make the script's exit code 1.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mlflow_compat.patterns import PatternList
from mlflow_compat.results import FAILING, OUTCOMES, SuiteRun

COLUMNS = (*OUTCOMES, "deselected", "later")
COMPARISONS = (
    "mlflow_pass_ardea_fail",
    "later_issue_failures",
    "later_issue_passes",
    "ardea_pass_mlflow_fail",
    "fail_on_both",
)


def _by_suite(runs: Iterable[SuiteRun]) -> dict[str, dict[str, SuiteRun]]:
    grouped: dict[str, dict[str, SuiteRun]] = {}
    for run in runs:
        grouped.setdefault(run.suite, {})[run.server] = run
    return grouped


def compare(
    mlflow: SuiteRun, ardea: SuiteRun, later: PatternList | None = None
) -> dict[str, list[dict[str, str]]]:
    """Tests whose outcome differs in a way that matters, and those failing on both.

    Args:
        mlflow: the suite's run against ``mlflow server``.
        ardea: the same suite's run against ``ardea server``.
        later: the later-issue list; None or empty puts every difference among the defects.

    Returns:
        One list per name of :data:`COMPARISONS`, each sorted by node id:
        ``mlflow_pass_ardea_fail`` (Ardea's defects, with its first failure line),
        ``later_issue_failures`` (the same for later-listed tests, with the list's category
        and reason), ``later_issue_passes`` (later-listed tests that pass on Ardea: the
        feature exists, the pattern should go), ``ardea_pass_mlflow_fail`` and
        ``fail_on_both`` (with both servers' lines).
    """
    later = later or PatternList(())
    out: dict[str, list[dict[str, str]]] = {name: [] for name in COMPARISONS}
    for nodeid in sorted(set(mlflow.results) | set(ardea.results)):
        m, a = mlflow.results.get(nodeid), ardea.results.get(nodeid)
        if m is None or a is None:
            continue
        row = {"suite": mlflow.suite, "nodeid": nodeid}
        entry = later.match(nodeid)
        tag = {"category": entry.category, "reason": entry.full_reason} if entry else {}
        if m.outcome == "passed" and a.outcome in FAILING:
            key = "later_issue_failures" if entry else "mlflow_pass_ardea_fail"
            out[key].append({**row, "outcome": a.outcome, "message": a.message, **tag})
        elif a.outcome == "passed" and m.outcome in FAILING:
            out["ardea_pass_mlflow_fail"].append(
                {**row, "outcome": m.outcome, "message": m.message}
            )
        elif m.outcome in FAILING and a.outcome in FAILING:
            out["fail_on_both"].append({**row, "mlflow": m.message, "ardea": a.message, **tag})
        if entry and a.outcome == "passed":
            out["later_issue_passes"].append({**row, **tag})
    return out


def _count_row(run: SuiteRun, later: PatternList) -> dict[str, Any]:
    failing = [r.nodeid for r in run.results.values() if r.outcome in FAILING]
    return {
        "suite": run.suite,
        "server": run.server,
        **run.counts(),
        "later": sum(1 for n in failing if later.match(n)),
        "exit_code": run.exit_code,
        "crashed": run.crashed,
        "seconds": round(run.seconds, 1),
        "note": run.note,
    }


def build_report(
    runs: list[SuiteRun], meta: dict[str, Any] | None = None, later: PatternList | None = None
) -> dict[str, Any]:
    """The JSON report: meta, counts, the comparisons, deselected tests, stale patterns.

    ``counts`` has one row per run, with :data:`COLUMNS` (``later``: how many of its
    failed and errored tests the later-issue list names), the pytest exit code, seconds and a
    note. ``unused_patterns`` and ``later_unused_patterns`` are the skip-list and later-list
    patterns that matched no collected test of the suites run (none when a run is partial:
    ``meta["keyword"]`` set). ``runs`` holds every run, results included, for
    :func:`load_runs`.
    """
    later = later or PatternList(())
    meta = meta or {}
    report: dict[str, Any] = {
        "meta": meta,
        "counts": [_count_row(r, later) for r in runs],
        **{name: [] for name in COMPARISONS},
        "deselected": [],
        "unused_patterns": [],
        "later_unused_patterns": [],
        "runs": [r.to_json() for r in runs],
    }
    collected: set[str] = set()
    for suite, servers in _by_suite(runs).items():
        if "mlflow" in servers and "ardea" in servers:
            for key, rows in compare(servers["mlflow"], servers["ardea"], later).items():
                report[key].extend(rows)
        first = next(iter(servers.values()))
        report["deselected"] += [{"suite": suite, **d} for d in first.deselected]
        report["unused_patterns"] += first.unused_patterns
        for run in servers.values():
            collected.update(run.results)
            collected.update(d["nodeid"] for d in run.deselected)
    if not meta.get("keyword"):
        report["later_unused_patterns"] = [e.pattern for e in later.unused(collected)]
    return report


def load_runs(path: str | Path, server: str | None = None) -> list[SuiteRun]:
    """The runs of a report that :func:`write_json` wrote, optionally of one server only."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    runs = [SuiteRun.from_json(r) for r in data.get("runs", [])]
    return [r for r in runs if server is None or r.server == server]


def exit_code(report: dict[str, Any]) -> int:
    """The script's exit code for ``report``.

    1 when Ardea has a defect: a test passes on MLflow, fails on Ardea and is not
    later-listed (later-issue failures never count). Else 2 when a pytest run crashed (its
    results are incomplete). Else 0.
    """
    if report["mlflow_pass_ardea_fail"]:
        return 1
    return 2 if any(c["crashed"] for c in report["counts"]) else 0


def _table(report: dict[str, Any]) -> list[str]:
    header = ("suite", "server", *COLUMNS, "seconds")
    rows = [header] + [
        (c["suite"], c["server"], *(str(c[k]) for k in COLUMNS), str(c["seconds"]))
        for c in report["counts"]
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for c in report["counts"]:
        if c["crashed"] or c["note"]:
            code = f"pytest exit code {c['exit_code']}" if c["crashed"] else ""
            lines.append(
                f"{c['server']}-{c['suite']}: " + "; ".join(filter(None, [code, c["note"]]))
            )
    return lines


def _by_category(rows: list[dict[str, str]]) -> list[str]:
    lines: list[str] = []
    categories: dict[str, list[str]] = {}
    for row in rows:
        categories.setdefault(row["category"], []).append(row["nodeid"].split("::", 1)[1])
    for category, names in sorted(categories.items()):
        text = f"[{category}] {len(names)}: {', '.join(names)}"
        lines += textwrap.wrap(text, 100, initial_indent="  ", subsequent_indent="      ",
                               break_long_words=False, break_on_hyphens=False)  # fmt: skip
    return lines


def render_table(report: dict[str, Any]) -> str:
    """The counts as a text table, then Ardea's defects, then the later-issue failures."""
    lines = _table(report)
    servers = {c["server"] for c in report["counts"]}
    if {"mlflow", "ardea"} <= servers:
        defects, later = report["mlflow_pass_ardea_fail"], report["later_issue_failures"]
        lines += ["", f"Pass on mlflow server, fail on ardea server: {len(defects)}"]
        lines += [f"  {r['nodeid']}\n      {r['outcome']}: {r['message']}" for r in defects]
        lines += ["", f"Later-issue failures (pass on mlflow, fail on ardea; "
                  f"scripts/mlflow_suites_later.txt): {len(later)}"]  # fmt: skip
        lines += _by_category(later)
        if report["later_issue_passes"]:
            lines += ["", "Later-listed tests that pass on ardea server (remove their pattern):"]
            lines += [f"  {r['nodeid']}" for r in report["later_issue_passes"]]
    for key, title in (
        ("unused_patterns", "Skip-list patterns that matched no collected test:"),
        ("later_unused_patterns", "Later-list patterns that matched no collected test:"),
    ):
        if report[key]:
            lines += ["", title, *(f"  {p}" for p in report[key])]
    return "\n".join(lines)


def write_json(report: dict[str, Any], path: str | Path) -> None:
    """Write the report as indented JSON."""
    Path(path).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
