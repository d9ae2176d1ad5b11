"""``search_runs_wire`` (the server's search answer) equals ``run_to_json`` of ``search_runs``
on every backend: the SQL store builds the messages straight from rows, so this pins the two
paths together (metrics with NaN and infinities, params, tags, datasets, models, paging)."""

from __future__ import annotations

import math

from ardea.api.mlflow_json import run_to_json
from ardea.entities import Dataset, DatasetInput, Metric, ModelOutput, Param, RunTag, ViewType
from ardea.store.tracking import TrackingStore


def _rich_runs(store: TrackingStore, exp: str) -> None:
    ds = Dataset("iris", "abc123", "code", '{"x": 1}', '{"mlflow_colspec": []}', '{"num_rows": 3}')
    bare = Dataset("bare", "d0", "local", "file:///x")
    for i in range(5):
        run_id = store.create_run(exp, user_id="alice", start_time=1000 + i).info.run_id
        store.log_batch(
            run_id,
            metrics=[
                Metric("acc", 0.5 + i, 10 + i, i),
                Metric("nan", math.nan, 1, 0),
                Metric("up", math.inf, 1, 0),
                Metric("down", -math.inf, 1, 0),
            ],
            params=[Param("lr", str(0.1 * i)), Param("opt", "adam")],
            tags=[RunTag("team", "red"), RunTag("note", "é ü")],
        )
        if i % 2:
            store.log_inputs(
                run_id,
                datasets=[
                    DatasetInput(ds, {"mlflow.data.context": "training"}),
                    DatasetInput(bare),
                ],
                models=["m-1"],
            )
            store.log_outputs(run_id, [ModelOutput("m-2", 3), ModelOutput("m-1", 1)])
        if i == 4:
            store.update_run_info(run_id, status="FINISHED", end_time=2000)
    store.create_run(exp)  # no data at all


def test_wire_search_matches_entities(tracking_store: TrackingStore) -> None:
    exp = tracking_store.create_experiment("wire")
    _rich_runs(tracking_store, exp)
    for kwargs in (
        {},
        {"filter_string": "metrics.acc > 1"},
        {"order_by": ["metrics.acc DESC"]},
        {"max_results": 2},
        {"run_view_type": ViewType.ALL},
    ):
        entities = tracking_store.search_runs([exp], **kwargs)
        wire = tracking_store.search_runs_wire([exp], **kwargs)
        assert list(wire) == [run_to_json(r) for r in entities]
        assert wire.token == entities.token
    assert len(tracking_store.search_runs_wire([exp])) == 6
    page1 = tracking_store.search_runs_wire([exp], max_results=4)
    page2 = tracking_store.search_runs_wire([exp], max_results=4, page_token=page1.token)
    ids = [r["info"]["run_id"] for r in [*page1, *page2]]
    assert len(set(ids)) == 6 and page2.token is None
