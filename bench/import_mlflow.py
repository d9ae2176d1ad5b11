"""``ardea import mlflow`` throughput: an MLflow 3.17 database of 1,000 runs, 1,000,000 points.

Run as ``.venv/bin/python bench/import_mlflow.py [--quick]``. The source database is written
once by the real ``mlflow`` package (``bench/.venv-mlflow``, see ``_mlflow_seed.py``) and
cached under ``bench/results/`` (gitignored). Each repeat imports it with the real CLI
(``ardea import mlflow --from sqlite:///... --to <fresh folder>``) in a subprocess and times
it from spawn to exit; then a second import into the last destination shows that a rerun
finds everything in the ledger and writes nothing. Prints runs/s, points/s, the total time
(min / median / max over the repeats: the machine noise), the per-entity report, and writes
JSON to ``bench/results/import-mlflow-<date>.json`` (or ``--json PATH``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import compile_bytecode
from tracking import MLFLOW_VENV, ensure_mlflow_venv

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
ROOT = HERE.parent


def ardea_argv() -> list[str]:
    exe = Path(sys.executable).with_name("ardea")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ardea.cli.main"]


def build_source(runs: int, points: int) -> tuple[Path, dict[str, Any]]:
    """The cached MLflow database of ``runs`` x ``points`` (written on first use)."""
    RESULTS.mkdir(exist_ok=True)
    db = RESULTS / f"mlflow-source-{runs}x{points}.db"
    meta = db.with_suffix(".json")
    if db.exists() and meta.exists():
        return db, json.loads(meta.read_text())
    db.unlink(missing_ok=True)
    proc = subprocess.run(
        [str(MLFLOW_VENV / "bin" / "python"), str(HERE / "_mlflow_seed.py"), f"sqlite:///{db}",
         str(runs), str(points)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"seeding the MLflow database failed:\n{proc.stderr[-3000:]}")
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    meta.write_text(json.dumps(summary))
    return db, summary


def run_import(source: Path, dest: Path) -> tuple[float, subprocess.CompletedProcess[str], dict]:
    """One ``ardea import mlflow`` subprocess: (wall seconds, the process, its JSON report)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_"))}
    report_path = dest.parent / f"{dest.name}-report.json"
    artifacts = dest.parent / "mlflow-artifacts"  # the source's (empty) artifact root
    artifacts.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [*ardea_argv(), "import", "mlflow", "--from", f"sqlite:///{source}", "--to", str(dest),
         "--artifacts", str(artifacts), "--report-json", str(report_path)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    took = time.perf_counter() - t0
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return took, proc, report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="50 runs x 50,000 points, 2 repeats")
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--points", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--json", type=Path, help="where to write the results JSON")
    args = ap.parse_args(argv)
    runs = args.runs or (50 if args.quick else 1000)
    points = args.points or (50_000 if args.quick else 1_000_000)
    repeats = args.repeats or (2 if args.quick else 3)

    if not ensure_mlflow_venv():
        print("cannot run: the MLflow venv (bench/.venv-mlflow) could not be installed")
        return 1
    compile_bytecode(sys.executable, ROOT / "src")
    t0 = time.perf_counter()
    source, summary = build_source(runs, points)
    print(f"source: {source.name}: {summary['runs']} runs, {summary['points']:,} metric points "
          f"in {summary['experiments']} experiments (written by mlflow in {summary['seconds']} s; "
          f"ready in {time.perf_counter() - t0:.1f} s)")  # fmt: skip

    times: list[float] = []
    report: dict[str, Any] = {}
    text = ""
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ardea-bench-import-") as tmp:
        for i in range(repeats):
            dest = Path(tmp) / f"dest-{i}"
            took, proc, report = run_import(source, dest)
            if proc.returncode != 0:
                problems.append(f"import {i} exited {proc.returncode}: {proc.stderr[-2000:]}")
                break
            times.append(took)
            text = proc.stdout
        second_s, second, second_report = run_import(source, Path(tmp) / f"dest-{repeats - 1}")
        if second.returncode != 0:
            problems.append(f"second import exited {second.returncode}: {second.stderr[-2000:]}")
    if not times:
        print("\n".join(problems))
        return 1
    median = statistics.median(times)
    counts = report["counts"]
    n_points = counts["metric_points"]["imported"]
    n_runs = counts["run"]["imported"]
    if n_runs != summary["runs"] or n_points != summary["points"]:
        problems.append(f"imported {n_runs} runs / {n_points} points, source has "
                        f"{summary['runs']} / {summary['points']}")  # fmt: skip
    if not report["ok"]:
        problems.append("the import's check against the destination failed")
    if second_report and any(r["imported"] for r in second_report["counts"].values()):
        problems.append("the second import wrote something")
    figures = {
        "runs_per_s": n_runs / median,
        "points_per_s": n_points / median,
        "total_s_median": median,
        "total_s_min": min(times),
        "total_s_max": max(times),
        "spread_pct": 100 * (max(times) - min(times)) / median,
        "second_import_s": second_s,
    }
    print()
    print(f"figure | ardea import mlflow ({n_runs:,} runs, {n_points:,} points, SQLite -> SQLite)")
    print("--- | ---")
    print(f"runs/s (median of {len(times)}) | {figures['runs_per_s']:,.0f}")
    print(f"metric points/s (median of {len(times)}) | {figures['points_per_s']:,.0f}")
    print(f"total time, spawn to exit (s) | {median:.2f}")
    print(f"second import of the same source, nothing to do (s) | {second_s:.2f}")
    print()
    print(f"machine noise: total time min / median / max = {min(times):.2f} / {median:.2f} / "
          f"{max(times):.2f} s, spread {figures['spread_pct']:.0f}% of the median")  # fmt: skip
    print()
    print("per-entity report of the last import, as `ardea import mlflow` prints it:")
    print(text.rstrip())
    if second_report:
        c2 = second_report["counts"]
        parts = [
            f"{c2[k]['label']} {c2[k]['imported']} imported / {c2[k]['already_there']} there"
            for k in ("experiment", "run", "logged_model", "trace")
        ]
        print("second import: " + ", ".join(parts))
    doc = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "sizes": {"runs": runs, "points": points, "repeats": repeats},
        "source": summary,
        "samples_s": times,
        "figures": figures,
        "report": report,
        "second_report": second_report,
        "problems": problems,
    }
    out = args.json or RESULTS / f"import-mlflow-{datetime.date.today()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2))
    if problems:
        print("\nPROBLEMS:\n" + "\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
