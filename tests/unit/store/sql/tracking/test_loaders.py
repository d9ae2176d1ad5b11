"""Loading runs, experiments and logged models takes a fixed number of queries, not one per
item (no N+1)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import event

from ardea.entities import Dataset, DatasetInput, Metric, ModelOutput, Param, RunTag
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.tracking.store import SqlTrackingStore


@pytest.fixture
def store(tmp_path: Path):
    backend = open_sql_backend(f"sqlite:///{tmp_path / 'q.db'}")
    s = backend.tracking
    yield s
    backend.close()


def _counting(store: SqlTrackingStore, fn: Callable[[], object]) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    engine = store.database.read_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])


def _runs(store: SqlTrackingStore, exp: str, n: int) -> None:
    for i in range(n):
        rid = store.create_run(exp, run_name=f"r{i}").info.run_id
        store.log_batch(
            rid,
            metrics=[Metric("m", float(i), 1, 0)],
            params=[Param("p", str(i))],
            tags=[RunTag("t", str(i))],
        )
        store.log_inputs(rid, datasets=[DatasetInput(Dataset("d", "x"))], models=["m-1"])
        store.log_outputs(rid, [ModelOutput("m-2", 0)])


def test_search_runs_query_count_does_not_grow(store: SqlTrackingStore) -> None:
    small, big = store.create_experiment("small"), store.create_experiment("big")
    _runs(store, small, 2)
    _runs(store, big, 30)
    few = _counting(store, lambda: store.search_runs([small]))
    many = _counting(store, lambda: store.search_runs([big]))
    assert few == many
    runs = store.search_runs([big], order_by=["params.p"])
    assert len(runs) == 30
    assert all(r.data.params and r.data.tags and r.inputs.dataset_inputs for r in runs)
    assert all(r.outputs.model_outputs == [ModelOutput("m-2", 0)] for r in runs)


def test_search_experiments_query_count_does_not_grow(store: SqlTrackingStore) -> None:
    store.create_experiment("a", tags=[("k", "v")])
    few = _counting(store, lambda: store.search_experiments())
    for i in range(20):
        store.create_experiment(f"e{i}", tags=[("k", str(i))])
    many = _counting(store, lambda: store.search_experiments())
    assert few == many


def test_search_logged_models_query_count_does_not_grow(store: SqlTrackingStore) -> None:
    exp = store.create_experiment("lm")
    store.create_logged_model(exp, tags=[("a", "b")], params=[("c", "d")])
    few = _counting(store, lambda: store.search_logged_models([exp]))
    for _ in range(10):
        store.create_logged_model(exp, tags=[("a", "b")], params=[("c", "d")])
    many = _counting(store, lambda: store.search_logged_models([exp]))
    assert few == many
