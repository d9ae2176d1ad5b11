"""Added cost per call measured in one process, autolog switched on and off by block.

Process-to-process variation on a shared VM (memory layout, CPU placement, noisy neighbours) can
be larger than the effect being measured (tens of microseconds). Here one process makes all the
calls of a workload: blocks of calls with ``ardea.autolog()`` on alternate with blocks with it
off (``ardea.autolog(disable=True)``), the order of the pair flipping each time, and the added
cost is the median per-call figure with autolog on minus the median with it off.
"""

from __future__ import annotations

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


def _switch(tool: str, data: str) -> tuple[Any, Any]:
    """Set ``tool`` up on a SQLite store; returns (switch(on), count_traces())."""
    if tool == "ardea":
        import ardea

        ardea.set_tracking_uri(f"sqlite:///{Path(data) / 'ardea.db'}")
        ardea.set_experiment("bench")

        def ardea_switch(on: bool) -> None:
            ardea.autolog(disable=not on)

        def ardea_count() -> int:
            ardea.flush()
            return len(ardea.search_traces(max_results=100_000))

        return ardea_switch, ardea_count
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{Path(data) / 'mlflow.db'}")
    mlflow.set_experiment("bench")

    def mlflow_switch(on: bool) -> None:
        mlflow.openai.autolog(disable=not on)
        mlflow.langchain.autolog(disable=not on)

    def mlflow_count() -> int:
        if hasattr(mlflow, "flush_trace_async_logging"):
            mlflow.flush_trace_async_logging()
        return len(mlflow.search_traces(max_results=100_000, return_type="list"))

    return mlflow_switch, mlflow_count


def worker(tool: str, name: str, base_url: str, data: str, blocks: int, block_calls: int) -> None:
    """Time ``blocks`` on/off block pairs of workload ``name`` under ``tool``; print JSON."""
    from integrations import WARMUP, _workload

    os.environ.setdefault("OPENAI_API_KEY", "sk-bench")
    os.environ["BENCH_MODE"] = tool
    switch, count = _switch(tool, data)
    switch(True)
    call = _workload(name, base_url)
    for _ in range(WARMUP):
        call()
    cpu: dict[bool, list[int]] = {True: [], False: []}
    wall: dict[bool, list[int]] = {True: [], False: []}
    for b in range(blocks):
        for on in (True, False) if b % 2 == 0 else (False, True):
            switch(on)
            for _ in range(block_calls):
                c0 = time.thread_time_ns()
                t0 = time.perf_counter_ns()
                call()
                wall[on].append(time.perf_counter_ns() - t0)
                cpu[on].append(time.thread_time_ns() - c0)
    switch(True)
    traces = count()
    print(
        json.dumps(
            {
                "off_cpu_us": statistics.median(cpu[False]) / 1000,
                "added_cpu_us": (statistics.median(cpu[True]) - statistics.median(cpu[False]))
                / 1000,
                "off_wall_us": statistics.median(wall[False]) / 1000,
                "added_wall_us": (statistics.median(wall[True]) - statistics.median(wall[False]))
                / 1000,
                "traced_calls": traces,
            }
        )
    )


def _run(python: str, tool: str, name: str, base_url: str, tmp: Path, blocks: int,
         block_calls: int) -> dict[str, Any]:  # fmt: skip
    data = tempfile.mkdtemp(prefix=f"{name}-{tool}-paired-", dir=tmp)
    out = subprocess.run(
        [python, str(Path(__file__).resolve()), tool, name, base_url, data, str(blocks),
         str(block_calls)],
        capture_output=True, text=True, cwd=data, timeout=1800,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{HERE}", "ARDEA_STRICT": "0"},
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(f"{name}/{tool}/paired failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def paired(
    workloads: list[str], base_url: str, tmp: Path, blocks: int, block_calls: int,
    mlflow_python: str | None,
) -> Any:  # fmt: skip
    """Run each workload's paired workers (Ardea, then MLflow when given) in fresh processes."""
    results: dict[str, Any] = {}
    print(f"\nautolog on/off in one process ({blocks} block pairs x {block_calls} calls)")
    print("| workload | off: thread CPU | Ardea: +thread CPU | +wall | MLflow 3.17: +thread CPU "
          "| +wall | Ardea/MLflow (wall) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for name in workloads:
        r = {"ardea": _run(sys.executable, "ardea", name, base_url, tmp, blocks, block_calls)}
        if mlflow_python:
            r["mlflow"] = _run(mlflow_python, "mlflow", name, base_url, tmp, blocks, block_calls)
        results[name] = r
        a, m = r["ardea"], r.get("mlflow")
        ml = (
            f"{m['added_cpu_us']:.0f} us | {m['added_wall_us']:.0f} us | "
            f"{a['added_wall_us'] / m['added_wall_us']:.2f}"
            if m and m["added_wall_us"] > 0
            else "- | - | -"
        )
        print(
            f"| {name} | {a['off_cpu_us']:.0f} us | {a['added_cpu_us']:.0f} us | "
            f"{a['added_wall_us']:.0f} us | {ml} |",
            flush=True,
        )
    return results


if __name__ == "__main__":
    worker(*sys.argv[1:5], int(sys.argv[5]), int(sys.argv[6]))
