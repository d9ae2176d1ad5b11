"""log_metric's one-statement path on PostgreSQL keeps every behaviour of the transactional one.

The same calls, sync and async, on a real PostgreSQL: missing, deleted and other-workspace
runs answer the usual errors and write nothing; NaN and infinities are stored as usual; the
latest value only moves forward; a point tied to a model takes the transactional path.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import Metric
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.tracking.store import SqlTrackingStore

pytestmark = pytest.mark.postgres

Log = Callable[[SqlTrackingStore, str, Metric], None]


@pytest.fixture
def store(pg_tracking_store: SqlTrackingStore) -> SqlTrackingStore:
    return pg_tracking_store


@pytest.fixture(params=["sync", "async"])
def log(request: pytest.FixtureRequest) -> Log:
    def sync(s: SqlTrackingStore, run_id: str, m: Metric) -> None:
        s.log_metric(run_id, m)

    def async_(s: SqlTrackingStore, run_id: str, m: Metric) -> None:
        asyncio.run(s.log_metric_async(run_id, m))

    return sync if request.param == "sync" else async_


def _history(store: SqlTrackingStore, run_id: str, key: str) -> list[tuple[int, float]]:
    return [(p.step, p.value) for p in store.get_metric_history(run_id, key)]


def test_a_missing_run_is_not_found(store: SqlTrackingStore, log: Log) -> None:
    with pytest.raises(NotFoundError, match="Run with id=nope not found"):
        log(store, "nope", Metric("m", 1.0, 1, 0))


def test_a_deleted_run_refuses_and_nothing_is_written(store: SqlTrackingStore, log: Log) -> None:
    run_id = store.create_run(store.create_experiment("e")).info.run_id
    log(store, run_id, Metric("m", 1.0, 1, 0))
    store.delete_run(run_id)
    with pytest.raises(InvalidArgumentError) as err:
        log(store, run_id, Metric("m", 5.0, 2, 1))
    assert str(err.value) == (
        f"The run {run_id} must be in the 'active' state. Current state is deleted."
    )
    with pytest.raises(InvalidArgumentError):
        log(store, run_id, Metric("new", 5.0, 2, 1))  # no series created either
    store.restore_run(run_id)
    assert _history(store, run_id, "m") == [(0, 1.0)]
    assert _history(store, run_id, "new") == []
    assert [(m.key, m.value) for m in store.get_run(run_id).data.metrics] == [("m", 1.0)]


def test_a_run_of_another_workspace_is_not_found(store: SqlTrackingStore, log: Log) -> None:
    run_id = store.create_run(store.create_experiment("e")).info.run_id
    other = SqlTrackingStore(store.database, scope=WorkspaceScope("elsewhere"))
    with pytest.raises(NotFoundError):
        log(other, run_id, Metric("m", 1.0, 1, 0))
    assert _history(store, run_id, "m") == []


def test_nan_and_infinities_and_the_latest_value(store: SqlTrackingStore, log: Log) -> None:
    run_id = store.create_run(store.create_experiment("e")).info.run_id
    log(store, run_id, Metric("m", math.nan, 1, 0))
    log(store, run_id, Metric("m", math.inf, 1, 1))
    log(store, run_id, Metric("m", -math.inf, 1, 2))
    log(store, run_id, Metric("m", 3.0, 1, 2))  # same step and time, bigger value: newest
    log(store, run_id, Metric("m", 9.0, 1, 1))  # an older step: history only
    log(store, run_id, Metric("m", 3.0, 1, 2))  # a duplicate point: stored once
    points = store.get_metric_history(run_id, "m")
    assert math.isnan(points[0].value)
    assert [(p.step, p.value) for p in points[1:]] == [
        (1, 9.0),
        (1, 1.7976931348623157e308),
        (2, -1.7976931348623157e308),
        (2, 3.0),
    ]
    assert [(m.key, m.value, m.step) for m in store.get_run(run_id).data.metrics] == [("m", 3.0, 2)]


def test_a_bad_key_is_refused_before_any_write(store: SqlTrackingStore, log: Log) -> None:
    run_id = store.create_run(store.create_experiment("e")).info.run_id
    with pytest.raises(InvalidArgumentError):
        log(store, run_id, Metric("../bad", 1.0, 1, 0))
    assert store.get_run(run_id).data.metrics == []


def test_a_point_tied_to_a_model_keeps_its_link(store: SqlTrackingStore, log: Log) -> None:
    run_id = store.create_run(store.create_experiment("e")).info.run_id
    log(store, run_id, Metric("m", 1.0, 1, 0))
    log(store, run_id, Metric("m", 1.0, 1, 0, model_id="m-1"))
    assert [p.model_id for p in store.get_metric_history(run_id, "m")] == ["m-1"]
