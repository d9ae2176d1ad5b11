"""Fill a migrated Ardea database with runs, metric points, traces and model versions, fast.

::

    .venv/bin/python bench/seed.py postgresql+psycopg://ardea:ardea@127.0.0.1:5432/ardea_seed \\
        --scale 0.01            # 1% of the full size below
    .venv/bin/python bench/seed.py sqlite:////tmp/seed/ardea.db --scale 0.001
    .venv/bin/python bench/seed.py postgresql://ardea:ardea@127.0.0.1:5432/mlflow_seed \\
        --scale 0.01 --schema mlflow  # MLflow 3.17.2's tables, same data (bench/scale_data.py)

Full size (``--scale 1``): 1,000,000 runs with 100,000,000 metric points, 1,000,000 traces
with 10,000,000 spans, 100,000 registered model versions (each count can be set on its own).

The database is migrated to head first (Ardea's own Alembic revisions), and must hold no runs,
traces or models yet. On PostgreSQL the rows stream through ``COPY ... FROM STDIN`` (psycopg
3, nothing held in memory but one row), into tables whose indexes, primary keys and foreign
keys were dropped first and are rebuilt afterwards from the exact definitions the migration
created (read back from ``pg_catalog``), then ``ANALYZE``: the end state is the migrated
schema (``tests/bench/test_seed.py`` diffs it as the migration test does). On SQLite rows go
through ``executemany`` into the indexed tables.

``--schema mlflow`` (PostgreSQL only) creates MLflow 3.17.2's schema with ``mlflow db upgrade``
from ``bench/.venv-mlflow`` instead, and loads the same logical rows (same ids, names and
values) into its tables the same way (:data:`MLFLOW`), so the same requests hit both servers.

Shapes (deterministic, so a benchmark can name its targets, see :class:`Plan`):

- experiments of varied sizes: one in five runs (and traces) lands in experiment 1, the rest
  spread over the others (about one experiment per 2,000 runs);
- per run 5 params, 4 tags, 4 metric keys with consecutive steps; the first runs
  (``heavy_runs``) carry a single ``loss`` history of up to 100,000 points;
- per trace 10 spans (a root ``CHAIN``, ``LLM``, ``RETRIEVER`` and ``TOOL`` children) with
  token usage and cost, 2 tags, 2 metadata entries, an assessment on one trace in ten;
- registered models of 1,000 versions each (one tag per version, a ``champion`` alias).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["FULL", "MLFLOW", "Plan", "main", "mlflow_upgrade", "run_id", "seed", "trace_id"]

FULL = {
    "runs": 1_000_000,
    "metric_points": 100_000_000,
    "traces": 1_000_000,
    "spans": 10_000_000,
    "model_versions": 100_000,
}
"""Counts at ``--scale 1`` (issue 19, item 3)."""

BASE_MS = 1_780_000_000_000
"""Start time of run 0 and request time of trace 0 (epoch ms); later ones come after."""

METRIC_KEYS = ("loss", "acc", "val_loss", "val_acc")
PARAM_KEYS = ("lr", "batch_size", "optimizer", "model", "seed")
HEAVY_KEY = "loss"
HEAVY_POINTS = 100_000
VERSIONS_PER_MODEL = 1_000
_MASK128 = (1 << 128) - 1
_MASK64 = (1 << 64) - 1


def run_id(i: int) -> str:
    """The id of run ``i``: 32 hex digits, a bijective scramble of ``i`` (B-tree-realistic)."""
    return f"{(i * 0x9E3779B97F4A7C15F39CC0605CEDC835 + 1) & _MASK128:032x}"


def trace_id(i: int) -> str:
    """The id of trace ``i`` (``tr-`` + 32 hex digits, as MLflow's)."""
    return f"tr-{(i * 0xD6E8FEB86659FD93C2B2AE3D27D4EB4F + 7) & _MASK128:032x}"


def _span_id(trace: int, j: int) -> str:
    return f"{((trace * 16 + j) * 0x9E3779B97F4A7C15 + 3) & _MASK64:016x}"


@dataclass(frozen=True)
class Plan:
    """How many of each, and where they go."""

    runs: int
    metric_points: int
    traces: int
    spans: int
    model_versions: int

    @classmethod
    def scaled(cls, scale: float, **overrides: int | None) -> Plan:
        """The full size times ``scale`` (at least one of each), with explicit counts kept."""
        counts = {k: max(1, round(v * scale)) for k, v in FULL.items()}
        counts.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**counts)

    @property
    def experiments(self) -> int:
        """Number of experiments (ids 1..n): about one per 2,000 runs, at least 2."""
        return max(2, self.runs // 2_000, self.traces // 2_000)

    def experiment_of(self, i: int) -> int:
        """Experiment of run (or trace) ``i``: one in five in experiment 1, the rest spread."""
        return 1 if i % 5 == 0 else 2 + (i % (self.experiments - 1))

    @property
    def heavy_points(self) -> int:
        """Points in the ``loss`` history of each heavy run."""
        return min(HEAVY_POINTS, max(1, self.metric_points // 10))

    @property
    def heavy_runs(self) -> int:
        """Runs 0..heavy_runs-1 carry one long ``loss`` history each (at most 10)."""
        return max(1, min(10, self.metric_points // 10 // self.heavy_points, self.runs))

    @property
    def points_per_run(self) -> int:
        """Points of an ordinary run, over its 4 metric keys (the keys differ by at most 1)."""
        rest = self.metric_points - self.heavy_runs * self.heavy_points
        return max(0, rest // max(1, self.runs - self.heavy_runs))

    @property
    def spans_per_trace(self) -> int:
        """Spans per trace (10 at every scale unless the counts say otherwise)."""
        return max(1, self.spans // self.traces)

    @property
    def models(self) -> int:
        """Registered models (``model-0000`` ...), 1,000 versions each (the last one fewer)."""
        return -(-self.model_versions // VERSIONS_PER_MODEL)

    def series(self, i: int) -> list[tuple[str, int]]:
        """The (key, points) metric series of run ``i``, in series-id order."""
        if i < self.heavy_runs:
            return [(HEAVY_KEY, self.heavy_points)]
        p, n = self.points_per_run, len(METRIC_KEYS)
        return [(k, (p + n - 1 - j) // n) for j, k in enumerate(METRIC_KEYS) if p + n - 1 - j >= n]

    def totals(self) -> dict[str, int]:
        """Rows per table this plan writes."""
        ordinary = min(len(METRIC_KEYS), self.points_per_run)
        series = self.heavy_runs + (self.runs - self.heavy_runs) * ordinary
        points = self.heavy_runs * self.heavy_points
        points += (self.runs - self.heavy_runs) * self.points_per_run
        return {
            "experiments": self.experiments,
            "runs": self.runs,
            "params": self.runs * len(PARAM_KEYS),
            "run_tags": self.runs * 4,
            "metric_series": series,
            "metrics": points,
            "latest_metrics": series,
            "traces": self.traces,
            "spans": self.traces * self.spans_per_trace,
            "model_versions": self.model_versions,
        }


# --- rows --------------------------------------------------------------------------------------
# Each generator yields tuples in the column order of COLUMNS[table].

COLUMNS: dict[str, tuple[str, ...]] = {
    "experiments": (
        "experiment_id", "name", "artifact_location", "lifecycle_stage", "creation_time",
        "last_update_time",
    ),
    "experiment_tags": ("experiment_id", "key", "value"),
    "runs": (
        "run_id", "experiment_id", "run_name", "user_id", "status", "start_time", "end_time",
        "deleted_time", "artifact_uri", "lifecycle_stage",
    ),
    "params": ("run_id", "key", "value"),
    "run_tags": ("run_id", "key", "value"),
    "metric_series": ("series_id", "run_id", "key"),
    "metrics": ("series_id", "step", "timestamp", "value", "is_nan"),
    "latest_metrics": ("run_id", "key", "value", "timestamp", "step", "is_nan"),
    "traces": (
        "trace_id", "experiment_id", "request_time", "execution_duration", "end_time", "state",
        "name", "session_id", "user_id", "run_id", "client_request_id", "request_preview",
        "response_preview", "span_count", "input_tokens", "output_tokens", "total_tokens",
        "cost", "root_span_id", "info_finalized",
    ),
    "trace_tags": ("trace_id", "key", "value"),
    "trace_metadata": ("trace_id", "key", "value"),
    "spans": (
        "trace_id", "span_id", "parent_span_id", "name", "span_type", "status_code",
        "status_message", "start_time_ns", "end_time_ns", "attributes", "events",
        "input_tokens", "output_tokens", "cost", "model", "kind", "links",
    ),
    "assessments": (
        "assessment_id", "trace_id", "span_id", "name", "kind", "value", "source_type",
        "source_id", "create_time", "last_update_time", "rationale", "error", "metadata",
        "overrides", "valid",
    ),
    "registered_models": (
        "name", "creation_timestamp", "last_updated_timestamp", "description", "user_id",
    ),
    "registered_model_tags": ("name", "key", "value"),
    "model_versions": (
        "name", "version", "creation_timestamp", "last_updated_timestamp", "current_stage",
        "source", "storage_location", "run_id", "model_id", "description", "user_id",
        "run_link", "status", "status_message",
    ),
    "model_version_tags": ("name", "version", "key", "value"),
    "registered_model_aliases": ("name", "alias", "version"),
}  # fmt: skip
"""Columns each table is loaded with (the rest keep their server default: ``workspace``)."""

TABLES = tuple(COLUMNS)
"""Load order (parents first)."""

_STATUSES = ("FINISHED",) * 17 + ("FAILED", "RUNNING", "KILLED")
_OPTIMIZERS = ("adam", "sgd", "adamw", "rmsprop")
_MODELS = ("resnet50", "bert-base", "xgboost", "gpt-mini", "linear")
_TEAMS = ("search", "ads", "vision", "nlp", "infra")
_TRACE_NAMES = ("chat", "agent", "rag", "summarize")
_CHILD_TYPES = ("LLM", "RETRIEVER", "TOOL", "LLM", "PARSER")


def _experiments(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for e in range(1, plan.experiments + 1):
        t = BASE_MS - 86_400_000 + e
        yield (e, f"seed-exp-{e:05d}", f"mlflow-artifacts:/{e}", "active", t, t)


def _experiment_tags(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for e in range(1, plan.experiments + 1):
        yield (e, "team", _TEAMS[e % len(_TEAMS)])


def _runs(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for i in range(plan.runs):
        rid, exp, start = run_id(i), plan.experiment_of(i), BASE_MS + i * 1_000
        status = _STATUSES[i % len(_STATUSES)]
        deleted = i % 100 == 99
        yield (
            rid, exp, f"run-{i}", f"user{i % 50}", status, start,
            None if status == "RUNNING" else start + 900 + i % 600,
            start + 5_000 if deleted else None,
            f"mlflow-artifacts:/{exp}/{rid}/artifacts", "deleted" if deleted else "active",
        )  # fmt: skip


def _params(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for i in range(plan.runs):
        rid = run_id(i)
        yield (rid, "lr", f"{(i % 10 + 1) / 1000:g}")
        yield (rid, "batch_size", str(2 ** (4 + i % 5)))
        yield (rid, "optimizer", _OPTIMIZERS[i % 4])
        yield (rid, "model", _MODELS[i % 5])
        yield (rid, "seed", str(i))


def _run_tags(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for i in range(plan.runs):
        rid = run_id(i)
        yield (rid, "mlflow.runName", f"run-{i}")
        yield (rid, "mlflow.user", f"user{i % 50}")
        yield (rid, "mlflow.source.type", "LOCAL")
        yield (rid, "team", _TEAMS[i % len(_TEAMS)])


def _value(key: str, i: int, step: int) -> float:
    quality = (i % 997) / 997  # per-run level, so metric filters select a fraction of runs
    if key in ("acc", "val_acc"):
        return round(quality * (1 - 1 / (2 + step)), 6)
    return round((1 - quality) / (1 + step * 0.01) + 0.01, 6)


def _each_series(plan: Plan) -> Iterator[tuple[int, int, str, int]]:
    """(series_id, run index, key, points) for every series, ids from 1."""
    sid = 0
    for i in range(plan.runs):
        for key, points in plan.series(i):
            sid += 1
            yield sid, i, key, points


def _metric_series(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for sid, i, key, _ in _each_series(plan):
        yield (sid, run_id(i), key)


def _metrics(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for sid, i, key, points in _each_series(plan):
        start = BASE_MS + i * 1_000
        for step in range(points):
            yield (sid, step, start + step * 10, _value(key, i, step), False)


def _latest_metrics(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for _, i, key, points in _each_series(plan):
        step = points - 1
        yield (run_id(i), key, _value(key, i, step), BASE_MS + i * 1_000 + step * 10, step, False)


def _trace_time(i: int) -> int:
    return BASE_MS + i * 100


def _traces(plan: Plan) -> Iterator[tuple[Any, ...]]:
    n = plan.spans_per_trace
    for i in range(plan.traces):
        start, duration = _trace_time(i), 200 + i % 1_800
        tin, tout = 100 + i % 900, 20 + i % 300
        linked = run_id(i % plan.runs) if i % 10 == 0 else None
        yield (
            trace_id(i), plan.experiment_of(i), start, duration, start + duration,
            "ERROR" if i % 20 == 19 else "OK", _TRACE_NAMES[i % 4], f"session-{i // 5}",
            f"user{i % 100}", linked, None, f'{{"question": "q{i}"}}', f'"answer {i}"', n,
            tin * (n // 3 or 1), tout * (n // 3 or 1), (tin + tout) * (n // 3 or 1),
            round((tin + tout) * (n // 3 or 1) * 2e-6, 6), _span_id(i, 0), True,
        )  # fmt: skip


def _trace_tags(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for i in range(plan.traces):
        tid = trace_id(i)
        yield (tid, "env", "prod" if i % 4 else "staging")
        yield (tid, "version", f"v{i % 5}")


def _trace_metadata(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for i in range(plan.traces):
        tid = trace_id(i)
        yield (tid, "mlflow.trace_schema.version", "3")
        yield (tid, "mlflow.trace.user", f"user{i % 100}")


def _spans(plan: Plan) -> Iterator[tuple[Any, ...]]:
    n = plan.spans_per_trace
    for i in range(plan.traces):
        tid, root = trace_id(i), _span_id(i, 0)
        t0 = _trace_time(i) * 1_000_000
        err = i % 20 == 19
        yield (
            tid, root, None, _TRACE_NAMES[i % 4], "CHAIN", "ERROR" if err else "OK",
            "tool failed" if err else None, t0, t0 + (200 + i % 1_800) * 1_000_000,
            f'{{"mlflow.spanInputs": "{{\\"question\\": \\"q{i}\\"}}", '
            f'"mlflow.spanOutputs": "\\"answer {i}\\"", "mlflow.spanType": "\\"CHAIN\\""}}',
            "[]", None, None, None, None, None, None,
        )  # fmt: skip
        for j in range(1, n):
            kind = _CHILD_TYPES[j % len(_CHILD_TYPES)]
            llm = kind == "LLM"
            tin, tout = (100 + i % 900, 20 + i % 300) if llm else (None, None)
            start = t0 + j * 10_000_000
            attrs = (
                f'{{"mlflow.spanType": "\\"{kind}\\"", "mlflow.spanInputs": "\\"input {j}\\"", '
                f'"mlflow.spanOutputs": "\\"output {j}\\""'
                + (
                    f', "mlflow.chat.tokenUsage": "{{\\"input_tokens\\": {tin}, '
                    f'\\"output_tokens\\": {tout}}}", "mlflow.llm.model": "\\"gpt-4o-mini\\""}}'
                    if llm
                    else "}"
                )
            )
            yield (
                tid, _span_id(i, j), root, f"{kind.lower()}-{j}", kind, "OK", None, start,
                start + 8_000_000, attrs, "[]", tin, tout,
                round((tin + tout) * 2e-6, 6) if llm and tin and tout else None,
                "gpt-4o-mini" if llm else None, "CLIENT" if llm else None, None,
            )  # fmt: skip


def _assessments(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for i in range(0, plan.traces, 10):
        t = _trace_time(i) + 5_000
        yield (
            f"a-{i:032x}", trace_id(i), None, "correctness", "feedback",
            "true" if i % 30 else "false", "LLM_JUDGE", "gpt-4o-mini", t, t,
            "looks right", None, None, None, True,
        )  # fmt: skip


def _model_name(m: int) -> str:
    return f"model-{m:04d}"


def _versions(plan: Plan) -> Iterator[tuple[str, int, int]]:
    for k in range(plan.model_versions):
        yield _model_name(k // VERSIONS_PER_MODEL), k % VERSIONS_PER_MODEL + 1, k


def _registered_models(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for m in range(plan.models):
        t = BASE_MS + m
        yield (_model_name(m), t, t, f"seeded model {m}", f"user{m % 50}")


def _registered_model_tags(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for m in range(plan.models):
        yield (_model_name(m), "team", _TEAMS[m % len(_TEAMS)])


def _model_versions(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for name, version, k in _versions(plan):
        t = BASE_MS + k * 1_000
        rid = run_id(k % plan.runs)
        stage = "Production" if version % 100 == 0 else "Archived" if version % 50 == 0 else "None"
        yield (
            name, version, t, t, stage, f"runs:/{rid}/model", f"mlflow-artifacts:/1/{rid}/model",
            rid, None, None, f"user{k % 50}", None, "READY", None,
        )  # fmt: skip


def _model_version_tags(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for name, version, _ in _versions(plan):
        yield (name, version, "validated", "true" if version % 3 else "false")


def _aliases(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for m in range(plan.models):
        last = min(VERSIONS_PER_MODEL, plan.model_versions - m * VERSIONS_PER_MODEL)
        yield (_model_name(m), "champion", last)


ROWS: dict[str, Callable[[Plan], Iterator[tuple[Any, ...]]]] = {
    "experiments": _experiments,
    "experiment_tags": _experiment_tags,
    "runs": _runs,
    "params": _params,
    "run_tags": _run_tags,
    "metric_series": _metric_series,
    "metrics": _metrics,
    "latest_metrics": _latest_metrics,
    "traces": _traces,
    "trace_tags": _trace_tags,
    "trace_metadata": _trace_metadata,
    "spans": _spans,
    "assessments": _assessments,
    "registered_models": _registered_models,
    "registered_model_tags": _registered_model_tags,
    "model_versions": _model_versions,
    "model_version_tags": _model_version_tags,
    "registered_model_aliases": _aliases,
}


# --- progress ----------------------------------------------------------------------------------


class _Progress:
    """Counts rows and prints rows/s every few seconds."""

    def __init__(self, table: str, out: Callable[[str], None]) -> None:
        self.table, self.out, self.rows = table, out, 0
        self.t0 = self.last = time.perf_counter()

    def tick(self, rows: int) -> None:
        self.rows += rows
        now = time.perf_counter()
        if now - self.last >= 10:
            self.last = now
            self.out(f"  {self.table}: {self.rows:,} rows, {self.rows / (now - self.t0):,.0f}/s")

    def done(self) -> float:
        took = time.perf_counter() - self.t0
        rate = self.rows / took if took else 0.0
        self.out(f"  {self.table}: {self.rows:,} rows in {took:.1f} s ({rate:,.0f}/s)")
        return took


# --- PostgreSQL --------------------------------------------------------------------------------

_DEFS_SQL = """
SELECT c.conname, c.conrelid::regclass::text, c.contype, pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE c.contype IN ('p', 'u', 'f')
  AND (c.conrelid::regclass::text = ANY(%(t)s) OR c.confrelid::regclass::text = ANY(%(t)s))
"""
_INDEX_SQL = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid::regclass::text = ANY(%(t)s)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""


@dataclass
class _Ddl:
    keys: list[tuple[str, str, str]]  # (table, name, definition): primary and unique keys
    foreign: list[tuple[str, str, str]]
    indexes: list[tuple[str, str]]  # (name, CREATE INDEX ...)


def _pg_ddl(cur: Any, tables: Sequence[str]) -> _Ddl:
    cur.execute(_DEFS_SQL, {"t": list(tables)})
    keys, foreign = [], []
    for name, table, kind, definition in cur.fetchall():
        (foreign if kind == "f" else keys).append((table, name, definition))
    cur.execute(_INDEX_SQL, {"t": list(tables)})
    return _Ddl(keys, foreign, list(cur.fetchall()))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_drop(cur: Any, ddl: _Ddl) -> None:
    for table, name, _ in ddl.foreign:
        cur.execute(f"ALTER TABLE {_q(table)} DROP CONSTRAINT {_q(name)}")
    for name, _ in ddl.indexes:
        cur.execute(f"DROP INDEX {_q(name)}")
    for table, name, _ in ddl.keys:
        cur.execute(f"ALTER TABLE {_q(table)} DROP CONSTRAINT {_q(name)}")


def _pg_rebuild(cur: Any, ddl: _Ddl, out: Callable[[str], None]) -> None:
    steps = [
        *(
            (f"{name} ({table})", f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {d}")
            for table, name, d in ddl.keys
        ),
        *ddl.indexes,
        *(
            (f"{name} ({table})", f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {d}")
            for table, name, d in ddl.foreign
        ),
    ]
    for label, sql in steps:
        t0 = time.perf_counter()
        cur.execute(sql)
        out(f"  rebuilt {label} in {time.perf_counter() - t0:.1f} s")


def _pg_copy(
    cur: Any, table: str, cols: Sequence[str], rows: Iterable[tuple[Any, ...]], progress: _Progress
) -> None:
    names = ", ".join(_q(c) for c in cols)
    with cur.copy(f"COPY {_q(table)} ({names}) FROM STDIN") as copy:
        n = 0
        for row in rows:
            copy.write_row(row)
            n += 1
            if n == 100_000:
                progress.tick(n)
                n = 0
        progress.tick(n)


@dataclass(frozen=True)
class _Schema:
    """What to load: columns and rows per table (in load order), the tables that must be
    empty first, and the serial columns to move past the loaded ids."""

    columns: dict[str, tuple[str, ...]]
    rows: dict[str, Callable[[Plan], Iterator[tuple[Any, ...]]]]
    must_be_empty: tuple[str, ...]
    serials: tuple[tuple[str, str], ...]


ARDEA = _Schema(
    COLUMNS, ROWS, ("runs", "traces", "model_versions", "experiments"),
    (("experiments", "experiment_id"), ("metric_series", "series_id")),
)  # fmt: skip


def _seed_postgres(
    url: str, plan: Plan, out: Callable[[str], None], schema: _Schema = ARDEA
) -> dict[str, float]:
    import psycopg

    timings: dict[str, float] = {}
    tables = tuple(schema.columns)
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        _check_empty(cur.execute, lambda: cur.fetchone()[0], schema.must_be_empty)
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET synchronous_commit = off")
        ddl = _pg_ddl(cur, tables)
        with conn.transaction():
            _pg_drop(cur, ddl)
        for table in tables:
            progress = _Progress(table, out)
            with conn.transaction():
                _pg_copy(cur, table, schema.columns[table], schema.rows[table](plan), progress)
            timings[table] = progress.done()
        t0 = time.perf_counter()
        _pg_rebuild(cur, ddl, out)
        timings["rebuild indexes and keys"] = time.perf_counter() - t0
        for table, column in schema.serials:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"(SELECT max({column}) FROM {table}))"
            )
        t0 = time.perf_counter()
        cur.execute("ANALYZE")
        timings["analyze"] = time.perf_counter() - t0
    return timings


def _check_empty(
    execute: Callable[[str], Any],
    fetch: Callable[[], Any],
    tables: Sequence[str] = ARDEA.must_be_empty,
) -> None:
    for table in tables:
        where = " WHERE experiment_id <> 0" if table == "experiments" else ""
        execute(f"SELECT count(*) FROM (SELECT 1 FROM {table}{where} LIMIT 1) x")
        if fetch():
            raise SystemExit(f"the database already holds {table}: seed an empty one")


# --- MLflow's schema (3.17.2) -------------------------------------------------------------------
# The same logical rows, renamed and reshaped into the tables ``mlflow db upgrade`` creates (the
# columns were read from that schema), so the same requests hit both servers.

MLFLOW_VERSION = "3.17.2"
MLFLOW_VENV = Path(__file__).resolve().parent / ".venv-mlflow"


def _pick(
    source: Callable[[Plan], Iterator[tuple[Any, ...]]], idx: Sequence[int], *extra: Any
) -> Callable[[Plan], Iterator[tuple[Any, ...]]]:
    """Rows of ``source`` reduced to the columns at ``idx``, plus constant ``extra`` columns."""

    def rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
        for row in source(plan):
            yield (*(row[i] for i in idx), *extra)

    return rows


def _ml_metrics(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for _, i, key, points in _each_series(plan):
        rid, start = run_id(i), BASE_MS + i * 1_000
        for step in range(points):
            yield (rid, key, step, start + step * 10, _value(key, i, step), False)


def _ml_traces(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for r in _traces(plan):  # request_id, experiment, time, duration, status, name, session, ...
        yield (*r[:4], r[5], r[6], r[7], *r[10:13], r[14], r[15], r[16], r[17])


def _ml_trace_tags(plan: Plan) -> Iterator[tuple[Any, ...]]:
    tags = _trace_tags(plan)
    for i in range(plan.traces):
        yield next(tags)
        yield next(tags)
        yield (trace_id(i), "mlflow.traceName", _TRACE_NAMES[i % 4])
        yield (trace_id(i), "mlflow.trace.spansLocation", "TRACKING_STORE")


def _ml_trace_metadata(plan: Plan) -> Iterator[tuple[Any, ...]]:
    meta = _trace_metadata(plan)
    for i in range(plan.traces):
        yield next(meta)
        yield next(meta)
        if i % 10 == 0:  # the run link Ardea keeps in traces.run_id
            yield (trace_id(i), "mlflow.sourceRun", run_id(i % plan.runs))


def _ml_spans(plan: Plan) -> Iterator[tuple[Any, ...]]:
    n = plan.spans_per_trace
    for k, s in enumerate(_spans(plan)):
        tid, sid, parent, name, kind, status, message, t0, t1, attrs = s[:10]
        content = json.dumps({
            "trace_id": tid, "span_id": sid, "parent_span_id": parent, "name": name,
            "start_time_unix_nano": t0, "end_time_unix_nano": t1,
            "attributes": json.loads(attrs), "events": [],
            "status": {"code": f"STATUS_CODE_{status}", "message": message or ""},
        }, separators=(",", ":"))  # fmt: skip
        yield (
            tid, plan.experiment_of(k // n), sid, parent, name, kind, status, t0, t1, content,
            s[13], s[14],
        )  # fmt: skip


def _ml_assessments(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for a in _assessments(plan):
        i = int(a[0][2:], 16)
        yield (
            a[0], a[1], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[14],
            plan.experiment_of(i), _trace_time(i),
        )  # fmt: skip


MLFLOW = _Schema(
    columns={
        "experiments": COLUMNS["experiments"],
        "experiment_tags": COLUMNS["experiment_tags"],
        "runs": (
            "run_uuid", "experiment_id", "name", "user_id", "status", "start_time", "end_time",
            "deleted_time", "artifact_uri", "lifecycle_stage", "source_type", "source_name",
            "entry_point_name", "source_version",
        ),
        "params": ("run_uuid", "key", "value"),
        "tags": ("run_uuid", "key", "value"),
        "metrics": ("run_uuid", "key", "step", "timestamp", "value", "is_nan"),
        "latest_metrics": ("run_uuid", "key", "value", "timestamp", "step", "is_nan"),
        "trace_info": (
            "request_id", "experiment_id", "timestamp_ms", "execution_time_ms", "status",
            "trace_name", "session_id", "client_request_id", "request_preview",
            "response_preview", "input_tokens", "output_tokens", "total_tokens", "total_cost",
        ),
        "trace_tags": ("request_id", "key", "value"),
        "trace_request_metadata": ("request_id", "key", "value"),
        "spans": (
            "trace_id", "experiment_id", "span_id", "parent_span_id", "name", "type", "status",
            "start_time_unix_nano", "end_time_unix_nano", "content",
            "total_cost", "model_name",
        ),
        "assessments": (
            "assessment_id", "trace_id", "name", "assessment_type", "value", "source_type",
            "source_id", "created_timestamp", "last_updated_timestamp", "rationale", "valid",
            "experiment_id", "trace_timestamp_ms",
        ),
        "registered_models": (
            "name", "creation_time", "last_updated_time", "description",
        ),
        "registered_model_tags": COLUMNS["registered_model_tags"],
        "model_versions": (
            "name", "version", "creation_time", "last_updated_time", "current_stage", "source",
            "storage_location", "run_id", "description", "user_id", "run_link", "status",
            "status_message",
        ),
        "model_version_tags": COLUMNS["model_version_tags"],
        "registered_model_aliases": COLUMNS["registered_model_aliases"],
    },
    rows={
        "experiments": _experiments,
        "experiment_tags": _experiment_tags,
        "runs": _pick(_runs, range(10), "LOCAL", "", "", ""),
        "params": _params,
        "tags": _run_tags,
        "metrics": _ml_metrics,
        "latest_metrics": _latest_metrics,
        "trace_info": _ml_traces,
        "trace_tags": _ml_trace_tags,
        "trace_request_metadata": _ml_trace_metadata,
        "spans": _ml_spans,
        "assessments": _ml_assessments,
        "registered_models": _pick(_registered_models, range(4)),
        "registered_model_tags": _registered_model_tags,
        "model_versions": _pick(_model_versions, (0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13)),
        "model_version_tags": _model_version_tags,
        "registered_model_aliases": _aliases,
    },
    must_be_empty=("runs", "trace_info", "model_versions", "experiments"),
    serials=(("experiments", "experiment_id"),),
)  # fmt: skip
"""MLflow 3.17.2's tables, loaded with the rows :data:`ROWS` gives Ardea's."""


def mlflow_upgrade(url: str) -> None:
    """Create MLflow's schema at ``url`` (``postgresql://``) with its own ``mlflow db upgrade``.

    Uses ``bench/.venv-mlflow`` (``bench/tracking.py`` creates it), adding ``psycopg`` to it
    when missing (SQLAlchemy's default driver for ``postgresql://`` there).
    """
    py, exe = MLFLOW_VENV / "bin" / "python", MLFLOW_VENV / "bin" / "mlflow"
    if not exe.exists():
        raise SystemExit(f"no {exe}: run bench/tracking.py once (it installs mlflow there)")
    if subprocess.run([str(py), "-c", "import psycopg"], capture_output=True).returncode:
        uv = shutil.which("uv")
        cmd = [uv] if uv else [sys.executable, "-m", "uv"]
        subprocess.run([*cmd, "pip", "install", "-q", "-p", str(py), "psycopg[binary]"],
                       check=True)  # fmt: skip
    done = subprocess.run([str(exe), "db", "upgrade", url], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"mlflow db upgrade failed:\n{done.stderr[-2000:]}")


# --- SQLite ------------------------------------------------------------------------------------


def _chunks(rows: Iterable[tuple[Any, ...]], size: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _seed_sqlite(path: str, plan: Plan, out: Callable[[str], None]) -> dict[str, float]:
    timings: dict[str, float] = {}
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        cur = conn.cursor()
        _check_empty(cur.execute, lambda: cur.fetchone()[0])
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        for table in TABLES:
            cols = COLUMNS[table]
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            progress = _Progress(table, out)
            conn.execute("BEGIN")
            for batch in _chunks(ROWS[table](plan)):
                conn.executemany(sql, batch)
                progress.tick(len(batch))
            conn.execute("COMMIT")
            timings[table] = progress.done()
        t0 = time.perf_counter()
        conn.execute("ANALYZE")
        timings["analyze"] = time.perf_counter() - t0
    finally:
        conn.close()
    return timings


# --- entry points ------------------------------------------------------------------------------


def seed(
    uri: str, plan: Plan, out: Callable[[str], None] = print, schema: str = "ardea"
) -> dict[str, Any]:
    """Migrate the database at ``uri`` to head and fill it as ``plan`` says; a summary dict.

    Args:
        uri: ``postgresql[+psycopg]://...`` or ``sqlite:///path`` of an empty (or new) database.
        plan: What to write.
        out: Receives progress lines.
        schema: ``ardea`` (Ardea's migrations) or ``mlflow`` (MLflow 3.17.2's ``mlflow db
            upgrade``, then the same logical data in its tables; PostgreSQL only).
    """
    t0 = time.perf_counter()
    if schema == "mlflow":
        if not uri.startswith("postgresql"):
            raise SystemExit(f"--schema mlflow needs a postgresql:// database, not {uri!r}")
        url = "postgresql://" + uri.split("://", 1)[1]
        mlflow_upgrade(url)
        out(f"MLflow {MLFLOW_VERSION} schema in {time.perf_counter() - t0:.1f} s; "
            f"plan {plan.totals()}")  # fmt: skip
        timings = _seed_postgres(url, plan, out, MLFLOW)
        total = time.perf_counter() - t0
        out(f"seeded in {total:.1f} s")
        return {"plan": plan.totals(), "seconds": round(total, 1), "timings": timings}
    from ardea.store.sql._db.migrate import upgrade

    upgrade(uri)
    out(f"migrated in {time.perf_counter() - t0:.1f} s; plan {plan.totals()}")
    if uri.startswith("postgresql"):
        url = "postgresql://" + uri.split("://", 1)[1]
        timings = _seed_postgres(url, plan, out)
    elif uri.startswith("sqlite:///"):
        timings = _seed_sqlite(uri.removeprefix("sqlite:///"), plan, out)
    else:
        raise SystemExit(f"unsupported database {uri!r}: postgresql:// or sqlite:///")
    total = time.perf_counter() - t0
    out(f"seeded in {total:.1f} s")
    return {"plan": plan.totals(), "seconds": round(total, 1), "timings": timings}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("uri", help="database URI (postgresql+psycopg://... or sqlite:///...)")
    p.add_argument("--scale", type=float, default=1.0, help="multiply every full-size count")
    for name in FULL:
        p.add_argument(f"--{name.replace('_', '-')}", type=int, default=None)
    p.add_argument(
        "--schema",
        choices=("ardea", "mlflow"),
        default="ardea",
        help="whose tables to fill (mlflow: MLflow 3.17.2's, PostgreSQL only)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON at the end")
    return p


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Command line entry point (see the module docstring)."""
    args = _parser().parse_args(argv)
    plan = Plan.scaled(args.scale, **{k: getattr(args, k) for k in FULL})
    summary = seed(args.uri, plan, schema=args.schema)
    if args.json:
        print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main(sys.argv[1:])
