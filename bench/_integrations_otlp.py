"""Section 2 of bench/integrations.py: OTLP/gRPC ingest against OTLP/HTTP on one server.

One ``ardea server --otlp-grpc-port`` on SQLite. Spans of the same shape, encoded before the
clock starts (1,000-span requests, 10 spans a trace; gzip'd over HTTP as the OTel exporter
sends them, plain over gRPC), go in over each transport from 2 client threads,
into an experiment of their own; the clock stops when every trace is searchable. The transports
alternate over 3 rounds (which goes first alternates too); the table prints each one's median.
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import _tracing_work as work
from _common import Lean, Server, free_port
from _tracing_ingest import count_traces

SPANS_PER_TRACE = 10
CLIENTS = 2
ROUNDS = 3
EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"


def _start(tmp: Path, grpc_port: int) -> Server:
    port = free_port()
    data = tmp / "otlp-server"
    data.mkdir(exist_ok=True)
    argv = [sys.executable, "-m", "ardea.cli.main", "server", "--host", "127.0.0.1", "--port",
            str(port), "--backend-store-uri", f"sqlite:///{data / 'ardea.db'}",
            "--artifacts-destination", str(data / "artifacts"),
            "--otlp-grpc-port", str(grpc_port)]  # fmt: skip
    server = Server("ardea", argv, port, tmp / "otlp-server.log")
    server.start()
    return server


def _http(server: Server, bodies: list[bytes], exp: str) -> None:
    import httpx

    headers = {
        "content-type": "application/x-protobuf",
        "content-encoding": "gzip",
        "x-mlflow-experiment-id": exp,
    }
    with httpx.Client(base_url=server.base_url, timeout=300) as c:
        for body in bodies:
            c.post("/v1/traces", content=body, headers=headers).raise_for_status()


def _grpc(port: int, bodies: list[bytes], exp: str) -> None:
    import grpc

    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        export = channel.unary_unary(EXPORT)  # bytes in, bytes out
        for body in bodies:
            export(body, metadata=(("x-mlflow-experiment-id", exp),), timeout=300)


def _timed(send: Any, c: Lean, shares: list[list[bytes]], n_traces: int, prefix: str) -> float:
    exp = c.create_experiment(f"{prefix}-{uuid.uuid4().hex[:8]}")
    t0 = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        for f in [pool.submit(send, share, exp) for share in shares]:
            f.result()
    while count_traces(c, exp) < n_traces:
        time.sleep(0.01)
    return time.perf_counter() - t0


def otlp_grpc_vs_http(tmp: Path, n_spans: int) -> dict[str, float]:
    """Spans/s over OTLP/HTTP and OTLP/gRPC into one server (medians of 3 rounds)."""
    import gzip

    n_traces = n_spans // SPANS_PER_TRACE
    grpc_port = free_port()
    server = _start(tmp, grpc_port)
    c = Lean(server.base_url)
    rates: dict[str, list[float]] = {"http": [], "grpc": []}
    try:
        for r in range(ROUNDS):
            # The store grows run after run: alternate which transport goes first.
            for transport in ("http", "grpc") if r % 2 == 0 else ("grpc", "http"):
                # Fresh trace ids every time (a trace id already stored is not a new trace).
                bodies = work.otlp_payloads(n_traces, SPANS_PER_TRACE)
                if transport == "grpc":
                    bodies = [gzip.decompress(b) for b in bodies]
                shares = [bodies[i::CLIENTS] for i in range(CLIENTS)]

                def send(share: list[bytes], exp: str, transport: str = transport) -> None:
                    if transport == "http":
                        _http(server, share, exp)
                    else:
                        _grpc(grpc_port, share, exp)

                dt = _timed(send, c, shares, n_traces, transport)
                rates[transport].append(n_spans / dt)
                print(f"  OTLP/{transport:4}: {n_spans / dt:9,.0f} spans/s", flush=True)
    finally:
        c.close()
        server.stop()
    out = {f"{t}_spans_per_s": statistics.median(v) for t, v in rates.items()}
    out["grpc_over_http"] = out["grpc_spans_per_s"] / out["http_spans_per_s"]
    print(
        f"\nOTLP ingest ({n_spans:,} spans, {CLIENTS} clients, median of {ROUNDS}): "
        f"HTTP {out['http_spans_per_s']:,.0f} spans/s, gRPC {out['grpc_spans_per_s']:,.0f} "
        f"spans/s, gRPC/HTTP {out['grpc_over_http']:.2f}"
    )
    return out
