"""Logged-model RPCs through the app, on a real SQLite store."""

from __future__ import annotations

from typing import Any

import pytest

from .support import PREFIXES, Client, assert_error, create_experiment, create_run

LM = "/api/2.0/mlflow/logged-models"


def create_model(client: Client, exp_id: str, **fields: Any) -> dict[str, Any]:
    r = client.post(LM, json={"experiment_id": exp_id, **fields})
    assert r.status_code == 200, r.text
    model: dict[str, Any] = r.json()["model"]
    return model


@pytest.mark.parametrize("prefix", PREFIXES)
def test_create_get_finalize(client: Client, prefix: str) -> None:
    exp_id = create_experiment(client)
    run_id = create_run(client, exp_id)["info"]["run_id"]
    model = create_model(
        client,
        exp_id,
        name="model",
        source_run_id=run_id,
        params=[{"key": "C", "value": "1"}],
        tags=[{"key": "t", "value": "v"}],
        model_type="sk",
    )
    info = model["info"]
    model_id = info["model_id"]
    assert model_id.startswith("m-") and len(model_id) == 34
    assert info["status"] == "LOGGED_MODEL_PENDING"
    assert info["artifact_uri"] == f"mlflow-artifacts:/{exp_id}/models/{model_id}/artifacts"
    assert model["data"]["params"] == [{"key": "C", "value": "1"}]

    got = client.get(f"{prefix}/mlflow/logged-models/{model_id}").json()["model"]
    assert got["info"]["source_run_id"] == run_id and got["info"]["name"] == "model"

    r = client.patch(
        f"{prefix}/mlflow/logged-models/{model_id}",
        json={"model_id": model_id, "status": "LOGGED_MODEL_READY"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["model"]["info"]["status"] == "LOGGED_MODEL_READY"
    r = client.patch(f"{prefix}/mlflow/logged-models/{model_id}", json={"status": "NOPE"})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "status")
    r = client.patch(f"{prefix}/mlflow/logged-models/{model_id}", json={})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "'status'")


def test_tags_params_delete(client: Client) -> None:
    exp_id = create_experiment(client)
    model_id = create_model(client, exp_id)["info"]["model_id"]
    r = client.patch(f"{LM}/{model_id}/tags", json={"tags": [{"key": "a.b", "value": "1"}]})
    assert r.status_code == 200, r.text
    r = client.post(f"{LM}/{model_id}/params", json={"params": [{"key": "p", "value": "2"}]})
    assert r.status_code == 200, r.text
    model = client.get(f"{LM}/{model_id}").json()["model"]
    assert {"key": "a.b", "value": "1"} in model["info"]["tags"]
    assert {"key": "p", "value": "2"} in model["data"]["params"]
    assert client.delete(f"{LM}/{model_id}/tags/a.b").status_code == 200
    model = client.get(f"{LM}/{model_id}").json()["model"]
    assert all(t["key"] != "a.b" for t in model["info"].get("tags", []))

    r = client.request("DELETE", f"{LM}/{model_id}", json={"model_id": model_id})
    assert r.status_code == 200 and r.json() == {}
    assert_error(client.get(f"{LM}/{model_id}"), 404, "RESOURCE_DOES_NOT_EXIST")
    r = client.get(f"{LM}/{model_id}", params={"allow_deleted": "True"})
    assert r.status_code == 200


def test_search(client: Client) -> None:
    exp_id = create_experiment(client)
    ids = [create_model(client, exp_id, name=f"m{i}")["info"]["model_id"] for i in range(3)]
    r = client.post(
        f"{LM}/search",
        json={
            "experiment_ids": [exp_id],
            "max_results": 2,
            "order_by": [{"field_name": "name", "ascending": False}],
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [m["info"]["name"] for m in body["models"]] == ["m2", "m1"]
    r = client.post(
        f"{LM}/search",
        json={
            "experiment_ids": [exp_id],
            "max_results": 2,
            "order_by": [{"field_name": "name", "ascending": False}],
            "page_token": body["next_page_token"],
        },
    )
    assert [m["info"]["model_id"] for m in r.json()["models"]] == [ids[0]]
    r = client.post(f"{LM}/search", json={"experiment_ids": [exp_id], "filter": "name = 'm1'"})
    assert [m["info"]["name"] for m in r.json()["models"]] == ["m1"]
    r = client.post(f"{LM}/search", json={"experiment_ids": [exp_id], "order_by": [{}]})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "order_by[0].field_name")


def test_artifact_listing_and_download(client: Client) -> None:
    exp_id = create_experiment(client)
    model = create_model(client, exp_id)
    model_id = model["info"]["model_id"]
    base = f"/api/2.0/mlflow-artifacts/artifacts/{exp_id}/models/{model_id}/artifacts"
    assert client.put(f"{base}/MLmodel", content=b"flavors: {}").status_code == 200
    assert client.put(f"{base}/sub/data.bin", content=b"\x00\x01").status_code == 200
    r = client.get(f"{LM}/{model_id}/artifacts/directories")
    body = r.json()
    assert body["root_uri"] == model["info"]["artifact_uri"]
    assert body["files"] == [
        {"path": "MLmodel", "is_dir": False, "file_size": 11},
        {"path": "sub", "is_dir": True},
    ]
    r = client.get(
        f"{LM}/{model_id}/artifacts/directories", params={"artifact_directory_path": "sub"}
    )
    assert r.json()["files"] == [{"path": "sub/data.bin", "is_dir": False, "file_size": 2}]
    r = client.get(
        f"/ajax-api/2.0/mlflow/logged-models/{model_id}/artifacts/files",
        params={"artifact_file_path": "sub/data.bin"},
    )
    assert r.status_code == 200 and r.content == b"\x00\x01"
    r = client.get(
        f"/ajax-api/2.0/mlflow/logged-models/{model_id}/artifacts/files",
        params={"artifact_file_path": "../../../secret"},
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")
    r = client.get(
        f"{LM}/{model_id}/artifacts/directories", params={"artifact_directory_path": "/etc"}
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")


def test_patch_and_delete_do_not_require_a_json_content_type(client: Client) -> None:
    model_id = create_model(client, create_experiment(client))["info"]["model_id"]
    r = client.patch(f"{LM}/{model_id}", content=b'{"status": "LOGGED_MODEL_READY"}')
    assert r.status_code == 200, r.text
    assert client.delete(f"{LM}/{model_id}").status_code == 200
    r = client.post(f"{LM}/search", content=b"{}")
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "Content-Type")
