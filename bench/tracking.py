"""Tracking benchmark: the same MLflow-wire workloads against `ardea server` and `mlflow server`.

Run as ``.venv/bin/python bench/tracking.py [--quick] [--ardea-only]``. MLflow 3.17.2 (full
server) is installed into a separate venv, ``bench/.venv-mlflow``; if that fails, MLflow is
skipped with a note. Both servers run one worker on SQLite with proxied artifacts in fresh
temporary folders, one after the other (never at the same time). Prints one table,
``figure | ardea | mlflow | ratio`` where ratio > 1 means Ardea is better, plus the machine
noise, and writes the figures as JSON to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    Lean,
    Server,
    compile_bytecode,
    cpu_meter,
    free_port,
    metrics_batch,
    tree_rss_mb,
)

HERE = Path(__file__).resolve().parent
MLFLOW_VENV = HERE / ".venv-mlflow"
MLFLOW_VERSION = "3.17.2"


@dataclass(frozen=True)
class Figure:
    """One row of the result table."""

    key: str
    label: str
    higher_is_better: bool


WORKLOADS = [
    "runs create",
    "log-metric",
    "log-batch",
    "get-history",
    "search",
    "8 writers",
    "artifacts",
]

FIGURES = [
    Figure("cold_start_s", "server cold start, spawn to /health (s)", False),
    Figure("idle_rss_mb", "idle RSS after start, process tree (MiB)", False),
    Figure("runs_per_s", "runs created/s", True),
    Figure("log_metric_per_s", "single log-metric calls/s, 1 connection", True),
    Figure("log_metric_4c_per_s", "single log-metric calls/s, 4 connections", True),
    Figure("log_batch_points_per_s", "log-batch points/s (1000-metric batches), 1 conn", True),
    Figure("log_batch_4c_points_per_s", "log-batch points/s (1000-metric batches), 4 conns", True),
    Figure("history_s", "get-history of the big metric, paged 25000 (s)", False),
    Figure("search_plain_ms", "search_runs, no filter, 1000 rows (ms)", False),
    Figure("search_filter_ms", "search_runs, metrics.m > 0.5, 1000 rows (ms)", False),
    Figure("search_order_ms", "search_runs, order by metrics.m DESC, 1000 rows (ms)", False),
    Figure("search_all_pages_s", "search_runs, page through all runs (s)", False),
    Figure("writers_points_per_s", "8 concurrent writers, log-batch points/s", True),
    Figure("writers_errors", "8 concurrent writers, errors", False),
    Figure("upload_mb_s", "artifact upload MB/s", True),
    Figure("download_mb_s", "artifact download MB/s", True),
    *(Figure(f"cpu_{w}", f"server CPU s: {w}", False) for w in WORKLOADS),
    Figure("import_ms", "import time of the package (ms): ardea vs mlflow", False),
    Figure("client_runs_per_s", "stock mlflow client: create_run/s", True),
    Figure("client_log_metric_per_s", "stock mlflow client: log_metric calls/s", True),
]

FULL = {
    "runs_timed": 2_000,
    "runs": 10_000,
    "log_metric": 2_000,
    "batches": 200,
    "history_points": 100_000,
    "writer_batches": 25,
    "artifact_mb": 64,
    "client_runs": 200,
    "client_metrics": 500,
    "noise_calls": 1_000,
}
QUICK = {
    "runs_timed": 20,
    "runs": 60,
    "log_metric": 30,
    "batches": 3,
    "history_points": 3_000,
    "writer_batches": 2,
    "artifact_mb": 1,
    "client_runs": 5,
    "client_metrics": 10,
    "noise_calls": 20,
}


def timed(fn: Callable[[], Any]) -> float:
    """Seconds ``fn()`` took."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# --- workloads -----------------------------------------------------------------------------------


def workload_runs(c: Lean, size: dict[str, int], out: dict[str, float]) -> tuple[str, list[str]]:
    """Create the run corpus (later searched) and time it."""
    exp = c.create_experiment(f"search-{random.getrandbits(32)}")
    run_ids: list[str] = []
    n = size["runs_timed"]
    dt = timed(lambda: run_ids.extend(c.create_run(exp)["run_id"] for _ in range(n)))
    out["runs_per_s"] = n / dt
    return exp, run_ids


def measure_log_metric(c: Lean, run_id: str, n: int) -> float:
    """Single log-metric calls per second over ``n`` calls on one run."""
    dt = timed(lambda: [c.log_metric(run_id, "single", i * 0.1, step=i) for i in range(n)])
    return n / dt


