"""Artifact routes: proxied upload/download/list/delete, multipart, run artifacts, hostile paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps

from .support import (
    PREFIXES,
    Client,
    assert_error,
    create_experiment,
    create_run,
    raw_request,
)

A = "/api/2.0/mlflow-artifacts/artifacts"
MPU = "/api/2.0/mlflow-artifacts/mpu"


def tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("prefix", PREFIXES)
def test_put_get_list_delete(client: Client, prefix: str) -> None:
    base = f"{prefix}/mlflow-artifacts/artifacts"
    r = client.put(f"{base}/1/run/artifacts/dir/a.txt", content=b"hello")
    assert r.status_code == 200 and r.json() == {}
    client.put(f"{base}/1/run/artifacts/b.bin", content=b"\x00" * 10)
    r = client.get(f"{base}/1/run/artifacts/dir/a.txt")
    assert r.status_code == 200 and r.content == b"hello"
    assert r.headers["content-disposition"].startswith('attachment; filename="a.txt"')
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-type"].startswith("text/plain")
    listing = client.get(base, params={"path": "1/run/artifacts"}).json()
    assert listing["files"] == [
        {"path": "b.bin", "is_dir": False, "file_size": 10},
        {"path": "dir", "is_dir": True},
    ]
    assert client.get(base, params={"path": "1/run/artifacts/dir"}).json()["files"] == [
        {"path": "a.txt", "is_dir": False, "file_size": 5}
    ]
    assert client.delete(f"{base}/1/run/artifacts/dir").json() == {}
    assert_error(client.get(f"{base}/1/run/artifacts/dir/a.txt"), 404, "RESOURCE_DOES_NOT_EXIST")
    assert client.get(base, params={"path": "nothing"}).json().get("files", []) == []


def test_download_of_a_folder_is_400(client: Client) -> None:
    client.put(f"{A}/d/x.txt", content=b"x")
    assert_error(client.get(f"{A}/d"), 400, "INVALID_PARAMETER_VALUE")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("page.html", "text/plain"),
        ("pic.svg", "text/plain"),
        ("x.xhtml", "text/plain"),
        ("app.js", "text/plain"),
        ("blob.unknownext", "application/octet-stream"),
        ("img.png", "image/png"),
        ("d.json", "application/json"),
    ],
)
def test_downloads_never_render_active_content(client: Client, name: str, expected: str) -> None:
    client.put(f"{A}/f/{name}", content=b"<script>alert(1)</script>")
    r = client.get(f"{A}/f/{name}")
    assert r.headers["content-type"].split(";")[0] == expected
    assert r.headers["content-disposition"].startswith("attachment")


def test_large_upload_streams_through_a_temp_file(client: Client, deps: ServerDeps) -> None:
    data = os.urandom(3 * 1024 * 1024 + 7)

    async def chunks():  # no content-length: the server must stream
        for i in range(0, len(data), 65536):
            yield data[i : i + 65536]

    r = client.put(f"{A}/big/file.bin", content=chunks())
    assert r.status_code == 200, r.text
    r = client.get(f"{A}/big/file.bin")
    assert r.content == data
    assert r.headers["content-length"] == str(len(data))


HOSTILE = [
    "%2E%2E/escape.txt",
    "a/%2e%2e/%2e%2e/escape.txt",
    "..%2Fescape.txt",
    "%2Fetc%2Fpasswd",
    "a%00b.txt",
    "a%5C..%5C..%5Cescape.txt",
]


@pytest.mark.parametrize("path", HOSTILE)
def test_hostile_proxied_paths_are_400_and_write_nothing(
    client: Client, deps: ServerDeps, tmp_path: Path, path: str
) -> None:
    before = tree(tmp_path)
    r = client.put(f"{A}/{path}", content=b"pwned")
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")
    assert_error(client.get(f"{A}/{path}"), 400, "INVALID_PARAMETER_VALUE")
    assert_error(client.delete(f"{A}/{path}"), 400, "INVALID_PARAMETER_VALUE")
    assert tree(tmp_path) == before
    assert not (tmp_path.parent / "escape.txt").exists()


@pytest.mark.parametrize("path", ["../escape.txt", "a/../../escape.txt", "x/../../../escape"])
@pytest.mark.parametrize("method", ["PUT", "GET", "DELETE"])
def test_literal_dot_segments_in_the_raw_path_are_400(
    deps: ServerDeps, tmp_path: Path, path: str, method: str
) -> None:
    # httpx would clean up "..": send the raw path, as a hostile client can.
    before = tree(tmp_path)
    status, body = raw_request(create_app(deps), method, f"{A}/{path}", b"pwned")
    assert status == 400, body
    assert b"INVALID_PARAMETER_VALUE" in body
    assert tree(tmp_path) == before
    assert not (tmp_path.parent / "escape.txt").exists()


@pytest.mark.parametrize("path", ["..", "../..", "/etc", "a/../../x"])
def test_hostile_list_paths_are_400(client: Client, path: str) -> None:
    assert_error(client.get(A, params={"path": path}), 400, "INVALID_PARAMETER_VALUE")


def test_multipart_upload_through_this_server(client: Client) -> None:
    # As in MLflow: the URL names the folder, the body's "path" is the client's local file.
    r = client.post(f"{MPU}/create/mp", json={"path": "/home/me/model.bin", "num_parts": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    upload_id = body["upload_id"]
    creds = body["credentials"]
    assert [c["part_number"] for c in creds] == [1, 2]
    parts = []
    for cred, data in zip(creds, [b"a" * 100, b"b" * 50], strict=True):
        assert cred["url"].startswith("http://localhost/api/2.0/mlflow-artifacts/mpu/")
        resp = client.put(cred["url"], content=data)
        assert resp.status_code == 200, resp.text
        parts.append({"part_number": cred["part_number"], "etag": resp.headers["etag"]})
    r = client.post(
        f"{MPU}/complete/mp",
        json={"path": "/home/me/model.bin", "upload_id": upload_id, "parts": parts},
    )
    assert r.status_code == 200, r.text
    assert client.get(f"{A}/mp/model.bin").content == b"a" * 100 + b"b" * 50

    r = client.post(f"{MPU}/create/mp", json={"path": "C:\\data\\other.bin", "num_parts": 1})
    other = r.json()["upload_id"]
    r = client.post(f"{MPU}/abort/mp", json={"path": "other.bin", "upload_id": other})
    assert r.status_code == 200
    assert_error(client.get(f"{A}/mp/other.bin"), 404, "RESOURCE_DOES_NOT_EXIST")


@pytest.mark.parametrize(
    ("url_path", "body_path"),
    [("%2E%2E", "x.bin"), ("a", ".."), ("a", "dir/.."), ("a", "")],
)
def test_multipart_hostile_targets_are_400(
    client: Client, tmp_path: Path, url_path: str, body_path: str
) -> None:
    before = tree(tmp_path)
    r = client.post(f"{MPU}/create/{url_path}", json={"path": body_path, "num_parts": 1})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")
    assert tree(tmp_path) == before


def test_multipart_unsupported_store_answers_mlflows_message(deps: ServerDeps) -> None:
    from ardea.store.artifacts.base import ArtifactStore

    class NoMultipart(ArtifactStore):
        put = open = size = list = delete = None  # type: ignore[assignment]

    NoMultipart.__abstractmethods__ = frozenset()
    from dataclasses import replace

    app = create_app(replace(deps, backend=replace(deps.backend, artifacts=NoMultipart())))
    c = Client(app)
    try:
        r = c.post(f"{MPU}/create/x", json={"path": "f.bin", "num_parts": 1})
        info = c.get("/api/3.0/mlflow/server-info").json()
    finally:
        c.close()
    assert_error(
        r, 501, "NOT_IMPLEMENTED", "Multipart upload is not supported for the current artifact"
    )
    assert info["multipart_uploads_enabled"] is False


@pytest.mark.parametrize("prefix", PREFIXES)
def test_run_artifact_list_and_get_artifact(client: Client, prefix: str) -> None:
    exp_id = create_experiment(client)
    run = create_run(client, exp_id)
    run_id = run["info"]["run_id"]
    base = f"{A}/{exp_id}/{run_id}/artifacts"
    client.put(f"{base}/model/MLmodel", content=b"m")
    client.put(f"{base}/notes.txt", content=b"notes")
    r = client.get(f"{prefix}/mlflow/artifacts/list", params={"run_id": run_id})
    body = r.json()
    assert body["root_uri"] == run["info"]["artifact_uri"]
    assert body["files"] == [
        {"path": "model", "is_dir": True},
        {"path": "notes.txt", "is_dir": False, "file_size": 5},
    ]
    r = client.get(f"{prefix}/mlflow/artifacts/list", params={"run_uuid": run_id, "path": "model"})
    assert r.json()["files"] == [{"path": "model/MLmodel", "is_dir": False, "file_size": 1}]
    r = client.get("/get-artifact", params={"run_id": run_id, "path": "notes.txt"})
    assert r.status_code == 200 and r.content == b"notes"
    for bad in ["../../other", "/abs"]:
        r = client.get(f"{prefix}/mlflow/artifacts/list", params={"run_id": run_id, "path": bad})
        assert_error(r, 400, "INVALID_PARAMETER_VALUE")
        r = client.get("/get-artifact", params={"run_id": run_id, "path": bad})
        assert_error(r, 400, "INVALID_PARAMETER_VALUE")


def _local_location_run(client: Client, location: Path) -> tuple[str, Path]:
    r = client.post(
        "/api/2.0/mlflow/experiments/create",
        json={"name": f"local-{location.name}", "artifact_location": str(location)},
    )
    assert r.status_code == 200, r.text
    run = create_run(client, r.json()["experiment_id"])
    run_root = Path(run["info"]["artifact_uri"].removeprefix("file://"))
    run_root.mkdir(parents=True)
    (run_root / "f.txt").write_bytes(b"direct")
    return run["info"]["run_id"], run_root


def _legacy_location_run(client: Client, deps: ServerDeps, location: str) -> str:
    """A run of an experiment whose location a client can no longer choose (an older row)."""
    experiment_id = deps.backend.tracking.create_experiment(f"legacy-{location}", location)
    return str(create_run(client, experiment_id)["info"]["run_id"])


def test_artifact_locations_outside_the_roots_are_refused_at_creation(
    client: Client, tmp_path: Path
) -> None:
    for location in [str(tmp_path / "elsewhere"), "/", "s3://another-bucket/x", "ftp://h/x"]:
        before = client.post("/api/2.0/mlflow/experiments/search", json={"max_results": 50})
        r = client.post(
            "/api/2.0/mlflow/experiments/create",
            json={"name": f"e-{location}", "artifact_location": location},
        )
        assert_error(r, 400, "INVALID_PARAMETER_VALUE", "--allow-artifact-root")
        after = client.post("/api/2.0/mlflow/experiments/search", json={"max_results": 50})
        assert after.json() == before.json()  # nothing created


def test_artifact_locations_outside_the_roots_are_refused(
    client: Client, deps: ServerDeps, tmp_path: Path
) -> None:
    # An experiment created before the server checked locations at creation (or directly
    # in the database) still cannot make the server a file reader.
    run_id = _legacy_location_run(client, deps, str(tmp_path / "elsewhere"))
    r = client.get("/api/2.0/mlflow/artifacts/list", params={"run_id": run_id})
    assert_error(r, 403, "PERMISSION_DENIED", "--allow-artifact-root")
    r = client.get("/get-artifact", params={"run_id": run_id, "path": "f.txt"})
    assert_error(r, 403, "PERMISSION_DENIED")
    r = client.post(
        "/ajax-api/2.0/mlflow/upload-artifact",
        params={"run_uuid": run_id, "path": "x.txt"},
        content=b"x",
    )
    assert_error(r, 403, "PERMISSION_DENIED")
    root_run = _legacy_location_run(client, deps, "/")
    r = client.get("/get-artifact", params={"run_id": root_run, "path": "etc/passwd"})
    assert_error(r, 403, "PERMISSION_DENIED")


def test_allowed_local_artifact_location(deps: ServerDeps, tmp_path: Path) -> None:
    from dataclasses import replace

    settings = replace(deps.settings, allowed_artifact_roots=(str(tmp_path / "allowed"),))
    c = Client(create_app(ServerDeps(deps.backend, settings)))
    try:
        run_id, _ = _local_location_run(c, tmp_path / "allowed" / "exp")
        r = c.get("/api/2.0/mlflow/artifacts/list", params={"run_id": run_id})
        assert r.json()["files"] == [{"path": "f.txt", "is_dir": False, "file_size": 6}]
        r = c.get("/get-artifact", params={"run_id": run_id, "path": "f.txt"})
        assert r.content == b"direct"
        # A sibling that merely shares the prefix is not inside the root.
        r = c.post(
            "/api/2.0/mlflow/experiments/create",
            json={"name": "not-inside", "artifact_location": str(tmp_path / "allowed-not")},
        )
        assert_error(r, 400, "INVALID_PARAMETER_VALUE", "--allow-artifact-root")
        run_id = _legacy_location_run(c, deps, str(tmp_path / "allowed-not"))
        r = c.get("/api/2.0/mlflow/artifacts/list", params={"run_id": run_id})
        assert_error(r, 403, "PERMISSION_DENIED")
    finally:
        c.close()


def test_ui_upload_artifact(client: Client) -> None:
    exp_id = create_experiment(client)
    run_id = create_run(client, exp_id)["info"]["run_id"]
    url = "/ajax-api/2.0/mlflow/upload-artifact"
    r = client.post(url, params={"run_uuid": run_id, "path": "ui/file.txt"}, content=b"ui")
    assert r.status_code == 200, r.text
    r = client.get("/get-artifact", params={"run_id": run_id, "path": "ui/file.txt"})
    assert r.content == b"ui"
    r = client.post(url, params={"run_uuid": run_id, "path": "../x"}, content=b"ui")
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")
    r = client.post(url, params={"run_uuid": run_id, "path": "empty"}, content=b"")
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "data")
    r = client.post(
        url, params={"run_uuid": run_id, "path": "big"}, content=b"x" * (10 * 1024 * 1024 + 1)
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "too large")
    r = client.post(url, params={"path": "a"}, content=b"x")
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "'run_id'")


def test_locations_in_the_staging_folder_are_refused_even_inside_the_roots(
    deps: ServerDeps, tmp_path: Path
) -> None:
    """The multipart staging folder lies inside the artifacts destination, an allowed root."""
    from ardea.store.artifacts.paths import MPU_DIR

    destination = Path(deps.backend.artifacts.root)  # type: ignore[attr-defined]
    from dataclasses import replace

    settings = replace(deps.settings, artifacts_destination=str(destination))
    c = Client(create_app(ServerDeps(deps.backend, settings)))
    try:
        for location in [
            str(destination / MPU_DIR),
            str(destination / "team" / MPU_DIR / "x"),
            f"file://{destination / MPU_DIR}",
            f"mlflow-artifacts:/{MPU_DIR}",
        ]:
            r = c.post(
                "/api/2.0/mlflow/experiments/create",
                json={"name": f"staged-{location}", "artifact_location": location},
            )
            assert_error(r, 400, "INVALID_PARAMETER_VALUE", ".ardea-")
        # A folder of the destination itself is a fine location.
        r = c.post(
            "/api/2.0/mlflow/experiments/create",
            json={"name": "inside", "artifact_location": str(destination / "team")},
        )
        assert r.status_code == 200, r.text
    finally:
        c.close()


def test_a_nul_in_an_artifact_location_is_a_400_or_a_403_never_a_500(
    client: Client, deps: ServerDeps
) -> None:
    r = client.post(
        "/api/2.0/mlflow/experiments/create",
        json={"name": "nul", "artifact_location": "/tmp/a\x00b"},
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "NUL")
    # A row written before NUL was refused (SQLite stored it): reads are refused, cleanly.
    import sqlalchemy as sa

    database = deps.backend.tracking.database  # type: ignore[attr-defined]
    exp = deps.backend.tracking.create_experiment("legacy-nul", "/tmp/legacy")
    database.write(
        lambda c: c.execute(
            sa.text("UPDATE experiments SET artifact_location = :l WHERE experiment_id = :e"),
            {"l": "/tmp/a\x00b", "e": int(exp)},
        )
    )
    run_id = create_run(client, exp)["info"]["run_id"]
    r = client.get("/api/2.0/mlflow/artifacts/list", params={"run_id": run_id})
    assert_error(r, 403, "PERMISSION_DENIED")
