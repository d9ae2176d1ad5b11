"""Artifacts through the server when they live in S3 (a moto server on loopback)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, ServerSettings
from ardea.store.artifacts.resolve import resolve_artifact_store
from ardea.store.sql.backend import open_sql_backend
from fixtures.s3 import S3Server

from .support import Client, assert_error, create_run

A = "/api/2.0/mlflow-artifacts/artifacts"


@pytest.fixture
def s3_client(tmp_path: Path, s3_env: S3Server) -> Iterator[tuple[Client, S3Server, str]]:
    prefix = f"t-{os.urandom(4).hex()}"
    settings = ServerSettings(
        artifacts_destination=s3_env.uri(f"{prefix}/proxy"),
        allowed_artifact_roots=(s3_env.uri(f"{prefix}/direct"),),
    )
    backend = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}",
        artifacts_destination=settings.artifacts_destination,
        lazy_artifacts=False,
    )
    client = Client(create_app(ServerDeps(backend, settings)))
    client.backend = backend  # type: ignore[attr-defined]  # for rows the API refuses
    yield client, s3_env, prefix
    client.close()
    backend.close()


def test_proxied_artifacts_in_s3(s3_client: tuple[Client, S3Server, str]) -> None:
    client = s3_client[0]
    data = os.urandom(2 * 1024 * 1024 + 5)
    assert client.put(f"{A}/1/r/artifacts/m/w.bin", content=data).status_code == 200
    assert client.put(f"{A}/1/r/artifacts/a.txt", content=b"a").status_code == 200
    r = client.get(f"{A}/1/r/artifacts/m/w.bin")
    assert r.status_code == 200 and r.content == data
    files = client.get(A, params={"path": "1/r/artifacts"}).json()["files"]
    assert files == [
        {"path": "a.txt", "is_dir": False, "file_size": 1},
        {"path": "m", "is_dir": True},
    ]
    assert client.delete(f"{A}/1/r/artifacts/m").status_code == 200
    assert_error(client.get(f"{A}/1/r/artifacts/m/w.bin"), 404, "RESOURCE_DOES_NOT_EXIST")


def test_run_with_an_s3_artifact_location_is_read_by_the_server(
    s3_client: tuple[Client, S3Server, str],
) -> None:
    client, s3, prefix = s3_client
    location = s3.uri(f"{prefix}/direct")
    r = client.post(
        "/api/2.0/mlflow/experiments/create", json={"name": "s3", "artifact_location": location}
    )
    exp_id = r.json()["experiment_id"]
    run = create_run(client, exp_id)
    run_uri = run["info"]["artifact_uri"]
    assert run_uri.startswith(location)
    # The client wrote straight to S3, as an mlflow client with S3 credentials does.
    direct = resolve_artifact_store(run_uri)
    direct.put("plots/loss.png", b"\x89PNG")
    direct.close()
    r = client.get("/api/2.0/mlflow/artifacts/list", params={"run_id": run["info"]["run_id"]})
    assert r.json() == {
        "root_uri": run_uri,
        "files": [{"path": "plots", "is_dir": True}],
    }
    r = client.get(
        "/get-artifact", params={"run_id": run["info"]["run_id"], "path": "plots/loss.png"}
    )
    assert r.status_code == 200 and r.content == b"\x89PNG"
    assert r.headers["content-type"] == "image/png"


def test_multipart_upload_into_s3_through_the_server(
    s3_client: tuple[Client, S3Server, str],
) -> None:
    client = s3_client[0]
    mpu = "/api/2.0/mlflow-artifacts/mpu"
    chunks = [os.urandom(5 * 1024 * 1024), os.urandom(1000)]
    r = client.post(f"{mpu}/create/1/r/artifacts", json={"path": "/x/big.bin", "num_parts": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    parts = []
    for cred, data in zip(body["credentials"], chunks, strict=True):
        resp = client.put(cred["url"], content=data)
        assert resp.status_code == 200, resp.text
        parts.append({"part_number": cred["part_number"], "etag": resp.headers["etag"]})
    r = client.post(
        f"{mpu}/complete/1/r/artifacts",
        json={"path": "/x/big.bin", "upload_id": body["upload_id"], "parts": parts},
    )
    assert r.status_code == 200, r.text
    assert client.get(f"{A}/1/r/artifacts/big.bin").content == b"".join(chunks)


def test_other_buckets_and_prefixes_are_refused(
    s3_client: tuple[Client, S3Server, str],
) -> None:
    client, s3, prefix = s3_client
    for location in (s3.uri(f"{prefix}/elsewhere"), "s3://another-bucket/x"):
        r = client.post(
            "/api/2.0/mlflow/experiments/create",
            json={"name": f"n-{location}", "artifact_location": location},
        )
        assert_error(r, 400, "INVALID_PARAMETER_VALUE", "--allow-artifact-root")
        # An experiment that has such a location already (an older row) is refused on use.
        backend = client.backend  # type: ignore[attr-defined]
        experiment_id = backend.tracking.create_experiment(f"legacy-{location}", location)
        run = create_run(client, experiment_id)
        r = client.get("/api/2.0/mlflow/artifacts/list", params={"run_id": run["info"]["run_id"]})
        assert_error(r, 403, "PERMISSION_DENIED")
