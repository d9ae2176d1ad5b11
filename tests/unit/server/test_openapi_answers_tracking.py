"""Tracking, artifact and meta answers match the response schemas of the OpenAPI document.

A real app (SQLite, local artifacts) is driven through every documented operation outside
``traces_module_path`` (``test_openapi_answers_traces`` does those); each answer, success or
error, is checked by :class:`CheckedClient` against the app's own document. The last test
asserts that every operation answered a success at least once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.server.openapi_gateway import GATEWAY_DOC_PREFIXES

from .openapi_check import (
    CheckedClient,
    alerts_module_path,
    auth_module_path,
    checked_app,
    datasets_module_path,
    evaluations_module_path,
    gateway_module_path,
    issues_module_path,
    review_module_path,
    scorers_module_path,
    traces_module_path,
    workspaces_module_path,
)

V2 = "/api/2.0/mlflow"
V3 = "/api/3.0/mlflow"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckedClient]:
    with checked_app(Path(tmp_path_factory.mktemp("openapi"))) as checked:
        yield checked


@pytest.fixture(scope="module")
def ids(api: CheckedClient) -> dict[str, str]:
    """An experiment and a run with params, metrics (a NaN too), tags and a dataset input."""
    exp = api.json(
        "POST", f"{V2}/experiments/create", json={"name": "e", "tags": [{"key": "k", "value": "v"}]}
    )
    run = api.json(
        "POST",
        f"{V2}/runs/create",
        json={
            "experiment_id": exp["experiment_id"],
            "run_name": "r",
            "tags": [{"key": "t", "value": "1"}],
        },
    )
    run_id = run["run"]["info"]["run_id"]
    batch = {
        "run_id": run_id,
        "metrics": [
            {"key": "loss", "value": 0.5, "timestamp": 1000, "step": 1},
            {"key": "loss", "value": "NaN", "timestamp": 1001, "step": 2},
        ],
        "params": [{"key": "lr", "value": "0.1"}],
        "tags": [{"key": "team", "value": "a"}],
    }
    api.call("POST", f"{V2}/runs/log-batch", json=batch)
    dataset = {
        "name": "d",
        "digest": "x1",
        "source_type": "local",
        "source": "{}",
        "schema": "{}",
        "profile": "{}",
    }
    api.call(
        "POST",
        f"{V2}/runs/log-inputs",
        json={
            "run_id": run_id,
            "datasets": [
                {"tags": [{"key": "mlflow.data.context", "value": "train"}], "dataset": dataset}
            ],
        },
    )
    return {"experiment_id": exp["experiment_id"], "run_id": run_id}


def test_meta(api: CheckedClient) -> None:
    api.call("GET", f"{V3}/server-info")
    assert api.call("GET", "/health").text == "OK"
    api.call("GET", "/version")


def test_experiments(api: CheckedClient, ids: dict[str, str]) -> None:
    exp = {"experiment_id": ids["experiment_id"]}
    api.call("POST", f"{V2}/experiments/create", json={"name": "e"}, status=400)
    api.call("GET", f"{V2}/experiments/get", params=exp)
    api.call("GET", f"{V2}/experiments/get", params={"experiment_id": "999"}, status=404)
    api.call("GET", f"{V2}/experiments/get-by-name", params={"experiment_name": "e"})
    api.call("GET", f"{V2}/experiments/search", params={"max_results": 10})
    api.call("POST", f"{V2}/experiments/search", json={"max_results": 0}, status=400)
    other = api.json("POST", f"{V2}/experiments/create", json={"name": "gone"})["experiment_id"]
    api.call("POST", f"{V2}/experiments/update", json={"experiment_id": other, "new_name": "gone2"})
    api.call(
        "POST",
        f"{V2}/experiments/set-experiment-tag",
        json={"experiment_id": other, "key": "a", "value": "b"},
    )
    api.call(
        "POST", f"{V2}/experiments/delete-experiment-tag", json={"experiment_id": other, "key": "a"}
    )
    api.call("POST", f"{V2}/experiments/delete", json={"experiment_id": other})
    api.call("POST", f"{V2}/experiments/restore", json={"experiment_id": other})
    page = api.json("POST", f"{V2}/experiments/search", json={"max_results": 1, "view_type": "ALL"})
    assert page["next_page_token"]
    datasets = "/ajax-api/2.0/mlflow/experiments/search-datasets"
    found = api.json("POST", datasets, json={"experiment_ids": [ids["experiment_id"]]})
    assert found["dataset_summaries"]
    api.call("POST", datasets, json={"experiment_ids": []}, status=400)


def test_runs(api: CheckedClient, ids: dict[str, str]) -> None:
    run_id = ids["run_id"]
    api.call("POST", f"{V2}/runs/log-parameter", json={"run_id": run_id, "key": "p", "value": "1"})
    api.call(
        "POST",
        f"{V2}/runs/log-metric",
        json={"run_id": run_id, "key": "acc", "value": "Infinity", "timestamp": 5, "step": 0},
    )
    api.call("POST", f"{V2}/runs/set-tag", json={"run_id": run_id, "key": "x", "value": "y"})
    api.call("POST", f"{V2}/runs/delete-tag", json={"run_id": run_id, "key": "x"})
    api.call(
        "POST", f"{V2}/runs/update", json={"run_id": run_id, "status": "FINISHED", "end_time": 9}
    )
    run = api.json("GET", f"{V2}/runs/get", params={"run_id": run_id})["run"]
    assert run["inputs"]["dataset_inputs"][0]["dataset"]["schema"] == "{}"
    api.call("GET", f"{V2}/runs/get", params={"run_id": "nope"}, status=404)
    search = {"experiment_ids": [ids["experiment_id"]], "max_results": 10}
    found = api.json("POST", f"{V2}/runs/search", json=search)["runs"]
    latest = {m["key"]: m["value"] for r in found for m in r["data"]["metrics"]}
    assert latest["loss"] == "NaN"  # a double JSON has no number for travels as a string
    api.call("GET", f"{V2}/runs/search", params=search)
    api.call("POST", f"{V2}/runs/search", json={**search, "filter": "nonsense =="}, status=400)
    model = {"artifact_path": "m", "flavors": {}, "utc_time_created": "now", "run_id": run_id}
    api.call(
        "POST", f"{V2}/runs/log-model", json={"run_id": run_id, "model_json": json.dumps(model)}
    )
    spare = api.json("POST", f"{V2}/runs/create", json={"experiment_id": ids["experiment_id"]})
    spare_id = spare["run"]["info"]["run_id"]
    api.call("POST", f"{V2}/runs/delete", json={"run_id": spare_id})
    api.call("POST", f"{V2}/runs/restore", json={"run_id": spare_id})
    promptlab = {
        "experiment_id": ids["experiment_id"],
        "prompt_template": "Say {{ x }}",
        "prompt_parameters": [{"key": "x", "value": "hi"}],
        "model_route": "chat",
        "model_input": "Say hi",
        "model_output": "hi",
        "mlflow_version": "3.18.0",
    }
    url = "/ajax-api/2.0/mlflow/runs/create-promptlab-run"
    lab = api.json("POST", url, json=promptlab)["run"]
    assert lab["info"]["status"] == "FINISHED"
    api.call("POST", url, json={"experiment_id": ids["experiment_id"]}, status=400)


def test_metrics(api: CheckedClient, ids: dict[str, str]) -> None:
    run_id = ids["run_id"]
    history = api.json(
        "GET",
        f"{V2}/metrics/get-history",
        params={"run_id": run_id, "metric_key": "loss", "max_results": 1},
    )
    assert history["next_page_token"]
    api.call(
        "GET",
        f"{V2}/metrics/get-history-bulk-interval",
        params={"run_ids": [run_id], "metric_key": "loss"},
    )
    api.call(
        "GET",
        "/ajax-api/2.0/mlflow/metrics/get-history-bulk",
        params={"run_id": [run_id], "metric_key": "loss"},
    )
    api.call(
        "GET",
        "/ajax-api/2.0/mlflow/metrics/get-history-bulk",
        params={"metric_key": "loss"},
        status=400,
    )


def test_logged_models(api: CheckedClient, ids: dict[str, str]) -> None:
    base = f"{V2}/logged-models"
    created = {
        "experiment_id": ids["experiment_id"],
        "name": "lm",
        "source_run_id": ids["run_id"],
        "model_type": "agent",
        "tags": [{"key": "a", "value": "b"}],
        "params": [{"key": "p", "value": "1"}],
    }
    info = api.json("POST", base, json=created)["model"]["info"]
    model_id = info["model_id"]
    stored = info["artifact_uri"].removeprefix("mlflow-artifacts:/") + "/MLmodel"
    proxied = "/api/2.0/mlflow-artifacts/artifacts/{artifact_path}"
    api.call("PUT", proxied, {"artifact_path": stored}, content=b"flavors: {}")
    one = {"model_id": model_id}
    api.call("GET", base + "/{model_id}", one)
    api.call("GET", base + "/{model_id}", {"model_id": "m-" + "0" * 32}, status=404)
    api.call(
        "PATCH",
        base + "/{model_id}",
        one,
        json={"model_id": model_id, "status": "LOGGED_MODEL_READY"},
    )
    api.call("POST", base + "/search", json={"experiment_ids": [ids["experiment_id"]]})
    api.call(
        "POST",
        base + "/{model_id}/params",
        one,
        json={"model_id": model_id, "params": [{"key": "q", "value": "2"}]},
    )
    api.call(
        "PATCH",
        base + "/{model_id}/tags",
        one,
        json={"model_id": model_id, "tags": [{"key": "c", "value": "d"}]},
    )
    api.call("DELETE", base + "/{model_id}/tags/{tag_key}", {**one, "tag_key": "c"})
    api.call("GET", base + "/{model_id}/artifacts/directories", one)
    files = "/ajax-api/2.0/mlflow/logged-models/{model_id}/artifacts/files"
    api.call("GET", files, one, params={"artifact_file_path": "MLmodel"})
    api.call("GET", files, one, params={"artifact_file_path": "none.txt"}, status=404)
    api.call(
        "POST",
        f"{V2}/runs/outputs",
        json={"run_id": ids["run_id"], "models": [{"model_id": model_id, "step": 3}]},
    )
    api.call(
        "POST",
        f"{V2}/runs/log-inputs",
        json={"run_id": ids["run_id"], "models": [{"model_id": model_id}]},
    )
    run = api.json("GET", f"{V2}/runs/get", params={"run_id": ids["run_id"]})["run"]
    assert run["outputs"]["model_outputs"] and run["inputs"]["model_inputs"]
    api.call("DELETE", base + "/{model_id}", one)
    api.call("GET", base + "/{model_id}", one, params={"allow_deleted": "true"})


def test_artifacts(api: CheckedClient, ids: dict[str, str]) -> None:
    run = api.json("GET", f"{V2}/runs/get", params={"run_id": ids["run_id"]})["run"]
    root = run["info"]["artifact_uri"].removeprefix("mlflow-artifacts:/")
    proxied = "/api/2.0/mlflow-artifacts/artifacts"
    file = {"artifact_path": f"{root}/dir/a.txt"}
    api.call("PUT", proxied + "/{artifact_path}", file, content=b"hello")
    assert api.call("GET", proxied + "/{artifact_path}", file).content == b"hello"
    api.call("GET", proxied, params={"path": f"{root}/dir"})
    api.call("GET", proxied, params={"path": "../etc"}, status=400)
    api.call("GET", proxied + "/{artifact_path}", {"artifact_path": f"{root}/none"}, status=404)
    listing = api.json(
        "GET", f"{V2}/artifacts/list", params={"run_id": ids["run_id"], "path": "dir"}
    )
    assert listing["files"] == [{"path": "dir/a.txt", "is_dir": False, "file_size": 5}]
    api.call("GET", f"{V2}/artifacts/list", params={"run_id": ids["run_id"]})
    api.call("GET", "/get-artifact", params={"run_id": ids["run_id"], "path": "dir/a.txt"})
    upload = {"run_uuid": ids["run_id"], "path": "up.txt"}
    api.call("POST", "/ajax-api/2.0/mlflow/upload-artifact", params=upload, content=b"x")
    api.call("DELETE", proxied + "/{artifact_path}", file)


def test_multipart_upload(api: CheckedClient, ids: dict[str, str]) -> None:
    run = api.json("GET", f"{V2}/runs/get", params={"run_id": ids["run_id"]})["run"]
    folder = {"artifact_path": run["info"]["artifact_uri"].removeprefix("mlflow-artifacts:/")}
    mpu = "/api/2.0/mlflow-artifacts/mpu"
    start = {"path": "big.bin", "num_parts": 1}
    upload_id = api.json("POST", mpu + "/create/{artifact_path}", folder, json=start)["upload_id"]
    file = {"artifact_path": folder["artifact_path"] + "/big.bin"}
    part = {"upload_id": upload_id, "part_number": 1}
    put = api.call("PUT", mpu + "/upload-part/{artifact_path}", file, params=part, content=b"xyz")
    parts = [{"part_number": 1, "etag": put.headers["etag"]}]
    done = {"path": "big.bin", "upload_id": upload_id, "parts": parts}
    api.call("POST", mpu + "/complete/{artifact_path}", folder, json=done)
    again = api.json("POST", mpu + "/create/{artifact_path}", folder, json={"path": "big.bin"})
    abort = {"path": "big.bin", "upload_id": again["upload_id"]}
    api.call("POST", mpu + "/abort/{artifact_path}", folder, json=abort)


def test_every_tracking_operation_was_checked(api: CheckedClient) -> None:
    def owned(path: str) -> bool:
        others = (
            traces_module_path,
            workspaces_module_path,
            auth_module_path,
            datasets_module_path,
            evaluations_module_path,
            scorers_module_path,
            gateway_module_path,
            review_module_path,
            issues_module_path,
            alerts_module_path,
        )
        if path.startswith(GATEWAY_DOC_PREFIXES):
            # the gateway's invocation paths answer in the provider APIs' shapes; the real
            # SDKs check them (tests/unit/server/test_gateway*.py)
            return False
        return not any(other(path) for other in others)

    assert api.unchecked(owned) == []
