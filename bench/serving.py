"""The scoring server against ``mlflow models serve`` 3.17 (issue 18).

One scikit-learn model (a ``LinearRegression`` on 4 float columns, saved by MLflow 3.17.2 in
``bench/.venv-mlflow``, so both servers read the very same directory) behind
``ardea models serve`` (``bench/.venv-ardea-serve``: ``ardea[serving,sklearn]``, as a model
image has; created with uv when missing) and ``mlflow models serve --env-manager local``
(``bench/.venv-mlflow``), both with ``--workers`` (1 by default), on loopback ports. The load
generator is this script's asyncio client on raw keep-alive sockets with pre-built request
bytes (``gateway.py``'s), so the client costs as little as it can on a 2-core machine.

Figures (one table, JSON in ``bench/results/serving-<date>.json`` or ``--json``):

- throughput and latency: a closed loop of ``--concurrency`` connections (8) for
  ``--seconds`` (10) per slice, ``--rounds`` slices (3) alternating Ardea and MLflow, for a
  1-row and a 100-row ``dataframe_split`` body: requests/s, p50 and p99 latency;
- cold start: spawn to the first 200 from ``/invocations`` (median of ``--cold`` starts, 3);
  the model is in skops format (MLflow 3.17's default, and Ardea's), whose loader imports
  every scikit-learn module to list the types it trusts;
- server CPU per request (``/proc``) and the load average, the machine-noise markers.

Ratios > 1 mean Ardea is better: throughput ardea/mlflow; latency and time mlflow/ardea.

Run: ``.venv/bin/python bench/serving.py`` (full), ``--quick`` (a smoke run), ``--workers 2``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _common import Server, compile_bytecode, free_port, tree_cpu_seconds  # noqa: E402
from gateway import Target, _close, one, pct  # noqa: E402

MLFLOW_VENV = HERE / ".venv-mlflow"
MLFLOW_PY = MLFLOW_VENV / "bin" / "python"
SERVE_VENV = HERE / ".venv-ardea-serve"
"""Ardea's server side: a venv with only Ardea and the model's needs (as ``build-docker``
installs), not the dev venv, whose PyTorch scikit-learn would import while loading skops."""
COLUMNS = ["a", "b", "c", "d"]

_SAVE_WITH_MLFLOW = """
import sys
import numpy as np, pandas as pd, mlflow.sklearn
from sklearn.linear_model import LinearRegression
rng = np.random.default_rng(0)
X = pd.DataFrame(rng.normal(size=(1000, 4)), columns=["a", "b", "c", "d"])
y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.1
mlflow.sklearn.save_model(LinearRegression().fit(X, y), sys.argv[1], input_example=X.head(2))
"""

_SAVE_WITH_ARDEA = """
import sys
import numpy as np, pandas as pd, ardea
from sklearn.linear_model import LinearRegression
rng = np.random.default_rng(0)
X = pd.DataFrame(rng.normal(size=(1000, 4)), columns=["a", "b", "c", "d"])
y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.1
ardea.sklearn.save_model(LinearRegression().fit(X, y), sys.argv[1], input_example=X.head(2))
"""


def serve_venv() -> Path:
    """``bench/.venv-ardea-serve`` (created with uv when missing): ``ardea[serving,sklearn]``."""
    python = SERVE_VENV / "bin" / "python"
    if not python.exists():
        uv = [sys.executable, "-m", "uv"]
        subprocess.run([*uv, "venv", "-q", str(SERVE_VENV)], check=True)
        subprocess.run(
            [*uv, "pip", "install", "-q", "-p", str(python), "-e", f"{ROOT}[serving,sklearn]"],
            check=True,
        )  # fmt: skip
    return python


def body(rows: int) -> dict[str, Any]:
    """A ``dataframe_split`` request with ``rows`` rows."""
    data = [[0.1 * i, 1.0 + i, -0.5 * i, 2.0] for i in range(rows)]
    return {"dataframe_split": {"columns": COLUMNS, "data": data}}


def server(
    name: str, model: Path, port: int, workers: int, log_dir: Path, batching: str = "auto"
) -> Server:
    """A scoring server for ``model`` (not started)."""
    if name == "ardea":
        argv = [
            str(SERVE_VENV / "bin" / "ardea"), "models", "serve", "-m", str(model),
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--batching", batching,
        ]  # fmt: skip
    else:
        argv = [
            str(MLFLOW_VENV / "bin" / "mlflow"), "models", "serve", "-m", str(model),
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--env-manager", "local",
        ]  # fmt: skip
    env = {"MLFLOW_TRACKING_URI": str(log_dir / "mlruns"), "ARDEA_TRACKING_URI": str(log_dir)}
    # mlflow runs `uvicorn` from PATH: its venv's
    env["PATH"] = f"{MLFLOW_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    return Server(name, argv, port, log_dir / f"{name}-{port}.log", env=env)


def cold_start(name: str, model: Path, workers: int, log_dir: Path) -> float:
    """Seconds from spawn to the first 200 from ``/invocations``."""
    import httpx

    srv = server(name, model, free_port(), workers, log_dir)
    payload = json.dumps(body(1))
    t0 = time.perf_counter()
    srv.proc = subprocess.Popen(
        list(srv.argv),
        stdout=srv.log_path.open("wb"),
        stderr=subprocess.STDOUT,
        env={**os.environ, **srv.env},
        start_new_session=True,
    )
    try:
        with httpx.Client(timeout=5) as client:
            while True:
                if srv.proc.poll() is not None:
                    raise RuntimeError(f"{name} exited; see {srv.log_path}")
                try:
                    answer = client.post(
                        f"{srv.base_url}/invocations",
                        content=payload,
                        headers={"Content-Type": "application/json"},
                    )
                    if answer.status_code == 200:
                        return time.perf_counter() - t0
                except httpx.HTTPError:
                    pass
                if time.perf_counter() - t0 > 180:
                    raise RuntimeError(f"{name} gave no answer in 180 s; see {srv.log_path}")
                time.sleep(0.01)
    finally:
        srv.stop()


async def closed_loop(target: Target, concurrency: int, seconds: float) -> dict[str, Any]:
    """``concurrency`` back-to-back clients for ``seconds``: requests/s and latencies."""
    payload = target.request()
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            sample = await one(target, payload, time.perf_counter())
            if sample.status == 200:
                latencies.append(sample.latency)
            else:
                errors += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {
        "rps": len(latencies) / (time.perf_counter() - t0),
        "latencies": latencies,
        "errors": errors,
    }


def load(target: Target, concurrency: int, seconds: float) -> dict[str, Any]:
    """One closed-loop slice in a fresh event loop (connections closed after)."""

    async def go() -> dict[str, Any]:
        try:
            return await closed_loop(target, concurrency, seconds)
        finally:
            _close(target)

    return asyncio.run(go())


def measure(args: Any, servers: dict[str, Server], results: dict[str, Any]) -> None:
    """Throughput and latency, alternating servers slice by slice."""
    for rows in (1, 100):
        slices: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
        cpu: dict[str, float] = dict.fromkeys(servers, 0.0)
        for name, srv in servers.items():  # warm-up
            load(Target(name, srv.port, "/invocations", body(rows)), args.concurrency, 1.0)
        for _ in range(args.rounds):
            for name, srv in servers.items():
                before = tree_cpu_seconds(srv.pid)
                target = Target(name, srv.port, "/invocations", body(rows))
                slices[name].append(load(target, args.concurrency, args.seconds))
                cpu[name] += tree_cpu_seconds(srv.pid) - before
        for name in servers:
            lat = [x for s in slices[name] for x in s["latencies"]]
            rps = [s["rps"] for s in slices[name]]
            results[f"{rows}-row"][name] = {
                "rps_median": statistics.median(rps),
                "rps_slices": rps,
                "p50_ms": pct(lat, 0.50) * 1000,
                "p99_ms": pct(lat, 0.99) * 1000,
                "errors": sum(s["errors"] for s in slices[name]),
                "cpu_us_per_request": 1e6 * cpu[name] / max(len(lat), 1),
                "load_avg": os.getloadavg()[0],
            }
            r = results[f"{rows}-row"][name]
            print(
                f"{rows:>3}-row {name:6} {r['rps_median']:8.0f} req/s "
                f"(slices {', '.join(f'{x:.0f}' for x in rps)})  p50 {r['p50_ms']:6.2f} ms  "
                f"p99 {r['p99_ms']:6.2f} ms  cpu {r['cpu_us_per_request']:6.0f} us/req  "
                f"errors {r['errors']}  load {r['load_avg']:.1f}",
                flush=True,
            )


def table(results: dict[str, Any]) -> None:
    """The summary: figure | ardea | mlflow | ratio (> 1: Ardea better)."""
    print("\nfigure | ardea | mlflow | ratio")
    for rows in ("1-row", "100-row"):
        a, m = results[rows].get("ardea"), results[rows].get("mlflow")
        if not a or not m:
            continue
        print(f"{rows} req/s | {a['rps_median']:.0f} | {m['rps_median']:.0f} | "
              f"{a['rps_median'] / m['rps_median']:.2f}")  # fmt: skip
        for key in ("p50_ms", "p99_ms"):
            print(f"{rows} {key} | {a[key]:.2f} | {m[key]:.2f} | {m[key] / a[key]:.2f}")
    cold = results["cold_start_s"]
    if "ardea" in cold and "mlflow" in cold:
        print(f"cold start s (same model) | {cold['ardea']:.2f} | {cold['mlflow']:.2f} | "
              f"{cold['mlflow'] / cold['ardea']:.2f}")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark (see the module docstring)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    p.add_argument("--ardea-only", action="store_true", help="skip MLflow")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--batching", choices=["auto", "on", "off"], default="auto", help="Ardea's")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--cold", type=int, default=3, help="cold starts per server (median)")
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds, args.cold = 2.0, 1, 1
    with_mlflow = not args.ardea_only and MLFLOW_PY.exists()
    if not args.ardea_only and not with_mlflow:
        print("bench/.venv-mlflow is missing (run bench/tracking.py once): Ardea only")
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    results: dict[str, Any] = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "cpus": os.cpu_count(),
        "1-row": {},
        "100-row": {},
        "cold_start_s": {},
    }
    compile_bytecode(str(serve_venv()), ROOT / "src")
    if with_mlflow:
        compile_bytecode(str(MLFLOW_PY))
    with tempfile.TemporaryDirectory(prefix="ardea-serving-bench-") as tmp_name:
        tmp = Path(tmp_name)
        saver = MLFLOW_PY if with_mlflow else ROOT / ".venv" / "bin" / "python"
        script = _SAVE_WITH_MLFLOW if with_mlflow else _SAVE_WITH_ARDEA
        subprocess.run([str(saver), "-c", script, str(tmp / "model")], check=True)
        names = ["ardea", "mlflow"] if with_mlflow else ["ardea"]
        for _ in range(args.cold):
            for name in names:
                results["cold_start_s"].setdefault(name + "-all", []).append(
                    cold_start(name, tmp / "model", args.workers, tmp)
                )
        for key in [k for k in results["cold_start_s"] if k.endswith("-all")]:
            values = results["cold_start_s"][key]
            results["cold_start_s"][key.removesuffix("-all")] = statistics.median(values)
            print(f"cold start {key.removesuffix('-all'):12} "
                  f"{', '.join(f'{v:.2f}' for v in values)} s", flush=True)  # fmt: skip
        servers = {
            n: server(n, tmp / "model", free_port(), args.workers, tmp, args.batching)
            for n in names
        }
        try:
            for srv in servers.values():
                srv.start()
            measure(args, servers, results)
        finally:
            for srv in servers.values():
                srv.stop()
    table(results)
    out = args.json or HERE / "results" / f"serving-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    for rows in ("1-row", "100-row"):
        for r in results[rows].values():
            r.pop("latencies", None)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
