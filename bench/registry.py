"""Registry benchmark: registry searches and load_prompt, `ardea server` vs `mlflow server`.

Run as ``.venv/bin/python bench/registry.py [--quick] [--ardea-only]``. Each server (one
worker, SQLite, fresh temporary folder; one after the other, never at once) is seeded with
10,000 registered models and 100,000 model versions (10 per model, spread over 100 runs)
through the REST API from several threads. Seeding MLflow that way is slow: ``--mlflow-seed
auto`` (the default) seeds a first slice through REST, and when the projected total exceeds
``--seed-budget`` seconds (300) it writes the rest straight into MLflow's SQL tables with the
MLflow venv's own table definitions, and says so. Then it times, median of repeated calls:
``search_registered_models`` (no filter, ``name LIKE 'model-1%'``, ``order_by name DESC``,
walking all pages) and ``search_model_versions`` (``name = '...'``, ``run_id = '...'``), and
``load_prompt`` cold (first call in a fresh process, with and without the package import:
Ardea imports its HTTP stack on first use, ``import mlflow`` loads everything up front) and
cached (Ardea's SDK against Ardea,
the stock ``mlflow`` client against MLflow). Prints ``figure | ardea | mlflow | ratio`` (ratio
> 1: Ardea better) and writes JSON to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Lean, Server, compile_bytecode, cpu_meter
from tracking import (
    MLFLOW_VENV,
    MLFLOW_VERSION,
    Figure,
    ardea_server,
    ensure_mlflow_venv,
    fmt,
    mlflow_server,
    ratio,
)

HERE = Path(__file__).resolve().parent

FULL = {"models": 10_000, "versions_per_model": 10, "runs": 100, "threads": 4, "reps": 20,
        "prompt_reps": 200}  # fmt: skip
QUICK = {"models": 200, "versions_per_model": 2, "runs": 10, "threads": 2, "reps": 3,
         "prompt_reps": 20}  # fmt: skip

FIGURES = [
    Figure("seed_models_per_s", "seed via REST: registered models/s", True),
    Figure("seed_versions_per_s", "seed via REST: model versions/s", True),
    Figure("srm_all_ms", "search_registered_models, no filter (100), ms", False),
    Figure("srm_like_ms", "search_registered_models name LIKE 'model-1%', ms", False),
    Figure("srm_order_ms", "search_registered_models order_by name DESC, ms", False),
    Figure("srm_pages_s", "search_registered_models, all pages of 1000, s", False),
    Figure("smv_name_ms", "search_model_versions name = 'model-N', ms", False),
    Figure("smv_run_ms", "search_model_versions run_id = '...', ms", False),
    Figure("search_cpu_s", "server CPU during all searches, s", False),
    Figure("prompt_import_cold_ms", "import + first load_prompt, fresh process, ms", False),
    Figure("prompt_cold_ms", "load_prompt cold (first call after import), ms", False),
    Figure("prompt_cached_ms", "load_prompt cached, ms", False),
]

PROMPT = "bench-prompt"
PROMPT_TAGS = [
    {"key": "mlflow.prompt.is_prompt", "value": "true"},
    {"key": "mlflow.prompt.text", "value": "Hello {{name}}, you are {{role}}."},
    {"key": "_mlflow_prompt_type", "value": "text"},
]


# --- seeding --------------------------------------------------------------------------------------


def create_runs(c: Lean, n: int) -> list[str]:
    """``n`` runs in a fresh experiment (versions point at them)."""
    exp = c.create_experiment(f"registry-bench-{time.time_ns()}")
    return [c.create_run(exp)["run_id"] for _ in range(n)]


def run_id_for(i: int, v: int, size: dict[str, int], runs: list[str]) -> str:
    """The run version ``v`` of model ``i`` comes from."""
    return runs[(i * size["versions_per_model"] + v) % len(runs)]


def seed_rest(base_url: str, lo: int, hi: int, size: dict[str, int], runs: list[str]) -> float:
    """Models ``lo..hi-1`` with their versions through REST, from several threads; seconds."""
    errors: list[BaseException] = []

    def work(k: int) -> None:
        c = Lean(base_url)
        try:
            for i in range(lo + k, hi, size["threads"]):
                name = f"model-{i}"
                c.call("POST", "registered-models/create", {"name": name})
                for v in range(1, size["versions_per_model"] + 1):
                    body = {"name": name, "source": f"s3://bench/{name}/{v}",
                            "run_id": run_id_for(i, v, size, runs)}  # fmt: skip
                    c.call("POST", "model-versions/create", body)
        except BaseException as e:  # reported by the caller
            errors.append(e)
        finally:
            c.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=work, args=(k,)) for k in range(size["threads"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - t0


_MLFLOW_SQL_SEED = """
import json, sys, time
import sqlalchemy as sa
from mlflow.store.model_registry.dbmodels.models import SqlModelVersion, SqlRegisteredModel
db, lo, hi, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
runs = json.loads(sys.argv[5])
now = int(time.time() * 1000)
engine = sa.create_engine("sqlite:///" + db)
with engine.begin() as c:
    for start in range(lo, hi, 1000):
        ids = range(start, min(start + 1000, hi))
        c.execute(sa.insert(SqlRegisteredModel.__table__), [
            {"workspace": "default", "name": f"model-{i}", "creation_time": now,
             "last_updated_time": now} for i in ids])
        c.execute(sa.insert(SqlModelVersion.__table__), [
            {"workspace": "default", "name": f"model-{i}", "version": v, "creation_time": now,
             "last_updated_time": now, "current_stage": "None",
             "source": f"s3://bench/model-{i}/{v}", "storage_location": f"s3://bench/model-{i}/{v}",
             "run_id": runs[(i * per + v) % len(runs)], "status": "READY"}
            for i in ids for v in range(1, per + 1)])
