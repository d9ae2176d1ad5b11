r"""Run MLflow's own REST tracking, model-registry, OTLP and webhook test suites against servers.

Usage::

    .venv/bin/python scripts/mlflow_suites.py --mlflow-checkout PATH \\
        [--suites rest,registry,otlp,webhooks] [--server ardea|mlflow|both] [-k EXPR]
    .venv/bin/python scripts/mlflow_suites.py --mlflow-checkout PATH --server ardea \\
        --mlflow-baseline OLD_RUN/report.json
    .venv/bin/python scripts/mlflow_suites.py --report-only RUN_FOLDER

Takes an MLflow source checkout, makes (or reuses) a venv with the checkout's mlflow and
pytest, and runs the selected MLflow test files with their server fixture pointed at a fresh
``ardea server`` and/or the checkout's own ``mlflow server`` (one new server per test, as
MLflow's fixtures do). Tests in ``scripts/mlflow_suites_skip.txt`` are deselected. Prints a
table of counts per suite and server, the tests that pass on MLflow and fail on Ardea (Ardea's
defects), and apart from them those of features a later issue builds
(``scripts/mlflow_suites_later.txt``); writes everything as JSON. Exit code 1 when Ardea has a
defect, 2 when a pytest run crashed, else 0. Not part of ``make test``: CI has no MLflow
checkout. See docs/compatibility.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mlflow_compat import report, runner, venv
from mlflow_compat.patterns import PatternList
from mlflow_compat.results import SuiteRun
from mlflow_compat.servers import ServerKind


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--mlflow-checkout", type=Path, help="MLflow source tree (required to run)")
    p.add_argument("--suites", default=",".join(runner.DEFAULT_SUITES),
                   help=f"comma-separated, from {', '.join(runner.SUITES)}")  # fmt: skip
    p.add_argument("--server", choices=("ardea", "mlflow", "both"), default="both")
    p.add_argument("-k", dest="keyword", help="pytest -k expression")
    p.add_argument("--json", type=Path, help="write the report here (default: OUT/report.json)")
    p.add_argument("--out", type=Path, help="run folder: logs, junit XML, server logs "
                   "(default: a new folder under /tmp/ardea-mlflow-suites/)")  # fmt: skip
    p.add_argument("--venv", type=Path, help="venv for the checkout's tests "
                   "(default: CHECKOUT/.venv-ardea-suites)")  # fmt: skip
    p.add_argument("--no-install", action="store_true", help="reuse --venv as it is")
    p.add_argument("--exclude-newer", help="uv --exclude-newer date for the venv's packages")
    p.add_argument("--timeout", type=int, default=300, help="per-test timeout, seconds")
    p.add_argument("--suite-timeout", type=int, default=4 * 3600, help="per-pytest-run timeout")
    p.add_argument("--skiplist", type=Path, default=runner.DEFAULT_SKIPLIST)
    p.add_argument("--later", type=Path, default=runner.DEFAULT_LATER,
                   help="the later-issue list")  # fmt: skip
    p.add_argument("--mlflow-baseline", type=Path, help="take the mlflow server's results "
                   "from this earlier report.json instead of running them")  # fmt: skip
    p.add_argument("--report-only", type=Path, metavar="RUN_FOLDER",
                   help="run nothing: rebuild the report of an earlier run folder")  # fmt: skip
    p.add_argument("--keep-data", action="store_true", help="keep each server's db/artifacts")
    p.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = p.parse_args(argv)
    if args.report_only is None and args.mlflow_checkout is None:
        p.error("--mlflow-checkout is required (unless --report-only)")
    if args.mlflow_baseline is not None and args.server != "ardea":
        p.error("--mlflow-baseline replaces the mlflow server's runs: use it with --server ardea")
    return args


def _run(args: argparse.Namespace) -> tuple[list[SuiteRun], dict[str, Any]]:
    """Run the suites the arguments select; returns the runs and the report's meta."""
    checkout = args.mlflow_checkout.resolve()
    suites = tuple(s.strip() for s in args.suites.split(",") if s.strip())
    unknown = [s for s in suites if s not in runner.SUITES]
    if unknown:
        raise SystemExit(f"unknown suites {unknown}; known: {', '.join(runner.SUITES)}")
    version = venv.checkout_version(checkout)
    servers: tuple[ServerKind, ...] = (
        ("ardea", "mlflow") if args.server == "both" else (args.server,)
    )
    out = args.out or Path("/tmp/ardea-mlflow-suites") / time.strftime("%Y%m%d-%H%M%S")
    print(f"MLflow checkout {checkout} (mlflow {version}); run folder {out}", flush=True)
    test_python = venv.ensure_test_venv(
        checkout,
        (args.venv or checkout / ".venv-ardea-suites").resolve(),
        exclude_newer=args.exclude_newer,
        install=not args.no_install,
    )
    opts = runner.RunOptions(
        checkout=checkout,
        test_python=test_python,
        out=out.resolve(),
        suites=suites,
        servers=servers,
        ardea_command=runner.ardea_command() if "ardea" in servers else (),
        keyword=args.keyword,
        timeout=args.timeout,
        suite_timeout=args.suite_timeout,
        skiplist=args.skiplist.resolve(),
        pytest_args=args.pytest_args,
        keep_data=args.keep_data,
    )
    meta = {
        "mlflow_checkout": str(checkout),
        "mlflow_version": version,
        "mlflow_commit": venv.checkout_commit(checkout),
        "ardea_commit": venv.checkout_commit(runner.REPO),
        "suites": list(suites),
        "servers": list(servers),
        "keyword": args.keyword,
        "skiplist": str(opts.skiplist),
        "run_folder": str(opts.out),
    }
    (opts.out).mkdir(parents=True, exist_ok=True)
    (opts.out / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return runner.run_all(opts), meta


def _rerun_meta(folder: Path) -> dict[str, Any]:
    """The meta of an earlier run folder (``meta.json``; empty for older folders)."""
    path = folder / "meta.json"
    meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return {**meta, "run_folder": str(folder), "report_only": True}


def main(argv: list[str] | None = None) -> int:
    """Run the suites (or re-read a run folder) and report; see the module docstring."""
    args = _parse_args(argv)
    if args.report_only is not None:
        folder = args.report_only.resolve()
        runs, meta = runner.collect_folder(folder), _rerun_meta(folder)
    else:
        runs, meta = _run(args)
        folder = Path(meta["run_folder"])
    if args.mlflow_baseline is not None:
        baseline = report.load_runs(args.mlflow_baseline, server="mlflow")
        suites = {r.suite for r in runs}
        runs += [r for r in baseline if r.suite in suites]
        meta["mlflow_baseline"] = str(args.mlflow_baseline.resolve())
    meta["later"] = str(args.later.resolve())
    meta["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    result = report.build_report(runs, meta, PatternList.load(args.later))
    json_path = args.json or folder / "report.json"
    report.write_json(result, json_path)
    print()
    print(report.render_table(result))
    print(f"\nJSON: {json_path}")
    return report.exit_code(result)


if __name__ == "__main__":
    sys.exit(main())
