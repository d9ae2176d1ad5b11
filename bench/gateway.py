"""The AI gateway's overhead, throughput, streaming TTFT and memory (issue 14).

Processes, all on loopback: the fake provider (``tests/fixtures/fake_llm_server.py``, answering
after a fixed latency, 50 ms by default), Ardea's gateway (``create_app`` with one endpoint on
an in-memory source, uvicorn, one worker, tracing ON: every request a trace in a SQLite
store), optionally MLflow 3.17's embedded gateway (``bench/.venv-mlflow``, ``--mlflow``), and
this script's load generator (asyncio on raw keep-alive sockets, pre-built request bytes).

Figures (one table, JSON in ``bench/results/gateway-<date>.json`` or ``--json``):

- overhead: an open-loop load at ``--rate`` requests/s (500) for ``--seconds`` (60), straight
  to the provider and through each gateway, interleaved in ``--rounds`` slices; latency is
  measured from each request's scheduled send time (no coordinated omission); overhead =
  gateway percentile minus direct percentile (p50, p99). The gateway's own
  ``X-Ardea-Gateway-Overhead-Us`` header is summarized too (its self-measured share).
- saturation: a closed loop of ``--concurrency`` connections for ``--sat-seconds``: requests/s
  direct and through each gateway.
- streaming TTFT: ``--stream-rate`` streamed chats/s, time to the first body chunk, direct vs
  through the gateway.
- memory: the gateway's RSS sampled every ``--rss-every`` seconds (60) through a
  ``--soak-minutes`` soak at ``--soak-rate``: the series (with the load average at each
  sample), first/last, min/max.
- load: the machine's load average and the server's CPU seconds (and µs per request) per
  phase. ``direct``'s CPU is the fake provider's.

Run: ``.venv/bin/python bench/gateway.py`` (full), ``--quick`` (a smoke run of ~1 minute),
``--soak-minutes 20`` for the memory goal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _common import Server, free_port, tree_cpu_seconds, tree_rss_mb  # noqa: E402

MLFLOW_VENV = HERE / ".venv-mlflow"
BODY = {"model": "bench", "messages": [{"role": "user", "content": "say hello to the gateway"}]}


# --- servers -----------------------------------------------------------------------------------


def serve_ardea(port: int, provider: str, data: Path, tracing: bool) -> None:
    """Run Ardea's app with one endpoint ``bench`` on the fake provider (this process)."""
    import uvicorn

    from ardea.gateway.config import Endpoint, ModelTarget
    from ardea.gateway.memory import StaticSource
    from ardea.server.app import create_app
    from ardea.server.deps import ServerDeps, ServerSettings
    from ardea.store.sql.backend import open_sql_backend

    backend = open_sql_backend(
        f"sqlite:///{data / 'ardea.db'}", artifacts_destination=str(data / "artifacts")
    )
    experiment_id = backend.tracking.create_experiment("gateway-bench") if tracing else None
    target = ModelTarget("d-1", "fake", "openai", "gpt-4o-mini", "s-1", base_url=provider)
    endpoint = Endpoint(
        "e-bench", "bench", "default", "llm/v1/chat", (target,), experiment_id=experiment_id
    )
    source = StaticSource([endpoint], {"s-1": {"api_key": "sk-bench-key"}})
    settings = ServerSettings(port=port)
    app = create_app(ServerDeps(backend, settings, source), close_stores_on_shutdown=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def start_fake(tmp: Path, latency: float) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "fixtures.fake_llm_server", "--port", str(port),
            "--latency", str(latency)]  # fmt: skip
    env = {"PYTHONPATH": str(ROOT / "tests")}
    server = Server("fake", argv, port, tmp / "fake.log", env=env)
    _start_without_health(server, port)
    return server


def _start_without_health(server: Server, port: int) -> None:
    """The fake provider has no /health: wait until its port accepts and answers /v1/models."""
    import httpx

    log = server.log_path.open("wb")
    server.proc = subprocess.Popen(
        list(server.argv), stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, **server.env}, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/v1/models").status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError("the fake provider did not start")


def start_ardea(tmp: Path, provider: str, tracing: bool = True) -> Server:
    port = free_port()
    data = tmp / "ardea"
    data.mkdir(exist_ok=True)
    argv = [sys.executable, str(Path(__file__).resolve()), "--serve-ardea", str(port), provider,
            str(data), "1" if tracing else "0"]  # fmt: skip
    server = Server("ardea", argv, port, tmp / "ardea.log")
    server.start()
    return server


