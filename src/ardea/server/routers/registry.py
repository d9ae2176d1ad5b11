"""MLflow model registry RPCs (MLFLOW-WIRE.md section 7.2).

Mounted under ``/api/2.0`` and ``/ajax-api/2.0``: ``/mlflow/registered-models/*`` and
``/mlflow/model-versions/*``.

Each handler parses its request message, makes one registry store call and shapes the answer;
errors map to MLflow's codes (RESOURCE_ALREADY_EXISTS 400, RESOURCE_DOES_NOT_EXIST 404,
INVALID_PARAMETER_VALUE 400) through :mod:`ardea.server.errors`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea.api import mlflow_registry_requests as rq
from ardea.api.registry_json import model_version_to_json, registered_model_to_json
from ardea.api.schemas.common import EmptyResponse
from ardea.api.schemas.registry import (
    GetModelVersionDownloadUriResponse,
    ModelVersionResponse,
    ModelVersionsResponse,
    RegisteredModelResponse,
    SearchModelVersionsResponse,
    SearchRegisteredModelsResponse,
)
from ardea.entities.auth import ResourceType
from ardea.entities.registry import PROMPT_TAG
from ardea.server import access_targets as at
from ardea.server.access import (
    EDIT,
    MANAGE,
    READ,
    create,
    on,
    search,
)
from ardea.server.deps import registry_store, tracking_store, webhooks
from ardea.server.http import call, empty, json_response, parse, parse_get, parse_json, rpc
from ardea.server.openapi_responses import INPUT_ERRORS, STORE_ERRORS
from ardea.server.registry_sources import check_version_source
from ardea.server.webhook_events import notify
from ardea.services.registry import link_version
from ardea.store.registry import (
    MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
    REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
)

router = APIRouter()
"""Registry routes, mounted under ``/api/2.0`` and ``/ajax-api/2.0``."""

_RM = "/mlflow/registered-models"
_MV = "/mlflow/model-versions"
REGISTRY_INPUT_ERRORS = (*INPUT_ERRORS, 501)
"""Registry routes that name no existing model (creates, searches)."""


def _tags(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(str(i["key"]), i["value"] or "") for i in items]


def _model(rm: Any) -> Response:
    return json_response({"registered_model": registered_model_to_json(rm)})


def _version(mv: Any) -> Response:
    return json_response({"model_version": model_version_to_json(mv)})


# -- registered models -------------------------------------------------------------------------


@rpc(
    router,
    f"{_RM}/create",
    "POST",
    access=create(at.new_model(), at.created_model, "registered model or prompt"),
    response=RegisteredModelResponse,
    errors=REGISTRY_INPUT_ERRORS,
    spec=rq.CREATE_REGISTERED_MODEL,
)
async def create_registered_model(request: Request) -> Response:
    """CreateRegisteredModel -> ``{registered_model}``; a taken name is RESOURCE_ALREADY_EXISTS."""
    req = await parse_json(request, rq.CREATE_REGISTERED_MODEL)
    rm = await call(
        registry_store(request).create_registered_model,
        req["name"],
        _tags(req["tags"]),
        req["description"],
        req["deployment_job_id"] or None,
    )
    notify(
        webhooks(request),
        "registered_model_created",
        rm.name,
        tags=rm.tags,
        description=rm.description,
    )
    return _model(rm)


@rpc(
    router,
    f"{_RM}/get",
    "GET",
    access=on(READ, at.model(), "registered model or prompt"),
    response=RegisteredModelResponse,
    errors=STORE_ERRORS,
    spec=rq.GET_REGISTERED_MODEL,
)
async def get_registered_model(request: Request) -> Response:
    """GetRegisteredModel -> ``{registered_model}``; missing: 404 RESOURCE_DOES_NOT_EXIST."""
    req = parse_get(request, rq.GET_REGISTERED_MODEL)
    return _model(await call(registry_store(request).get_registered_model, req["name"]))


@rpc(
    router,
    f"{_RM}/rename",
    "POST",
    access=on(EDIT, at.model(), "registered model or prompt", after=at.move_grants()),
    response=RegisteredModelResponse,
    errors=STORE_ERRORS,
    spec=rq.RENAME_REGISTERED_MODEL,
)
async def rename_registered_model(request: Request) -> Response:
    """RenameRegisteredModel -> ``{registered_model}``."""
    req = await parse_json(request, rq.RENAME_REGISTERED_MODEL)
    rm = await call(registry_store(request).rename_registered_model, req["name"], req["new_name"])
    return _model(rm)


@rpc(
    router,
    f"{_RM}/update",
    "PATCH",
    access=on(EDIT, at.model(), "registered model or prompt"),
    response=RegisteredModelResponse,
    errors=STORE_ERRORS,
    spec=rq.UPDATE_REGISTERED_MODEL,
)
async def update_registered_model(request: Request) -> Response:
    """UpdateRegisteredModel -> ``{registered_model}``."""
    req = await parse_json(request, rq.UPDATE_REGISTERED_MODEL)
    rm = await call(
        registry_store(request).update_registered_model,
        req["name"],
        req["description"],
        req["deployment_job_id"],
    )
    return _model(rm)


@rpc(
    router,
    f"{_RM}/delete",
    "DELETE",
    access=on(MANAGE, at.model(), "registered model or prompt", after=at.drop_grants),
    response=EmptyResponse,
    errors=STORE_ERRORS,
    spec=rq.DELETE_REGISTERED_MODEL,
)
async def delete_registered_model(request: Request) -> Response:
    """DeleteRegisteredModel (JSON body) -> ``{}``."""
    req = await parse_json(request, rq.DELETE_REGISTERED_MODEL)
    await call(registry_store(request).delete_registered_model, req["name"])
    return empty()


@rpc(
    router,
    f"{_RM}/search",
    "GET",
    "POST",
    access=search(ResourceType.REGISTERED_MODEL, ResourceType.PROMPT),
    response=SearchRegisteredModelsResponse,
    errors=REGISTRY_INPUT_ERRORS,
    spec=rq.SEARCH_REGISTERED_MODELS,
)
async def search_registered_models(request: Request) -> Response:
    """SearchRegisteredModels -> ``{registered_models, next_page_token}``."""
    req = await parse(request, rq.SEARCH_REGISTERED_MODELS)
    max_results = req["max_results"]
    page = await call(
        registry_store(request).search_registered_models_wire,
        req["filter"] or None,
        REGISTERED_MODELS_MAX_RESULTS_DEFAULT if max_results is None else max_results,
        req["order_by"],
        req["page_token"] or None,
    )
    out: dict[str, Any] = {"registered_models": list(page)}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)


@rpc(
    router,
    f"{_RM}/get-latest-versions",
    "POST",
    "GET",
    access=on(READ, at.model(), "registered model or prompt"),
    response=ModelVersionsResponse,
    errors=STORE_ERRORS,
    spec=rq.GET_LATEST_VERSIONS,
)
async def get_latest_versions(request: Request) -> Response:
    """GetLatestVersions -> ``{model_versions}`` (newest per requested stage)."""
    req = await parse(request, rq.GET_LATEST_VERSIONS)
    versions = await call(registry_store(request).get_latest_versions, req["name"], req["stages"])
    return json_response({"model_versions": [model_version_to_json(v) for v in versions]})


@rpc(
    router,
    f"{_RM}/set-tag",
    "POST",
    access=on(EDIT, at.model(), "registered model or prompt"),
    response=EmptyResponse,
    errors=STORE_ERRORS,
    spec=rq.SET_REGISTERED_MODEL_TAG,
)
async def set_registered_model_tag(request: Request) -> Response:
    """SetRegisteredModelTag -> ``{}``."""
    req = await parse_json(request, rq.SET_REGISTERED_MODEL_TAG)
    await call(
        registry_store(request).set_registered_model_tag,
        req["name"],
        req["key"],
        req["value"] or "",
    )
    notify(
        webhooks(request), "model_tag_set", req["name"], key=req["key"], value=req["value"] or ""
    )
    return empty()


@rpc(
    router,
    f"{_RM}/delete-tag",
    "DELETE",
    access=on(EDIT, at.model(), "registered model or prompt"),
    response=EmptyResponse,
    errors=STORE_ERRORS,
    spec=rq.DELETE_REGISTERED_MODEL_TAG,
)
async def delete_registered_model_tag(request: Request) -> Response:
    """DeleteRegisteredModelTag -> ``{}``."""
    req = await parse_json(request, rq.DELETE_REGISTERED_MODEL_TAG)
    await call(registry_store(request).delete_registered_model_tag, req["name"], req["key"])
    notify(webhooks(request), "model_tag_deleted", req["name"], key=req["key"])
    return empty()


@rpc(
    router,
    f"{_RM}/alias",
    "POST",
    access=on(EDIT, at.model(), "registered model or prompt"),
    response=EmptyResponse,
    errors=STORE_ERRORS,
    spec=rq.SET_REGISTERED_MODEL_ALIAS,
)
async def set_registered_model_alias(request: Request) -> Response:
    """SetRegisteredModelAlias -> ``{}``."""
    req = await parse_json(request, rq.SET_REGISTERED_MODEL_ALIAS)
    await call(
        registry_store(request).set_registered_model_alias,
        req["name"],
        req["alias"],
        req["version"],
    )
    notify(webhooks(request), "alias_set", req["name"], alias=req["alias"], version=req["version"])
    return empty()


@rpc(
    router,
    f"{_RM}/alias",
    "DELETE",
    access=on(EDIT, at.model(), "registered model or prompt"),
    response=EmptyResponse,
    errors=STORE_ERRORS,
    spec=rq.DELETE_REGISTERED_MODEL_ALIAS,
)
async def delete_registered_model_alias(request: Request) -> Response:
    """DeleteRegisteredModelAlias -> ``{}``."""
    req = await parse_json(request, rq.DELETE_REGISTERED_MODEL_ALIAS)
    await call(registry_store(request).delete_registered_model_alias, req["name"], req["alias"])
    notify(webhooks(request), "alias_deleted", req["name"], alias=req["alias"])
    return empty()


@rpc(
    router,
    f"{_RM}/alias",
    "GET",
    access=on(READ, at.model(), "registered model or prompt"),
    response=ModelVersionResponse,
    errors=STORE_ERRORS,
    spec=rq.GET_MODEL_VERSION_BY_ALIAS,
)
async def get_model_version_by_alias(request: Request) -> Response:
    """GetModelVersionByAlias -> ``{model_version}``; ``latest`` is the highest version."""
    req = parse_get(request, rq.GET_MODEL_VERSION_BY_ALIAS)
    mv = await call(registry_store(request).get_model_version_by_alias, req["name"], req["alias"])
    return _version(mv)


# -- model versions ----------------------------------------------------------------------------


@rpc(
    router,
    f"{_MV}/create",
    "POST",
    access=on(
        EDIT,
        at.all_of(at.model(), at.needing(READ, at.run())),
        "registered model or prompt (and READ on the source run)",
    ),
    response=ModelVersionResponse,
    errors=STORE_ERRORS,
    spec=rq.CREATE_MODEL_VERSION,
)
async def create_model_version(request: Request) -> Response:
    """CreateModelVersion -> ``{model_version}`` (status READY at once).

    The source is checked first (:func:`check_version_source`): no local paths outside the
    run's or logged model's artifacts, no ``..`` segments, placeholders for prompts. A version
    of a logged model is added to the model's ``mlflow.modelVersions`` tag, as MLflow does.
    """
    req = await parse_json(request, rq.CREATE_MODEL_VERSION)
    tags = _tags(req["tags"])
    await call(
        check_version_source,
        tracking_store(request),
        req["source"],
        req["run_id"] or None,
        req["model_id"] or None,
        tags,
    )
    mv = await call(
        registry_store(request).create_model_version,
        req["name"],
        req["source"],
        run_id=req["run_id"] or None,
        tags=tags,
        run_link=req["run_link"] or None,
        description=req["description"],
        model_id=req["model_id"] or None,
    )
    if mv.model_id and dict(tags).get(PROMPT_TAG, "false").lower() != "true":
        await call(link_version, tracking_store(request), mv.model_id, mv.name, mv.version)
    notify(
        webhooks(request),
        "model_version_created",
        mv.name,
        version=mv.version,
        source=mv.source,
        run_id=mv.run_id,
        tags=dict(tags),
        description=mv.description,
    )
    return _version(mv)


@rpc(
    router,
    f"{_MV}/get",
    "GET",
    access=on(READ, at.model(), "registered model or prompt"),
    response=ModelVersionResponse,
    errors=STORE_ERRORS,
    spec=rq.GET_MODEL_VERSION,
)
async def get_model_version(request: Request) -> Response:
    """GetModelVersion -> ``{model_version}``."""
    req = parse_get(request, rq.GET_MODEL_VERSION)
    mv = await call(registry_store(request).get_model_version, req["name"], req["version"])
    return _version(mv)


@rpc(
    router,
    f"{_MV}/update",
    "PATCH",
    access=on(EDIT, at.model(), "registered model or prompt"),
    response=ModelVersionResponse,
    errors=STORE_ERRORS,
    spec=rq.UPDATE_MODEL_VERSION,
)
async def update_model_version(request: Request) -> Response:
    """UpdateModelVersion -> ``{model_version}``."""
    req = await parse_json(request, rq.UPDATE_MODEL_VERSION)
    mv = await call(
        registry_store(request).update_model_version,
        req["name"],
        req["version"],
        req["description"],
    )
    return _version(mv)


@rpc(
    router,
    f"{_MV}/delete",
    "DELETE",
    access=on(MANAGE, at.model(), "registered model or prompt"),
    response=EmptyResponse,
    errors=STORE_ERRORS,
    spec=rq.DELETE_MODEL_VERSION,
)
async def delete_model_version(request: Request) -> Response:
    """DeleteModelVersion -> ``{}``."""
    req = await parse_json(request, rq.DELETE_MODEL_VERSION)
    await call(registry_store(request).delete_model_version, req["name"], req["version"])
    return empty()


@rpc(
    router,
    f"{_MV}/search",
    "GET",
    "POST",
    access=search(ResourceType.REGISTERED_MODEL, ResourceType.PROMPT),
    response=SearchModelVersionsResponse,
    errors=REGISTRY_INPUT_ERRORS,
    spec=rq.SEARCH_MODEL_VERSIONS,
)
async def search_model_versions(request: Request) -> Response:
    """SearchModelVersions -> ``{model_versions, next_page_token}``."""
    req = await parse(request, rq.SEARCH_MODEL_VERSIONS)
    max_results = req["max_results"]
    page = await call(
        registry_store(request).search_model_versions_wire,
        req["filter"] or None,
        MODEL_VERSIONS_MAX_RESULTS_DEFAULT if max_results is None else max_results,
        req["order_by"],
        req["page_token"] or None,
    )
    out: dict[str, Any] = {"model_versions": list(page)}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)


@rpc(
    router,
    f"{_MV}/get-download-uri",
    "GET",
    access=on(READ, at.model(), "registered model or prompt"),
    response=GetModelVersionDownloadUriResponse,
    errors=STORE_ERRORS,
    spec=rq.GET_MODEL_VERSION_DOWNLOAD_URI,
)
async def get_model_version_download_uri(request: Request) -> Response:
    """GetModelVersionDownloadUri -> ``{artifact_uri}``."""
    req = parse_get(request, rq.GET_MODEL_VERSION_DOWNLOAD_URI)
    uri = await call(
        registry_store(request).get_model_version_download_uri, req["name"], req["version"]
    )
    return json_response({"artifact_uri": uri})


@rpc(
    router,
    f"{_MV}/transition-stage",
    "POST",
    access=on(EDIT, at.model(), "registered model or prompt"),
    response=ModelVersionResponse,
    errors=STORE_ERRORS,
    spec=rq.TRANSITION_MODEL_VERSION_STAGE,
)
async def transition_model_version_stage(request: Request) -> Response:
    """TransitionModelVersionStage -> ``{model_version}``."""
    req = await parse_json(request, rq.TRANSITION_MODEL_VERSION_STAGE)
    mv = await call(
        registry_store(request).transition_model_version_stage,
        req["name"],
        req["version"],
        req["stage"],
        req["archive_existing_versions"],
    )
    return _version(mv)


@rpc(
    router,
    f"{_MV}/set-tag",
    "POST",
    access=on(EDIT, at.model(), "registered model or prompt"),
    response=EmptyResponse,
    errors=STORE_ERRORS,
    spec=rq.SET_MODEL_VERSION_TAG,
)
async def set_model_version_tag(request: Request) -> Response:
    """SetModelVersionTag -> ``{}``."""
    req = await parse_json(request, rq.SET_MODEL_VERSION_TAG)
    await call(
        registry_store(request).set_model_version_tag,
        req["name"],
        req["version"],
        req["key"],
        req["value"] or "",
    )
    notify(
        webhooks(request),
        "version_tag_set",
        req["name"],
        version=req["version"],
        key=req["key"],
        value=req["value"] or "",
    )
    return empty()


@rpc(
    router,
    f"{_MV}/delete-tag",
    "DELETE",
    access=on(EDIT, at.model(), "registered model or prompt"),
    response=EmptyResponse,
    errors=STORE_ERRORS,
    spec=rq.DELETE_MODEL_VERSION_TAG,
)
async def delete_model_version_tag(request: Request) -> Response:
    """DeleteModelVersionTag -> ``{}``."""
    req = await parse_json(request, rq.DELETE_MODEL_VERSION_TAG)
    await call(
        registry_store(request).delete_model_version_tag,
        req["name"],
        req["version"],
        req["key"],
    )
    notify(
        webhooks(request),
        "version_tag_deleted",
        req["name"],
        version=req["version"],
        key=req["key"],
    )
    return empty()
