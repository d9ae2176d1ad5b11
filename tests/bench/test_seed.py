"""bench/seed.py fills a database that Ardea's stores read back correctly, and leaves the
migrated schema exactly as the migrations made it (PostgreSQL: keys and indexes rebuilt)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ardea.entities import ViewType
from ardea.store.sql._db import migrate
from ardea.store.sql._db.engine import normalize_uri
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.schema import metadata

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCALE = 0.0001  # 100 runs, 10,000 points, 100 traces, 1,000 spans, 10 versions


def _load_seed() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_bench_seed", BENCH / "seed.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["_bench_seed"] = module
    spec.loader.exec_module(module)
    return module


seed = _load_seed()


def _schema_diff(url: str) -> list:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": migrate.VERSION_TABLE}
        )
        diff = compare_metadata(ctx, metadata)
    engine.dispose()
    return diff


@pytest.fixture
def pg_seed_uri(postgres_uri: str) -> Iterator[str]:
    schema = "ardea_seed_test"
    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in postgres_uri else "?"
    yield f"{postgres_uri}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def _check_reads(uri: str, plan: object) -> None:
    backend = open_sql_backend(uri, auto_migrate=False)
    try:
        tracking, traces, registry = backend.tracking, backend.traces, backend.registry
        # Run 0 is heavy (one long loss history); run 7 is ordinary, in experiment 2 + 7 % (n-1).
        heavy = tracking.get_run(seed.run_id(0))
        assert heavy.info.experiment_id == "1"
        assert set(heavy.data.metric_values) == {"loss"}
        history = tracking.get_metric_history(seed.run_id(0), "loss")
        assert len(history) == plan.heavy_points
        assert [m.step for m in history[:3]] == [0, 1, 2]
        run = tracking.get_run(seed.run_id(7))
        assert run.info.run_name == "run-7"
        assert run.data.params["optimizer"] == "rmsprop"
        assert run.data.tags["team"] == "vision"
        assert set(run.data.metric_values) == set(seed.METRIC_KEYS)
        steps = dict(plan.series(7))
        assert sum(steps.values()) == plan.points_per_run
        assert run.data.metric_values["acc"] == seed._value("acc", 7, steps["acc"] - 1)
        assert len(tracking.get_metric_history(seed.run_id(7), "val_loss")) == steps["val_loss"]
        # Search: every active run of experiment 1 (one in five, minus the deleted ones).
        found = tracking.search_runs(["1"], "params.optimizer = 'adam'", ViewType.ALL, 1000)
        expected = {seed.run_id(i) for i in range(0, plan.runs, 5) if i % 4 == 0}
        assert {r.info.run_id for r in found} == expected
        page = tracking.search_runs(
            ["1"], "metrics.acc > 0.5", ViewType.ACTIVE_ONLY, 5, ["metrics.acc DESC"]
        )
        accs = [r.data.metric_values["acc"] for r in page]
        assert accs == sorted(accs, reverse=True) and all(a > 0.5 for a in accs)
        # Traces: spans, tags, token usage, assessments.
        trace = traces.get_trace(seed.trace_id(0))
        assert trace.info.experiment_id == "1"
        assert len(trace.data.spans) == plan.spans_per_trace
        assert trace.info.tags["env"] == "staging"
        assert trace.info.token_usage is not None and trace.info.token_usage.total_tokens > 0
        assert [a.name for a in trace.info.assessments] == ["correctness"]
        root = next(s for s in trace.data.spans if s.parent_span_id is None)
        assert root.span_type == "CHAIN"
        listed = traces.search_traces(["1"], "tags.env = 'staging'", max_results=500)
        assert {t.trace_id for t in listed} == {
            seed.trace_id(i) for i in range(0, plan.traces, 5) if i % 4 == 0
        }
        # Registry: versions of a model, with tags, and its alias.
        versions = registry.search_model_versions("name = 'model-0000'", max_results=1000)
        assert len(versions) == plan.model_versions
        champion = registry.get_model_version_by_alias("model-0000", "champion")
        assert champion.version == plan.model_versions
        mv = registry.get_model_version("model-0000", 3)
        assert mv.tags == {"validated": "false"} and mv.run_id == seed.run_id(2)
        # Writes after the seed get fresh ids (sequences moved past the seeded ones).
        new = tracking.create_experiment("after-seed")
        assert int(new) == plan.experiments + 1
    finally:
        backend.close()


@pytest.mark.postgres
def test_seed_postgres_reads_back_and_keeps_the_migrated_schema(pg_seed_uri: str) -> None:
    plan = seed.Plan.scaled(SCALE)
    lines: list[str] = []
    summary = seed.seed(pg_seed_uri, plan, lines.append)
    assert summary["plan"]["metrics"] == plan.totals()["metrics"] > 0
    assert any(line.startswith("  rebuilt pk_metrics") for line in lines)
    assert _schema_diff(normalize_uri(pg_seed_uri)) == []
    _check_reads(pg_seed_uri, plan)


def test_seed_sqlite_reads_back(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'seed.db'}"
    plan = seed.Plan.scaled(SCALE)
    seed.seed(uri, plan, lambda _line: None)
    assert _schema_diff(uri) == []
    _check_reads(uri, plan)


def test_seed_refuses_a_database_that_holds_runs(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'seed.db'}"
    plan = seed.Plan.scaled(SCALE)
    seed.seed(uri, plan, lambda _line: None)
    with pytest.raises(SystemExit, match="already holds runs"):
        seed.seed(uri, plan, lambda _line: None)


def test_plan_totals_match_full_size() -> None:
    totals = seed.Plan.scaled(1.0).totals()
    assert totals["runs"] == 1_000_000
    assert 99_000_000 <= totals["metrics"] <= 100_000_000
    assert totals["traces"] == 1_000_000 and totals["spans"] == 10_000_000
    assert totals["model_versions"] == 100_000
