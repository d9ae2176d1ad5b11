"""Online scoring under ingest: trace-end to assessment latency, and ingest with scoring on/off.

Usage::

    .venv/bin/python bench/online_scoring.py                 # 200 traces/s for 15 s, 10%, 300 ms
    .venv/bin/python bench/online_scoring.py --quick         # a smoke run (a few seconds)
    .venv/bin/python bench/online_scoring.py --seconds 30 --rate 200 --sample 0.1 --latency 0.3

One ``ardea server`` per phase (a fresh SQLite folder, one worker), the fake LLM provider of
tests/fixtures in this process answering every judge call after ``--latency`` seconds:

1. paced: ``--rate`` traces a second over OTLP (batches of 10 root spans, each ending as it is
   sent) with a ``make_judge`` judge at ``--sample``; then every sampled trace's assessment
   ``create_time`` minus the trace's end time: p50, p99, max;
2. ingest throughput, unpaced (4 client threads, batches of 10, ``--burst-seconds`` each after
   a warm-up of 200 traces and, with the loop on, the first assessment), on a server with no
   active scorer ("off"), one with the judge active and its loop running ("on") and one that
   stores the work rows but runs no loop ("enqueue_only"); ``--rounds`` rounds alternating the
   three, medians printed with every round's figure: traces/s.

Figures are printed, never asserted. MLflow's scheduled scoring is not run here (its job
runs once a minute with a 5-minute buffer; see shared notes): compare against that by design.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from _common import free_port  # noqa: E402
from fixtures.fake_llm_server import FakeLLMServer  # noqa: E402
from fixtures.otlp_payloads import protobuf_request, span  # noqa: E402

JUDGE = {
    "name": "polite",
    "instructions_judge_pydantic_data": {
        "instructions": "Is {{ outputs }} a polite answer to {{ inputs }}?",
        "model": "openai:/gpt-4.1-mini",
        "feedback_value_type": {"type": "boolean"},
    },
}
BATCH = 10


class Server:
    """``ardea server`` on a fresh SQLite folder."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (folder / "server.log").open("wb")
        argv = [
            sys.executable, "-m", "ardea.cli.main", "server", "--host", "127.0.0.1",
            "--port", str(self.port), "--workers", "1",
            "--backend-store-uri", f"sqlite:///{folder / 'ardea.db'}",
            "--artifacts-destination", str(folder / "artifacts"),
        ]  # fmt: skip
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_"))}
        self.proc = subprocess.Popen(
            argv, stdout=self.log, stderr=subprocess.STDOUT, env={**clean, **env}
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        """SIGTERM and wait."""
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def _setup(url: str, sample: float | None) -> str:
    c = httpx.Client(base_url=url, timeout=30)
    exp = str(
        c.post("/api/2.0/mlflow/experiments/create", json={"name": "b"}).json()["experiment_id"]
    )
    if sample is not None:
        body = {"experiment_id": exp, "name": "polite", "serialized_scorer": json.dumps(JUDGE)}
        c.post("/api/3.0/mlflow/scorers/register", json=body).raise_for_status()
        config = {"experiment_id": exp, "name": "polite", "sample_rate": sample}
        c.put("/api/3.0/mlflow/scorers/online-config", json=config).raise_for_status()
    return exp


def _batch(first: int, end_ns: int) -> bytes:
    spans = []
    for n in range(first, first + BATCH):
        attrs = {
            "mlflow.spanType": "CHAIN",
            "mlflow.spanInputs": json.dumps({"question": f"question {n}"}),
            "mlflow.spanOutputs": json.dumps(f"answer {n}"),
        }
        spans.append(
            span(f"{n:032x}", f"{n:016x}", "root", attributes=attrs,
                 start_ns=end_ns - 50_000_000, end_ns=end_ns)
        )  # fmt: skip
    return protobuf_request(spans)


def _post(c: httpx.Client, exp: str, body: bytes) -> None:
    r = c.post(
        "/v1/traces",
        content=body,
        headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp},
    )
    r.raise_for_status()


