"""App-level behaviour: meta routes, both prefixes, error envelopes, OpenAPI."""

from __future__ import annotations

import warnings

import pytest

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps
from ardea.server.routers.meta import SERVER_VERSION

from .support import Client, assert_error


def test_health_is_plain_ok(client: Client) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    assert r.text == "OK"
    assert r.headers["content-type"].startswith("text/plain")


def test_version_is_a_bare_pep440_string(client: Client) -> None:
    from packaging.version import Version

    r = client.get("/version")
    assert r.status_code == 200
    assert r.text == SERVER_VERSION
    # /v1/traces exists: a version >= 3.4 makes mlflow clients send their spans over OTLP.
    assert Version(r.text) >= Version("3.4")


@pytest.mark.parametrize("prefix", ["/api/3.0", "/ajax-api/3.0"])
def test_server_info_shape(client: Client, prefix: str) -> None:
    r = client.get(f"{prefix}/mlflow/server-info")
    assert r.status_code == 200
    body = r.json()
    assert body["store_type"] == "SqlStore"
    assert body["workspaces_enabled"] is False
    assert body["features_enabled"] == {"gateway": True, "scheduled_issue_detection": False}
    assert body["artifact_serving_enabled"] is True and body["multipart_uploads_enabled"] is True
    assert body["tracking_auth"] == "" and body["artifacts_presigned_only"] is False
    assert set(body) == {  # MLflow 3.18's keys, but the skill content limits (no skills here)
        "store_type",
        "workspaces_enabled",
        "trace_archival_enabled",
        "multipart_uploads_enabled",
        "multipart_downloads_enabled",
        "artifact_serving_enabled",
        "presigned_upload_run_id_supported",
        "presigned_upload_model_id_supported",
        "model_artifact_presigned_downloads_supported",
        "features_enabled",
        "tracking_auth",
        "artifacts_presigned_only",
    }


def test_unknown_route_is_json_endpoint_not_found(client: Client) -> None:
    assert_error(client.get("/api/2.0/mlflow/nothing-here"), 404, "ENDPOINT_NOT_FOUND")
    assert_error(client.post("/api/9.0/x", json={}), 404, "ENDPOINT_NOT_FOUND")


def test_wrong_method_is_json_405(client: Client) -> None:
    r = client.delete("/api/2.0/mlflow/runs/create")
    assert r.status_code == 405
    assert r.json()["error_code"] == "BAD_REQUEST"


def test_post_without_json_content_type_is_400(client: Client) -> None:
    r = client.post(
        "/api/2.0/mlflow/experiments/create",
        content=b'{"name": "x"}',
        headers={"content-type": "text/plain"},
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "Content-Type must be one of")
    # Nothing was created.
    r = client.get("/api/2.0/mlflow/experiments/get-by-name", params={"experiment_name": "x"})
    assert r.status_code == 404


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"s"', b"null"])
def test_bad_json_bodies_are_400(client: Client, body: bytes) -> None:
    r = client.post(
        "/api/2.0/mlflow/experiments/create",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")


def test_internal_errors_hide_the_trace_and_name_a_request_id(
    deps: ServerDeps, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        def get_experiment(self, experiment_id: str) -> None:
            raise RuntimeError("secret detail")

    from dataclasses import replace

    broken = replace(deps, backend=replace(deps.backend, tracking=Broken()))
    c = Client(create_app(broken))
    try:
        with caplog.at_level("ERROR", logger="ardea.server"):
            r = c.get("/api/2.0/mlflow/experiments/get", params={"experiment_id": "1"})
    finally:
        c.close()
    assert r.status_code == 500
    body = r.json()
    assert body["error_code"] == "INTERNAL_ERROR"
    assert "secret detail" not in r.text and "Traceback" not in r.text
    request_id = body["message"].rsplit(" ", 1)[-1]
    assert any(request_id in rec.getMessage() and rec.exc_info for rec in caplog.records)


def test_openapi_document_builds_without_warnings(deps: ServerDeps) -> None:
    app = create_app(deps)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        doc = app.openapi()
    paths = doc["paths"]
    assert "/api/2.0/mlflow/runs/log-metric" in paths
    assert "/api/2.0/mlflow/runs/search" in paths and {"get", "post"} <= set(
        paths["/api/2.0/mlflow/runs/search"]
    )
    # The ajax copies are served but not documented twice.
    assert "/ajax-api/2.0/mlflow/runs/log-metric" not in paths


def test_no_proxy_routes_when_not_serving_artifacts(deps: ServerDeps) -> None:
    from dataclasses import replace

    settings = replace(deps.settings, serve_artifacts=False)
    c = Client(create_app(ServerDeps(deps.backend, settings)))
    try:
        r = c.put("/api/2.0/mlflow-artifacts/artifacts/a.txt", content=b"x")
        info = c.get("/api/3.0/mlflow/server-info").json()
    finally:
        c.close()
    assert_error(r, 404, "ENDPOINT_NOT_FOUND")
    assert info["multipart_uploads_enabled"] is False
    assert info["artifact_serving_enabled"] is False


def test_oversized_json_bodies_are_refused_with_400(client: Client) -> None:
    from ardea.server.http import MAX_JSON_BODY_BYTES

    big = b'{"name": "' + b"x" * MAX_JSON_BODY_BYTES + b'"}'
    r = client.post(
        "/api/2.0/mlflow/experiments/create",
        content=big,
        headers={"content-type": "application/json"},
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "too large")

    async def chunked():  # no Content-Length
        for _ in range(MAX_JSON_BODY_BYTES // 65536 + 2):
            yield b" " * 65536

    r = client.post(
        "/api/2.0/mlflow/experiments/create",
        content=chunked(),
        headers={"content-type": "application/json"},
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "too large")
