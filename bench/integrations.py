"""Integrations benchmark: what autologging adds per call, and OTLP/gRPC against OTLP/HTTP ingest.

Run as ``.venv/bin/python bench/integrations.py [--calls 400] [--rounds 3] [--ardea-only]``.

1. **Added latency per autologged call** for the OpenAI SDK, LangChain (prompt | chat model |
   parser), LangGraph (a two-node graph whose second node calls the chat model) and the OpenAI
   Agents SDK (one agent turn). Each workload runs in a fresh process three ways: without
   instrumentation, under ``ardea.autolog()`` and under MLflow 3.17's autolog
   (``bench/.venv-mlflow``, with the same SDK versions installed there). Both trace into a local
   SQLite store, each its own default way. Every call goes to the fake provider in its own
   process, which answers at once. A process makes ``--calls`` timed calls after 30 untimed
   ones and reports:

   - the wall time per call (median);
   - the CPU time per call on the calling thread (``time.thread_time``): what the user's thread
     pays, export threads excluded. The goal compares this with no instrumentation: < 50 us.

   The three modes of one workload run interleaved, round after round. "Added" is the mode minus
   "none" in the same round; the table prints medians over rounds, and Ardea's added wall time
   over MLflow's (goal <= 1/5).
   A second section measures Ardea alone in one process per workload, autolog switched on and
   off by block (:mod:`_integrations_paired`): process-to-process variation on a shared VM can
   exceed the tens of microseconds being measured.
2. **OTLP ingest over gRPC against HTTP** on one ``ardea server --otlp-grpc-port``: the same
   pre-encoded spans (20,000 spans in 1,000-span requests) posted over each transport by 2
   client threads; spans/s until all traces are searchable (goal gRPC >= HTTP).
"""

from __future__ import annotations

import argparse
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

WORKLOADS = ("openai", "langchain", "langgraph", "openai_agents")
MODES = ("none", "ardea", "mlflow")
# The SDKs the MLflow venv needs for the same workloads (at this venv's versions).
SDKS = ("openai", "langchain-core", "langchain-openai", "langgraph", "openai-agents")
WARMUP = 30

# --- the worker: one workload, one mode, in a fresh process ---------------------------------


def _setup(mode: str, data: Path) -> Any:
    """Turn instrumentation on; returns a function that counts the traces recorded."""
    if mode == "ardea":
        import ardea

        ardea.set_tracking_uri(f"sqlite:///{data / 'ardea.db'}")
        ardea.set_experiment("bench")
        ardea.autolog()

        def count() -> int:
            ardea.flush()
            return len(ardea.search_traces(max_results=100_000))

        return count
    if mode == "mlflow":
        import mlflow

        mlflow.set_tracking_uri(f"sqlite:///{data / 'mlflow.db'}")
        mlflow.set_experiment("bench")
        mlflow.openai.autolog()
        mlflow.langchain.autolog()

        def count() -> int:
            mlflow.flush_trace_async_logging() if hasattr(
                mlflow, "flush_trace_async_logging"
            ) else None
            return len(mlflow.search_traces(max_results=100_000, return_type="list"))

        return count
    return lambda: 0


