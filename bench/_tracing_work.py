"""In-process workloads of the tracing benchmark: SDK overhead and the big SQLite corpora.

``bench/tracing.py`` drives these; the servers, the MLflow client probes and the table live
there. Nothing here talks HTTP.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# --- (1) SDK overhead on the calling thread -----------------------------------------------------


def _per_call_s(fn: Callable[[], Any], n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


def sdk_overhead(n: int, rounds: int, out: dict[str, float]) -> None:
    """Empty ``@ardea.trace`` function vs plain call vs a bare OTel SDK span, same run.

    Ardea exports to a no-op exporter and the bare OTel provider has a ``BatchSpanProcessor``
    with a no-op exporter, both with queues big enough that nothing is dropped; both export
    threads are flushed between rounds. Figures are medians over ``rounds`` of ``n`` calls,
    interleaved, in microseconds added per call over the plain call.
    """
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        SpanExporter,
        SpanExportResult,
    )

    import ardea
    import ardea.tracing
    from ardea.tracing import exporters

    class NoopArdea(exporters.SpanExporter):
        def export(self, records: Sequence[Any]) -> None:
            return None

    class NoopOtel(SpanExporter):
        def export(self, spans: Sequence[Any]) -> SpanExportResult:
            return SpanExportResult.SUCCESS

        def shutdown(self) -> None:
            return None

    ardea.tracing.configure(exporter=NoopArdea(), max_queue_size=4 * n)
    provider = TracerProvider()
    bsp = BatchSpanProcessor(NoopOtel(), max_queue_size=4 * n, max_export_batch_size=512)
    provider.add_span_processor(bsp)
    tracer = provider.get_tracer("bench")

    def plain() -> None:
        return None

    @ardea.trace
    def traced() -> None:
        return None

    def otel_span() -> None:
        with tracer.start_as_current_span("otel_span"):
            return None

    for fn in (plain, traced, otel_span):  # warm-up: imports, first-span setup
        _per_call_s(fn, min(n, 200))
    ardea.tracing.flush()
    bsp.force_flush()
    samples: dict[str, list[float]] = {"plain": [], "ardea": [], "otel": []}
    for _ in range(rounds):
        samples["plain"].append(_per_call_s(plain, n))
        samples["ardea"].append(_per_call_s(traced, n))
        ardea.tracing.flush()
        samples["otel"].append(_per_call_s(otel_span, n))
        bsp.force_flush()
    plain_s = statistics.median(samples["plain"])
    out["plain_call_us"] = plain_s * 1e6
    out["overhead_us"] = (statistics.median(samples["ardea"]) - plain_s) * 1e6
    out["otel_span_us"] = (statistics.median(samples["otel"]) - plain_s) * 1e6
    out["overhead_vs_otel"] = out["overhead_us"] / out["otel_span_us"]
    dropped = ardea.tracing.provider.dropped_spans()
    if dropped:
        print(f"  ! Ardea dropped {dropped} spans in the overhead run")
    provider.shutdown()
    ardea.tracing.reset()


# --- (5), (6) corpora built directly through SqlTraceStore.log_spans ----------------------------

SPAN_TYPES_CHILD = ("LLM", "TOOL", "RETRIEVER", "CHAT_MODEL", "PARSER")
ENVS = ("prod", "dev", "staging")
DAY_MS = 86_400_000
CORPUS_DAYS = 30
EPOCH_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z: fixed so the filters are reproducible


def _hex(rng: random.Random, bits: int) -> str:
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


def _trace_spans(rng: random.Random, i: int, n_spans: int) -> tuple[str, list[Any]]:
    """One trace: an AGENT root and ``n_spans - 1`` children; 10% ERROR, 10% with a RERANKER."""
    from ardea.entities import Span

    trace_id = "tr-" + _hex(rng, 128)
    start_ms = EPOCH_MS + rng.randrange(CORPUS_DAYS * DAY_MS)
    duration_ms = rng.randrange(50, 20_000)
    error = i % 10 == 3
    t0 = start_ms * 1_000_000
    root_id = _hex(rng, 64)
    spans = [
        Span(
            trace_id, root_id, None, f"agent-{i % 50}", "AGENT",
            "ERROR" if error else "OK", "boom" if error else "", t0,
            t0 + duration_ms * 1_000_000,
            {"mlflow.spanInputs": {"question": f"q{i}"}, "mlflow.spanOutputs": {"answer": i}},
        )
    ]  # fmt: skip
    step = max(1, duration_ms * 1_000_000 // n_spans)
    for k in range(1, n_spans):
        kind = "RERANKER" if (i % 10 == 7 and k == 1) else SPAN_TYPES_CHILD[k % 5]
        s0 = t0 + k * step
        spans.append(
            Span(
                trace_id, _hex(rng, 64), root_id, f"step-{k}", kind, "OK", "", s0, s0 + step,
                {"mlflow.spanInputs": {"k": k}, "mlflow.spanOutputs": k * 2},
            )
        )  # fmt: skip
    return trace_id, spans


def build_search_corpus(db_path: Path, total_spans: int, spans_per_trace: int) -> dict[str, Any]:
    """Write ``total_spans`` spans (AGENT roots + children) to a fresh SQLite file, fast.

    Spans go through ``SqlTraceStore.log_spans`` in batches of ~10,000; trace tags
    (``env``) are bulk-inserted in one statement (the store has no bulk tag call).
    Returns the experiment id, the build rate and the filter bounds the searches use.
    """
    import ardea.store.sql.traces.tables as t
    from ardea.store.sql.backend import open_sql_backend

    backend = open_sql_backend(f"sqlite:///{db_path}")
    tracking = backend.tracking
    exp = tracking.create_experiment("trace-search-corpus")
    store = backend.traces
    rng = random.Random(42)
    n_traces = max(1, total_spans // spans_per_trace)
    per_batch = max(1, 10_000 // spans_per_trace)
    tag_rows: list[dict[str, str]] = []
    t0 = time.perf_counter()
    for start in range(0, n_traces, per_batch):
        batch: list[Any] = []
        for i in range(start, min(n_traces, start + per_batch)):
            trace_id, spans = _trace_spans(rng, i, spans_per_trace)
            batch.extend(spans)
            tag_rows.append({"trace_id": trace_id, "key": "env", "value": ENVS[i % 3]})
        store.log_spans(exp, batch)
    build_s = time.perf_counter() - t0
    store.database.write(lambda conn: conn.execute(t.trace_tags.insert(), tag_rows))
    backend.close()
    return {
        "experiment_id": exp,
        "traces": n_traces,
        "spans": n_traces * spans_per_trace,
        "build_spans_per_s": n_traces * spans_per_trace / build_s,
    }


def search_filters() -> list[tuple[str, str | None, list[str]]]:
    """(figure key, filter, order_by) of the timed searches over the corpus."""
    lo = EPOCH_MS + 10 * DAY_MS
    hi = EPOCH_MS + 13 * DAY_MS
    return [
        ("search_tag_ms", "tags.env = 'prod'", []),
        ("search_status_ms", "trace.status = 'ERROR'", []),
        ("search_span_type_ms", "span.type = 'RERANKER'", []),
        ("search_time_range_ms", f"trace.timestamp_ms > {lo} AND trace.timestamp_ms < {hi}", []),
        ("search_order_exec_ms", None, ["execution_time_ms DESC"]),
    ]


def build_big_trace(db_path: Path, experiment_id: str, n_spans: int) -> tuple[str, str]:
    """One trace of ``n_spans`` spans: a root, ~100 children, the rest grandchildren.

    Returns (trace id, root span id).
    """
    from ardea.entities import Span
    from ardea.store.sql.backend import open_sql_backend

    backend = open_sql_backend(f"sqlite:///{db_path}")
    store = backend.traces
    rng = random.Random(7)
    trace_id = "tr-" + _hex(rng, 128)
    root_id = _hex(rng, 64)
    t0 = EPOCH_MS * 1_000_000
    end = t0 + n_spans * 1_000_000
    n_children = min(100, max(1, n_spans - 1))
    spans: list[Any] = [Span(trace_id, root_id, None, "big-root", "AGENT", "OK", "", t0, end)]
    children = [_hex(rng, 64) for _ in range(n_children)]
    for k, cid in enumerate(children):
        s0 = t0 + k * 1000
        spans.append(Span(trace_id, cid, root_id, f"child-{k}", "CHAIN", "OK", "", s0, end))
    for k in range(n_spans - 1 - n_children):
        s0 = t0 + 1_000_000 + k * 1000
        parent = children[k % n_children]
        spans.append(
            Span(trace_id, _hex(rng, 64), parent, f"leaf-{k}", "TOOL", "OK", "", s0, s0 + 500,
                 {"mlflow.spanInputs": {"k": k}})
        )  # fmt: skip
    for start in range(0, len(spans), 10_000):
        store.log_spans(experiment_id, spans[start : start + 10_000])
    backend.close()
    return trace_id, root_id


def big_trace_store_timings(
    db_path: Path, trace_id: str, root_id: str, page: int, out: dict[str, float]
) -> None:
    """Store-level reads of the big trace: a page of roots, of the root's children, everything."""
    from ardea.store.sql.backend import open_sql_backend

    backend = open_sql_backend(f"sqlite:///{db_path}")
    store = backend.traces

    def best_ms(fn: Callable[[], Any], repeat: int = 3) -> float:
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
        return best * 1e3

    roots = store.get_spans(trace_id, roots_only=True, max_results=page)
    kids = store.get_spans(trace_id, parent_span_id=root_id, max_results=page)
    if len(roots) != 1 or not kids:
        print(f"  ! big trace: {len(roots)} roots, {len(kids)} children on the first page")
    out["big_roots_page_ms"] = best_ms(
        lambda: store.get_spans(trace_id, roots_only=True, max_results=page)
    )
    out["big_children_page_ms"] = best_ms(
        lambda: store.get_spans(trace_id, parent_span_id=root_id, max_results=page)
    )
    out["big_first_view_ms"] = out["big_roots_page_ms"] + out["big_children_page_ms"]
    out["big_whole_store_ms"] = best_ms(lambda: store.get_trace(trace_id), repeat=1)
    backend.close()


# --- (2) server side only: pre-encoded OTLP requests ---------------------------------------------


def otlp_payloads(n_traces: int, spans_per_trace: int, batch: int = 1000) -> list[bytes]:
    """Gzip'd OTLP/HTTP protobuf bodies of ``n_traces`` traces, ~``batch`` spans per body.

    Made with a private OTel SDK provider and an in-memory exporter (untimed), so posting
    them measures the server's ingest alone, without any client SDK on the same cores.
    """
    import gzip

    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("bench")
    for i in range(n_traces):
        with tracer.start_as_current_span("agent", attributes={"mlflow.spanType": '"AGENT"'}):
            for k in range(spans_per_trace - 1):
                attrs = {"mlflow.spanType": '"TOOL"', "mlflow.spanInputs": f'{{"k": {k}}}'}
                with tracer.start_as_current_span(f"tool-{i}-{k}", attributes=attrs):
                    pass
    spans = memory.get_finished_spans()
    provider.shutdown()
    return [
        gzip.compress(encode_spans(spans[start : start + batch]).SerializeToString())
        for start in range(0, len(spans), batch)
    ]