def paced(url: str, exp: str, rate: int, seconds: float) -> dict[str, int]:
    """Send ``rate`` traces/s for ``seconds``; the end time (ms) of each trace by id."""
    c = httpx.Client(base_url=url, timeout=30)
    ends: dict[str, int] = {}
    interval = BATCH / rate
    start = time.monotonic()
    n = 1
    while time.monotonic() - start < seconds:
        due = start + (n // BATCH) * interval
        if due > time.monotonic():
            time.sleep(due - time.monotonic())
        end_ns = time.time_ns()
        _post(c, exp, _batch(n, end_ns))
        for k in range(n, n + BATCH):
            ends[f"tr-{k:032x}"] = end_ns // 1_000_000
        n += BATCH
    return ends


def burst(url: str, exp: str, seconds: float, threads: int = 4, base: int = 1) -> float:
    """Traces/s that ``threads`` clients send as fast as they can for ``seconds``."""
    deadline = time.perf_counter() + seconds
    sent = [0] * threads

    def send(t: int) -> None:
        c = httpx.Client(base_url=url, timeout=60)
        i = 0
        while time.perf_counter() < deadline:
            _post(c, exp, _batch(base * 100_000_000 + 1_000_000 * t + i * BATCH, time.time_ns()))
            i += 1
        sent[t] = i * BATCH

    workers = [threading.Thread(target=send, args=(t,)) for t in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(sent) / (time.perf_counter() - start)


def warm_up(url: str, exp: str, scoring: bool) -> None:
    """Send 200 traces; with the loop on, wait for the first assessment (imports, clients)."""
    c = httpx.Client(base_url=url, timeout=30)
    for i in range(20):
        _post(c, exp, _batch(90_000_000 + i * BATCH, time.time_ns()))
    deadline = time.monotonic() + 30
    while scoring and time.monotonic() < deadline and _status(url, exp)["done"] < 1:
        time.sleep(0.1)


def _status(url: str, exp: str) -> dict[str, int]:
    r = httpx.get(f"{url}/api/3.0/ardea/online-scoring/status", params={"experiment_id": exp})
    return dict(r.json()["counts"])


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    """Run the phases and print the figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=int, default=200)
    p.add_argument("--seconds", type=float, default=15.0)
    p.add_argument("--sample", type=float, default=0.1)
    p.add_argument("--latency", type=float, default=0.3)
    p.add_argument("--burst-seconds", type=float, default=10.0)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    if args.quick:
        args.seconds, args.burst_seconds, args.rate, args.rounds = 2.0, 2.0, 50, 1
    llm = FakeLLMServer().start()
    llm.latency = args.latency
    env = {"OPENAI_BASE_URL": llm.openai_base_url, "OPENAI_API_KEY": "sk-bench"}
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "paced").mkdir()
        server = Server(Path(tmp) / "paced", env)
        try:
            exp = _setup(server.url, args.sample)
            ends = paced(server.url, exp, args.rate, args.seconds)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                counts = _status(server.url, exp)
                if counts["pending"] == counts["claimed"] == 0:
                    break
                time.sleep(0.2)
        finally:
            server.stop()
        db = sqlite3.connect(Path(tmp) / "paced" / "ardea.db")
        rows = db.execute("SELECT trace_id, create_time FROM assessments").fetchall()
        lags = [(created - ends[t]) / 1000 for t, created in rows if t in ends]
        out["traces"], out["scored"], out["counts"] = len(ends), len(lags), counts
        if lags:
            out["p50_s"], out["p99_s"] = _pct(lags, 0.5), _pct(lags, 0.99)
            out["max_s"], out["mean_s"] = max(lags), statistics.fmean(lags)
        phases = (("off", None, {}), ("on", args.sample, {}))
        phases += (("enqueue_only", args.sample, {"ARDEA_ONLINE_SCORING": "0"}),)
        rates: dict[str, list[float]] = {phase: [] for phase, _, _ in phases}
        for round_ in range(args.rounds):  # alternating, so drift hits every phase alike
            for phase, sample, extra in phases:
                folder = Path(tmp) / f"{phase}-{round_}"
                folder.mkdir()
                server = Server(folder, {**env, **extra})
                try:
                    exp = _setup(server.url, sample)
                    warm_up(server.url, exp, phase == "on")
                    rates[phase].append(burst(server.url, exp, args.burst_seconds))
                finally:
                    server.stop()
        for phase, values in rates.items():
            out[f"ingest_{phase}_traces_per_s"] = statistics.median(values)
            out[f"ingest_{phase}_all"] = [round(v) for v in values]
    llm.stop()
    on, off = out["ingest_on_traces_per_s"], out["ingest_off_traces_per_s"]
    judge_ms = args.latency * 1000
    print(f"paced ingest          | {args.rate} traces/s for {args.seconds:.0f} s, "
          f"{out['traces']} traces, sample {args.sample}, judge {judge_ms:.0f} ms")  # fmt: skip
    print(f"scored                | {out['scored']} ({out['counts']})")
    if lags:
        print(f"trace end->assessment | p50 {out['p50_s']:.2f} s, p99 {out['p99_s']:.2f} s, "
              f"max {out['max_s']:.2f} s")  # fmt: skip
    only = out["ingest_enqueue_only_traces_per_s"]
    print(f"ingest unpaced        | {args.burst_seconds:.0f} s x {args.rounds} rounds, median: "
          f"off {off:.0f} traces/s, on {on:.0f} traces/s (on/off {on / off:.2f}), "
          f"rows stored but no loop {only:.0f} traces/s (/off {only / off:.2f})")  # fmt: skip
    for phase in ("off", "on", "enqueue_only"):
        print(f"  {phase:<12} rounds  | {out[f'ingest_{phase}_all']}")


if __name__ == "__main__":
    main()
