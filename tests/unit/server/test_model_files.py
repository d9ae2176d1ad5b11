"""The UI's model reads: a registered version's files and the runs of a logged model."""

from __future__ import annotations

from pathlib import Path

import pytest

from .support import Client, assert_error, create_experiment, create_run

V2 = "/api/2.0/mlflow"
ARDEA = "/ajax-api/3.0/ardea"
PROXY = "/api/2.0/mlflow-artifacts/artifacts"


def _logged_model(client: Client, exp_id: str, run_id: str) -> tuple[str, str]:
    """A READY logged model of ``run_id`` with MLmodel and model.pkl; (model_id, its root)."""
    r = client.post(
        f"{V2}/logged-models",
        json={"experiment_id": exp_id, "name": "model", "source_run_id": run_id},
    )
    assert r.status_code == 200, r.text
    info = r.json()["model"]["info"]
    root = info["artifact_uri"].removeprefix("mlflow-artifacts:/")
    client.put(f"{PROXY}/{root}/MLmodel", content=b"flavors:\n  sklearn: {}\n")
    client.put(f"{PROXY}/{root}/model.pkl", content=b"\x80\x04pickle")
    client.put(f"{PROXY}/{root}/sub/notes.txt", content=b"n")
    return str(info["model_id"]), root


def _version(client: Client, name: str, source: str, **fields: str) -> str:
    client.post(f"{V2}/registered-models/create", json={"name": name})
    r = client.post(f"{V2}/model-versions/create", json={"name": name, "source": source, **fields})
    assert r.status_code == 200, r.text
    return str(r.json()["model_version"]["version"])


def test_files_of_a_version_registered_from_a_logged_model(client: Client) -> None:
    exp_id = create_experiment(client)
    run_id = create_run(client, exp_id)["info"]["run_id"]
    model_id, _ = _logged_model(client, exp_id, run_id)
    version = _version(client, "clf", f"models:/{model_id}", model_id=model_id, run_id=run_id)
    ref = {"name": "clf", "version": version}

    listing = client.get(f"{ARDEA}/model-versions/artifacts", params=ref).json()
    assert listing["root_uri"].endswith(f"/models/{model_id}/artifacts")
    assert {f["path"]: f["is_dir"] for f in listing["files"]} == {
        "MLmodel": False,
        "model.pkl": False,
        "sub": True,
    }
    sub = client.get(f"{ARDEA}/model-versions/artifacts", params={**ref, "path": "sub"}).json()
    assert sub["files"] == [{"path": "sub/notes.txt", "is_dir": False, "file_size": 1}]

    r = client.get("/model-versions/get-artifact", params={**ref, "path": "MLmodel"})
    assert r.status_code == 200 and r.content.startswith(b"flavors:")
    assert r.headers["content-disposition"].startswith("attachment")
    r = client.get("/model-versions/get-artifact", params={**ref, "path": "model.pkl"})
    assert r.headers["content-type"] == "application/octet-stream"
    r = client.get("/model-versions/get-artifact", params={**ref, "path": "../../../etc/passwd"})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")
    r = client.get("/model-versions/get-artifact", params={**ref, "path": "none.txt"})
    assert r.status_code == 404
    r = client.get(f"{ARDEA}/model-versions/artifacts", params={"name": "clf", "version": "9"})
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST")


def test_files_of_a_version_registered_from_run_artifacts(client: Client) -> None:
    exp_id = create_experiment(client)
    run = create_run(client, exp_id)
    run_id = run["info"]["run_id"]
    root = run["info"]["artifact_uri"].removeprefix("mlflow-artifacts:/")
    client.put(f"{PROXY}/{root}/model/MLmodel", content=b"flavors: {}\n")
    for source in (f"runs:/{run_id}/model", f"{run['info']['artifact_uri']}/model"):
        version = _version(client, "legacy", source)
        listing = client.get(
            f"{ARDEA}/model-versions/artifacts", params={"name": "legacy", "version": version}
        ).json()
        assert listing["files"] == [{"path": "MLmodel", "is_dir": False, "file_size": 12}]


def test_versions_without_files_to_browse(client: Client, tmp_path: Path) -> None:
    tags = [{"key": "mlflow.prompt.is_prompt", "value": "true"}]
    client.post(f"{V2}/registered-models/create", json={"name": "p", "tags": tags})
    client.post(
        f"{V2}/model-versions/create", json={"name": "p", "source": "dummy-source", "tags": tags}
    )
    r = client.get(f"{ARDEA}/model-versions/artifacts", params={"name": "p", "version": "1"})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "prompt")
    # An object store outside the server's artifact roots is not read.
    _version(client, "s3m", "s3://elsewhere/model")
    r = client.get(f"{ARDEA}/model-versions/artifacts", params={"name": "s3m", "version": "1"})
    assert_error(r, 403, "PERMISSION_DENIED")


def test_runs_of_a_logged_model(client: Client) -> None:
    exp_id = create_experiment(client)
    source = create_run(client, exp_id, run_name="train", start_time=1)["info"]["run_id"]
    user = create_run(client, exp_id, run_name="eval", start_time=2)["info"]["run_id"]
    gone = create_run(client, exp_id, run_name="gone", start_time=3)["info"]["run_id"]
    model_id, _ = _logged_model(client, exp_id, source)
    client.post(
        f"{V2}/runs/outputs",
        json={"run_id": source, "models": [{"model_id": model_id, "step": 7}]},
    )
    for run_id in (user, gone):
        inputs = {"run_id": run_id, "models": [{"model_id": model_id}]}
        client.post(f"{V2}/runs/log-inputs", json=inputs)
    client.post(f"{V2}/runs/delete", json={"run_id": gone})

    got = client.get(f"{ARDEA}/logged-models/{model_id}/runs").json()
    assert got["runs"] == [
        {"run_id": source, "relation": "source"},
        {"run_id": source, "relation": "output", "step": 7},
        {"run_id": user, "relation": "input"},
    ]
    r = client.get(f"{ARDEA}/logged-models/m-{'0' * 32}/runs")
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST")


@pytest.mark.parametrize("prefix", ["/api/3.0", "/ajax-api/3.0"])
def test_both_mounts(client: Client, prefix: str) -> None:
    exp_id = create_experiment(client)
    run_id = create_run(client, exp_id)["info"]["run_id"]
    model_id, _ = _logged_model(client, exp_id, run_id)
    assert client.get(f"{prefix}/ardea/logged-models/{model_id}/runs").status_code == 200
