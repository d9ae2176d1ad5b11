"""MLflow experiment RPCs: create, get, get-by-name, search, update, delete, restore, tags."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api import mlflow_requests as rq
from ardea.api.mlflow_json import experiment_to_json
from ardea.api.schemas.common import EmptyResponse
from ardea.api.schemas.experiments import (
    CreateExperimentResponse,
    GetExperimentResponse,
    SearchDatasetsResponse,
    SearchExperimentsResponse,
)
from ardea.entities import ViewType
from ardea.entities.auth import ResourceType
from ardea.server import access_targets as at
from ardea.server.access import (
    EDIT,
    MANAGE,
    READ,
    create,
    on,
    search,
)
from ardea.server.artifact_access import check_new_experiment_location
from ardea.server.deps import settings, tracking_store
from ardea.server.http import call, empty, json_response, parse, parse_get, parse_json, rpc
from ardea.server.openapi_responses import INPUT_ERRORS
from ardea.store.tracking import SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_LIMIT

router = APIRouter()
"""Experiment routes, mounted under ``/api/2.0`` and ``/ajax-api/2.0``."""

ajax_router = APIRouter()
"""Experiment routes the MLflow UI uses, mounted under ``/ajax-api/2.0`` only."""

MAX_DATASET_SEARCH_EXPERIMENTS = 20
"""At most this many experiments in one search-datasets request (MLflow's limit)."""


def _kv_pairs(items: list[dict[str, str | None]]) -> list[tuple[str, str]]:
    return [(str(i["key"]), i["value"] or "") for i in items]


def check_max_results(value: int | None, default: int, limit: int) -> int:
    """``max_results`` with its default, rejected outside 1..limit."""
    if value is None:
        return default
    if not 1 <= value <= limit:
        raise InvalidArgumentError(
            f"Invalid value {value} for parameter 'max_results' supplied. "
            f"It must be at least 1 and at most {limit}."
        )
    return value


@rpc(
    router,
    "/mlflow/experiments/create",
    "POST",
    access=create(
        at.workspace_target(ResourceType.EXPERIMENT), at.created_experiment, "experiment"
    ),
    response=CreateExperimentResponse,
    errors=INPUT_ERRORS,
    spec=rq.CREATE_EXPERIMENT,
)
async def create_experiment(request: Request) -> Response:
    """CreateExperiment -> ``{experiment_id}``.

    With workspaces on, an experiment's artifacts live in its workspace's root, so a client
    cannot choose ``artifact_location`` (400, as MLflow).
    """
    req = await parse_json(request, rq.CREATE_EXPERIMENT)
    if req["artifact_location"]:
        config = settings(request)
        if config.enable_workspaces:
            raise InvalidArgumentError(
                "artifact_location cannot be specified when workspaces are enabled"
            )
        check_new_experiment_location(config, req["artifact_location"])
    experiment_id = await call(
        tracking_store(request).create_experiment,
        req["name"],
        req["artifact_location"] or None,
        _kv_pairs(req["tags"]),
    )
    return json_response({"experiment_id": experiment_id})


@rpc(
    router,
    "/mlflow/experiments/get",
    "GET",
    access=on(READ, at.experiment(), "experiment"),
    response=GetExperimentResponse,
    spec=rq.GET_EXPERIMENT,
)
async def get_experiment(request: Request) -> Response:
    """GetExperiment -> ``{experiment}``."""
    req = parse_get(request, rq.GET_EXPERIMENT)
    exp = await call(tracking_store(request).get_experiment, req["experiment_id"])
    return json_response({"experiment": experiment_to_json(exp)})


@rpc(
    router,
    "/mlflow/experiments/get-by-name",
    "GET",
    access=on(READ, at.experiment_by_name(), "experiment (by name)"),
    response=GetExperimentResponse,
    spec=rq.GET_EXPERIMENT_BY_NAME,
)
async def get_experiment_by_name(request: Request) -> Response:
    """GetExperimentByName -> ``{experiment}``; 404 RESOURCE_DOES_NOT_EXIST when absent."""
    req = parse_get(request, rq.GET_EXPERIMENT_BY_NAME)
    exp = await call(tracking_store(request).get_experiment_by_name, req["experiment_name"])
    return json_response({"experiment": experiment_to_json(exp)})


@rpc(
    router,
    "/mlflow/experiments/search",
    "POST",
    "GET",
    access=search(ResourceType.EXPERIMENT),
    response=SearchExperimentsResponse,
    errors=INPUT_ERRORS,
    spec=rq.SEARCH_EXPERIMENTS,
)
async def search_experiments(request: Request) -> Response:
    """SearchExperiments -> ``{experiments, next_page_token}``."""
    req = await parse(request, rq.SEARCH_EXPERIMENTS)
    max_results = check_max_results(
        req["max_results"], SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_LIMIT
    )
    page = await call(
        tracking_store(request).search_experiments,
        view_type=ViewType(req["view_type"] or "ACTIVE_ONLY"),
        max_results=max_results,
        filter_string=req["filter"] or None,
        order_by=req["order_by"],
        page_token=req["page_token"] or None,
    )
    out: dict[str, object] = {"experiments": [experiment_to_json(e) for e in page]}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)


