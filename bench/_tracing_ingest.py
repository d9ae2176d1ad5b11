"""(2) and (4) of the tracing benchmark: OTLP ingest into a live ``ardea server``.

Ardea's SDK in this process exporting over OTLP/HTTP, and (to tell the SDK's share from the
server's) pre-encoded OTLP bodies posted directly; then the time until a fresh trace is
searchable.
"""

from __future__ import annotations

import statistics
import time
import uuid
from typing import Any

import _tracing_work as work
from _common import Lean, Server, cpu_meter


def count_traces(c: Lean, exp: str, filter_string: str | None = None) -> int:
    """Traces in ``exp`` (matching ``filter_string``), paging SearchTracesV3."""
    seen, token = 0, None
    while True:
        body: dict[str, Any] = {"experiment_ids": [exp], "max_results": 500}
        if filter_string:
            body["filter"] = filter_string
        if token:
            body["page_token"] = token
        page = c.http.post("/api/3.0/mlflow/traces/search", json=body)
        page.raise_for_status()
        doc = page.json()
        seen += len(doc.get("traces", []))
        token = doc.get("next_page_token")
        if not token:
            return seen


def sdk_ingest(server: Server, size: dict[str, int], out: dict[str, float]) -> None:
    """(2) and (4): Ardea's SDK exports to the server over OTLP/HTTP."""
    import ardea
    import ardea.tracing

    n_traces, per = size["ingest_traces"], size["ingest_spans_per_trace"]
    ardea.tracing.reset()
    ardea.set_tracking_uri(server.base_url)
    ardea.tracing.configure(max_queue_size=n_traces * per + 10_000)
    exp = ardea.set_experiment(f"ingest-{uuid.uuid4().hex[:8]}").experiment_id

    @ardea.trace(span_type="TOOL")
    def tool(k: int) -> int:
        return k * 2

    @ardea.trace(name="agent", span_type="AGENT")
    def agent(i: int) -> int:
        return sum(tool(k) for k in range(per - 1))

    c = Lean(server.base_url)
    with cpu_meter(server, out, "ingest_cpu_s"):
        t0 = time.perf_counter()
        for i in range(n_traces):
            agent(i)
        t1 = time.perf_counter()
        ardea.tracing.flush(timeout=None)
        t2 = time.perf_counter()
        seen = count_traces(c, exp)
        dt = time.perf_counter() - t0
    out["ingest_calls_s"], out["ingest_flush_s"] = t1 - t0, t2 - t1
    out["ingest_spans_per_s"] = n_traces * per / dt
    if seen != n_traces or ardea.tracing.provider.dropped_spans():
        print(f"  ! ingest: {seen}/{n_traces} traces searchable, "
              f"{ardea.tracing.provider.dropped_spans()} spans dropped")  # fmt: skip

    def probe(i: int, flush: bool) -> float:
        name = f"probe-{'f' if flush else 'n'}-{i}"
        ardea.trace(name=name)(lambda: None)()
        t0 = time.perf_counter()
        if flush:
            ardea.flush()
        while count_traces(c, exp, f"trace.name = '{name}'") < 1:
            if time.perf_counter() - t0 > 60:
                print(f"  ! {name} not searchable after 60 s")
                break
            time.sleep(0.002)
        return (time.perf_counter() - t0) * 1e3

    n = size["searchable_probes"]
    out["searchable_flush_ms"] = statistics.median(probe(i, True) for i in range(n))
    out["searchable_noflush_ms"] = statistics.median(probe(i, False) for i in range(n))
    c.close()
    ardea.tracing.reset()
    ardea.set_tracking_uri(None)


def server_ingest(server: Server, size: dict[str, int], out: dict[str, float]) -> None:
    """(2) without the SDK: post pre-encoded gzip'd OTLP protobuf bodies, 1000 spans each."""
    n_traces, per = size["ingest_traces"], size["ingest_spans_per_trace"]
    bodies = work.otlp_payloads(n_traces, per)
    c = Lean(server.base_url)
    exp = c.create_experiment(f"otlp-{uuid.uuid4().hex[:8]}")
    headers = {
        "content-type": "application/x-protobuf",
        "content-encoding": "gzip",
        "x-mlflow-experiment-id": exp,
    }
    with cpu_meter(server, out, "server_ingest_cpu_s"):
        t0 = time.perf_counter()
        for body in bodies:
            c.http.post("/v1/traces", content=body, headers=headers).raise_for_status()
        seen = count_traces(c, exp)
        dt = time.perf_counter() - t0
    out["server_ingest_spans_per_s"] = n_traces * per / dt
    if seen != n_traces:
        print(f"  ! server ingest: {seen}/{n_traces} traces searchable")
    c.close()