def start_mlflow(tmp: Path, provider: str) -> tuple[Server, str] | None:
    """MLflow 3.17's server with its gateway, an endpoint ``bench`` on the fake provider.

    Returns the server and the chat URL, or None when MLflow is not installed or refuses the
    setup (a note says why).
    """
    python = MLFLOW_VENV / "bin" / "python"
    if not python.exists():
        print("note: bench/.venv-mlflow missing (run bench/tracking.py once): MLflow skipped")
        return None
    import httpx

    port = free_port()
    data = tmp / "mlflow"
    data.mkdir(exist_ok=True)
    argv = [str(MLFLOW_VENV / "bin" / "mlflow"), "server", "--host", "127.0.0.1", "--port",
            str(port), "--backend-store-uri", f"sqlite:///{data / 'mlflow.db'}",
            "--artifacts-destination", str(data / "artifacts"), "--workers", "1"]  # fmt: skip
    env = {
        "MLFLOW_ENABLE_AI_GATEWAY": "true",
        "MLFLOW_CRYPTO_KEK_PASSPHRASE": "bench-kek-0123",
        "MLFLOW_GATEWAY_API_BASE_ALLOW_PRIVATE_IPS": "true",
        "MLFLOW_GATEWAY_API_BASE_ALLOWED_SCHEMES": "http,https",
        # Its gateway exports request traces to the tracking URI: itself.
        "MLFLOW_TRACKING_URI": f"http://127.0.0.1:{port}",
    }
    server = Server("mlflow", argv, port, tmp / "mlflow.log", env=env)
    server.start()
    api = f"{server.base_url}/api/3.0/mlflow"

    def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = httpx.post(url, json=body, timeout=30)
        if answer.status_code != 200:
            raise RuntimeError(f"{url} answered {answer.status_code}: {answer.text[:300]}")
        return dict(answer.json())

    try:
        experiment = post(f"{server.base_url}/api/2.0/mlflow/experiments/create", {"name": "gw"})
        secret = post(f"{api}/gateway/secrets/create", {
            "secret_name": "fake", "secret_value": {"api_key": "sk-bench-key"},
            "provider": "openai", "auth_config": {"api_base": provider},
        })["secret"]  # fmt: skip
        model = post(f"{api}/gateway/model-definitions/create", {
            "name": "fake", "secret_id": secret["secret_id"], "provider": "openai",
            "model_name": "gpt-4o-mini",
        })["model_definition"]  # fmt: skip
        post(f"{api}/gateway/endpoints/create", {
            "name": "bench", "model_configs": [{
                "model_definition_id": model["model_definition_id"], "linkage_type": "PRIMARY",
                "weight": 1.0}],
            "experiment_id": experiment.get("experiment_id"), "usage_tracking": True,
        })  # fmt: skip
        url = f"{server.base_url}/gateway/mlflow/v1/chat/completions"
        probe = httpx.post(url, json=BODY, timeout=30)
        if probe.status_code != 200:
            raise RuntimeError(f"probe answered {probe.status_code}: {probe.text[:300]}")
    except Exception as exc:  # a setup MLflow refuses: report, skip
        print(f"note: MLflow's gateway could not be set up on the fake provider: {exc}")
        server.stop()
        return None
    return server, url


# --- load generator ----------------------------------------------------------------------------


@dataclass
class Sample:
    """What one request measured."""

    latency: float
    status: int
    ttfb: float = 0.0
    overhead_us: int | None = None