@rpc(
    router,
    "/mlflow/experiments/update",
    "POST",
    access=on(EDIT, at.experiment(), "experiment"),
    response=EmptyResponse,
    spec=rq.UPDATE_EXPERIMENT,
)
async def update_experiment(request: Request) -> Response:
    """UpdateExperiment (rename) -> ``{}``."""
    req = await parse_json(request, rq.UPDATE_EXPERIMENT)
    await call(tracking_store(request).rename_experiment, req["experiment_id"], req["new_name"])
    return empty()


@rpc(
    router,
    "/mlflow/experiments/delete",
    "POST",
    access=on(MANAGE, at.experiment(), "experiment"),
    response=EmptyResponse,
    spec=rq.DELETE_EXPERIMENT,
)
async def delete_experiment(request: Request) -> Response:
    """DeleteExperiment (soft) -> ``{}``."""
    req = await parse_json(request, rq.DELETE_EXPERIMENT)
    await call(tracking_store(request).delete_experiment, req["experiment_id"])
    return empty()


@rpc(
    router,
    "/mlflow/experiments/restore",
    "POST",
    access=on(MANAGE, at.experiment(), "experiment"),
    response=EmptyResponse,
    spec=rq.RESTORE_EXPERIMENT,
)
async def restore_experiment(request: Request) -> Response:
    """RestoreExperiment -> ``{}``."""
    req = await parse_json(request, rq.RESTORE_EXPERIMENT)
    await call(tracking_store(request).restore_experiment, req["experiment_id"])
    return empty()


@rpc(
    router,
    "/mlflow/experiments/set-experiment-tag",
    "POST",
    access=on(EDIT, at.experiment(), "experiment"),
    response=EmptyResponse,
    spec=rq.SET_EXPERIMENT_TAG,
)
async def set_experiment_tag(request: Request) -> Response:
    """SetExperimentTag -> ``{}``."""
    req = await parse_json(request, rq.SET_EXPERIMENT_TAG)
    await call(
        tracking_store(request).set_experiment_tag,
        req["experiment_id"],
        req["key"],
        req["value"] or "",
    )
    return empty()


@rpc(
    router,
    "/mlflow/experiments/delete-experiment-tag",
    "POST",
    access=on(EDIT, at.experiment(), "experiment"),
    response=EmptyResponse,
    spec=rq.DELETE_EXPERIMENT_TAG,
)
async def delete_experiment_tag(request: Request) -> Response:
    """DeleteExperimentTag -> ``{}``."""
    req = await parse_json(request, rq.DELETE_EXPERIMENT_TAG)
    await call(tracking_store(request).delete_experiment_tag, req["experiment_id"], req["key"])
    return empty()


@rpc(
    ajax_router,
    "/mlflow/experiments/search-datasets",
    "POST",
    access=search(ResourceType.EXPERIMENT),
    response=SearchDatasetsResponse,
    errors=INPUT_ERRORS,
    spec=rq.SEARCH_DATASETS,
)
async def search_datasets(request: Request) -> Response:
    """The datasets the runs of 1 to 20 experiments used -> ``{dataset_summaries}``.

    One summary per experiment, dataset name, digest and input context (at most 1000).
    """
    req = await parse_json(request, rq.SEARCH_DATASETS)
    experiment_ids = req["experiment_ids"]
    if not experiment_ids:
        raise InvalidArgumentError(
            "SearchDatasets request must specify at least one experiment_id."
        )
    if len(experiment_ids) > MAX_DATASET_SEARCH_EXPERIMENTS:
        raise InvalidArgumentError(
            "SearchDatasets request cannot specify more than "
            f"{MAX_DATASET_SEARCH_EXPERIMENTS} experiment_ids. "
            f"Received {len(experiment_ids)} experiment_ids."
        )
    summaries = await call(tracking_store(request).search_dataset_summaries, experiment_ids)
    out = []
    for d in summaries:
        item = {"experiment_id": d.experiment_id, "name": d.name, "digest": d.digest}
        if d.context:
            item["context"] = d.context
        out.append(item)
    return json_response({"dataset_summaries": out})
