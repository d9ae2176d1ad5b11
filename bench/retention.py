"""Trace retention: delete throughput of the sweep while ingest runs.

Seeds one experiment with N old traces of 10 spans each (bulk inserts straight into the
tables), sets ``max_age_days=7`` on it, then starts a writer thread that logs new traces
(10 spans each, 10 traces per call, through ``TraceStore.log_spans`` as the server does)
and measures:

- the writer's rate alone for 2 s (traces/s);
- the sweep (1,000 traces per transaction): traces deleted per second, and spans per second;
- the writer's rate while the sweep runs, and the longest single ``log_spans`` call then
  (how long a writer waited behind a batch);
- that every trace the writer logged is still there, and no old trace is.

SQLite always; PostgreSQL when ``--postgres URI`` names a database the benchmark may fill (it
creates a schema ``bench_retention`` in it and drops it first).

    .venv/bin/python bench/retention.py [--traces 20000] [--batch-size 1000] [--postgres URI]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ardea.entities import Span
from ardea.entities.retention import RetentionPolicy
from ardea.services.retention import sweep
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.traces import tables as t

DAY_MS = 86_400_000
SPANS = 10
CHUNK = 2000


def _seed(backend: Backend, exp: str, n: int) -> None:
    number = int(exp)
    old = int(time.time() * 1000) - 30 * DAY_MS
    db: Any = backend.traces._db  # type: ignore[attr-defined]
    for start in range(0, n, CHUNK):
        traces, spans = [], []
        for i in range(start, min(n, start + CHUNK)):
            tid = f"tr-{i:032x}"
            request = old + i
            traces.append({
                "trace_id": tid, "experiment_id": number, "request_time": request,
                "execution_duration": 5, "end_time": request + 5, "state": "OK",
                "span_count": SPANS, "info_finalized": True,
            })  # fmt: skip
            for s in range(SPANS):
                spans.append({
                    "trace_id": tid, "span_id": f"{s + 1:016x}", "name": f"s{s}",
                    "parent_span_id": None if s == 0 else f"{1:016x}", "span_type": "LLM",
                    "status_code": "OK", "start_time_ns": request * 10**6,
                    "end_time_ns": request * 10**6 + 5, "attributes": '{"k": "v"}',
                    "events": "[]",
                })  # fmt: skip

        def write(conn: Any, rows: tuple[list[Any], ...] = (traces, spans)) -> None:
            conn.execute(t.traces.insert(), rows[0])
            conn.execute(t.spans.insert(), rows[1])

        db.write(write)
    if backend.uri.startswith("postgresql"):
        db.write(lambda conn: conn.execute(sa.text("ANALYZE")))


class Writer(threading.Thread):
    """Logs traces of 10 spans, 10 per call, until stopped; records each call's time."""

    def __init__(self, backend: Backend, exp: str) -> None:
        super().__init__(daemon=True)
        self.backend, self.exp = backend, exp
        self.ids: list[str] = []
        self.calls: list[tuple[float, float]] = []  # (end time, duration)
        self.stop = threading.Event()
        self.n = 0

    def run(self) -> None:
        while not self.stop.is_set():
            spans, ids = [], []
            now_ns = time.time_ns()
            for _ in range(10):
                self.n += 1
                tid = f"tr-f{self.n:031x}"
                ids.append(tid)
                for s in range(SPANS):
                    parent = None if s == 0 else f"{1:016x}"
                    spans.append(
                        Span(tid, f"{s + 1:016x}", parent, f"s{s}", start_time_ns=now_ns,
                             end_time_ns=now_ns + 5)
                    )  # fmt: skip
            t0 = time.perf_counter()
            self.backend.traces.log_spans(self.exp, spans)
            done = time.perf_counter()
            self.calls.append((done, done - t0))
            self.ids.extend(ids)

    def rate(self, start: float, end: float) -> tuple[float, float]:
        """Traces/s logged in ``[start, end]``, and the longest call then (ms)."""
        inside = [d for at, d in self.calls if start <= at <= end]
        return len(inside) * 10 / (end - start), max(inside, default=0) * 1000


def _count(backend: Backend, exp: str, prefix: str) -> int:
    tr = t.traces.c
    query = sa.select(sa.func.count()).where(
        tr.experiment_id == int(exp), tr.trace_id.like(prefix + "%")
    )
    db: Any = backend.traces._db  # type: ignore[attr-defined]
    return int(db.read(lambda conn: conn.execute(query).scalar_one()))


def _run(label: str, backend: Backend, n: int, batch: int) -> None:
    exp = backend.tracking.create_experiment("bench-retention")
    t0 = time.perf_counter()
    _seed(backend, exp, n)
    print(f"{label}: seeded {n} traces x {SPANS} spans in {time.perf_counter() - t0:.1f} s")
    backend.retention.set_experiment_retention(exp, RetentionPolicy(max_age_days=7))
    writer = Writer(backend, exp)
    writer.start()
    time.sleep(2.0)
    alone_end = time.perf_counter()
    alone, alone_max = writer.rate(alone_end - 2.0, alone_end)
    s0 = time.perf_counter()
    result = sweep(backend, batch_size=batch)
    s1 = time.perf_counter()
    writer.stop.set()
    writer.join()
    during, during_max = writer.rate(s0, s1)
    deleted = result.total_deleted
    took = s1 - s0
    print(
        f"{label}: sweep (batch {batch}) deleted {deleted} traces in {took:.2f} s: "
        f"{deleted / took:,.0f} traces/s ({deleted * SPANS / took:,.0f} spans/s)"
    )
    print(
        f"{label}: ingest alone {alone:,.0f} traces/s (longest call {alone_max:.0f} ms); "
        f"during the sweep {during:,.0f} traces/s (longest call {during_max:.0f} ms)"
    )
    kept = _count(backend, exp, "tr-f")
    old_left = _count(backend, exp, "tr-0")
    print(f"{label}: ingested {len(writer.ids)} traces, {kept} kept; old traces left: {old_left}")
    assert kept == len(writer.ids) and old_left == 0 and deleted == n


def main() -> None:
    """Run the benchmark (see the module doc)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--traces", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--postgres", default=None, metavar="URI")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        backend = open_sql_backend(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            _run("sqlite", backend, args.traces, args.batch_size)
        finally:
            backend.close()
    if args.postgres:
        engine = sa.create_engine(args.postgres.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS bench_retention CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA bench_retention"))
        engine.dispose()
        sep = "&" if "?" in args.postgres else "?"
        backend = open_sql_backend(f"{args.postgres}{sep}options=-csearch_path%3Dbench_retention")
        try:
            _run("postgresql", backend, args.traces, args.batch_size)
        finally:
            backend.close()


if __name__ == "__main__":
    main()