@dataclass
class Target:
    """Where requests go: host/port, and the bytes of one request."""

    name: str
    port: int
    path: str
    body: dict[str, Any]
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = field(default_factory=list)
    slots: asyncio.Semaphore | None = None  # at most 512 connections in flight

    def request(self) -> bytes:
        data = json.dumps(self.body).encode()
        return (
            f"POST {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Content-Type: application/json\r\nAuthorization: Bearer caller\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        ).encode() + data


async def _read_response(reader: asyncio.StreamReader, start: float) -> Sample:
    head = await reader.readuntil(b"\r\n\r\n")
    ttfb = time.perf_counter() - start
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if b":" in line:
            k, v = line.split(b":", 1)
            headers[k.strip().lower()] = v.strip()
    overhead = headers.get(b"x-ardea-gateway-overhead-us")
    if b"content-length" in headers:
        await reader.readexactly(int(headers[b"content-length"]))
    elif headers.get(b"transfer-encoding") == b"chunked":
        first = True
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if first and size:
                ttfb, first = time.perf_counter() - start, False
            if size == 0:
                break
    return Sample(0.0, status, ttfb, int(overhead) if overhead else None)


async def one(target: Target, payload: bytes, scheduled: float) -> Sample:
    """Send one request on an idle connection (or a new one); latency from ``scheduled``."""
    if target.slots is None:
        target.slots = asyncio.Semaphore(512)
    async with target.slots:
        return await _one(target, payload, scheduled)


async def _one(target: Target, payload: bytes, scheduled: float) -> Sample:
    for attempt in range(2):
        reused = bool(target.idle) and attempt == 0
        try:
            if reused:
                reader, writer = target.idle.pop()
            else:
                reader, writer = await asyncio.open_connection("127.0.0.1", target.port)
            writer.write(payload)
            sample = await _read_response(reader, scheduled)
        except (asyncio.IncompleteReadError, ConnectionError, OSError, ValueError):
            if reused:
                continue  # the server closed an idle keep-alive connection: a fresh one
            return Sample(time.perf_counter() - scheduled, 0)
        sample.latency = time.perf_counter() - scheduled
        target.idle.append((reader, writer))
        return sample
    return Sample(time.perf_counter() - scheduled, 0)  # pragma: no cover


async def open_loop(target: Target, rate: float, seconds: float) -> list[Sample]:
    """``rate`` requests/s for ``seconds``, each at its scheduled time."""
    payload = target.request()
    n = int(rate * seconds)
    tasks: list[asyncio.Task[Sample]] = []
    t0 = time.perf_counter() + 0.05
    for i in range(n):
        at = t0 + i / rate
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(target, payload, at)))
    return await asyncio.gather(*tasks)


async def closed_loop(target: Target, concurrency: int, seconds: float) -> float:
    """Requests/s of ``concurrency`` back-to-back clients for ``seconds``."""
    payload = target.request()
    done = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop:
            sample = await one(target, payload, time.perf_counter())
            if sample.status == 200:
                done += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - t0)


def trace_counts(port: int) -> dict[str, float]:
    """The gateway's trace counters from its ``/metrics`` (written, dropped)."""
    import httpx

    counts = {"written": 0.0, "dropped": 0.0}
    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    except httpx.HTTPError:
        return counts
    for line in text.splitlines():
        for key in counts:
            if line.startswith(f"ardea_gateway_traces_{key}_total"):
                counts[key] += float(line.rsplit(" ", 1)[1])
    return counts


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def _close(target: Target) -> None:
    for _, writer in target.idle:
        with contextlib.suppress(RuntimeError):  # its loop may be closed already
            writer.close()
    target.idle.clear()
    target.slots = None  # a semaphore belongs to one event loop


# --- the run -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark (see the module docstring)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--serve-ardea", nargs=4, help=argparse.SUPPRESS)
    p.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    p.add_argument("--rate", type=float, default=500.0)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--rounds", type=int, default=6, help="interleaved slices per target")
    p.add_argument("--latency", type=float, default=0.05, help="the fake provider's latency")
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--sat-seconds", type=float, default=10.0)
    p.add_argument("--stream-rate", type=float, default=50.0)
    p.add_argument("--stream-seconds", type=float, default=10.0)
    p.add_argument("--soak-minutes", type=float, default=1.0)
    p.add_argument("--soak-rate", type=float, default=300.0)
    p.add_argument("--rss-every", type=float, default=60.0, help="RSS sample period in the soak")
    p.add_argument("--mlflow", action="store_true", help="also MLflow 3.17's gateway")
    p.add_argument(
        "--mlflow-rate",
        type=float,
        default=None,
        help="MLflow's open-loop rate (default: --rate); lower it when MLflow saturates",
    )
    p.add_argument("--no-tracing", action="store_true", help="Ardea without request traces")
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args(argv)
    if args.serve_ardea:
        port, provider, data, tracing = args.serve_ardea
        serve_ardea(int(port), provider, Path(data), tracing == "1")
        return
    if args.quick:
        args.seconds, args.rounds, args.sat_seconds = 6.0, 2, 3.0
        args.stream_seconds, args.soak_minutes, args.rate = 3.0, 0.1, 200.0
        args.rss_every = 2.0
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    results: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}}
    with tempfile.TemporaryDirectory(prefix="ardea-gw-bench-") as tmp_name:
        tmp = Path(tmp_name)
        fake = start_fake(tmp, args.latency)
        provider = f"http://127.0.0.1:{fake.port}/v1"
        ardea = start_ardea(tmp, provider, tracing=not args.no_tracing)
        servers = [fake, ardea]
        targets = [
            Target("direct", fake.port, "/v1/chat/completions", dict(BODY, model="gpt-4o-mini")),
            Target("ardea", ardea.port, "/gateway/v1/chat/completions", BODY),
        ]
        if args.mlflow:
            started = start_mlflow(tmp, provider)
            if started is not None:
                mlflow, url = started
                servers.append(mlflow)
                targets.append(
                    Target("mlflow", mlflow.port, url.split(str(mlflow.port), 1)[1], BODY)
                )
        try:
            run(args, targets, {s.name: s for s in servers}, results)
        finally:
            for server in servers:
                server.stop()
    out = args.json or HERE / "results" / f"gateway-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nresults: {out}")