def _workload(name: str, base_url: str) -> Any:
    """A zero-argument function making one autologged call of workload ``name``."""
    if name == "openai":
        import openai

        client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="sk-bench", max_retries=0)
        messages = [{"role": "user", "content": "What is 2 + 2?"}]
        return lambda: client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    if name in ("langchain", "langgraph"):
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI(
            model="gpt-4o-mini", base_url=f"{base_url}/v1", api_key="sk-bench", max_retries=0
        )
        chain = ChatPromptTemplate.from_messages([("user", "{q}")]) | llm | StrOutputParser()
        if name == "langchain":
            return lambda: chain.invoke({"q": "What is 2 + 2?"})
        from typing import TypedDict

        from langgraph.graph import END, START, StateGraph

        class State(TypedDict):
            q: str
            a: str

        graph = StateGraph(State)
        graph.add_node("clean", lambda s: {"q": s["q"].strip()})
        graph.add_node("answer", lambda s: {"a": chain.invoke({"q": s["q"]})})
        graph.add_edge(START, "clean")
        graph.add_edge("clean", "answer")
        graph.add_edge("answer", END)
        app = graph.compile()
        return lambda: app.invoke({"q": " What is 2 + 2? ", "a": ""})
    if name == "openai_agents":
        import openai
        from agents import Agent, OpenAIChatCompletionsModel, Runner, set_trace_processors
        from agents.tracing import get_trace_provider
        from agents.tracing.processors import default_processor

        # In every mode, drop only the SDK's own exporter to OpenAI's backend (unreachable
        # here); instrumentation added by Ardea or MLflow stays.
        current = list(get_trace_provider()._multi_processor._processors)  # type: ignore[attr-defined]
        set_trace_processors([p for p in current if p is not default_processor()])
        client = openai.AsyncOpenAI(base_url=f"{base_url}/v1", api_key="sk-bench", max_retries=0)
        model = OpenAIChatCompletionsModel(model="gpt-4o-mini", openai_client=client)
        agent = Agent(name="assistant", instructions="Answer briefly.", model=model)
        return lambda: Runner.run_sync(agent, "What is 2 + 2?")
    raise ValueError(name)


def worker(name: str, mode: str, base_url: str, data: str, calls: int) -> None:
    """Time ``calls`` calls of workload ``name`` under ``mode``; print one JSON line."""
    os.environ["BENCH_MODE"] = mode
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench")
    count = _setup(mode, Path(data))
    call = _workload(name, base_url)
    for _ in range(WARMUP):
        call()
    walls, cpus = [], []
    for _ in range(calls):
        c0 = time.thread_time_ns()
        t0 = time.perf_counter_ns()
        call()
        walls.append(time.perf_counter_ns() - t0)
        cpus.append(time.thread_time_ns() - c0)
    traces = count()
    print(
        json.dumps(
            {
                "wall_us": statistics.median(walls) / 1000,
                "cpu_us": statistics.median(cpus) / 1000,
                "traces": traces,
            }
        )
    )


# --- the driver --------------------------------------------------------------------------------


def _mlflow_python() -> str | None:
    """bench/.venv-mlflow's python, with the workloads' SDKs installed (None: not runnable)."""
    from tracking import MLFLOW_VENV, ensure_mlflow_venv

    if not ensure_mlflow_venv():
        return None
    py = str(MLFLOW_VENV / "bin" / "python")
    probe = "import openai, langchain_openai, langgraph, agents"
    if subprocess.run([py, "-c", probe], capture_output=True).returncode != 0:
        from importlib.metadata import version

        pins = [f"{pkg}=={version(pkg)}" for pkg in SDKS]
        cmd = [sys.executable, "-m", "uv", "pip", "install", "-q", "-p", py, *pins]
        if subprocess.run(cmd).returncode != 0:
            print("note: could not install the SDKs into bench/.venv-mlflow")
            return None
    return py


