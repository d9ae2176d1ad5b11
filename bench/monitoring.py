"""Monitoring at 100k traces: the quality-over-time query and one alert evaluation pass.

Seeds one experiment with N traces over the last 24 hours (5% ERROR, durations 10..2000 ms,
a cost each), one LLM span per trace (4 models), a tag ``variant`` (3 values) and one
``correct`` feedback per trace (80% pass; the distinct values are a handful), written with
bulk inserts straight into the tables. Then times, on the same store code the server runs:

- ``quality_metrics`` over the 24 hours in 60 buckets: ungrouped, by ``model``, by
  ``tag:variant``;
- ``AlertStore.evaluate`` with one rule of each kind (1-hour and 24-hour windows).

Each figure is the median of 3 runs after one warm-up. SQLite always; PostgreSQL when
``--postgres URI`` names an empty database the benchmark may fill (it creates the schema).

    .venv/bin/python bench/monitoring.py [--traces 100000] [--postgres postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.traces import tables as t

DAY_MS = 86_400_000
CHUNK = 5000


def _seed(backend: Backend, n: int) -> str:
    exp = backend.tracking.create_experiment("bench-monitoring")
    number = int(exp)
    now = int(time.time() * 1000)
    rng = random.Random(0)
    db: Any = backend.traces._db  # type: ignore[attr-defined]
    models = ["gpt-a", "gpt-b", "claude-c", "llama-d"]
    for start in range(0, n, CHUNK):
        traces, spans, tags, feedback = [], [], [], []
        for i in range(start, min(n, start + CHUNK)):
            tid = f"tr-{i:032x}"
            request = now - rng.randrange(DAY_MS)
            duration = rng.randint(10, 2000)
            traces.append({
                "trace_id": tid, "experiment_id": number, "request_time": request,
                "execution_duration": duration, "end_time": request + duration,
                "state": "ERROR" if rng.random() < 0.05 else "OK", "span_count": 1,
                "cost": 0.001, "info_finalized": True,
            })  # fmt: skip
            spans.append({
                "trace_id": tid, "span_id": f"{i:016x}", "name": "llm", "span_type": "LLM",
                "status_code": "OK", "start_time_ns": request * 10**6, "end_time_ns": None,
                "attributes": "{}", "events": "[]", "model": models[i % 4],
            })  # fmt: skip
            tags.append({"trace_id": tid, "key": "variant", "value": "abc"[i % 3]})
            feedback.append({
                "assessment_id": f"a-{i:030x}", "trace_id": tid, "name": "correct",
                "kind": "feedback", "value": '"yes"' if rng.random() < 0.8 else '"no"',
                "source_type": "LLM_JUDGE", "source_id": "judge", "create_time": request,
                "last_update_time": request, "valid": True,
            })  # fmt: skip

        def write(conn: Any, rows: tuple[list[Any], ...] = (traces, spans, tags, feedback)) -> None:
            for table, batch in zip(
                (t.traces, t.spans, t.trace_tags, t.assessments), rows, strict=True
            ):
                conn.execute(table.insert(), batch)

        db.write(write)
    if backend.uri.startswith("postgresql"):  # what autovacuum does after a bulk load
        db.write(lambda conn: conn.execute(sa.text("ANALYZE")))
    return exp


def _median(fn: Callable[[], Any], runs: int = 3) -> float:
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def _run(label: str, backend: Backend, n: int) -> None:
    t0 = time.perf_counter()
    exp = _seed(backend, n)
    print(f"{label}: seeded {n} traces in {time.perf_counter() - t0:.1f} s")
    now = int(time.time() * 1000)
    for group_by in ("", "model", "tag:variant"):
        ms = _median(
            lambda g=group_by: backend.traces.quality_metrics(exp, now - DAY_MS, now, 60, g)
        )
        print(
            f"{label}: quality_metrics 24 h / 60 buckets, group_by={group_by or '-'}: {ms:.0f} ms"
        )
    rules = [
        {"kind": "pass_rate_below", "judge": "correct", "threshold": 0.5},
        {"kind": "error_rate_above", "threshold": 0.5},
        {"kind": "latency_p99_above", "threshold": 10_000},
        {"kind": "cost_per_day_above", "threshold": 1000},
    ]
    for window in (3600, 86400):
        for i, fields in enumerate(rules):
            backend.alerts.create_rule(
                exp, {**fields, "name": f"r{window}-{i}", "window_seconds": window}
            )
    ms = _median(lambda: backend.alerts.evaluate())
    print(f"{label}: one evaluation pass, 8 rules (4 kinds x 1 h and 24 h): {ms:.0f} ms")


def main() -> None:
    """Run the benchmark on SQLite (and PostgreSQL when given)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--traces", type=int, default=100_000)
    parser.add_argument("--postgres", default="")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.no_sqlite:
            tmp = ""
        if tmp:
            backend = open_sql_backend(f"sqlite:///{Path(tmp) / 'bench.db'}")
            try:
                _run("sqlite", backend, args.traces)
            finally:
                backend.close()
    if args.postgres:
        backend = open_sql_backend(args.postgres)
        try:
            _run("postgresql", backend, args.traces)
        finally:
            backend.close()


if __name__ == "__main__":
    main()
