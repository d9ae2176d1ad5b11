"""The OpenAPI document: request fragments from the specs, answers, errors, path parameters."""

from __future__ import annotations

import dataclasses
import re

from fastapi.routing import APIRoute

from ardea.api import mlflow_requests as rq
from ardea.server.app import create_app
from ardea.server.deps import ServerDeps
from ardea.server.openapi import openapi_extra, spec_schema
from ardea.server.openapi_gateway import GATEWAY_DOC_PREFIXES


def test_spec_schema_nests_messages_and_lists_required() -> None:
    schema = spec_schema(rq.LOG_BATCH)
    assert schema["required"] == ["run_id"]
    assert schema["properties"]["run_id"] == {"type": "string"}  # required: never null
    metrics = schema["properties"]["metrics"]  # optional: may be null (read as absent)
    assert metrics["anyOf"][1] == {"type": "null"}
    metric = metrics["anyOf"][0]["items"]
    assert metric["required"] == ["key", "value", "timestamp"]
    assert metric["properties"]["step"] == {
        "anyOf": [{"type": "integer", "format": "int64"}, {"type": "null"}]
    }


def test_get_routes_document_query_parameters() -> None:
    params = openapi_extra(rq.GET_METRIC_HISTORY_BULK_INTERVAL, "GET")["parameters"]
    run_ids = next(p for p in params if p["name"] == "run_ids")
    assert run_ids["required"] is True and run_ids["explode"] is True
    assert run_ids["schema"] == {"type": "array", "items": {"type": "string"}}


def test_app_document_has_bodies_and_enums(deps: ServerDeps) -> None:
    doc = create_app(deps).openapi()
    update = doc["paths"]["/api/2.0/mlflow/runs/update"]["post"]["requestBody"]
    status = update["content"]["application/json"]["schema"]["properties"]["status"]
    assert status["anyOf"][0]["enum"] == ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]
    upload_part = doc["paths"]["/api/2.0/mlflow-artifacts/mpu/upload-part/{artifact_path}"]["put"]
    assert "requestBody" not in upload_part
    assert {p["name"] for p in upload_part["parameters"]} == {
        "artifact_path",
        "upload_id",
        "part_number",
    }


def test_every_path_parameter_is_declared(deps: ServerDeps) -> None:
    doc = create_app(deps).openapi()
    undeclared = []
    for path, operations in doc["paths"].items():
        names = set(re.findall(r"\{(\w+)", path))
        for method, op in operations.items():
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            if declared != names:
                undeclared.append((method, path, sorted(names - declared)))
    assert undeclared == []


def test_every_operation_documents_its_answer_and_errors(deps: ServerDeps) -> None:
    doc = create_app(deps).openapi()
    schemas = doc["components"]["schemas"]
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            # One success answer: 200, or MLflow's 201 (CreateWorkspace) / 204 (no body).
            successes = [s for s in op["responses"] if s.startswith("2")]
            assert len(successes) == 1, (method, path, successes)
            ok = op["responses"][successes[0]]
            assert ok.get("content") or ok.get("headers") or successes[0] == "204", (method, path)
            for media in ok.get("content", {}).values():
                ref = media["schema"].get("$ref", "")
                assert not ref or ref.rsplit("/", 1)[1] in schemas, (method, path)
            # FastAPI's validation 422 is never documented; OTLP's own 422 (MLflow's) is.
            assert ("422" in op["responses"]) == (path == "/v1/traces"), (method, path)
            for status, answer in op["responses"].items():
                if not status.startswith("2"):
                    schema = answer["content"]["application/json"]["schema"]
                    if path.startswith(GATEWAY_DOC_PREFIXES):  # each API's own error shape
                        assert schema["$ref"].rsplit("/", 1)[1] in schemas, (method, path)
                        continue
                    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}
    assert "HTTPValidationError" not in schemas
    assert schemas["ErrorResponse"]["required"] == ["error_code", "message"]


def test_ardea_routes_and_ui_reads_have_json_schemas(deps: ServerDeps) -> None:
    paths = create_app(deps).openapi()["paths"]
    ardea = [p for p in paths if p.startswith("/api/3.0/ardea/")]
    assert len(ardea) >= 2
    ui_reads = ["/api/2.0/mlflow/runs/search", "/api/3.0/mlflow/traces/search", *ardea]
    for path in ui_reads:
        op = paths[path].get("get") or paths[path]["post"]
        assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]


def test_otlp_answers_its_own_shape(deps: ServerDeps) -> None:
    op = create_app(deps).openapi()["paths"]["/v1/traces"]["post"]
    assert set(op["responses"]["200"]["content"]) == {"application/json", "application/x-protobuf"}
    assert set(op["requestBody"]["content"]) == {"application/json", "application/x-protobuf"}


def test_response_schemas_stay_out_of_the_request_path(deps: ServerDeps) -> None:
    # FastAPI validates and serializes through a route's response_field; documented answers
    # live in ``responses`` only, so handlers' orjson bytes go out untouched.
    mounts = create_app(deps).state.rpc_mounts
    routes = [r for _, router in mounts for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) > 50
    assert [r.path for r in routes if r.response_field is not None or r.response_model] == []


def test_the_gateway_paths_are_documented_in_their_apis_shapes(deps: ServerDeps) -> None:
    doc = create_app(deps).openapi()
    paths = doc["paths"]
    chat = paths["/gateway/v1/chat/completions"]["post"]
    assert chat["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GatewayChatRequest"
    }
    assert set(chat["responses"]["200"]["content"]) == {"application/json", "text/event-stream"}
    assert chat["responses"]["401"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/GatewayOpenAIError"
    )
    messages = paths["/gateway/anthropic/v1/messages"]["post"]["responses"]["404"]
    assert messages["content"]["application/json"]["schema"]["$ref"].endswith(
        "/GatewayAnthropicError"
    )
    gemini = paths["/gateway/gemini/v1beta/models/{endpoint}:generateContent"]["post"]
    assert gemini["responses"]["429"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/GatewayGeminiError"
    )
    for path in (
        "/gateway/v1/models",
        "/gateway/{endpoint}/mlflow/invocations",
        "/endpoints/{endpoint}/invocations",
        "/api/2.0/endpoints/",
        "/metrics",
    ):
        assert path in paths
    # The gateway off: its paths are not documented.
    off = dataclasses.replace(
        deps, settings=dataclasses.replace(deps.settings, gateway_enabled=False)
    )
    assert "/gateway/v1/chat/completions" not in create_app(off).openapi()["paths"]
