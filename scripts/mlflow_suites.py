r"""Run MLflow's own REST tracking, model-registry and OTLP test suites against servers.

Usage::

    .venv/bin/python scripts/mlflow_suites.py --mlflow-checkout PATH \\
        [--suites rest,registry,otlp] [--server ardea|mlflow|both] [-k EXPR] [--json OUT]

Takes an MLflow source checkout, makes (or reuses) a venv with the checkout's mlflow and
pytest, and runs the selected MLflow test files with their server fixture pointed at a fresh
``ardea server`` and/or the checkout's own ``mlflow server`` (one new server per test, as
MLflow's fixtures do). Tests in ``scripts/mlflow_suites_skip.txt`` are deselected. Prints a
table of counts per suite and server and the tests that pass on MLflow and fail on Ardea,
and writes everything as JSON. Not part of ``make test``: CI has no MLflow checkout. See
docs/compatibility.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mlflow_compat import report, runner, venv
from mlflow_compat.servers import ServerKind


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mlflow-checkout", required=True, type=Path, help="MLflow source tree")
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
    p.add_argument("--keep-data", action="store_true", help="keep each server's db/artifacts")
    p.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the suites; exit 0 when nothing passes on MLflow and fails on Ardea, else 1."""
    args = _parse_args(argv)
    checkout = args.mlflow_checkout.resolve()
    suites = tuple(s.strip() for s in args.suites.split(",") if s.strip())
    unknown = [s for s in suites if s not in runner.SUITES]
    if unknown:
        print(f"unknown suites {unknown}; known: {', '.join(runner.SUITES)}", file=sys.stderr)
        return 2
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
    runs = runner.run_all(opts)
    meta = {
        "mlflow_checkout": str(checkout),
        "mlflow_version": version,
        "suites": list(suites),
        "servers": list(servers),
        "keyword": args.keyword,
        "skiplist": str(opts.skiplist),
        "run_folder": str(opts.out),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    result = report.build_report(runs, meta)
    json_path = args.json or opts.out / "report.json"
    report.write_json(result, json_path)
    print()
    print(report.render_table(result))
    print(f"\nJSON: {json_path}")
    return 1 if result["mlflow_pass_ardea_fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