"""


def seed_mlflow_sql(db: Path, lo: int, hi: int, size: dict[str, int], runs: list[str]) -> None:
    """Insert models ``lo..hi-1`` and their versions straight into MLflow's SQLite tables."""
    argv = [str(MLFLOW_VENV / "bin" / "python"), "-c", _MLFLOW_SQL_SEED, str(db), str(lo),
            str(hi), str(size["versions_per_model"]), json.dumps(runs)]  # fmt: skip
    subprocess.run(argv, check=True, timeout=1800)


def seed(
    server: Server, db: Path | None, size: dict[str, int], mode: str, budget: float,
    out: dict[str, float],
) -> list[str]:  # fmt: skip
    """Seed ``server``; returns the run ids. ``mode``: rest, sql (MLflow only) or auto."""
    c = Lean(server.base_url)
    try:
        runs = create_runs(c, size["runs"])
    finally:
        c.close()
    n = size["models"]
    if db is None or mode == "rest":
        sample = n
    elif mode == "sql":
        sample = 0
    else:
        sample = min(n, max(size["threads"], n // 100))
    seconds = seed_rest(server.base_url, 0, sample, size, runs) if sample else 0.0
    if sample:
        out["seed_models_per_s"] = sample / seconds
        out["seed_versions_per_s"] = sample * size["versions_per_model"] / seconds
    if sample < n:
        assert db is not None
        projected = seconds / max(sample, 1) * n
        if mode == "auto" and projected <= budget:
            seed_rest(server.base_url, sample, n, size, runs)
        else:
            why = (f"REST would take ~{projected:,.0f} s (> {budget:,.0f} s budget)"
                   if mode == "auto" else "--mlflow-seed sql")  # fmt: skip
            print(f"  note: {why}: models {sample}..{n - 1} of {server.name} and their "
                  "versions are inserted straight into its SQL tables", flush=True)  # fmt: skip
            seed_mlflow_sql(db, sample, n, size, runs)
    return runs


# --- measurements ---------------------------------------------------------------------------------


def timed(out: dict[str, float], key: str, fn: Callable[[], Any], reps: int) -> None:
    """``out[key]``: median wall time of ``fn`` over ``reps`` calls (after a warm-up), in ms.

    The 10th and 90th percentiles go to ``out[key + "_p10"]`` / ``"_p90"`` (machine noise).
    """
    fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    deciles = statistics.quantiles(times, n=10) if len(times) > 1 else times * 9
    out[key] = statistics.median(times)
    out[key + "_p10"], out[key + "_p90"] = deciles[0], deciles[-1]


def expect(cond: bool, what: str, problems: list[str]) -> None:
    """Record a wrong answer (a benchmark of wrong answers measures nothing)."""
    if not cond:
        problems.append(what)
        print(f"  ! {what}", flush=True)


def like_count(n: int) -> int:
    """How many of ``model-0 .. model-<n-1>`` match ``model-1%``."""
    return sum(1 for i in range(n) if str(i).startswith("1"))


def measure_searches(
    server: Server, size: dict[str, int], runs: list[str], out: dict[str, float],
    problems: list[str],
) -> None:  # fmt: skip
    """Time the registry searches (and check their answers)."""
    c = Lean(server.base_url)
    reps, n = size["reps"], size["models"]
    srm = "registered-models/search"
    smv = "model-versions/search"
    like = "name LIKE 'model-1%'"
    try:
        with cpu_meter(server, out, "search_cpu_s"):
            page = c.call("GET", srm, params={"max_results": 100})
            expect(len(page["registered_models"]) == min(100, n), "srm: page size", problems)
            timed(out, "srm_all_ms", lambda: c.call("GET", srm, params={"max_results": 100}), reps)
            page = c.call("GET", srm, params={"filter": like, "max_results": 100})
            expect(len(page["registered_models"]) == min(100, like_count(n)), "srm LIKE", problems)
            timed(
                out,
                "srm_like_ms",
                lambda: c.call("GET", srm, params={"filter": like, "max_results": 100}),
                reps,
            )
            params = {"order_by": "name DESC", "max_results": 100}
            page = c.call("GET", srm, params=params)
            names = [m["name"] for m in page["registered_models"]]
            expect(names == sorted(names, reverse=True), "srm order_by", problems)
            timed(out, "srm_order_ms", lambda: c.call("GET", srm, params=params), reps)

            def all_pages() -> int:
                total, token = 0, None
                while True:
                    p: dict[str, Any] = {"max_results": 1000}
                    if token:
                        p["page_token"] = token
                    got = c.call("GET", srm, params=p)
                    total += len(got.get("registered_models", []))
                    token = got.get("next_page_token")
                    if not token:
                        return total

            expect(all_pages() == n, "srm paging total", problems)
            t = time.perf_counter()
            for _ in range(max(1, reps // 5)):
                all_pages()
            out["srm_pages_s"] = (time.perf_counter() - t) / max(1, reps // 5)

            name = f"model-{n // 2}"
            p_name = {"filter": f"name = '{name}'", "max_results": 1000}
            got = c.call("GET", smv, params=p_name)
            expect(len(got["model_versions"]) == size["versions_per_model"], "smv name", problems)
            timed(out, "smv_name_ms", lambda: c.call("GET", smv, params=p_name), reps)
            p_run = {"filter": f"run_id = '{runs[1]}'", "max_results": 1000}
            got = c.call("GET", smv, params=p_run)
            want = n * size["versions_per_model"] // len(runs)
            expect(min(want, 1000) == len(got["model_versions"]), "smv run_id", problems)
            timed(out, "smv_run_ms", lambda: c.call("GET", smv, params=p_run), reps)
    finally:
        c.close()


_PROMPT_PROBE = """
import time
t_import = time.perf_counter()
import json, statistics, sys
kind, uri, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
ref = "prompts:/bench-prompt/1"
if kind == "ardea":
    from ardea.client import ArdeaClient
    client = ArdeaClient(uri)
    load = lambda: client.load_prompt(ref)
else:
    import mlflow
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    load = lambda: mlflow.genai.load_prompt(ref)
t = time.perf_counter()
first = load()
cold = time.perf_counter() - t
import_cold = time.perf_counter() - t_import
assert "{{name}}" in str(getattr(first, "template", "")), first
times = []
for _ in range(reps):
    t = time.perf_counter()
    load()
    times.append(time.perf_counter() - t)
cached = statistics.median(times)
print(json.dumps({"prompt_cold_ms": cold * 1e3, "prompt_cached_ms": cached * 1e3,
                  "prompt_import_cold_ms": import_cold * 1e3}))
"""


def register_prompt(base_url: str) -> None:
    """The prompt ``bench-prompt`` version 1, as ``mlflow.genai.register_prompt`` stores it."""
    c = Lean(base_url)
    try:
        c.call("POST", "registered-models/create", {"name": PROMPT, "tags": PROMPT_TAGS[:1]})
        body = {"name": PROMPT, "source": "dummy-source", "tags": PROMPT_TAGS}
        c.call("POST", "model-versions/create", body)
    finally:
        c.close()


def measure_prompt(server: Server, python: str | None, size: dict[str, int]) -> dict[str, float]:
    """load_prompt cold and cached, in a fresh client process."""
    if python is None:
        print(f"  note: no client for load_prompt against {server.name}", flush=True)
        return {}
    register_prompt(server.base_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "ARDEA_"))}
    env["MLFLOW_DISABLE_TELEMETRY"] = "true"
    argv = [python, "-c", _PROMPT_PROBE, server.name, server.base_url, str(size["prompt_reps"])]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    if done.returncode != 0:
        print(f"  ! load_prompt probe failed against {server.name}: {done.stderr[-800:]}")
        return {}
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- driver -------------------------------------------------------------------------------------


def run_one(
    name: str, tmp: Path, size: dict[str, int], args: argparse.Namespace, problems: list[str]
) -> dict[str, float]:
    """Start one server, seed it, measure, stop it."""
    server = ardea_server(tmp) if name == "ardea" else mlflow_server(tmp)
    db = None if name == "ardea" else tmp / "mlflow.db"
    mode = "rest" if name == "ardea" else args.mlflow_seed
    out: dict[str, float] = {}
    print(f"[{name}] starting", flush=True)
    server.start()
    try:
        total = size["models"] * size["versions_per_model"]
        print(f"[{name}] seeding {size['models']:,} models / {total:,} versions", flush=True)
        t = time.perf_counter()
        runs = seed(server, db, size, mode, args.seed_budget, out)
        print(f"[{name}] seeded in {time.perf_counter() - t:,.1f} s; searching", flush=True)
        measure_searches(server, size, runs, out, problems)
        print(f"[{name}] load_prompt", flush=True)
        python = sys.executable if name == "ardea" else str(MLFLOW_VENV / "bin" / "python")
        out.update(measure_prompt(server, python, size))
    finally:
        server.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke run")
    ap.add_argument("--ardea-only", action="store_true", help="skip the MLflow server")
    ap.add_argument("--mlflow-seed", choices=["auto", "rest", "sql"], default="auto",
                    help="how MLflow is seeded (default: REST unless too slow)")  # fmt: skip
    ap.add_argument("--seed-budget", type=float, default=300.0,
                    help="seconds of REST seeding allowed for MLflow in auto mode")  # fmt: skip
    ap.add_argument("--json", type=Path, help="where to write the results JSON")
    args = ap.parse_args(argv)
    size = QUICK if args.quick else FULL
    with_mlflow = not args.ardea_only and ensure_mlflow_venv()
    compile_bytecode(sys.executable, Path(__file__).resolve().parents[1] / "src")
    if with_mlflow:
        compile_bytecode(str(MLFLOW_VENV / "bin" / "python"))
    if not args.ardea_only and not with_mlflow:
        print("note: MLflow could not be installed; only Ardea's figures are measured")
    results: dict[str, dict[str, float]] = {"ardea": {}, "mlflow": {}}
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ardea-bench-registry-") as tmp_s:
        for name in ["ardea"] + (["mlflow"] if with_mlflow else []):
            (Path(tmp_s) / name).mkdir()
            results[name] = run_one(name, Path(tmp_s) / name, size, args, problems)

    w = max(len(f.label) for f in FIGURES)
    print()
    print(f"{'figure':<{w}} | {'ardea':>12} | {'mlflow':>12} | ratio (>1: ardea better)")
    print(f"{'-' * w}-+-{'-' * 12}-+-{'-' * 12}-+-{'-' * 10}")
    for f in FIGURES:
        a, m = results["ardea"].get(f.key), results["mlflow"].get(f.key)
        print(f"{f.label:<{w}} | {fmt(a):>12} | {fmt(m):>12} | {ratio(f, a, m)}")
    print()
    print("load_prompt: Ardea's SDK against Ardea, the stock mlflow client against MLflow.")
    print("machine noise (p10 / median / p90 of the repeated calls, ms):")
    for f in FIGURES:
        for name in ("ardea", "mlflow"):
            r = results[name]
            if f.key + "_p10" in r:
                lo, mid, hi = r[f.key + "_p10"], r[f.key], r[f.key + "_p90"]
                print(f"  {name:<6} {f.label}: {fmt(lo)} / {fmt(mid)} / {fmt(hi)}")
    print(f"sizes: {size}")
    if problems:
        print(f"WRONG ANSWERS: {problems}")

    target = args.json or HERE / "results" / f"registry-{time.strftime('%Y-%m-%dT%H%M%S')}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": args.quick,
        "sizes": size,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "mlflow_version": MLFLOW_VERSION if with_mlflow else None,
        "figures": [f.__dict__ for f in FIGURES],
        **results,
        "problems": problems,
    }
    target.write_text(json.dumps(doc, indent=2))
    print(f"results written to {target}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
