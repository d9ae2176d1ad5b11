"""Scale benchmark: Ardea and MLflow 3.17.2 on PostgreSQL, Ardea on SQLite as the baseline.

Run as ``.venv/bin/python bench/scale.py [--quick] [--section phases]``. Sections:

- ``phases``: the tracking phases of ``bench/tracking.py`` (its workload functions, imported,
  not copied: runs, log_metric, log_batch, history, search, 8 concurrent writers, plus the
  stock ``MlflowClient``'s create_run/log_metric) against ``ardea server`` on PostgreSQL,
  ``mlflow server`` on PostgreSQL (each on its own fresh database) and ``ardea server`` on
  SQLite, one server at a time, one process each. Prints
  ``phase | ardea-pg | mlflow-pg | ratio | server CPU mlflow/ardea | ardea-pg vs ardea-sqlite``
  and the machine noise.

Other sections (``replicas``, ``data``) are added beside ``phases`` in :data:`SECTIONS`.
Results go to ``bench/results/scale-<date>.json``. PostgreSQL comes from ``--postgres``
(a server URI without a database; the user needs CREATEDB); databases named
``<--db-prefix>_ardea`` and ``<--db-prefix>_mlflow`` are dropped and re-created.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Server, compile_bytecode, free_port
from tracking import (
    MLFLOW_VENV,
    MLFLOW_VERSION,
    QUICK,
    ardea_server,
    client_figures,
    client_python,
    ensure_mlflow_venv,
    fmt,
    run_server_suite,
    spread,
)

HERE = Path(__file__).resolve().parent

# Sizes of the phases section. "small" keeps one server's suite near a minute on a shared
# 2-core machine; "quick" (tracking.py's QUICK) is a smoke run.
SMALL = {
    "runs_timed": 300,
    "runs": 1_000,
    "log_metric": 500,
    "batches": 20,
    "history_points": 20_000,
    "writer_batches": 4,
    "artifact_mb": 1,
    "client_runs": 30,
    "client_metrics": 100,
    "noise_calls": 200,
}


@dataclass(frozen=True)
class Phase:
    """One row of the phases table: a client-visible rate and the CPU figure it is paired with."""

    name: str
    label: str
    value: Callable[[dict[str, float]], float | None]
    cpu_key: str | None


def _get(key: str) -> Callable[[dict[str, float]], float | None]:
    return lambda r: r.get(key)


def _history_rate(size: dict[str, int]) -> Callable[[dict[str, float]], float | None]:
    def rate(r: dict[str, float]) -> float | None:
        s = r.get("history_s")
        return size["history_points"] / s if s else None

    return rate


def _searches_per_s(r: dict[str, float]) -> float | None:
    ms = [r.get(k) for k in ("search_plain_ms", "search_filter_ms", "search_order_ms")]
    if any(m is None or m <= 0 for m in ms):
        return None
    return 3 / (sum(m for m in ms if m is not None) / 1e3)


def phases(size: dict[str, int]) -> list[Phase]:
    """The phases table rows (rates: higher is better)."""
    return [
        Phase("runs", "runs created/s", _get("runs_per_s"), "cpu_runs create"),
        Phase("log_metric", "log-metric calls/s", _get("log_metric_per_s"), "cpu_log-metric"),
        Phase("log_batch", "log-batch points/s", _get("log_batch_points_per_s"), "cpu_log-batch"),
        Phase("history", "history points/s", _history_rate(size), "cpu_get-history"),
        Phase("search", "search_runs/s (1000 rows)", _searches_per_s, "cpu_search"),
        Phase("writers", "8 writers points/s", _get("writers_points_per_s"), "cpu_8 writers"),
        Phase("client_runs", "stock client create_run/s", _get("client_runs_per_s"), None),
        Phase(
            "client_log_metric", "stock client log_metric/s", _get("client_log_metric_per_s"), None
        ),
    ]


# --- servers on PostgreSQL ---------------------------------------------------------------------


def fresh_database(server_uri: str, name: str) -> str:
    """Drop and create database ``name`` on ``server_uri``; its URI (``postgresql://``)."""
    import psycopg

    admin = server_uri.rstrip("/") + "/postgres"
    with psycopg.connect(admin.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.autocommit = True
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server_uri.rstrip('/')}/{name}"


def ardea_pg_server(tmp: Path, db_uri: str, synchronous_commit: str | None = None) -> Server:
    """``ardea server`` on PostgreSQL + local artifacts in ``tmp``, one worker."""
    exe = Path(sys.executable).parent / "ardea"
    port = free_port()
    argv = [
        str(exe), "server", "--host", "127.0.0.1", "--port", str(port),
        "--backend-store-uri", db_uri,
        "--artifacts-destination", str(tmp / "artifacts"), "--workers", "1",
    ]  # fmt: skip
    env = {"ARDEA_PG_SYNCHRONOUS_COMMIT": synchronous_commit} if synchronous_commit else {}
    return Server("ardea-pg", argv, port, tmp / "server.log", env=env)


def mlflow_pg_server(tmp: Path, db_uri: str) -> Server:
    """``mlflow server`` (bench venv, psycopg2) on PostgreSQL + proxied local artifacts."""
    port = free_port()
    argv = [
        str(MLFLOW_VENV / "bin" / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port),
        "--backend-store-uri", db_uri.replace("postgresql://", "postgresql+psycopg2://", 1),
        "--artifacts-destination", str(tmp / "artifacts"), "--workers", "1",
    ]  # fmt: skip
    env = {"MLFLOW_ENABLE_AI_GATEWAY": "false"}
    return Server("mlflow-pg", argv, port, tmp / "server.log", env=env)


def _mlflow_has_psycopg2() -> bool:
    import subprocess

    py = MLFLOW_VENV / "bin" / "python"
    return subprocess.run([str(py), "-c", "import psycopg2"], capture_output=True).returncode == 0


def _suite_with_client(
    server: Server, size: dict[str, int], python: str | None
) -> tuple[dict[str, float], list]:
    """tracking.py's suite, then the stock client (in ``python``) against the same database."""
    out, noise = run_server_suite(server, size)
    if python is None:
        print(f"[{server.name}] stock mlflow client skipped: no interpreter imports mlflow")
        return out, noise
    print(f"[{server.name}] stock mlflow client", flush=True)
    server.start()
    try:
        time.sleep(1.0)
        out.update(client_figures(python, server, size))
    finally:
        server.stop()
    return out, noise


# --- the phases section ------------------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or not b:
        return "-"
    return f"{a / b:.2f}x"


def _row(cells: tuple[str, ...], widths: tuple[int, ...]) -> str:
    """One table line: the first cell left-aligned, the others right-aligned."""
    return " | ".join(
        c.ljust(w) if i == 0 else c.rjust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


def print_phases(size: dict[str, int], res: dict[str, dict[str, float]]) -> None:
    """The phases table: rates, rate ratio, server CPU ratio, and Ardea PG against SQLite."""
    a, m, s = res.get("ardea-pg", {}), res.get("mlflow-pg", {}), res.get("ardea-sqlite", {})
    f = res.get("ardea-sqlite-full", {})
    head = ("phase", "ardea-pg", "mlflow-pg", "ratio", "CPU mlflow/ardea", "pg/sqlite",
            "pg/sqlite-full")  # fmt: skip
    widths = (28, 12, 12, 8, 17, 10, 14)
    print()
    print(_row(head, widths))
    print("-+-".join("-" * w for w in widths))
    for p in phases(size):
        va, vm, vs, vf = p.value(a), p.value(m), p.value(s), p.value(f)
        cpu = "-"
        if p.cpu_key is not None:
            ca, cm = a.get(p.cpu_key), m.get(p.cpu_key)
            cpu = _ratio(cm, ca) + " less" if ca and cm else "-"
        cells = (p.label, fmt(va), fmt(vm), _ratio(va, vm), cpu, _ratio(va, vs), _ratio(va, vf))
        print(_row(cells, widths))
    print()
    print("server CPU seconds per phase:")
    for p in phases(size):
        if p.cpu_key:
            vals = ", ".join(f"{n} {fmt(r.get(p.cpu_key))}" for n, r in res.items())
            print(f"  {p.name}: {vals}")


def section_phases(args: argparse.Namespace) -> dict[str, Any]:
    """Run the phases on ardea-pg, mlflow-pg and ardea-sqlite; print the table; the figures."""
    size = QUICK if args.quick else SMALL
    with_mlflow = not args.ardea_only and ensure_mlflow_venv()
    if with_mlflow and not _mlflow_has_psycopg2():
        print(
            "note: bench/.venv-mlflow has no psycopg2; install it with "
            "`uv pip install -p bench/.venv-mlflow/bin/python psycopg2-binary`; MLflow skipped"
        )
        with_mlflow = False
    client = client_python(with_mlflow)  # --ardea-only: this venv's mlflow, if any
    print("compiling bytecode of the venvs (see compile_bytecode) ...", flush=True)
    compile_bytecode(sys.executable, HERE.parent / "src")
    if with_mlflow:
        compile_bytecode(str(MLFLOW_VENV / "bin" / "python"))
    results: dict[str, dict[str, float]] = {}
    noise: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="ardea-scale-") as tmp_s:
        tmp = Path(tmp_s)
        plan: list[tuple[str, Callable[[Path], Server]]] = [
            (
                "ardea-pg",
                lambda d: ardea_pg_server(
                    d,
                    fresh_database(args.postgres, f"{args.db_prefix}_ardea"),
                    args.pg_synchronous_commit,
                ),
            )
        ]
        if with_mlflow:
            plan.append(
                (
                    "mlflow-pg",
                    lambda d: mlflow_pg_server(
                        d, fresh_database(args.postgres, f"{args.db_prefix}_mlflow")
                    ),
                )
            )
        if not args.skip_sqlite:
            sync = args.sqlite_synchronous
            plan.append(("ardea-sqlite", lambda d: ardea_server(d, sync)))
            if sync != "full" and not args.skip_sqlite_full:
                # like-for-like durability with PostgreSQL's synchronous_commit=on
                plan.append(("ardea-sqlite-full", lambda d: ardea_server(d, "full")))
        for name, factory in plan:
            (tmp / name).mkdir()
            server = factory(tmp / name)
            server.name = name
            results[name], noise[name] = _suite_with_client(server, size, client)
    print_phases(size, results)
    print()
    print(f"machine noise, single log-metric calls/s repeated 3x ({size['noise_calls']} calls):")
    for name, values in noise.items():
        print(f"  {name}: {spread(values)}")
    print(f"sizes: {size}; load average at the end: {os.getloadavg()}")
    return {
        "load_average": os.getloadavg(),
        "pg_synchronous_commit": args.pg_synchronous_commit,
        "sizes": size,
        "results": results,
        "noise": noise,
        "with_mlflow": with_mlflow,
    }


SECTIONS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {"phases": section_phases}
"""Section name -> runner (prints its table, returns its JSON figures)."""


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke run")
    ap.add_argument(
        "--section",
        action="append",
        choices=sorted(SECTIONS),
        help="sections to run (repeatable; default: all)",
    )
    ap.add_argument(
        "--postgres",
        default=os.environ.get("ARDEA_BENCH_POSTGRES", "postgresql://ardea:ardea@127.0.0.1:5432"),
        help="PostgreSQL server URI without a database (user with CREATEDB)",
    )
    ap.add_argument(
        "--pg-synchronous-commit",
        help="ARDEA_PG_SYNCHRONOUS_COMMIT for the Ardea PostgreSQL server (default: unset, "
        "the server's own setting)",
    )
    ap.add_argument("--db-prefix", default="ardea_bench_scale", help="names of the databases")
    ap.add_argument("--ardea-only", action="store_true", help="skip the MLflow server")
    ap.add_argument("--skip-sqlite", action="store_true", help="skip the Ardea SQLite baseline")
    ap.add_argument(
        "--skip-sqlite-full",
        action="store_true",
        help="skip the second SQLite baseline, synchronous=full (an fsync per commit)",
    )
    ap.add_argument(
        "--sqlite-synchronous",
        choices=["normal", "full"],
        help="the SQLite baseline's durability (default the server's, normal; full syncs "
        "every commit as PostgreSQL's synchronous_commit=on does)",
    )
    ap.add_argument("--json", type=Path, help="where to write the results JSON")
    args = ap.parse_args(argv)
    doc: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": args.quick,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "mlflow_version": MLFLOW_VERSION,
    }
    for name in args.section or sorted(SECTIONS):
        print(f"== section {name} ==", flush=True)
        doc[name] = SECTIONS[name](args)
    target = args.json or HERE / "results" / f"scale-{time.strftime('%Y%m%d-%H%M%S')}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(doc, indent=2))
    print(f"results written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
