"""Parquet export and SQL over traces: write, read back, export from a store, query.

Run as ``.venv/bin/python bench/parquet_traces.py [--quick] [--traces N] [--spans-per-trace S]``
(default 10,000 traces of 10 spans: 100,000 spans). Traces are synthetic and realistic in size
(inputs/outputs, token usage, model, cost on LLM spans, two assessments per trace). Prints:

- ``write``: ``write_traces`` from memory to a local folder (traces/s, spans/s, MB written);
- ``read``: ``read_traces`` rebuilding whole traces (traces/s, spans/s);
- ``export``: ``export_traces`` from a SQLite store (search pages + batch loads + write),
  after seeding the store with the same traces (seeding time printed, not part of the rate);
- ``query``: ``ardea.query_traces`` wall time of a GROUP BY over spans, a join of traces and
  assessments, and a percentile over trace latency (best of 3, each on a fresh connection).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import ardea
from ardea.entities import Span, TokenUsage, Trace, TraceInfo
from ardea.entities.feedback import make_assessment
from ardea.store.resolve import open_backend
from ardea.tracing.parquet import read_traces, write_traces
from ardea.tracing.parquet.export import export_traces


def synth(n: int, per: int, experiment_id: str = "1") -> Iterator[Trace]:
    """``n`` traces of ``per`` spans (a root AGENT span, LLM children)."""
    t0 = 1_760_000_000_000
    for i in range(n):
        trace_id = f"tr-{i:032x}"
        ns = (t0 + i * 10) * 1_000_000
        root = f"{i:08x}00000000"
        spans = [
            Span(trace_id, root, None, "agent", "AGENT", "OK", "", ns, ns + 900_000_000,
                 {"mlflow.spanType": "AGENT", "mlflow.spanInputs": {"question": f"q {i} " * 8},
                  "mlflow.spanOutputs": {"answer": f"a {i} " * 20}})
        ]  # fmt: skip
        for k in range(per - 1):
            spans.append(
                Span(trace_id, f"{i:08x}{k + 1:08x}", root, f"llm-{k % 3}", "LLM", "OK", "",
                     ns + k * 1000, ns + k * 1000 + 50_000_000,
                     {"mlflow.spanType": "LLM", "mlflow.llm.model": f"model-{k % 2}",
                      "mlflow.chat.tokenUsage": {"input_tokens": 100 + k, "output_tokens": 20,
                                                 "total_tokens": 120 + k},
                      "mlflow.llm.cost": {"total_cost": 0.001 * (k + 1)},
                      "mlflow.spanInputs": [{"role": "user", "content": "hello " * 10}],
                      "mlflow.spanOutputs": {"content": "world " * 15}})
            )  # fmt: skip
        assessments = [
            make_assessment(assessment_id=f"a-{i:030x}{j:02x}", trace_id=trace_id,
                            name=name, kind="feedback", value=value, source_type="LLM_JUDGE",
                            source_id="judge", create_time=t0 + i, last_update_time=t0 + i,
                            rationale="because", error=None, metadata={}, span_id=None,
                            overrides=None, valid=True)
            for j, (name, value) in enumerate((("correct", i % 3 != 0), ("score", i % 5)))
        ]  # fmt: skip
        info = TraceInfo(trace_id, experiment_id, t0 + i * 10, 900, "OK", f"q {i}", f"a {i}",
                         None, {"mlflow.trace_schema.version": "3"}, {"env": "bench"},
                         assessments, "agent", f"s{i % 100}", f"u{i % 10}", None, per,
                         TokenUsage(100 * per, 20 * per, 120 * per, 0), 0.01)  # fmt: skip
        yield Trace(info, spans)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 traces of 5 spans")
    parser.add_argument("--traces", type=int, default=10_000)
    parser.add_argument("--spans-per-trace", type=int, default=10)
    parser.add_argument("--no-store", action="store_true", help="skip the store export")
    args = parser.parse_args()
    n, per = (200, 5) if args.quick else (args.traces, args.spans_per_trace)
    spans = n * per
    import pandas  # noqa: F401 - imported before the clock starts (pyarrow imports it)
    import pyarrow.parquet  # noqa: F401

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ds"
        traces = list(synth(n, per))  # built before the clock: the rate is the writer's
        t = time.perf_counter()
        files = write_traces(traces, folder)
        dt = time.perf_counter() - t
        size = sum(Path(f).stat().st_size for f in files) / 1e6
        print(f"write   {n} traces, {spans} spans: {dt:.2f}s = {n / dt:,.0f} traces/s, "
              f"{spans / dt:,.0f} spans/s, {size:.1f} MB")  # fmt: skip

        t = time.perf_counter()
        count = sum(len(tr.spans) for tr in read_traces(folder))
        dt = time.perf_counter() - t
        print(
            f"read    {count} spans: {dt:.2f}s = {n / dt:,.0f} traces/s, {count / dt:,.0f} spans/s"
        )

        queries = {
            "group by model over spans": "SELECT model, count(*), sum(input_tokens), "
            "sum(cost), avg(latency_ms) FROM spans GROUP BY model",
            "traces x assessments": "SELECT a.name, avg(t.latency_ms), count(*) FROM traces t "
            "JOIN assessments a USING (trace_id) WHERE a.value_bool OR a.value_number > 2 "
            "GROUP BY a.name",
            "p95 latency by session": "SELECT session_id, quantile_cont(latency_ms, 0.95) "
            "FROM traces GROUP BY session_id ORDER BY 2 DESC LIMIT 5",
        }
        for label, sql in queries.items():
            best = float("inf")
            for _ in range(3):
                t = time.perf_counter()
                ardea.query_traces(sql, folder)
                best = min(best, time.perf_counter() - t)
            print(f"query   {label}: {best * 1000:.0f} ms")

        if args.no_store:
            return
        backend = open_backend(f"sqlite:///{tmp}/ardea.db")
        try:
            eid = backend.tracking.create_experiment("bench")
            t = time.perf_counter()
            for trace in synth(n, per, eid):
                backend.traces.log_spans(eid, trace.spans)
                backend.traces.start_trace(trace.info)
            print(f"seed    SQLite store: {time.perf_counter() - t:.1f}s (not part of the rate)")
            t = time.perf_counter()
            stats = export_traces(backend.traces, [eid], Path(tmp) / "export")
            dt = time.perf_counter() - t
            print(f"export  from SQLite (count pass + pages of 100): {stats.traces} traces, "
                  f"{stats.spans} spans: {dt:.2f}s = {stats.traces / dt:,.0f} traces/s, "
                  f"{stats.spans / dt:,.0f} spans/s")  # fmt: skip
        finally:
            backend.release()


if __name__ == "__main__":
    sys.exit(main())
