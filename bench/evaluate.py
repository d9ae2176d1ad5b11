"""``ardea.evaluate`` against the fake LLM provider: throughput vs the ideal, MLflow, cache, memory.

Usage::

    .venv/bin/python bench/evaluate.py            # 1,000 rows x (3 judges + 2 code), 200 ms
    .venv/bin/python bench/evaluate.py --quick    # tiny sizes, a smoke run
    .venv/bin/python bench/evaluate.py --ardea-only --json out.json

The fake provider (tests/fixtures/fake_llm_server.py) runs in this process and answers every
judge call after ``--latency`` seconds. Each evaluation runs in a fresh interpreter on a fresh
SQLite store, so runs do not share state:

- Ardea at ``max_concurrency`` 32 and 128 (judge cache off): wall time against the ideal
  ``rows * judge calls per row * latency / concurrency``;
- ``mlflow.genai.evaluate`` with its defaults on the same rows, judges and provider (same
  instructions through ``mlflow.genai.judges.make_judge``): the ratio of wall times;
- the judge cache: a first run, then the same run again (time, provider calls);
- client peak memory (``ru_maxrss``) for ``--memory-rows`` rows (latency 0);
- the raw-HTTP ceiling: the same judge requests (the bodies the run just sent) POSTed by a bare
  ``aiohttp`` client at the same concurrency to the same fake: what any client can get.

The fake serves from one asyncio loop (:mod:`fixtures.fake_llm_async`) unless
``--threaded-fake``: the threaded server stretches a 200 ms latency to 213-216 ms at 128 calls
in flight. The interpreter's site-packages and ``src/`` are compiled to bytecode first (this
machine sets ``PYTHONDONTWRITEBYTECODE``; pip installs compile), so no worker compiles
``ardea`` inside its timed window. ``--src`` runs the workers on another checkout's ``src/``
(an A/B against a baseline).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
JUDGES = [
    ("correct", "Is {{ outputs }} the right answer to {{ inputs }}?"),
    ("polite", "Is {{ outputs }} polite?"),
    ("concise", "Is {{ outputs }} concise for {{ inputs }}?"),
]
MODEL = "openai:/gpt-4.1-mini"
sys.path.insert(0, str(ROOT / "bench"))

from _common import compile_bytecode  # noqa: E402

WORKER = r"""
import json, os, resource, sys, time
spec = json.loads(sys.argv[1])
rows = [
    {"inputs": {"question": f"{i}+{i}?"}, "expectations": {"expected_response": str(2 * i)}}
    for i in range(spec["rows"])
]

def app(question):
    a = question.split("+")[0]
    return str(2 * int(a))

if spec["client"] == "ardea":
    import ardea
    from ardea.scorers import make_judge, scorer
    ardea.set_tracking_uri(spec["uri"])
    ardea.set_experiment("bench")
    judges = [
        make_judge(name=n, instructions=t, feedback_value_type=bool, model=spec["model"])
        for n, t in spec["judges"]
    ]
    @scorer
    def exact(outputs, expectations):
        return outputs == expectations["expected_response"]
    @scorer
    def short(outputs):
        return len(outputs) < 10
    u0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = u0.ru_utime + u0.ru_stime
    t = time.perf_counter()
    result = ardea.evaluate(
        rows, scorers=[*judges, exact, short], predict_fn=app,
        max_concurrency=spec.get("concurrency"), cache=spec.get("cache", False),
        show_progress=False,
    )
    wall = time.perf_counter() - t
    extra = {"cache_hits": result.cache_hits, "errors": result.errors}
else:
    import mlflow
    from mlflow.genai.judges import make_judge
    from mlflow.genai.scorers import scorer
    mlflow.set_tracking_uri(spec["uri"])
    mlflow.set_experiment("bench")
    judges = [
        make_judge(name=n, instructions=t, feedback_value_type=bool, model=spec["model"])
        for n, t in spec["judges"]
    ]
    @scorer
    def exact(outputs, expectations):
        return outputs == expectations["expected_response"]
    @scorer
    def short(outputs):
        return len(outputs) < 10
    u0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = u0.ru_utime + u0.ru_stime
    t = time.perf_counter()
    result = mlflow.genai.evaluate(data=rows, scorers=[*judges, exact, short], predict_fn=app)
    wall = time.perf_counter() - t
    extra = {}
usage = resource.getrusage(resource.RUSAGE_SELF)
peak = usage.ru_maxrss / 1024
cpu = usage.ru_utime + usage.ru_stime - cpu0
print("RESULT " + json.dumps({"wall": wall, "peak_mb": peak, "cpu_s": cpu,
    "cpu_ms_per_row": 1000 * cpu / max(1, spec["rows"]), "load": os.getloadavg()[0], "metrics": {
    k: float(v) for k, v in result.metrics.items()}, **extra}))
