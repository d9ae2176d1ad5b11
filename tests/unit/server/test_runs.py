"""Run RPCs through the app, on a real SQLite store."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .support import PREFIXES, Client, assert_error, create_experiment, create_run

R = "/api/2.0/mlflow/runs"


def get_run(client: Client, run_id: str) -> dict[str, Any]:
    r = client.get(f"{R}/get", params={"run_id": run_id})
    assert r.status_code == 200, r.text
    run: dict[str, Any] = r.json()["run"]
    return run


@pytest.fixture
def run_id(client: Client) -> str:
    return str(create_run(client, create_experiment(client))["info"]["run_id"])


@pytest.mark.parametrize("prefix", PREFIXES)
def test_create_and_get(client: Client, prefix: str) -> None:
    exp_id = create_experiment(client)
    r = client.post(
        f"{prefix}/mlflow/runs/create",
        json={
            "experiment_id": exp_id,
            "run_name": "first",
            "start_time": "1700000000000",
            "user_id": "ann",
            "tags": [{"key": "t", "value": "1"}],
        },
    )
    assert r.status_code == 200, r.text
    info = r.json()["run"]["info"]
    assert info["status"] == "RUNNING" and info["run_name"] == "first"
    assert info["start_time"] == 1700000000000 and info["user_id"] == "ann"
    assert info["run_uuid"] == info["run_id"]
    assert info["artifact_uri"] == f"mlflow-artifacts:/{exp_id}/{info['run_id']}/artifacts"
    # GET accepts the redundant run_uuid alone.
    r = client.get(f"{prefix}/mlflow/runs/get", params={"run_uuid": info["run_id"]})
    tags = {t["key"]: t["value"] for t in r.json()["run"]["data"]["tags"]}
    assert tags["t"] == "1" and tags["mlflow.runName"] == "first"


def test_get_unknown_run_is_404(client: Client) -> None:
    assert_error(
        client.get(f"{R}/get", params={"run_id": "f" * 32}), 404, "RESOURCE_DOES_NOT_EXIST"
    )
    assert_error(client.get(f"{R}/get"), 400, "INVALID_PARAMETER_VALUE", "'run_id'")


def test_update_run_only_changes_given_fields(client: Client, run_id: str) -> None:
    r = client.post(f"{R}/update", json={"run_uuid": run_id, "status": 3, "end_time": 5})
    assert r.status_code == 200, r.text
    assert r.json()["run_info"]["status"] == "FINISHED"
    r = client.post(f"{R}/update", json={"run_id": run_id, "run_name": "renamed"})
    info = r.json()["run_info"]
    assert info["status"] == "FINISHED" and info["end_time"] == 5
    assert info["run_name"] == "renamed"
    r = client.post(f"{R}/update", json={"run_id": run_id, "status": "DONE"})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "status")


def test_delete_restore_and_writes_on_deleted_run(client: Client, run_id: str) -> None:
    assert client.post(f"{R}/delete", json={"run_id": run_id}).json() == {}
    assert get_run(client, run_id)["info"]["lifecycle_stage"] == "deleted"
    r = client.post(f"{R}/log-parameter", json={"run_id": run_id, "key": "p", "value": "1"})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "must be in the 'active' state")
    client.post(f"{R}/restore", json={"run_id": run_id})
    assert get_run(client, run_id)["info"]["lifecycle_stage"] == "active"


def test_params_are_immutable(client: Client, run_id: str) -> None:
    body = {"run_id": run_id, "key": "lr", "value": "0.1"}
    assert client.post(f"{R}/log-parameter", json=body).status_code == 200
    assert client.post(f"{R}/log-parameter", json=body).status_code == 200
    r = client.post(f"{R}/log-parameter", json={**body, "value": "0.2"})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed")
    assert get_run(client, run_id)["data"]["params"] == [{"key": "lr", "value": "0.1"}]


def test_log_metric_values_and_types(client: Client, run_id: str) -> None:
    ok = [
        {"value": 1.5, "timestamp": 10, "step": 0},
        {"value": "NaN", "timestamp": "11", "step": "1"},
        {"value": 3, "timestamp": 12, "step": 2},
    ]
    for m in ok:
        r = client.post(f"{R}/log-metric", json={"run_id": run_id, "key": "m", **m})
        assert r.status_code == 200, r.text
    latest = get_run(client, run_id)["data"]["metrics"]
    assert latest == [{"key": "m", "value": 3.0, "timestamp": 12, "step": 2}]
    r = client.post(f"{R}/log-metric", json={"run_id": run_id, "key": "m", "value": 1})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "'timestamp'")
    for bad in ({"value": True, "timestamp": 1}, {"value": "abc", "timestamp": 1}):
        r = client.post(f"{R}/log-metric", json={"run_id": run_id, "key": "m", **bad})
        assert_error(r, 400, "INVALID_PARAMETER_VALUE", "'value'")
    r = client.post(
        f"{R}/log-metric", json={"run_id": run_id, "key": "m", "value": 1, "timestamp": 1.5}
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "'timestamp'")


def test_set_and_delete_tag(client: Client, run_id: str) -> None:
    r = client.post(f"{R}/set-tag", json={"run_id": run_id, "key": "k", "value": "v"})
    assert r.status_code == 200
    tags = {t["key"]: t["value"] for t in get_run(client, run_id)["data"]["tags"]}
    assert tags["k"] == "v"
    assert client.post(f"{R}/delete-tag", json={"run_id": run_id, "key": "k"}).status_code == 200
    tags = {t["key"]: t["value"] for t in get_run(client, run_id)["data"]["tags"]}
    assert "k" not in tags


def test_log_batch(client: Client, run_id: str) -> None:
    r = client.post(
        f"{R}/log-batch",
        json={
            "run_id": run_id,
            "metrics": [{"key": "a", "value": 1, "timestamp": 1, "step": s} for s in range(5)],
            "params": [{"key": "p", "value": "x"}],
            "tags": [{"key": "t", "value": "y"}],
        },
    )
    assert r.status_code == 200, r.text
    data = get_run(client, run_id)["data"]
    assert data["metrics"][0]["step"] == 4
    assert data["params"] == [{"key": "p", "value": "x"}]


@pytest.mark.parametrize(
    ("field", "count", "item"),
    [
        ("metrics", 1001, {"key": "m", "value": 1, "timestamp": 1}),
        ("params", 101, None),
        ("tags", 101, None),
    ],
)
def test_log_batch_limits(
    client: Client, run_id: str, field: str, count: int, item: dict[str, Any] | None
) -> None:
    items = [item or {"key": f"k{i}", "value": "v"} for i in range(count)]
    r = client.post(f"{R}/log-batch", json={"run_id": run_id, field: items})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", f"at most {count - 1} {field}")
    data = get_run(client, run_id)["data"]
    assert data["metrics"] == [] and data["params"] == []
    assert {t["key"] for t in data["tags"]} == {"mlflow.runName"}


def test_log_batch_total_and_body_size_limits(client: Client, run_id: str) -> None:
    metrics = [{"key": "m", "value": 1, "timestamp": 1, "step": i} for i in range(950)]
    params = [{"key": f"p{i}", "value": "v"} for i in range(60)]
    r = client.post(f"{R}/log-batch", json={"run_id": run_id, "metrics": metrics, "params": params})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "in total")
    big = [{"key": f"t{i}", "value": "x" * 11000} for i in range(100)]
    r = client.post(f"{R}/log-batch", json={"run_id": run_id, "tags": big})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "1000000 bytes")
    assert get_run(client, run_id)["data"]["metrics"] == []


def test_log_batch_nested_required_fields(client: Client, run_id: str) -> None:
    r = client.post(
        f"{R}/log-batch", json={"run_id": run_id, "metrics": [{"key": "m", "value": 1}]}
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "'metrics[0].timestamp'")
    r = client.post(f"{R}/log-batch", json={"run_id": run_id, "params": {"key": "x"}})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "'params'")


def test_log_inputs_and_outputs(client: Client, run_id: str) -> None:
    dataset = {
        "name": "iris",
        "digest": "abc",
        "source_type": "code",
        "source": "{}",
        "schema": '{"mlflow_colspec": []}',
        "profile": '{"num_rows": 3}',
    }
    r = client.post(
        f"{R}/log-inputs",
        json={
            "run_id": run_id,
            "datasets": [
                {"tags": [{"key": "mlflow.data.context", "value": "training"}], "dataset": dataset}
            ],
        },
    )
    assert r.status_code == 200, r.text
    exp_id = get_run(client, run_id)["info"]["experiment_id"]
    model = client.post(
        "/api/2.0/mlflow/logged-models", json={"experiment_id": exp_id, "source_run_id": run_id}
    ).json()["model"]
    model_id = model["info"]["model_id"]
    r = client.post(
        f"{R}/outputs", json={"run_id": run_id, "models": [{"model_id": model_id, "step": 0}]}
    )
    assert r.status_code == 200, r.text
    run = get_run(client, run_id)
    (di,) = run["inputs"]["dataset_inputs"]
    assert di["dataset"]["name"] == "iris" and di["dataset"]["digest"] == "abc"
    assert di["tags"] == [{"key": "mlflow.data.context", "value": "training"}]
    assert run["outputs"]["model_outputs"] == [{"model_id": model_id, "step": 0}]
    r = client.post(f"{R}/log-inputs", json={"run_id": run_id, "datasets": [{"tags": []}]})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "datasets[0].dataset")


def test_log_model_appends_history(client: Client, run_id: str) -> None:
    model = {"artifact_path": "m", "flavors": {}, "utc_time_created": "now", "run_id": run_id}
    for _ in range(2):
        r = client.post(f"{R}/log-model", json={"run_id": run_id, "model_json": json.dumps(model)})
        assert r.status_code == 200, r.text
    tags = {t["key"]: t["value"] for t in get_run(client, run_id)["data"]["tags"]}
    assert json.loads(tags["mlflow.log-model.history"]) == [model, model]
    r = client.post(f"{R}/log-model", json={"run_id": run_id, "model_json": "{"})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "Malformed model info")
    r = client.post(f"{R}/log-model", json={"run_id": run_id, "model_json": '{"flavors": {}}'})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "missing mandatory fields")


def test_search_runs_filter_order_and_paging(client: Client) -> None:
    exp_id = create_experiment(client)
    ids = []
    for i in range(3):
        rid = create_run(client, exp_id, run_name=f"r{i}", start_time=1000 + i)["info"]["run_id"]
        client.post(
            f"{R}/log-metric", json={"run_id": rid, "key": "acc", "value": i / 10, "timestamp": 1}
        )
        ids.append(rid)
    r = client.post(
        f"{R}/search",
        json={
            "experiment_ids": [exp_id],
            "filter": "metrics.acc > 0.05",
            "order_by": ["metrics.acc DESC"],
            "max_results": 1,
        },
    )
    body = r.json()
    assert [x["info"]["run_id"] for x in body["runs"]] == [ids[2]]
    r = client.get(
        f"{R}/search",
        params=[
            ("experiment_ids", exp_id),
            ("filter", "metrics.acc > 0.05"),
            ("order_by", "metrics.acc DESC"),
            ("max_results", "1"),
            ("page_token", body["next_page_token"]),
        ],
    )
    assert [x["info"]["run_id"] for x in r.json()["runs"]] == [ids[1]]
    # Default order: start_time DESC.
    r = client.post(f"{R}/search", json={"experiment_ids": [exp_id]})
    assert [x["info"]["run_id"] for x in r.json()["runs"]] == ids[::-1]
    r = client.post(f"{R}/search", json={"experiment_ids": [exp_id], "filter": "metrics.acc >"})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")
    r = client.post(f"{R}/search", json={"experiment_ids": [exp_id], "max_results": 50001})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "max_results")
    r = client.post(
        f"{R}/search", json={"experiment_ids": [exp_id], "run_view_type": "DELETED_ONLY"}
    )
    assert r.json()["runs"] == []
