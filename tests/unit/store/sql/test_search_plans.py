"""Every filtered search shape the API offers has an index to use on PostgreSQL.

A small database is seeded (bench/seed.py at 1/10,000 of issue 19's sizes), analyzed, and
each search is run through the stores while its SQL is captured; each statement is then
EXPLAINed with ``enable_seqscan = off``, which makes PostgreSQL take any index that can serve
the statement, so a ``Seq Scan`` left on a big table, or an index scanned whole (no ``Index
Cond``), means no index can narrow it: at 100x the data that is a full scan (docs/server.md,
"At scale"). Registry searches and metric reads run compiled raw SQL and are EXPLAINed from
their text.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa

from ardea.entities import ViewType
from ardea.store.sql._db.engine import normalize_uri
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.registry.search import model_versions_page
from ardea.store.sql.tracking import metrics

pytestmark = pytest.mark.postgres

BENCH = Path(__file__).resolve().parents[4] / "bench"
BIG_TABLES = ("runs", "metrics", "latest_metrics", "params", "run_tags", "spans", "traces",
              "trace_tags", "model_versions", "model_version_tags")  # fmt: skip
SCHEMA = "ardea_plan_test"


def _load_seed() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_bench_seed_plans", BENCH / "seed.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["_bench_seed_plans"] = module
    spec.loader.exec_module(module)
    return module


seed = _load_seed()


@pytest.fixture(scope="module")
def seeded_uri(postgres_uri: str) -> Iterator[str]:
    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    sep = "&" if "?" in postgres_uri else "?"
    uri = f"{postgres_uri}{sep}options=-csearch_path%3D{SCHEMA}"
    seed.seed(uri, seed.Plan.scaled(0.0001), lambda _line: None)
    yield uri
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {SCHEMA} CASCADE"))
    engine.dispose()


def _shapes(backend: Any) -> dict[str, Callable[[], object]]:
    tr, tc = backend.tracking, backend.traces
    mid = seed.BASE_MS + 50 * 100
    active = ViewType.ACTIVE_ONLY
    return {
        "runs: newest first": lambda: tr.search_runs(["1"], "", active, 100),
        "runs: metric filter": lambda: tr.search_runs(["1"], "metrics.acc > 0.9", active, 100),
        "runs: param filter": lambda: tr.search_runs(["1"], "params.lr = '0.001'", active, 100),
        "runs: tag filter": lambda: tr.search_runs(["1"], "tags.team = 'ads'", active, 100),
        "runs: order by metric": lambda: tr.search_runs(["1"], "", active, 100, ["metrics.loss"]),
        "runs: order by start_time": lambda: tr.search_runs(
            ["1"], "", active, 100, ["attributes.start_time ASC"]
        ),
        "traces: newest first": lambda: tc.search_traces(["1"], None, max_results=100),
        "traces: time range": lambda: tc.search_traces(
            ["1"], f"trace.timestamp_ms > {mid} and trace.timestamp_ms < {mid + 1000}"
        ),
        "traces: tag filter": lambda: tc.search_traces(["1"], "tags.env = 'staging'"),
        "traces: status": lambda: tc.search_traces(["2"], "trace.status = 'ERROR'"),
        "traces: get trace": lambda: tc.get_trace(seed.trace_id(3)),
        "history": lambda: tr.get_metric_history(seed.run_id(0), "loss"),
        "history: bulk interval": lambda: tr.get_metric_history_bulk_interval(
            [seed.run_id(0), seed.run_id(5)], "loss", 100
        ),
    }


def _registry_statements(backend: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    registry = backend.registry
    dialect = registry._db.read_engine.dialect
    out = {}
    for name, filt in (
        ("versions: by name", "name = 'model-0000'"),
        ("versions: by tag", "tags.validated = 'false'"),
        ("versions: by run_id", f"run_id = '{seed.run_id(3)}'"),
        ("versions: all, newest first", None),
    ):
        raw = model_versions_page(registry._scope, filt, (), dialect, None)
        out[name] = (raw.sql, {**raw.params, "page_limit": 101, "page_offset": 0})
    return out


def _full_scans(cursor: Any, sql: str, params: Any) -> list[str]:
    """Big tables the plan reads whole: a Seq Scan, or an index scan with no Index Cond."""
    cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
    found: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        table, kind = node.get("Relation Name"), node["Node Type"]
        whole = kind == "Seq Scan" or (kind.startswith("Index") and "Index Cond" not in node)
        if table in BIG_TABLES and whole:
            found.append(f"{kind} on {table}")
        for child in node.get("Plans", []):
            walk(child)

    walk(cursor.fetchone()[0][0]["Plan"])
    return found


def _captured(backend: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple[str, Any]]]:
    statements: dict[str, list[tuple[str, Any]]] = {}
    current: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and "pg_" not in statement:
            current.append((statement, params))

    real_raw = metrics._raw

    def raw(conn: Any, sql: str, params: Any) -> Any:  # metric reads bypass SQLAlchemy
        capture(None, None, sql, tuple(params))
        return real_raw(conn, sql, params)

    monkeypatch.setattr(metrics, "_raw", raw)
    engine = backend.tracking._db.read_engine
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        for name, run in _shapes(backend).items():
            current.clear()
            run()
            statements[name] = list(current)
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    return statements


def test_every_search_shape_has_an_index(seeded_uri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = open_sql_backend(seeded_uri, auto_migrate=False)
    try:
        captured = _captured(backend, monkeypatch)
        assert all(captured.values()), [name for name, found in captured.items() if not found]
        for name, statement in _registry_statements(backend).items():
            captured[name] = [statement]
        engine = sa.create_engine(normalize_uri(seeded_uri), poolclass=sa.pool.NullPool)
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SET enable_seqscan = off")
            scans = {
                f"{name} #{i}": found
                for name, statements in captured.items()
                for i, (sql, params) in enumerate(statements)
                if (found := _full_scans(cursor, sql, params))
            }
        finally:
            raw.close()
            engine.dispose()
        assert scans == {}
    finally:
        backend.close()
