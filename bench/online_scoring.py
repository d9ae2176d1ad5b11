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

3. with ``--mlflow``: MLflow 3.17's scheduled online scoring (``bench/.venv-mlflow``; its job
   runs once a minute and only with a gateway-model judge, so the same judge goes through its
   AI gateway to a fake provider of its own) on the same paced stream; trace end to
   assessment as above, waiting up to ``--mlflow-wait`` seconds.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
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


def paced(url: str, exp: str, rate: int, seconds: float) -> tuple[dict[str, int], list[float]]:
    """Send ``rate`` traces/s for ``seconds``.

    Returns:
        The end time (ms) of each trace by id, and every request's latency (s).
    """
    c = httpx.Client(base_url=url, timeout=30)
    ends: dict[str, int] = {}
    took: list[float] = []
    interval = BATCH / rate
    start = time.monotonic()
    n = 1
    while time.monotonic() - start < seconds:
        due = start + (n // BATCH) * interval
        if due > time.monotonic():
            time.sleep(due - time.monotonic())
        end_ns = time.time_ns()
        body = _batch(n, end_ns)
        sent = time.perf_counter()
        _post(c, exp, body)
        took.append(time.perf_counter() - sent)
        for k in range(n, n + BATCH):
            ends[f"tr-{k:032x}"] = end_ns // 1_000_000
        n += BATCH
    return ends, took


def _burst_worker(url: str, exp: str, seconds: float, base: int, threads: int, pipe: Any) -> None:
    """One load-generator process: build its bodies, say ready, wait for the start, send."""
    per_thread = 1_500
    bodies = [
        [_batch(base + 1_000_000 * t + i * BATCH, time.time_ns()) for i in range(per_thread)]
        for t in range(threads)
    ]
    pipe.send("ready")
    start_at = pipe.recv()
    sent = [0] * threads

    def send(t: int) -> None:
        c = httpx.Client(base_url=url, timeout=60)
        time.sleep(max(0.0, start_at - time.time()))
        deadline = start_at + seconds
        i = 0
        while time.time() < deadline:
            body = bodies[t][i] if i < per_thread else _batch(base + 1_000_000 * t + i * BATCH, 0)
            _post(c, exp, body)
            i += 1
        sent[t] = i * BATCH

    workers = [threading.Thread(target=send, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    pipe.send(sum(sent))


def burst(url: str, exp: str, seconds: float, base: int, procs: int = 2, threads: int = 2) -> float:
    """Traces/s that ``procs`` load-generator processes of ``threads`` clients each send as fast
    as they can for ``seconds`` (bodies built before the clock starts)."""
    ctx = multiprocessing.get_context("spawn")
    pipes, children = [], []
    for k in range(procs):
        ours, theirs = ctx.Pipe()
        child = ctx.Process(
            target=_burst_worker,
            args=(url, exp, seconds, base * 100_000_000 + k * 10_000_000, threads, theirs),
        )
        child.start()
        pipes.append(ours)
        children.append(child)
    for pipe in pipes:
        assert pipe.recv() == "ready"
    start_at = time.time() + 0.2
    for pipe in pipes:
        pipe.send(start_at)
    total = sum(int(pipe.recv()) for pipe in pipes)
    for child in children:
        child.join()
    return total / seconds


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and its children still running."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(c) for c in children.read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


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


def _mlflow_judge() -> str | None:
    """The judge serialized by MLflow 3.17's own ``make_judge``, on its gateway endpoint."""
    from gateway import MLFLOW_VENV

    instructions = JUDGE["instructions_judge_pydantic_data"]["instructions"]  # type: ignore[index]
    code = (
        "import json; from mlflow.genai.judges import make_judge; "
        f"j = make_judge(name='polite', instructions={instructions!r}, model='gateway:/bench', "
        "feedback_value_type=bool); print(json.dumps(j.model_dump()))"
    )
    done = subprocess.run(
        [str(MLFLOW_VENV / "bin" / "python"), "-c", code], capture_output=True, text=True
    )
    return done.stdout.strip() or None


def mlflow_scheduled(tmp: Path, args: argparse.Namespace) -> dict[str, Any] | None:
    """MLflow 3.17's scheduled online scoring on the same paced stream (None: not runnable).

    Its server scores with a gateway-model judge only, so the judge calls go through its AI
    gateway (endpoint ``bench``) to the fake provider, in a process of its own here.
    """
    from gateway import start_fake, start_mlflow

    fake = start_fake(tmp, args.latency)
    started = start_mlflow(tmp, f"http://127.0.0.1:{fake.port}/v1")
    if started is None:
        fake.stop()
        return None
    server, _ = started
    try:
        serialized = _mlflow_judge()
        if serialized is None:
            print("note: MLflow's make_judge failed: its scheduled scoring skipped")
            return None
        c = httpx.Client(base_url=server.base_url, timeout=30)
        exp = str(
            c.post("/api/2.0/mlflow/experiments/create", json={"name": "b"}).json()["experiment_id"]
        )
        body = {"experiment_id": exp, "name": "polite", "serialized_scorer": serialized}
        c.post("/api/3.0/mlflow/scorers/register", json=body).raise_for_status()
        config = {"experiment_id": exp, "name": "polite", "sample_rate": args.sample}
        c.put("/api/3.0/mlflow/scorers/online-config", json=config).raise_for_status()
        ends, _ = paced(server.base_url, exp, args.rate, args.seconds)
        expected = round(len(ends) * args.sample)
        db = tmp / "mlflow" / "mlflow.db"
        deadline = time.monotonic() + args.mlflow_wait
        rows: list[tuple[str, int]] = []
        while time.monotonic() < deadline:
            time.sleep(5)
            con = sqlite3.connect(db)
            rows = con.execute(
                "SELECT trace_id, created_timestamp FROM assessments WHERE name = 'polite'"
            ).fetchall()
            con.close()
            if len(rows) >= expected:
                break
        lags = [(created - ends[t]) / 1000 for t, created in rows if t in ends]
        found: dict[str, Any] = {"traces": len(ends), "scored": len(lags)}
        found["waited_s"] = args.mlflow_wait if len(rows) < expected else None
        if lags:
            found["p50_s"], found["p99_s"] = _pct(lags, 0.5), _pct(lags, 0.99)
            found["max_s"] = max(lags)
        return found
    finally:
        server.stop()
        fake.stop()


def _paced_phase(
    folder: Path, env: dict[str, str], sample: float | None, args: argparse.Namespace
) -> dict[str, Any]:
    """One server, ``args.rate`` traces/s for ``args.seconds``; with a scorer, the lags too."""
    folder.mkdir()
    server = Server(folder, env)
    counts: dict[str, int] = {}
    try:
        exp = _setup(server.url, sample)
        warm_up(server.url, exp, sample is not None)
        cpu0, t0 = _cpu_s(server.proc.pid), time.monotonic()
        ends, took = paced(server.url, exp, args.rate, args.seconds)
        wall = time.monotonic() - t0
        cpu = _cpu_s(server.proc.pid) - cpu0
        deadline = time.monotonic() + 120
        while sample is not None and time.monotonic() < deadline:
            counts = _status(server.url, exp)
            if counts["pending"] == counts["claimed"] == 0:
                break
            time.sleep(0.2)
    finally:
        server.stop()
    found: dict[str, Any] = {
        "traces": len(ends), "traces_per_s": len(ends) / wall, "counts": counts,
        "post_p50_ms": _pct(took, 0.5) * 1000, "post_p99_ms": _pct(took, 0.99) * 1000,
        "server_cpu_ms_per_trace": cpu * 1000 / len(ends),
    }  # fmt: skip
    if sample is not None:
        db = sqlite3.connect(folder / "ardea.db")
        rows = db.execute("SELECT trace_id, create_time FROM assessments").fetchall()
        lags = [(created - ends[t]) / 1000 for t, created in rows if t in ends]
        found["scored"] = len(lags)
        if lags:
            found["p50_s"], found["p99_s"] = _pct(lags, 0.5), _pct(lags, 0.99)
            found["max_s"], found["mean_s"] = max(lags), statistics.fmean(lags)
    return found


def _unpaced(tmp: Path, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    """``args.rounds`` rounds of the three servers, one after the other (drift hits each alike)."""
    phases = (("off", None, {}), ("on", args.sample, {}))
    phases += (("enqueue_only", args.sample, {"ARDEA_ONLINE_SCORING": "0"}),)
    rates: dict[str, list[float]] = {phase: [] for phase, _, _ in phases}
    cpu: dict[str, list[float]] = {phase: [] for phase, _, _ in phases}
    for round_ in range(args.rounds):
        for k, (phase, sample, extra) in enumerate(phases):
            folder = tmp / f"{phase}-{round_}"
            folder.mkdir()
            server = Server(folder, {**env, **extra})
            try:
                exp = _setup(server.url, sample)
                warm_up(server.url, exp, phase == "on")
                before = _cpu_s(server.proc.pid)
                rate = burst(server.url, exp, args.burst_seconds, base=1 + round_ * 3 + k)
                used = _cpu_s(server.proc.pid) - before
                rates[phase].append(rate)
                cpu[phase].append(used * 1000 / (rate * args.burst_seconds))
            finally:
                server.stop()
    out: dict[str, Any] = {}
    for phase in rates:
        out[f"{phase}_traces_per_s"] = statistics.median(rates[phase])
        out[f"{phase}_all"] = [round(v) for v in rates[phase]]
        out[f"{phase}_cpu_ms_per_trace"] = statistics.median(cpu[phase])
    for phase in ("on", "enqueue_only"):
        pairs = [a / b for a, b in zip(rates[phase], rates["off"], strict=True)]
        out[f"{phase}_paired"] = [round(r, 2) for r in pairs]
        out[f"{phase}_paired_median"] = statistics.median(pairs)
    return out


def _print(out: dict[str, Any], args: argparse.Namespace) -> None:
    on, off = out["paced_on"], out["paced_off"]
    judge_ms = args.latency * 1000
    print(f"paced ingest          | {args.rate} traces/s for {args.seconds:.0f} s, "
          f"sample {args.sample}, judge {judge_ms:.0f} ms")  # fmt: skip
    for name, p in (("scoring off", off), ("scoring on", on)):
        print(f"  {name:<19} | {p['traces_per_s']:.0f} traces/s, request p50 "
              f"{p['post_p50_ms']:.1f} ms p99 {p['post_p99_ms']:.1f} ms, server CPU "
              f"{p['server_cpu_ms_per_trace']:.2f} ms/trace")  # fmt: skip
    print(f"  on/off throughput   | {on['traces_per_s'] / off['traces_per_s']:.2f}")
    print(f"scored                | {on.get('scored', 0)} of {on['traces']} ({on['counts']})")
    if "p50_s" in on:
        print(f"trace end->assessment | p50 {on['p50_s']:.2f} s, p99 {on['p99_s']:.2f} s, "
              f"max {on['max_s']:.2f} s")  # fmt: skip
    u = out["unpaced"]
    print(
        f"ingest unpaced        | {args.burst_seconds:.0f} s x {args.rounds} rounds "
        "(2 load-generator processes, fake provider in its own process), medians:"
    )
    for phase, label in (("off", "off"), ("on", "on"), ("enqueue_only", "rows, no loop")):
        paired = (
            ""
            if phase == "off"
            else (f", paired /off median {u[f'{phase}_paired_median']:.2f} {u[f'{phase}_paired']}")
        )
        print(f"  {label:<19} | {u[f'{phase}_traces_per_s']:.0f} traces/s "
              f"{u[f'{phase}_all']}, server CPU {u[f'{phase}_cpu_ms_per_trace']:.2f} ms/trace"
              f"{paired}")  # fmt: skip
    m = out.get("mlflow")
    if m:
        lag = (f"p50 {m['p50_s']:.1f} s, p99 {m['p99_s']:.1f} s, max {m['max_s']:.1f} s"
               if "p50_s" in m else "none scored")  # fmt: skip
        waited = f" (gave up after {m['waited_s']:.0f} s)" if m.get("waited_s") else ""
        print(
            f"MLflow 3.17 scheduled | {m['scored']} of {m['traces']} traces scored{waited}: {lag}"
        )
        if "p50_s" in m and "p50_s" in on:
            ratio = m["p50_s"] / on["p50_s"]
            print(f"  latency ratio       | MLflow p50 / Ardea p50 = {ratio:.0f}x")


def main() -> None:
    """Run the phases and print the figures."""
    from gateway import start_fake

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=int, default=200)
    p.add_argument("--seconds", type=float, default=15.0)
    p.add_argument("--sample", type=float, default=0.1)
    p.add_argument("--latency", type=float, default=0.3)
    p.add_argument("--burst-seconds", type=float, default=8.0)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--mlflow", action="store_true", help="MLflow 3.17's scheduled scoring too")
    p.add_argument("--mlflow-wait", type=float, default=600.0, help="seconds to wait for it")
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args()
    if args.quick:
        args.seconds, args.burst_seconds, args.rate, args.rounds = 2.0, 2.0, 50, 1
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        fake = start_fake(tmp, args.latency)
        env = {"OPENAI_BASE_URL": f"http://127.0.0.1:{fake.port}/v1", "OPENAI_API_KEY": "sk-b"}
        try:
            out["paced_off"] = _paced_phase(tmp / "paced-off", env, None, args)
            out["paced_on"] = _paced_phase(tmp / "paced-on", env, args.sample, args)
            out["unpaced"] = _unpaced(tmp, env, args)
        finally:
            fake.stop()
        if args.mlflow:
            (tmp / "mlflow").mkdir()
            out["mlflow"] = mlflow_scheduled(tmp / "mlflow", args)
    _print(out, args)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