def on_connections(base_url: str, n: int, work: Callable[[Lean, int], None]) -> float:
    """Run ``work(client, i)`` on ``n`` threads, each with its own keep-alive connection.

    Returns the wall time. Measures what the server sustains rather than one client's
    round-trip latency (the same client code drives both servers).
    """
    clients = [Lean(base_url) for _ in range(n)]
    threads = [threading.Thread(target=work, args=(clients[i], i)) for i in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.perf_counter() - t0
    for c in clients:
        c.close()
    return dt


def measure_concurrent(
    base_url: str, exp: str, size: dict[str, int], out: dict[str, float]
) -> None:
    """Single log-metric calls and 1000-point log-batches over 4 connections."""
    setup = Lean(base_url)
    runs = [setup.create_run(exp)["run_id"] for _ in range(4)]
    setup.close()
    n = size["log_metric"] // 4
    dt = on_connections(
        base_url,
        4,
        lambda c, i: [c.log_metric(runs[i], "conc", j * 0.1, step=j) for j in range(n)],
    )
    out["log_metric_4c_per_s"] = 4 * n / dt
    per = max(1, size["batches"] // 4)
    batches = [metrics_batch("conc_b", b * 1000, 1000) for b in range(per)]
    dt = on_connections(base_url, 4, lambda c, i: [c.log_batch(runs[i], b) for b in batches])
    out["log_batch_4c_points_per_s"] = 4 * per * 1000 / dt


def _retry(fn: Callable[[], Any], attempts: int = 5) -> Any:
    for i in range(attempts):
        try:
            return fn()
        except Exception:
            if i == attempts - 1:
                raise
            time.sleep(0.2 * (i + 1))
    return None


def build_search_corpus(base_url: str, exp: str, run_ids: list[str], total: int) -> None:
    """Untimed setup: grow the corpus to ``total`` runs, each with a metric ``m`` (4 threads)."""
    rng = random.Random(7)
    todo: list[str | None] = [*run_ids, *([None] * (total - len(run_ids)))]
    values = [rng.random() for _ in todo]
    lock = threading.Lock()

    def worker() -> None:
        c = Lean(base_url)
        while True:
            with lock:
                if not todo:
                    break
                run_id, value = todo.pop(), values.pop()
            if run_id is None:
                run_id = _retry(lambda: c.create_run(exp)["run_id"])
            metric = [{"key": "m", "value": value, "timestamp": 1, "step": 0}]
            _retry(lambda rid=run_id, m=metric: c.log_batch(rid, m))
        c.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def workload_log_batch(c: Lean, run_id: str, size: dict[str, int], out: dict[str, float]) -> None:
    """Many 1000-point batches into one run."""
    batches = [metrics_batch("batched", i * 1000, 1000) for i in range(size["batches"])]
    dt = timed(lambda: [c.log_batch(run_id, b) for b in batches])
    out["log_batch_points_per_s"] = size["batches"] * 1000 / dt


def seed_history(c: Lean, run_id: str, points: int) -> None:
    """Log ``points`` points of metric ``big`` (untimed setup)."""
    for start in range(0, points, 1000):
        c.log_batch(run_id, metrics_batch("big", start, min(1000, points - start)))


def workload_history(c: Lean, run_id: str, size: dict[str, int], out: dict[str, float]) -> None:
    """Read the whole big metric back as the mlflow client pages it."""
    got: list[Any] = []
    out["history_s"] = timed(lambda: got.extend(c.history(run_id, "big")))
    if len(got) != size["history_points"]:
        print(f"  ! get-history returned {len(got)} points, expected {size['history_points']}")


def workload_search(c: Lean, exp: str, out: dict[str, float]) -> None:
    """Search latency: no filter, a metric filter, a metric order, and paging through all."""

    def median_ms(**kw: Any) -> float:
        return statistics.median(timed(lambda: c.search_runs(exp, **kw)) for _ in range(3)) * 1e3

    out["search_plain_ms"] = median_ms(max_results=1000)
    out["search_filter_ms"] = median_ms(max_results=1000, filter="metrics.m > 0.5")
    out["search_order_ms"] = median_ms(max_results=1000, order_by=["metrics.m DESC"])

    def page_all() -> None:
        token, seen = None, 0
        while True:
            kw: dict[str, Any] = {"max_results": 1000}
            if token:
                kw["page_token"] = token
            page = c.search_runs(exp, **kw)
            seen += len(page.get("runs", []))
            token = page.get("next_page_token")
            if not token:
                break
        if seen != out["_runs"]:
            print(f"  ! paging saw {seen} runs, expected {int(out['_runs'])}")

    out["search_all_pages_s"] = timed(page_all)


def workload_writers(base_url: str, exp: str, size: dict[str, int], out: dict[str, float]) -> None:
    """8 threads, each with its own client and run, logging 1000-point batches."""
    errors = [0] * 8
    setup = Lean(base_url)
    runs = [setup.create_run(exp)["run_id"] for _ in range(8)]
    setup.close()

    def writer(i: int) -> None:
        c = Lean(base_url)
        for b in range(size["writer_batches"]):
            try:
                c.log_batch(runs[i], metrics_batch("w", b * 1000, 1000))
            except Exception:
                errors[i] += 1
        c.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.perf_counter() - t0
    ok_batches = 8 * size["writer_batches"] - sum(errors)
    out["writers_points_per_s"] = ok_batches * 1000 / dt
    out["writers_errors"] = float(sum(errors))


def workload_artifacts(c: Lean, run: dict[str, Any], size: dict[str, int], out: dict[str, float]):
    """Upload and download one big file through the proxied artifact endpoints."""
    payload = os.urandom(size["artifact_mb"] * 1024 * 1024)
    url = c.artifact_url(run["artifact_uri"], "big.bin")
    headers = {"Content-Type": "application/octet-stream"}

    def upload() -> None:
        r = c.http.put(url, content=payload, headers=headers)
        r.raise_for_status()

    def download() -> None:
        n = 0
        with c.http.stream("GET", url) as r:
            r.raise_for_status()
            for chunk in r.iter_bytes(1 << 20):
                n += len(chunk)
        if n != len(payload):
            print(f"  ! downloaded {n} bytes, expected {len(payload)}")

    mb = len(payload) / 1e6
    out["upload_mb_s"] = mb / timed(upload)
    out["download_mb_s"] = mb / timed(download)


# --- one server ---------------------------------------------------------------------------------


def run_server_suite(server: Server, size: dict[str, int]) -> tuple[dict[str, float], list[float]]:
    """Start ``server``, run every workload against it, stop it. Returns figures and noise."""
    out: dict[str, float] = {}
    noise: list[float] = []
    print(f"[{server.name}] starting ...", flush=True)
    server.start()
    try:
        out["cold_start_s"] = server.cold_start_s
        time.sleep(1.0)
        out["idle_rss_mb"] = tree_rss_mb(server.pid)
        c = Lean(server.base_url)
        print(f"[{server.name}] runs", flush=True)
        with cpu_meter(server, out, "cpu_runs create"):
            exp, run_ids = workload_runs(c, size, out)
        out["_runs"] = float(size["runs"])
        print(f"[{server.name}] log-metric", flush=True)
        bexp = c.create_experiment(f"batch-{random.getrandbits(32)}")
        single = c.create_run(bexp)["run_id"]
        with cpu_meter(server, out, "cpu_log-metric"):
            out["log_metric_per_s"] = measure_log_metric(c, single, size["log_metric"])
        noise = [measure_log_metric(c, single, size["noise_calls"]) for _ in range(3)]
        print(f"[{server.name}] search corpus of {size['runs']} runs (untimed)", flush=True)
        build_search_corpus(server.base_url, exp, run_ids, size["runs"])
        print(f"[{server.name}] log-batch", flush=True)
        with cpu_meter(server, out, "cpu_log-batch"):
            workload_log_batch(c, c.create_run(bexp)["run_id"], size, out)
        print(f"[{server.name}] 4 connections", flush=True)
        measure_concurrent(server.base_url, bexp, size, out)
        print(f"[{server.name}] get-history", flush=True)
        hrun = c.create_run(bexp)
        seed_history(c, hrun["run_id"], size["history_points"])
        with cpu_meter(server, out, "cpu_get-history"):
            workload_history(c, hrun["run_id"], size, out)
        print(f"[{server.name}] search", flush=True)
        with cpu_meter(server, out, "cpu_search"):
            workload_search(c, exp, out)
        print(f"[{server.name}] 8 writers", flush=True)
        with cpu_meter(server, out, "cpu_8 writers"):
            workload_writers(server.base_url, bexp, size, out)
        print(f"[{server.name}] artifacts", flush=True)
        with cpu_meter(server, out, "cpu_artifacts"):
            workload_artifacts(c, hrun, size, out)
        c.close()
    finally:
        server.stop()
    out.pop("_runs", None)
    return out, noise


def ardea_server(tmp: Path, sqlite_synchronous: str | None = None) -> Server:
    """``ardea server`` on SQLite + local artifacts in ``tmp``."""
    exe = Path(sys.executable).parent / "ardea"
    port = free_port()
    argv = [
        str(exe), "server", "--host", "127.0.0.1", "--port", str(port),
        "--backend-store-uri", f"sqlite:///{tmp / 'ardea.db'}",
        "--artifacts-destination", str(tmp / "artifacts"), "--workers", "1",
    ]  # fmt: skip
    if sqlite_synchronous:
        argv += ["--sqlite-synchronous", sqlite_synchronous]
    return Server("ardea", argv, port, tmp / "server.log")


def mlflow_server(tmp: Path) -> Server:
    """``mlflow server`` (full, from the bench venv) on SQLite + proxied local artifacts."""
    port = free_port()
    argv = [
        str(MLFLOW_VENV / "bin" / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port),
        "--backend-store-uri", f"sqlite:///{tmp / 'mlflow.db'}",
        "--artifacts-destination", str(tmp / "artifacts"), "--workers", "1",
    ]  # fmt: skip
    env = {"MLFLOW_ENABLE_AI_GATEWAY": "false"}
    return Server("mlflow", argv, port, tmp / "server.log", env=env)


def ensure_mlflow_venv() -> bool:
    """Create ``bench/.venv-mlflow`` with mlflow==3.17.2 unless it exists. False on failure."""
    mlflow_exe = MLFLOW_VENV / "bin" / "mlflow"
    if mlflow_exe.exists():
        return True
    uv = shutil.which("uv") or ""
    cmd_uv = [uv] if uv else [sys.executable, "-m", "uv"]
    py = str(MLFLOW_VENV / "bin" / "python")
    try:
        subprocess.run([*cmd_uv, "venv", "-q", "--python", "python3", str(MLFLOW_VENV)], check=True)
        subprocess.run([*cmd_uv, "pip", "install", "-q", "-p", py, f"mlflow=={MLFLOW_VERSION}"],
                       check=True)  # fmt: skip
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"note: could not install mlflow=={MLFLOW_VERSION} into {MLFLOW_VENV}: {e}")
        return False
    return mlflow_exe.exists()


# --- client-side figures ------------------------------------------------------------------------

_IMPORT_PROBE = "import time; t = time.perf_counter(); import {m}; print(time.perf_counter() - t)"

_CLIENT_PROBE = """
import json, sys, time, uuid
import mlflow
uri, n_runs, n_metrics = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = mlflow.MlflowClient(tracking_uri=uri)
exp = c.create_experiment("client-" + uuid.uuid4().hex)
t = time.perf_counter()
runs = [c.create_run(exp).info.run_id for _ in range(n_runs)]
runs_s = n_runs / (time.perf_counter() - t)
t = time.perf_counter()
for i in range(n_metrics):
    c.log_metric(runs[0], "x", i * 0.1, step=i)
metric_s = n_metrics / (time.perf_counter() - t)
print(json.dumps({"client_runs_per_s": runs_s, "client_log_metric_per_s": metric_s}))
"""


def import_ms(python: str, module: str) -> float:
    """Best-of-3 cold import time of ``module`` in a fresh interpreter, in ms."""
    best = float("inf")
    for _ in range(3):
        out = subprocess.run(
            [python, "-c", _IMPORT_PROBE.format(m=module)],
            capture_output=True,
            text=True,
            check=True,
        )
        best = min(best, float(out.stdout.strip()))
    return best * 1e3


def client_figures(python: str, server: Server, size: dict[str, int]) -> dict[str, float]:
    """Stock ``mlflow`` client (in ``python``) against a started server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "ARDEA_"))}
    argv = [python, "-c", _CLIENT_PROBE, server.base_url]
    argv += [str(size["client_runs"]), str(size["client_metrics"])]
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    if out.returncode != 0:
        print(f"  ! stock mlflow client failed against {server.name}: {out.stderr[-500:]}")
        return {}
    return json.loads(out.stdout.strip().splitlines()[-1])


def client_python(with_mlflow_venv: bool) -> str | None:
    """An interpreter that can ``import mlflow``: the bench venv, else this one."""
    if with_mlflow_venv:
        return str(MLFLOW_VENV / "bin" / "python")
    probe = subprocess.run([sys.executable, "-c", "import mlflow"], capture_output=True)
    return sys.executable if probe.returncode == 0 else None


def run_client_section(
    server: Server, python: str | None, size: dict[str, int]
) -> dict[str, float]:
    """Start ``server`` again on its data and time the stock client against it."""
    if python is None:
        print(f"note: no interpreter with mlflow; skipping client figures ({server.name})")
        return {}
    print(f"[{server.name}] stock mlflow client", flush=True)
    server.start()
    try:
        time.sleep(1.0)  # let background start-up work settle, as in the main suite
        return client_figures(python, server, size)
    finally:
        server.stop()


# --- report ---------------------------------------------------------------------------------------


def ratio(fig: Figure, a: float | None, m: float | None) -> str:
    """Ratio oriented so that > 1 means Ardea is better."""
    if a is None or m is None:
        return "-"
    if a == m:
        return "1.00x"
    if fig.higher_is_better:
        return f"{a / m:.2f}x" if m else "inf"
    return f"{m / a:.2f}x" if a else "inf"


def fmt(v: float | None) -> str:
    """A figure for the table."""
    if v is None:
        return "-"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}" if abs(v) < 1 else f"{v:.2f}"


def print_table(ardea: dict[str, float], mlflow: dict[str, float]) -> None:
    """The one result table."""
    w = max(len(f.label) for f in FIGURES)
    print()
    print(f"{'figure':<{w}} | {'ardea':>12} | {'mlflow':>12} | ratio (>1: ardea better)")
    print(f"{'-' * w}-+-{'-' * 12}-+-{'-' * 12}-+-{'-' * 10}")
    for f in FIGURES:
        a, m = ardea.get(f.key), mlflow.get(f.key)
        print(f"{f.label:<{w}} | {fmt(a):>12} | {fmt(m):>12} | {ratio(f, a, m)}")


def spread(values: list[float]) -> str:
    """Min / median / max and the relative spread of repeated measures."""
    if not values:
        return "-"
    med = statistics.median(values)
    rel = (max(values) - min(values)) / med * 100 if med else 0.0
    lo, hi = min(values), max(values)
    return f"min {lo:,.0f} / median {med:,.0f} / max {hi:,.0f} (spread {rel:.1f}%)"


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke run")
    ap.add_argument("--ardea-only", action="store_true", help="skip the MLflow server")
    ap.add_argument("--mlflow-only", action="store_true", help="skip the Ardea server")
    ap.add_argument("--json", type=Path, help="where to write the results JSON")
    ap.add_argument(
        "--sqlite-synchronous",
        choices=["normal", "full"],
        help="passed to `ardea server --sqlite-synchronous` (default: the server's, normal)",
    )
    args = ap.parse_args(argv)
    size = QUICK if args.quick else FULL

    with_mlflow = not args.ardea_only and ensure_mlflow_venv()
    print("compiling bytecode of the venvs (see compile_bytecode) ...", flush=True)
    compile_bytecode(sys.executable, HERE.parent / "src")
    if with_mlflow:
        compile_bytecode(str(MLFLOW_VENV / "bin" / "python"))
    if not args.ardea_only and not with_mlflow:
        print("note: MLflow could not be installed; only Ardea's figures are measured")
    results: dict[str, dict[str, float]] = {"ardea": {}, "mlflow": {}}
    noise: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="ardea-bench-") as tmp_s:
        tmp = Path(tmp_s)
        plan: list[tuple[str, Callable[[Path], Server]]] = []
        if not args.mlflow_only:
            plan.append(("ardea", lambda tmp: ardea_server(tmp, args.sqlite_synchronous)))
        plan += [("mlflow", mlflow_server)] if with_mlflow else []
        for name, factory in plan:
            (tmp / name).mkdir()
            server = factory(tmp / name)
            results[name], noise[name] = run_server_suite(server, size)
            client_py = client_python(with_mlflow)
            results[name].update(run_client_section(server, client_py, size))
    if not args.mlflow_only:
        results["ardea"]["import_ms"] = import_ms(sys.executable, "ardea")
    if with_mlflow:
        results["mlflow"]["import_ms"] = import_ms(str(MLFLOW_VENV / "bin" / "python"), "mlflow")

    print_table(results["ardea"], results["mlflow"])
    print()
    print(f"machine noise, single log-metric calls/s repeated 3x ({size['noise_calls']} calls):")
    for name, values in noise.items():
        print(f"  {name}: {spread(values)}")
    print(f"sizes: {size}")

    target = args.json or HERE / "results" / f"tracking-{time.strftime('%Y-%m-%dT%H%M%S')}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": args.quick,
        "sizes": size,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "mlflow_version": MLFLOW_VERSION if with_mlflow else None,
        "sqlite_synchronous": args.sqlite_synchronous or "normal",
    }
    doc = {**meta, "figures": [f.__dict__ for f in FIGURES], **results, "noise": noise}
    target.write_text(json.dumps(doc, indent=2))
    print(f"results written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
