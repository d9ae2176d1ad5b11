"""OpenAPI fragments generated from the request specs."""

from __future__ import annotations

from ardea.api import mlflow_requests as rq
from ardea.server.app import create_app
from ardea.server.deps import ServerDeps
from ardea.server.openapi import openapi_extra, spec_schema


def test_spec_schema_nests_messages_and_lists_required() -> None:
    schema = spec_schema(rq.LOG_BATCH)
    assert schema["required"] == ["run_id"]
    metric = schema["properties"]["metrics"]["items"]
    assert metric["required"] == ["key", "value", "timestamp"]
    assert metric["properties"]["step"] == {"type": "integer", "format": "int64"}


def test_get_routes_document_query_parameters() -> None:
    params = openapi_extra(rq.GET_METRIC_HISTORY_BULK_INTERVAL, "GET")["parameters"]
    run_ids = next(p for p in params if p["name"] == "run_ids")
    assert run_ids["required"] is True and run_ids["explode"] is True
    assert run_ids["schema"] == {"type": "array", "items": {"type": "string"}}


def test_app_document_has_bodies_and_enums(deps: ServerDeps) -> None:
    doc = create_app(deps).openapi()
    update = doc["paths"]["/api/2.0/mlflow/runs/update"]["post"]["requestBody"]
    status = update["content"]["application/json"]["schema"]["properties"]["status"]
    assert status["enum"] == ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]
    upload_part = doc["paths"]["/api/2.0/mlflow-artifacts/mpu/upload-part/{artifact_path}"]["put"]
    assert "requestBody" not in upload_part
    assert {p["name"] for p in upload_part["parameters"]} == {
        "artifact_path",
        "upload_id",
        "part_number",
    }