def run(
    args: Any, targets: list[Target], servers: dict[str, Server], results: dict[str, Any]
) -> None:
    """Every phase, printing as it goes."""

    def go(coro: Awaitable[Any]) -> Any:
        return asyncio.run(_with_cleanup(coro, targets))

    # Warm up every path (connections, first-request imports).
    for target in targets:
        go(open_loop(target, 50, 1.0))

    # 1. Overhead at a fixed rate, interleaved.
    samples: dict[str, list[Sample]] = {t.name: [] for t in targets}
    cpu: dict[str, float] = {}
    load_before = os.getloadavg()
    slice_s = args.seconds / args.rounds
    for _ in range(args.rounds):
        for target in targets:
            server = servers.get(target.name) or servers["fake"]
            before = tree_cpu_seconds(server.pid)
            rate = args.mlflow_rate if target.name == "mlflow" and args.mlflow_rate else args.rate
            samples[target.name] += go(open_loop(target, rate, slice_s))
            cpu[target.name] = cpu.get(target.name, 0.0) + tree_cpu_seconds(server.pid) - before
    load_after = os.getloadavg()
    rows: dict[str, Any] = {}
    direct = [s.latency for s in samples["direct"] if s.status == 200]
    d50, d99 = pct(direct, 0.5), pct(direct, 0.99)
    print(f"\n== overhead: {args.rate:.0f} req/s for {args.seconds:.0f} s per target, "
          f"{args.rounds} interleaved rounds, provider latency {args.latency * 1000:.0f} ms, "
          f"tracing {'off' if args.no_tracing else 'on'} ==")  # fmt: skip
    print(f"{'target':8} {'ok':>6} {'err':>5} {'p50 ms':>8} {'p99 ms':>8} {'+p50 ms':>8} "
          f"{'+p99 ms':>8} {'self p50 us':>11} {'self p99 us':>11} {'cpu s':>7} "
          f"{'cpu us/req':>10}")  # fmt: skip
    for target in targets:
        ok = [s.latency for s in samples[target.name] if s.status == 200]
        errors = len(samples[target.name]) - len(ok)
        selfs = [float(s.overhead_us) for s in samples[target.name] if s.overhead_us is not None]
        row = {
            "ok": len(ok), "errors": errors, "p50_ms": pct(ok, 0.5) * 1000,
            "p99_ms": pct(ok, 0.99) * 1000, "added_p50_ms": (pct(ok, 0.5) - d50) * 1000,
            "added_p99_ms": (pct(ok, 0.99) - d99) * 1000,
            "self_p50_us": pct(selfs, 0.5) if selfs else None,
            "self_p99_us": pct(selfs, 0.99) if selfs else None,
            "server_cpu_s": cpu.get(target.name),
            "server_cpu_us_per_req": (cpu.get(target.name, 0.0) / len(samples[target.name]) * 1e6
                                      if samples[target.name] else None),
        }  # fmt: skip
        rows[target.name] = row
        self50 = f"{row['self_p50_us']:.0f}" if selfs else "-"
        self99 = f"{row['self_p99_us']:.0f}" if selfs else "-"
        print(f"{target.name:8} {len(ok):6d} {errors:5d} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f} "
              f"{row['added_p50_ms']:8.2f} {row['added_p99_ms']:8.2f} {self50:>11} {self99:>11} "
              f"{row['server_cpu_s']:7.1f} {row['server_cpu_us_per_req'] or 0:10.0f}")  # fmt: skip
    print(f"load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f} "
          f"({os.cpu_count()} cores)")  # fmt: skip
    traces = trace_counts(servers["ardea"].port)
    print(f"ardea traces so far: {traces['written']:.0f} written, {traces['dropped']:.0f} dropped "
          "(dropped traces cost no store CPU: read cpu us/req with them)")  # fmt: skip
    results["traces"] = traces
    results["overhead"] = rows
    results["load"] = {"before": load_before, "after": load_after, "cores": os.cpu_count()}

    # 2. Saturation.
    print(
        f"\n== saturation: {args.concurrency} closed-loop connections, {args.sat_seconds:.0f} s =="
    )
    sat = {}
    for target in targets:
        sat[target.name] = go(closed_loop(target, args.concurrency, args.sat_seconds))
        print(f"{target.name:8} {sat[target.name]:8.0f} req/s")
    results["saturation_rps"] = sat

    # 3. Streaming TTFT.
    print(
        f"\n== streaming: {args.stream_rate:.0f} streamed chats/s "
        f"for {args.stream_seconds:.0f} s =="
    )
    ttft = {}
    for target in targets:
        streamed = Target(target.name, target.port, target.path, dict(target.body, stream=True))
        got = go(open_loop(streamed, args.stream_rate, args.stream_seconds))
        firsts = [s.ttfb for s in got if s.status == 200]
        ttft[target.name] = {"p50_ms": pct(firsts, 0.5) * 1000, "p99_ms": pct(firsts, 0.99) * 1000}
    for name, row in ttft.items():
        added = row["p50_ms"] - ttft["direct"]["p50_ms"]
        print(f"{name:8} TTFT p50 {row['p50_ms']:7.2f} ms  p99 {row['p99_ms']:7.2f} ms  "
              f"added p50 {added:6.2f} ms")  # fmt: skip
    results["stream_ttft"] = ttft

    # 4. Memory over a soak, sampled every --rss-every seconds.
    ardea = servers["ardea"]
    soak = next(t for t in targets if t.name == "ardea")
    total_s = args.soak_minutes * 60
    series = [(0.0, tree_rss_mb(ardea.pid), os.getloadavg()[0])]
    soak_errors = 0
    while series[-1][0] < total_s - 1e-6:
        step = min(args.rss_every, total_s - series[-1][0])
        got = go(open_loop(soak, args.soak_rate, step))
        soak_errors += sum(1 for sample in got if sample.status != 200)
        series.append((series[-1][0] + step, tree_rss_mb(ardea.pid), os.getloadavg()[0]))
    rss0, rss1 = series[0][1], series[-1][1]
    low, high = min(r for _, r, _ in series), max(r for _, r, _ in series)
    growth = (rss1 - rss0) / rss0 * 100 if rss0 else float("nan")
    print(f"\n== memory: {args.soak_minutes:g} min at {args.soak_rate:.0f} req/s "
          f"({soak_errors} errors), ardea RSS every {args.rss_every:g} s ==")  # fmt: skip
    for at, rss, load in series:
        print(f"  t={at:7.0f} s  RSS {rss:7.1f} MB  load {load:5.2f}")
    peak = (high - rss0) / rss0 * 100 if rss0 else float("nan")
    print(f"RSS first {rss0:.0f} MB, last {rss1:.0f} MB ({growth:+.1f}%), "
          f"min {low:.0f} MB, max {high:.0f} MB ({peak:+.1f}% over first)")  # fmt: skip
    results["rss_mb"] = {"before": rss0, "after": rss1, "growth_pct": growth, "min": low,
                         "max": high, "series": series, "soak_errors": soak_errors,
                         "soak_minutes": args.soak_minutes}  # fmt: skip
    if "mlflow" in servers:
        results["mlflow_rss_mb"] = tree_rss_mb(servers["mlflow"].pid)
        print(f"mlflow RSS {results['mlflow_rss_mb']:.0f} MB (after the same phases, no soak)")


async def _with_cleanup(coro: Awaitable[Any], targets: list[Target]) -> Any:
    try:
        return await coro
    finally:
        for target in targets:
            _close(target)


if __name__ == "__main__":
    main()
