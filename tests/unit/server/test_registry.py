"""Model registry routes: wire shapes, MLflow error codes, both mounts, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea.server.deps import ServerDeps

from .support import PREFIXES, Client

RM = "/mlflow/registered-models"
MV = "/mlflow/model-versions"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_model_and_version_round_trip(client: Client, prefix: str) -> None:
    r = client.post(
        f"{prefix}{RM}/create",
        json={"name": "m", "tags": [{"key": "t", "value": "1"}], "description": "d"},
    )
    assert r.status_code == 200
    model = r.json()["registered_model"]
    assert model["name"] == "m" and model["tags"] == [{"key": "t", "value": "1"}]
    assert model["description"] == "d"
    assert isinstance(model["creation_timestamp"], int)
    assert "latest_versions" not in model and "aliases" not in model  # empty: left out

    r = client.post(f"{prefix}{MV}/create", json={"name": "m", "source": "s3://b/x", "runId": "r1"})
    version = r.json()["model_version"]
    assert version["version"] == "1" and version["status"] == "READY"
    assert version["current_stage"] == "None" and version["run_id"] == "r1"

    assert (
        client.post(
            f"{prefix}{RM}/alias", json={"name": "m", "alias": "champ", "version": "1"}
        ).json()
        == {}
    )
    r = client.get(f"{prefix}{RM}/alias", params={"name": "m", "alias": "champ"})
    assert r.json()["model_version"]["aliases"] == ["champ"]
    model = client.get(f"{prefix}{RM}/get", params={"name": "m"}).json()["registered_model"]
    assert model["aliases"] == [{"alias": "champ", "version": "1"}]
    assert [v["version"] for v in model["latest_versions"]] == ["1"]
    r = client.get(f"{prefix}{MV}/get-download-uri", params={"name": "m", "version": "1"})
    assert r.json() == {"artifact_uri": "s3://b/x"}

    r = client.delete(f"{prefix}{RM}/alias", json={"name": "m", "alias": "champ"})
    assert r.status_code == 200
    r = client.delete(f"{prefix}{RM}/delete", json={"name": "m"})
    assert r.status_code == 200 and r.json() == {}
    r = client.get(f"{prefix}{RM}/get", params={"name": "m"})
    assert r.status_code == 404 and r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_error_codes(client: Client) -> None:
    api = "/api/2.0"
    assert client.post(f"{api}{RM}/create", json={"name": "m"}).status_code == 200
    r = client.post(f"{api}{RM}/create", json={"name": "m"})
    assert r.status_code == 400 and r.json()["error_code"] == "RESOURCE_ALREADY_EXISTS"
    r = client.post(f"{api}{RM}/create", json={})
    assert r.status_code == 400 and r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    r = client.get(f"{api}{MV}/get", params={"name": "m", "version": "x"})
    assert r.status_code == 400 and r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    r = client.get(f"{api}{MV}/get", params={"name": "m", "version": "7"})
    assert r.status_code == 404 and r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    r = client.get(f"{api}{RM}/search", params={"filter": "name = 'm' OR name = 'n'"})
    assert r.status_code == 400 and "OR" in r.json()["message"]
    r = client.get(f"{api}{RM}/search", params={"max_results": "5000"})
    assert r.status_code == 400
    r = client.post(
        f"{api}{MV}/transition-stage",
        json={"name": "m", "version": "1", "stage": "Production"},
    )
    assert r.status_code == 400  # archive_existing_versions is required
    r = client.post(
        f"{api}{RM}/create", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400


def test_search_pages_and_latest_versions(client: Client) -> None:
    api = "/api/2.0"
    for name in ["a", "b", "c"]:
        client.post(f"{api}{RM}/create", json={"name": name})
        client.post(f"{api}{MV}/create", json={"name": name, "source": f"s3://b/{name}"})
    r = client.get(f"{api}{RM}/search", params={"max_results": "2"}).json()
    assert [m["name"] for m in r["registered_models"]] == ["a", "b"]
    r2 = client.get(
        f"{api}{RM}/search", params={"max_results": "2", "page_token": r["next_page_token"]}
    ).json()
    assert [m["name"] for m in r2["registered_models"]] == ["c"] and "next_page_token" not in r2
    r = client.post(f"{api}{MV}/search", json={"filter": "name IN ('a', 'c')"}).json()
    assert [(v["name"], v["version"]) for v in r["model_versions"]] == [("a", "1"), ("c", "1")]
    client.post(
        f"{api}{MV}/transition-stage",
        json={"name": "a", "version": "1", "stage": "staging", "archive_existing_versions": False},
    )
    r = client.post(f"{api}{RM}/get-latest-versions", json={"name": "a", "stages": ["Staging"]})
    assert [v["current_stage"] for v in r.json()["model_versions"]] == ["Staging"]
    r = client.get(f"{api}{RM}/get-latest-versions", params={"name": "a", "stages": "None"})
    assert r.json() == {"model_versions": []}


def test_tags_update_and_rename(client: Client) -> None:
    api = "/api/2.0"
    client.post(f"{api}{RM}/create", json={"name": "m"})
    client.post(f"{api}{MV}/create", json={"name": "m", "source": "s3://b/x"})
    assert (
        client.post(f"{api}{RM}/set-tag", json={"name": "m", "key": "k", "value": "v"}).json() == {}
    )
    assert (
        client.post(
            f"{api}{MV}/set-tag", json={"name": "m", "version": "1", "key": "k", "value": "v"}
        ).json()
        == {}
    )
    r = client.patch(f"{api}{MV}/update", json={"name": "m", "version": "1", "description": "x"})
    assert r.json()["model_version"]["description"] == "x"
    r = client.patch(f"{api}{RM}/update", json={"name": "m", "description": "y"})
    assert r.json()["registered_model"]["description"] == "y"
    r = client.post(f"{api}{RM}/rename", json={"name": "m", "new_name": "n"})
    assert r.json()["registered_model"]["name"] == "n"
    r = client.get(f"{api}{MV}/get", params={"name": "n", "version": "1"}).json()
    assert r["model_version"]["tags"] == [{"key": "k", "value": "v"}]
    client.delete(f"{api}{MV}/delete-tag", json={"name": "n", "version": "1", "key": "k"})
    client.delete(f"{api}{RM}/delete-tag", json={"name": "n", "key": "k"})
    model = client.get(f"{api}{RM}/get", params={"name": "n"}).json()["registered_model"]
    assert "tags" not in model and "tags" not in model["latest_versions"][0]
    assert client.delete(f"{api}{MV}/delete", json={"name": "n", "version": "1"}).json() == {}
    r = client.get(f"{api}{MV}/get", params={"name": "n", "version": "1"})
    assert r.status_code == 404


def test_version_sources_are_checked(client: Client, deps: ServerDeps, tmp_path: Path) -> None:
    api = "/api/2.0"
    client.post(f"{api}{RM}/create", json={"name": "m"})
    bad_sources = [
        "/etc",
        "file:///etc/passwd",
        "s3://bucket/models/../../other",
        "mlflow-artifacts:/1/x/..%2f..%2fsecrets",
        "models://other-host/m/1",
    ]
    for source in bad_sources:
        r = client.post(f"{api}{MV}/create", json={"name": "m", "source": source})
        assert r.status_code == 400, source
        assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    r = client.post(
        f"{api}{MV}/create",
        json={
            "name": "m",
            "source": "s3://b/x",
            "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}],
        },
    )
    assert r.status_code == 400 and "prompt source" in r.json()["message"]
    r = client.post(
        f"{api}{MV}/create",
        json={
            "name": "m",
            "source": "dummy-source",
            "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}],
        },
    )
    assert r.status_code == 200
    # A local path inside the run's own (local) artifact folder is allowed.
    root = tmp_path / "runs-root"
    # Created in the store: the server refuses such a location from a client (outside its
    # artifact roots), but an existing experiment may have one.
    exp = deps.backend.tracking.create_experiment("local-art", str(root))
    run = client.post(f"{api}/mlflow/runs/create", json={"experiment_id": exp}).json()["run"]
    artifact_uri = run["info"]["artifact_uri"]
    ok = client.post(
        f"{api}{MV}/create",
        json={"name": "m", "source": f"{artifact_uri}/model", "run_id": run["info"]["run_id"]},
    )
    assert ok.status_code == 200, ok.text
    outside = client.post(
        f"{api}{MV}/create",
        json={"name": "m", "source": str(tmp_path), "run_id": run["info"]["run_id"]},
    )
    assert outside.status_code == 400
    versions = client.get(f"{api}{MV}/search", params={"filter": "name = 'm'"}).json()
    assert len(versions["model_versions"]) == 1  # the prompt version is not listed


_GARBAGE: list[object] = [
    None,
    "",
    " ",
    "../x",
    "a/b",
    "é\x00",
    "x" * 5000,
    -1,
    0,
    2**70,
    "99999999999999999999999",
    1.5,
    True,
    [],
    ["a"],
    {"k": "v"},
    "NaN",
]
_ROUTES = [
    ("POST", f"{RM}/create", ("name", "description", "deployment_job_id", "tags")),
    ("GET", f"{RM}/get", ("name",)),
    ("POST", f"{RM}/rename", ("name", "new_name")),
    ("PATCH", f"{RM}/update", ("name", "description")),
    ("DELETE", f"{RM}/delete", ("name",)),
    ("GET", f"{RM}/search", ("filter", "max_results", "order_by", "page_token")),
    ("POST", f"{RM}/get-latest-versions", ("name", "stages")),
    ("POST", f"{RM}/set-tag", ("name", "key", "value")),
    ("DELETE", f"{RM}/delete-tag", ("name", "key")),
    ("POST", f"{RM}/alias", ("name", "alias", "version")),
    ("DELETE", f"{RM}/alias", ("name", "alias")),
    ("GET", f"{RM}/alias", ("name", "alias")),
    ("POST", f"{MV}/create", ("name", "source", "run_id", "model_id", "tags", "run_link")),
    ("GET", f"{MV}/get", ("name", "version")),
    ("PATCH", f"{MV}/update", ("name", "version", "description")),
    ("DELETE", f"{MV}/delete", ("name", "version")),
    ("GET", f"{MV}/search", ("filter", "max_results", "order_by", "page_token")),
    ("GET", f"{MV}/get-download-uri", ("name", "version")),
    ("POST", f"{MV}/transition-stage", ("name", "version", "stage", "archive_existing_versions")),
    ("POST", f"{MV}/set-tag", ("name", "version", "key", "value")),
    ("DELETE", f"{MV}/delete-tag", ("name", "version", "key")),
]


@pytest.mark.parametrize(("method", "path", "fields"), _ROUTES, ids=[r[1] for r in _ROUTES])
def test_garbage_never_500_and_changes_nothing(
    client: Client, method: str, path: str, fields: tuple[str, ...]
) -> None:
    api = "/api/2.0"
    client.post(f"{api}{RM}/create", json={"name": "keep"})
    client.post(f"{api}{MV}/create", json={"name": "keep", "source": "s3://b/k"})
    client.post(f"{api}{RM}/alias", json={"name": "keep", "alias": "a", "version": "1"})
    before = client.get(f"{api}{RM}/get", params={"name": "keep"}).json()
    valid = {"name": "keep", "version": "1", "alias": "a", "key": "k", "source": "s3://b/k"}
    for field in fields:
        for value in _GARBAGE:
            body = {f: valid.get(f, "x") for f in fields}
            body[field] = value
            if method == "GET":
                params = {k: str(v) for k, v in body.items() if v is not None}
                r = client.get(f"{api}{path}", params=params)
            else:
                r = client.request(method, f"{api}{path}", json=body)
            assert r.status_code < 500, (field, value, r.text)
            if r.status_code >= 400:
                assert r.json()["error_code"], r.text
    if method in ("GET",) or path.endswith(("/create", "/set-tag", "/update")):
        after = client.get(f"{api}{RM}/get", params={"name": "keep"}).json()
        assert after["registered_model"]["aliases"] == before["registered_model"]["aliases"]


def test_nul_in_local_source_is_a_400(client: Client) -> None:
    api = "/api/2.0"
    client.post(f"{api}{RM}/create", json={"name": "m"})
    for body in (
        {"name": "m", "source": "/tmp/a\x00b", "run_id": "r"},
        {"name": "m", "source": "/tmp/x", "run_id": "r\x00"},
        {"name": "m", "source": "/tmp/x", "model_id": "m-\x00"},
    ):
        r = client.post(f"{api}{MV}/create", json=body)
        assert r.status_code == 400, r.text