"""


RAW = r"""
import asyncio, json, os, resource, sys, time
import aiohttp
spec = json.loads(sys.argv[1])
bodies = [json.dumps(b).encode() for b in json.load(open(spec["bodies"]))]
url = spec["url"]
headers = {"Authorization": "Bearer sk-bench", "Content-Type": "application/json"}
async def main():
    spent = []
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=spec["concurrency"])
    ) as session:
        gate = asyncio.Semaphore(spec["concurrency"])
        async def one(body):
            async with gate:
                t = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as r:
                    await r.read()
                    assert r.status == 200, r.status
                spent.append(time.perf_counter() - t)
        await asyncio.gather(*(one(b) for b in bodies))
    return spent
u0 = resource.getrusage(resource.RUSAGE_SELF)
t = time.perf_counter()
spent = asyncio.run(main())
wall = time.perf_counter() - t
u1 = resource.getrusage(resource.RUSAGE_SELF)
cpu = u1.ru_utime + u1.ru_stime - u0.ru_utime - u0.ru_stime
print("RESULT " + json.dumps({"wall": wall, "cpu_s": cpu, "calls": len(spent),
    "mean_call_ms": 1000 * sum(spent) / len(spent), "load": os.getloadavg()[0]}))
"""


def _worker(spec: dict[str, Any], env: dict[str, str], code: str = WORKER) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", code, json.dumps(spec)],
        capture_output=True,
        text=True,
        env=env,
        timeout=3600,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT ") :]))
    raise RuntimeError(f"{spec['client']} worker failed:\n{proc.stderr[-4000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    parser.add_argument("--ardea-only", action="store_true", help="skip mlflow.genai.evaluate")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--latency", type=float, default=None)
    parser.add_argument("--memory-rows", type=int, default=None)
    parser.add_argument(
        "--mlflow-rows",
        type=int,
        default=None,
        help="rows for mlflow.genai.evaluate (default: --rows); compared in rows/s",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument(
        "--threaded-fake", action="store_true", help="serve from the threaded fake (the old one)"
    )
    parser.add_argument(
        "--src", type=Path, default=None, help="run the workers on this checkout's src/ (A/B)"
    )
    parser.add_argument(
        "--only",
        default="c32,c128,cache,memory",
        help="comma-separated parts to run: c32, c128, cache, memory (default: all)",
    )
    args = parser.parse_args()
    parts = set(args.only.split(","))
    rows = args.rows or (40 if args.quick else 1000)
    latency = args.latency if args.latency is not None else (0.02 if args.quick else 0.2)
    memory_rows = args.memory_rows or (200 if args.quick else 10_000)
    mlflow_rows = args.mlflow_rows or rows

    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures.fake_llm_async import AsyncFakeLLMServer
    from fixtures.fake_llm_server import FakeLLMServer

    src = (args.src or ROOT / "src").resolve()
    print(f"compiling bytecode ({sys.executable}, {src}) ...", flush=True)
    compile_bytecode(sys.executable, src)
    workdir = Path(tempfile.mkdtemp(prefix="ardea-bench-evaluate-"))
    figures: dict[str, Any] = {"rows": rows, "latency_s": latency, "judges": len(JUDGES)}
    figures["fake"] = "threaded" if args.threaded_fake else "asyncio"
    figures["src"] = str(src)
    with FakeLLMServer() if args.threaded_fake else AsyncFakeLLMServer() as fake:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_"))},
            "OPENAI_BASE_URL": fake.openai_base_url,
            "OPENAI_API_KEY": "sk-bench",
            "ARDEA_CREDENTIALS_FILE": str(workdir / "credentials.toml"),
            "ARDEA_PROGRESS": "0",
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "DO_NOT_TRACK": "true",
            **({"PYTHONPATH": str(src)} if args.src else {}),
        }
        base = {"rows": rows, "judges": JUDGES, "model": MODEL}
        calls = rows * len(JUDGES)

        def run(name: str, client: str, **spec: Any) -> dict[str, Any]:
            fake.reset()
            fake.latency = spec.pop("latency", latency)
            uri = f"sqlite:///{workdir / (name + '.db')}"
            out = _worker({**base, **spec, "client": client, "uri": uri}, env)
            out["provider_calls"] = len(fake.requests_to("/chat/completions"))
            return out

        for concurrency in (32, 128):
            if f"c{concurrency}" not in parts:
                continue
            out = run(f"ardea-{concurrency}", "ardea", concurrency=concurrency)
            bodies = workdir / "bodies.json"
            bodies.write_text(json.dumps([r.body for r in fake.requests_to("/chat/completions")]))
            fake.reset()
            fake.latency = latency
            raw = _worker(
                {
                    "bodies": str(bodies),
                    "concurrency": concurrency,
                    "url": f"{fake.openai_base_url}/chat/completions",
                },
                env,
                RAW,
            )
            ideal = calls * latency / concurrency
            figures[f"ardea_c{concurrency}"] = {
                **out,
                "ideal_s": ideal,
                "efficiency": ideal / out["wall"],
                "of_raw": raw["wall"] / out["wall"],
                "rows_per_s": rows / out["wall"],
                "raw": {**raw, "efficiency": ideal / raw["wall"]},
            }
            print(
                f"(measured) ardea c{concurrency}: {figures[f'ardea_c{concurrency}']}", flush=True
            )
        if not args.ardea_only and "c128" in parts:
            m = run("mlflow", "mlflow", rows=mlflow_rows)
            m["rows"] = mlflow_rows
            m["rows_per_s"] = mlflow_rows / m["wall"]
            figures["mlflow_default"] = m
            figures["speedup_vs_mlflow"] = figures["ardea_c128"]["rows_per_s"] / m["rows_per_s"]
            print(f"(measured) mlflow: {m}", flush=True)
        if "cache" in parts:
            cache = str(workdir / "judge-cache.sqlite")
            first = run("cache-1", "ardea", concurrency=128, cache=cache)
            again = run("cache-2", "ardea", concurrency=128, cache=cache)
            figures["cache"] = {
                "first": first,
                "rerun": again,
                "rerun_share_of_first": again["wall"] / first["wall"],
            }
        if "memory" in parts:
            memory = run(
                "memory", "ardea", rows=memory_rows, concurrency=128, latency=0.0, cache=False
            )
            figures["memory"] = {"rows": memory_rows, "peak_mb": memory["peak_mb"]}

    shutil.rmtree(workdir, ignore_errors=True)
    _print(figures, args.ardea_only)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


def _print(f: dict[str, Any], ardea_only: bool) -> None:
    print(
        f"ardea.evaluate: {f['rows']} rows x ({f['judges']} judges + 2 code scorers), "
        f"fake provider latency {f['latency_s'] * 1000:.0f} ms"
    )
    print(f"fake provider: {f['fake']}; src: {f['src']}")
    print("figure | value | note")
    for c in (32, 128):
        if f"ardea_c{c}" not in f:
            continue
        r = f[f"ardea_c{c}"]
        raw = r["raw"]
        print(
            f"concurrency {c} | {r['wall']:.2f} s | {r['rows_per_s']:.1f} rows/s, "
            f"ideal {r['ideal_s']:.2f} s, "
            f"{100 * r['efficiency']:.0f}% of ideal, {100 * r['of_raw']:.0f}% of the raw ceiling, "
            f"{r['provider_calls']} provider calls, "
            f"client CPU {r['cpu_ms_per_row']:.2f} ms/row, load {r['load']:.1f}"
        )
        print(
            f"raw-HTTP ceiling c{c} | {raw['wall']:.2f} s | {raw['calls']} POSTs (aiohttp), "
            f"{100 * raw['efficiency']:.0f}% of ideal, mean call {raw['mean_call_ms']:.0f} ms, "
            f"client CPU {raw['cpu_s']:.2f} s, load {raw['load']:.1f}"
        )
    if not ardea_only and "mlflow_default" in f:
        m = f["mlflow_default"]
        print(
            f"mlflow.genai.evaluate (defaults) | {m['wall']:.2f} s for {m['rows']} rows | "
            f"{m['rows_per_s']:.1f} rows/s; Ardea at 128 is {f['speedup_vs_mlflow']:.1f}x faster"
        )
    c = f.get("cache")
    if c is not None:
        _print_cache(c)
    mem = f.get("memory")
    if mem is None:
        return
    print(f"client peak memory, {mem['rows']} rows | {mem['peak_mb']:.0f} MB | ru_maxrss")


def _print_cache(c: dict[str, Any]) -> None:
    print(
        f"re-run with judge cache | {c['rerun']['wall']:.2f} s | "
        f"{100 * c['rerun_share_of_first']:.1f}% of the first run "
        f"({c['first']['wall']:.2f} s), {c['rerun']['provider_calls']} provider calls, "
        f"{c['rerun']['cache_hits']} cache hits, client CPU "
        f"{c['rerun']['cpu_ms_per_row']:.2f} ms/row "
        f"(first run {c['first']['cpu_ms_per_row']:.2f}), "
        f"load {c['rerun']['load']:.1f}"
    )


if __name__ == "__main__":
    sys.exit(main())
