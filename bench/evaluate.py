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
- client peak memory (``ru_maxrss``) for ``--memory-rows`` rows (latency 0).
"""

from __future__ import annotations

import argparse
import json
import os
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


def _worker(spec: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(spec)],
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
    args = parser.parse_args()
    rows = args.rows or (40 if args.quick else 1000)
    latency = args.latency if args.latency is not None else (0.02 if args.quick else 0.2)
    memory_rows = args.memory_rows or (200 if args.quick else 10_000)
    mlflow_rows = args.mlflow_rows or rows

    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures.fake_llm_server import FakeLLMServer

    workdir = Path(tempfile.mkdtemp(prefix="ardea-bench-evaluate-"))
    figures: dict[str, Any] = {"rows": rows, "latency_s": latency, "judges": len(JUDGES)}
    with FakeLLMServer() as fake:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_"))},
            "OPENAI_BASE_URL": fake.openai_base_url,
            "OPENAI_API_KEY": "sk-bench",
            "ARDEA_CREDENTIALS_FILE": str(workdir / "credentials.toml"),
            "ARDEA_PROGRESS": "0",
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "DO_NOT_TRACK": "true",
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
            out = run(f"ardea-{concurrency}", "ardea", concurrency=concurrency)
            ideal = calls * latency / concurrency
            figures[f"ardea_c{concurrency}"] = {
                **out,
                "ideal_s": ideal,
                "efficiency": ideal / out["wall"],
                "rows_per_s": rows / out["wall"],
            }
            print(
                f"(measured) ardea c{concurrency}: {figures[f'ardea_c{concurrency}']}", flush=True
            )
        if not args.ardea_only:
            m = run("mlflow", "mlflow", rows=mlflow_rows)
            m["rows"] = mlflow_rows
            m["rows_per_s"] = mlflow_rows / m["wall"]
            figures["mlflow_default"] = m
            figures["speedup_vs_mlflow"] = figures["ardea_c128"]["rows_per_s"] / m["rows_per_s"]
            print(f"(measured) mlflow: {m}", flush=True)
        cache = str(workdir / "judge-cache.sqlite")
        first = run("cache-1", "ardea", concurrency=128, cache=cache)
        again = run("cache-2", "ardea", concurrency=128, cache=cache)
        figures["cache"] = {
            "first": first,
            "rerun": again,
            "rerun_share_of_first": again["wall"] / first["wall"],
        }
        memory = run("memory", "ardea", rows=memory_rows, concurrency=128, latency=0.0, cache=False)
        figures["memory"] = {"rows": memory_rows, "peak_mb": memory["peak_mb"]}

    _print(figures, args.ardea_only)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


def _print(f: dict[str, Any], ardea_only: bool) -> None:
    print(
        f"ardea.evaluate: {f['rows']} rows x ({f['judges']} judges + 2 code scorers), "
        f"fake provider latency {f['latency_s'] * 1000:.0f} ms"
    )
    print("figure | value | note")
    for c in (32, 128):
        r = f[f"ardea_c{c}"]
        print(
            f"concurrency {c} | {r['wall']:.2f} s | {r['rows_per_s']:.1f} rows/s, "
            f"ideal {r['ideal_s']:.2f} s, "
            f"{100 * r['efficiency']:.0f}% of ideal, {r['provider_calls']} provider calls, "
            f"client CPU {r['cpu_ms_per_row']:.2f} ms/row, load {r['load']:.1f}"
        )
    if not ardea_only:
        m = f["mlflow_default"]
        print(
            f"mlflow.genai.evaluate (defaults) | {m['wall']:.2f} s for {m['rows']} rows | "
            f"{m['rows_per_s']:.1f} rows/s; Ardea at 128 is {f['speedup_vs_mlflow']:.1f}x faster"
        )
    c = f["cache"]
    print(
        f"re-run with judge cache | {c['rerun']['wall']:.2f} s | "
        f"{100 * c['rerun_share_of_first']:.1f}% of the first run "
        f"({c['first']['wall']:.2f} s), {c['rerun']['provider_calls']} provider calls, "
        f"{c['rerun']['cache_hits']} cache hits, client CPU "
        f"{c['rerun']['cpu_ms_per_row']:.2f} ms/row "
        f"(first run {c['first']['cpu_ms_per_row']:.2f}), "
        f"load {c['rerun']['load']:.1f}"
    )
    mem = f["memory"]
    print(f"client peak memory, {mem['rows']} rows | {mem['peak_mb']:.0f} MB | ru_maxrss")


if __name__ == "__main__":
    sys.exit(main())
