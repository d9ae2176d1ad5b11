"""MLflow 3 logged-model RPCs: create, get, finalize, delete, search, tags, params, artifacts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea.api import mlflow_requests as rq
from ardea.api.mlflow_json import file_info_to_json, logged_model_to_json
from ardea.api.schemas.common import EmptyResponse
from ardea.api.schemas.logged_models import (
    ListLoggedModelArtifactsResponse,
    LoggedModelResponse,
    SearchLoggedModelsResponse,
)
from ardea.entities.auth import ResourceType
from ardea.server import access_targets as at
from ardea.server.access import (
    EDIT,
    MANAGE,
    READ,
    on,
    search,
)
from ardea.server.artifact_access import download_response, list_under, resolve_root
from ardea.server.deps import tracking_store
from ardea.server.http import call, empty, json_response, parse_get, parse_json, rpc
from ardea.server.openapi_responses import FILE, INPUT_ERRORS
from ardea.server.routers.experiments import check_max_results

router = APIRouter()
"""Logged-model routes, mounted under ``/api/2.0`` and ``/ajax-api/2.0``."""

ajax_router = APIRouter()
"""Logged-model routes the MLflow UI uses, mounted under ``/ajax-api/2.0`` only."""

SEARCH_LOGGED_MODELS_DEFAULT = 50
"""Default page size of SearchLoggedModels."""
SEARCH_LOGGED_MODELS_LIMIT = 50000
"""Largest page size of SearchLoggedModels."""

_BASE = "/mlflow/logged-models"


def _pairs(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(i["key"], i["value"] or "") for i in items]


@rpc(
    router,
    _BASE,
    "POST",
    access=on(EDIT, at.experiment(), "experiment"),
    response=LoggedModelResponse,
    spec=rq.CREATE_LOGGED_MODEL,
)
async def create_logged_model(request: Request) -> Response:
    """CreateLoggedModel -> ``{model}`` (status PENDING)."""
    req = await parse_json(request, rq.CREATE_LOGGED_MODEL)
    model = await call(
        tracking_store(request).create_logged_model,
        req["experiment_id"],
        name=req["name"] or None,
        source_run_id=req["source_run_id"] or None,
        tags=_pairs(req["tags"]),
        params=_pairs(req["params"]),
        model_type=req["model_type"] or None,
    )
    return json_response({"model": logged_model_to_json(model)})


@rpc(
    router,
    _BASE + "/search",
    "POST",
    access=search(ResourceType.EXPERIMENT),
    response=SearchLoggedModelsResponse,
    errors=INPUT_ERRORS,
    spec=rq.SEARCH_LOGGED_MODELS,
)
async def search_logged_models(request: Request) -> Response:
    """SearchLoggedModels -> ``{models, next_page_token}``."""
    req = await parse_json(request, rq.SEARCH_LOGGED_MODELS)
    max_results = check_max_results(
        req["max_results"], SEARCH_LOGGED_MODELS_DEFAULT, SEARCH_LOGGED_MODELS_LIMIT
    )
    order_by = [
        {
            "field_name": o["field_name"],
            "ascending": True if o["ascending"] is None else o["ascending"],
            "dataset_name": o["dataset_name"],
            "dataset_digest": o["dataset_digest"],
        }
        for o in req["order_by"]
    ]
    page = await call(
        tracking_store(request).search_logged_models,
        req["experiment_ids"],
        filter_string=req["filter"] or None,
        max_results=max_results,
        order_by=order_by,
        page_token=req["page_token"] or None,
        datasets=[
            {k: v for k, v in d.items() if v is not None and v != ""} for d in req["datasets"]
        ],
    )
    out: dict[str, Any] = {"models": [logged_model_to_json(m) for m in page]}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)


@rpc(
    router,
    _BASE + "/{model_id}",
    "GET",
    access=on(READ, at.logged_model(), "experiment of the logged model"),
    response=LoggedModelResponse,
    spec=rq.GET_LOGGED_MODEL,
)
async def get_logged_model(request: Request, model_id: str) -> Response:
    """GetLoggedModel -> ``{model}``."""
    req = parse_get(request, rq.GET_LOGGED_MODEL)
    model = await call(
        tracking_store(request).get_logged_model, model_id, bool(req["allow_deleted"])
    )
    return json_response({"model": logged_model_to_json(model)})


@rpc(
    router,
    _BASE + "/{model_id}",
    "PATCH",
    access=on(EDIT, at.logged_model(), "experiment of the logged model"),
    response=LoggedModelResponse,
    spec=rq.FINALIZE_LOGGED_MODEL,
)
async def finalize_logged_model(request: Request, model_id: str) -> Response:
    """FinalizeLoggedModel (READY or UPLOAD_FAILED) -> ``{model}``."""
    req = await parse_json(request, rq.FINALIZE_LOGGED_MODEL)
    model = await call(tracking_store(request).finalize_logged_model, model_id, req["status"])
    return json_response({"model": logged_model_to_json(model)})


@rpc(
    router,
    _BASE + "/{model_id}",
    "DELETE",
    access=on(MANAGE, at.logged_model(), "experiment of the logged model"),
    response=EmptyResponse,
)
async def delete_logged_model(request: Request, model_id: str) -> Response:
    """DeleteLoggedModel (soft) -> ``{}``."""
    await call(tracking_store(request).delete_logged_model, model_id)
    return empty()


@rpc(
    router,
    _BASE + "/{model_id}/tags",
    "PATCH",
    access=on(EDIT, at.logged_model(), "experiment of the logged model"),
    response=EmptyResponse,
    spec=rq.SET_LOGGED_MODEL_TAGS,
)
async def set_logged_model_tags(request: Request, model_id: str) -> Response:
    """SetLoggedModelTags -> ``{}``."""
    req = await parse_json(request, rq.SET_LOGGED_MODEL_TAGS)
    await call(tracking_store(request).set_logged_model_tags, model_id, _pairs(req["tags"]))
    return empty()


@rpc(
    router,
    _BASE + "/{model_id}/tags/{tag_key:path}",
    "DELETE",
    access=on(EDIT, at.logged_model(), "experiment of the logged model"),
    response=EmptyResponse,
)
async def delete_logged_model_tag(request: Request, model_id: str, tag_key: str) -> Response:
    """DeleteLoggedModelTag -> ``{}``."""
    await call(tracking_store(request).delete_logged_model_tag, model_id, tag_key)
    return empty()


@rpc(
    router,
    _BASE + "/{model_id}/params",
    "POST",
    access=on(EDIT, at.logged_model(), "experiment of the logged model"),
    response=EmptyResponse,
    spec=rq.LOG_LOGGED_MODEL_PARAMS,
)
async def log_logged_model_params(request: Request, model_id: str) -> Response:
    """LogLoggedModelParams -> ``{}``."""
    req = await parse_json(request, rq.LOG_LOGGED_MODEL_PARAMS)
    await call(tracking_store(request).log_logged_model_params, model_id, _pairs(req["params"]))
    return empty()


@rpc(
    router,
    _BASE + "/{model_id}/artifacts/directories",
    "GET",
    access=on(READ, at.logged_model(), "experiment of the logged model"),
    response=ListLoggedModelArtifactsResponse,
    spec=rq.LIST_LOGGED_MODEL_ARTIFACTS,
)
async def list_logged_model_artifacts(request: Request, model_id: str) -> Response:
    """ListLoggedModelArtifacts -> ``{root_uri, files}`` (paths relative to the model root)."""
    req = parse_get(request, rq.LIST_LOGGED_MODEL_ARTIFACTS)
    model = await call(tracking_store(request).get_logged_model, model_id)
    root = resolve_root(request, model.artifact_location)
    files = await call(list_under, root, req["artifact_directory_path"])
    return json_response(
        {"root_uri": model.artifact_location, "files": [file_info_to_json(f) for f in files]}
    )


@rpc(
    ajax_router,
    _BASE + "/{model_id}/artifacts/files",
    "GET",
    access=on(READ, at.logged_model(), "experiment of the logged model"),
    response=FILE,
    spec=rq.GET_LOGGED_MODEL_ARTIFACT,
)
async def get_logged_model_artifact(request: Request, model_id: str) -> Response:
    """The UI's download of one logged-model file (``artifact_file_path``)."""
    req = parse_get(request, rq.GET_LOGGED_MODEL_ARTIFACT)
    model = await call(tracking_store(request).get_logged_model, model_id)
    root = resolve_root(request, model.artifact_location)
    return await download_response(root.store, root.join(req["artifact_file_path"]))