def _run_worker(
    python: str, name: str, mode: str, base_url: str, tmp: Path, calls: int
) -> dict[str, float]:
    data = Path(tempfile.mkdtemp(prefix=f"{name}-{mode}-", dir=tmp))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "ARDEA_STRICT": "0"}
    out = subprocess.run(
        [python, str(Path(__file__).resolve()), "--worker", name, mode, base_url, str(data),
         str(calls)],
        capture_output=True, text=True, cwd=data, env=env, timeout=900,
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(f"{name}/{mode} failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def autolog_overhead(args: argparse.Namespace, tmp: Path, base_url: str) -> dict[str, Any]:
    """Section 1: every workload x mode, interleaved over rounds."""
    from _common import compile_bytecode

    mlflow_py = None if args.ardea_only else _mlflow_python()
    modes = [m for m in MODES if m != "mlflow" or mlflow_py]
    compile_bytecode(sys.executable, ROOT / "src")
    if mlflow_py:
        compile_bytecode(mlflow_py)
    results: dict[str, Any] = {}
    for name in args.workloads:
        rounds: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
        for r in range(args.rounds):
            for mode in modes:
                python = mlflow_py if mode == "mlflow" else sys.executable
                assert python is not None
                got = _run_worker(python, name, mode, base_url, tmp, args.calls)
                rounds[mode].append(got)
                print(
                    f"  {name:13} round {r + 1} {mode:6}: wall {got['wall_us']:8.0f} us  "
                    f"thread cpu {got['cpu_us']:7.0f} us  traces {got['traces']}",
                    flush=True,
                )
        results[name] = _summary(rounds)
    return results


def _summary(rounds: dict[str, list[dict[str, float]]]) -> dict[str, float]:
    """Medians over rounds of each mode's figures minus the same round's "none"."""
    none = rounds["none"]
    out: dict[str, float] = {
        "none_wall_us": statistics.median(r["wall_us"] for r in none),
        "none_cpu_us": statistics.median(r["cpu_us"] for r in none),
    }
    for mode in ("ardea", "mlflow"):
        if mode not in rounds:
            continue
        runs = rounds[mode]
        out[f"{mode}_wall_added_us"] = statistics.median(
            r["wall_us"] - n["wall_us"] for r, n in zip(runs, none, strict=True)
        )
        out[f"{mode}_cpu_added_us"] = statistics.median(
            r["cpu_us"] - n["cpu_us"] for r, n in zip(runs, none, strict=True)
        )
        out[f"{mode}_traces"] = min(r["traces"] for r in runs)
    if "mlflow_wall_added_us" in out and out["mlflow_wall_added_us"] > 0:
        out["ardea_over_mlflow"] = out["ardea_wall_added_us"] / out["mlflow_wall_added_us"]
    return out


def _print_overhead(results: dict[str, Any], calls: int) -> None:
    print(f"\nadded per call (median over rounds; {calls} timed calls a round)")
    print(
        "| workload | none: wall | Ardea: +wall | +thread CPU | MLflow 3.17: +wall | "
        "+thread CPU | Ardea/MLflow (wall) |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        ml = (
            f"{r['mlflow_wall_added_us']:.0f} us | {r['mlflow_cpu_added_us']:.0f} us | "
            f"{r.get('ardea_over_mlflow', float('nan')):.2f}"
            if "mlflow_wall_added_us" in r
            else "- | - | -"
        )
        print(
            f"| {name} | {r['none_wall_us']:.0f} us | {r['ardea_wall_added_us']:.0f} us | "
            f"{r['ardea_cpu_added_us']:.0f} us | {ml} |"
        )


def main() -> None:
    """Parse arguments; run a worker or the whole benchmark."""
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        name, mode, base_url, data, calls = sys.argv[2:7]
        worker(name, mode, base_url, data, int(calls))
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=400)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--workloads", nargs="+", default=list(WORKLOADS), choices=WORKLOADS)
    p.add_argument("--ardea-only", action="store_true", help="skip MLflow")
    p.add_argument("--skip-autolog", action="store_true", help="only the OTLP ingest section")
    p.add_argument("--skip-otlp", action="store_true", help="only the autolog section")
    p.add_argument("--otlp-spans", type=int, default=20_000)
    p.add_argument("--paired-blocks", type=int, default=40, help="0 skips the paired section")
    p.add_argument("--paired-block-calls", type=int, default=25)
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args()

    from gateway import start_fake

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="ardea-bench-integrations-") as tmp_name:
        tmp = Path(tmp_name)
        if not args.skip_autolog:
            fake = start_fake(tmp, 0.0)
            try:
                figures["autolog"] = autolog_overhead(args, tmp, f"http://127.0.0.1:{fake.port}")
            finally:
                fake.stop()
            _print_overhead(figures["autolog"], args.calls)
        if args.paired_blocks > 0:
            from _integrations_paired import paired

            mlflow_py = None if args.ardea_only else _mlflow_python()
            fake = start_fake(tmp, 0.0)
            try:
                figures["paired"] = paired(
                    args.workloads, f"http://127.0.0.1:{fake.port}", tmp, args.paired_blocks,
                    args.paired_block_calls, mlflow_py,
                )  # fmt: skip
            finally:
                fake.stop()
        if not args.skip_otlp:
            from _integrations_otlp import otlp_grpc_vs_http

            figures["otlp"] = otlp_grpc_vs_http(tmp, args.otlp_spans)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
