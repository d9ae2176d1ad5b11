"""MLflow run RPCs: lifecycle, params, metrics, tags, batches, inputs, outputs, search."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api import mlflow_requests as rq
from ardea.api.mlflow_json import run_info_to_json, run_to_json
from ardea.api.schemas.common import EmptyResponse
from ardea.api.schemas.runs import GetRunResponse, SearchRunsResponse, UpdateRunResponse
from ardea.entities import (
    Dataset,
    DatasetInput,
    Metric,
    ModelOutput,
    Param,
    RunTag,
    ViewType,
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
from ardea.server.deps import tracking_store
from ardea.server.http import (
    call,
    empty,
    json_object,
    json_response,
    parse,
    parse_get,
    parse_json,
    read_json_body,
    rpc,
)
from ardea.server.openapi_responses import INPUT_ERRORS
from ardea.server.routers.experiments import check_max_results
from ardea.server.server_metrics import count_ingest
from ardea.store.tracking import (
    SEARCH_MAX_RESULTS_DEFAULT,
    SEARCH_MAX_RESULTS_LIMIT,
    TrackingStore,
)

router = APIRouter()
"""Run routes, mounted under ``/api/2.0`` and ``/ajax-api/2.0``."""

MAX_BATCH_METRICS = 1000
"""At most this many metrics in one log-batch request."""
MAX_BATCH_PARAMS = 100
"""At most this many params in one log-batch request."""
MAX_BATCH_TAGS = 100
"""At most this many tags in one log-batch request."""
MAX_BATCH_ENTITIES = 1000
"""At most this many metrics, params and tags together in one log-batch request."""
MAX_BATCH_BYTES = 1_000_000
"""At most this many bytes of log-batch request body."""
LOG_MODEL_HISTORY_TAG = "mlflow.log-model.history"
"""Run tag holding the JSON list of models recorded with the legacy log-model RPC."""


def _metric(m: dict[str, Any]) -> Metric:
    return Metric(
        key=m["key"],
        value=m["value"],
        timestamp=m["timestamp"],
        step=m["step"] or 0,
        dataset_name=m.get("dataset_name") or None,
        dataset_digest=m.get("dataset_digest") or None,
        model_id=m.get("model_id") or None,
    )


def _check_batch(body_size: int, req: dict[str, Any]) -> None:
    if body_size > MAX_BATCH_BYTES:
        raise InvalidArgumentError(
            f"Batched logging API requests must be at most {MAX_BATCH_BYTES} bytes, "
            f"got a request of {body_size} bytes."
        )
    counts = {"metrics": len(req["metrics"]), "params": len(req["params"])}
    counts["tags"] = len(req["tags"])
    limits = {"metrics": MAX_BATCH_METRICS, "params": MAX_BATCH_PARAMS, "tags": MAX_BATCH_TAGS}
    for kind, limit in limits.items():
        if counts[kind] > limit:
            raise InvalidArgumentError(
                f"A batch logging request can contain at most {limit} {kind}. Got "
                f"{counts[kind]} {kind}. Please split up {kind} across multiple requests "
                "and try again."
            )
    total = sum(counts.values())
    if total > MAX_BATCH_ENTITIES:
        raise InvalidArgumentError(
            f"A batch logging request can contain at most {MAX_BATCH_ENTITIES} metrics, params "
            f"and tags in total. Got {total}. Please split up the data across multiple "
            "requests and try again."
        )


@rpc(
    router,
    "/mlflow/runs/create",
    "POST",
    access=on(EDIT, at.experiment(default="0"), "experiment"),
    response=GetRunResponse,
    spec=rq.CREATE_RUN,
)
async def create_run(request: Request) -> Response:
    """CreateRun -> ``{run}``."""
    req = await parse_json(request, rq.CREATE_RUN)
    run = await tracking_store(request).create_run_async(
        experiment_id=req["experiment_id"] or "0",
        user_id=req["user_id"] or "",
        start_time=req["start_time"],
        tags=[RunTag(t["key"], t["value"] or "") for t in req["tags"]],
        run_name=req["run_name"] or None,
    )
    return json_response({"run": run_to_json(run)})


@rpc(
    router,
    "/mlflow/runs/get",
    "GET",
    access=on(READ, at.run(), "experiment of the run"),
    response=GetRunResponse,
    spec=rq.GET_RUN,
)
async def get_run(request: Request) -> Response:
    """GetRun -> ``{run}``."""
    req = parse_get(request, rq.GET_RUN)
    run = await call(tracking_store(request).get_run, req["run_id"])
    return json_response({"run": run_to_json(run)})


@rpc(
    router,
    "/mlflow/runs/update",
    "POST",
    access=on(EDIT, at.run(), "experiment of the run"),
    response=UpdateRunResponse,
    spec=rq.UPDATE_RUN,
)
async def update_run(request: Request) -> Response:
    """UpdateRun -> ``{run_info}``; only the fields present change."""
    req = await parse_json(request, rq.UPDATE_RUN)
    info = await call(
        tracking_store(request).update_run_info,
        req["run_id"],
        status=req["status"],
        end_time=req["end_time"],
        run_name=req["run_name"],
    )
    return json_response({"run_info": run_info_to_json(info)})


@rpc(
    router,
    "/mlflow/runs/delete",
    "POST",
    access=on(MANAGE, at.run(), "experiment of the run"),
    response=EmptyResponse,
    spec=rq.DELETE_RUN,
)
async def delete_run(request: Request) -> Response:
    """DeleteRun (soft) -> ``{}``."""
    req = await parse_json(request, rq.DELETE_RUN)
    await call(tracking_store(request).delete_run, req["run_id"])
    return empty()


@rpc(
    router,
    "/mlflow/runs/restore",
    "POST",
    access=on(MANAGE, at.run(), "experiment of the run"),
    response=EmptyResponse,
    spec=rq.RESTORE_RUN,
)
async def restore_run(request: Request) -> Response:
    """RestoreRun -> ``{}``."""
    req = await parse_json(request, rq.RESTORE_RUN)
    await call(tracking_store(request).restore_run, req["run_id"])
    return empty()


@rpc(
    router,
    "/mlflow/runs/log-parameter",
    "POST",
    access=on(EDIT, at.run(), "experiment of the run"),
    response=EmptyResponse,
    spec=rq.LOG_PARAM,
)
async def log_param(request: Request) -> Response:
    """LogParam -> ``{}``."""
    req = await parse_json(request, rq.LOG_PARAM)
    param = Param(req["key"], req["value"] or "")
    await call(tracking_store(request).log_param, req["run_id"], param)
    return empty()


@rpc(
    router,
    "/mlflow/runs/log-metric",
    "POST",
    access=on(EDIT, at.run(), "experiment of the run"),
    response=EmptyResponse,
    spec=rq.LOG_METRIC,
)
async def log_metric(request: Request) -> Response:
    """LogMetric -> ``{}``."""
    req = await parse_json(request, rq.LOG_METRIC)
    await tracking_store(request).log_metric_async(req["run_id"], _metric(req))
    count_ingest(request, "metrics", 1)
    return empty()


@rpc(
    router,
    "/mlflow/runs/set-tag",
    "POST",
    access=on(EDIT, at.run(), "experiment of the run"),
    response=EmptyResponse,
    spec=rq.SET_TAG,
)
async def set_tag(request: Request) -> Response:
    """SetTag -> ``{}``."""
    req = await parse_json(request, rq.SET_TAG)
    tag = RunTag(req["key"], req["value"] or "")
    await call(tracking_store(request).set_tag, req["run_id"], tag)
    return empty()


@rpc(
    router,
    "/mlflow/runs/delete-tag",
    "POST",
    access=on(EDIT, at.run(), "experiment of the run"),
    response=EmptyResponse,
    spec=rq.DELETE_TAG,
)
async def delete_tag(request: Request) -> Response:
    """DeleteTag -> ``{}``."""
    req = await parse_json(request, rq.DELETE_TAG)
    await call(tracking_store(request).delete_tag, req["run_id"], req["key"])
    return empty()


@rpc(
    router,
    "/mlflow/runs/log-batch",
    "POST",
    access=on(EDIT, at.run(), "experiment of the run", spec=rq.LOG_BATCH_HEAD),
    response=EmptyResponse,
    spec=rq.LOG_BATCH,
)
async def log_batch(request: Request) -> Response:
    """LogBatch -> ``{}``; enforces MLflow's batch limits (entities and 1 MB of body)."""
    body = await read_json_body(request)
    data = await json_object(request)  # decoded once (the access check may have read it)
    req = rq.parse_dict(rq.LOG_BATCH_HEAD, data)
    req["metrics"] = rq.parse_metrics(rq.METRIC, data.get("metrics"))
    _check_batch(len(body), req)
    await tracking_store(request).log_batch_async(
        req["run_id"],
        metrics=req["metrics"],
        params=[Param(p["key"], p["value"] or "") for p in req["params"]],
        tags=[RunTag(t["key"], t["value"] or "") for t in req["tags"]],
    )
    count_ingest(request, "metrics", len(req["metrics"]))
    return empty()


@rpc(
    router,
    "/mlflow/runs/log-inputs",
    "POST",
    access=on(EDIT, at.run(), "experiment of the run"),
    response=EmptyResponse,
    spec=rq.LOG_INPUTS,
)
async def log_inputs(request: Request) -> Response:
    """LogInputs (datasets and input models) -> ``{}``."""
    req = await parse_json(request, rq.LOG_INPUTS)
    datasets = []
    for i, d in enumerate(req["datasets"]):
        ds = d["dataset"]
        if ds is None:
            raise InvalidArgumentError(rq.missing_value(f"datasets[{i}].dataset"))
        dataset = Dataset(
            name=ds["name"],
            digest=ds["digest"],
            source_type=ds["source_type"] or "",
            source=ds["source"] or "",
            schema=ds["schema"],
            profile=ds["profile"],
        )
        tags = {t["key"]: t["value"] or "" for t in d["tags"]}
        datasets.append(DatasetInput(dataset=dataset, tags=tags))
    models = [m["model_id"] for m in req["models"]]
    await call(tracking_store(request).log_inputs, req["run_id"], datasets, models)
    return empty()


@rpc(
    router,
    "/mlflow/runs/outputs",
    "POST",
    access=on(EDIT, at.run(), "experiment of the run"),
    response=EmptyResponse,
    spec=rq.LOG_OUTPUTS,
)
async def log_outputs(request: Request) -> Response:
    """LogOutputs (models a run produced) -> ``{}``."""
    req = await parse_json(request, rq.LOG_OUTPUTS)
    outputs = [ModelOutput(m["model_id"], m["step"]) for m in req["models"]]
    await call(tracking_store(request).log_outputs, req["run_id"], outputs)
    return empty()


def _append_model_history(store: TrackingStore, run_id: str, model: dict[str, Any]) -> None:
    run = store.get_run(run_id)
    history: list[Any] = []
    current = run.data.tags.get(LOG_MODEL_HISTORY_TAG)
    if current:
        try:
            loaded = orjson.loads(current)
            history = loaded if isinstance(loaded, list) else []
        except orjson.JSONDecodeError:
            history = []
    history.append(model)
    store.set_tag(run_id, RunTag(LOG_MODEL_HISTORY_TAG, orjson.dumps(history).decode()))


@rpc(
    router,
    "/mlflow/runs/log-model",
    "POST",
    access=on(EDIT, at.run(), "experiment of the run"),
    response=EmptyResponse,
    spec=rq.LOG_MODEL,
)
async def log_model(request: Request) -> Response:
    """LogModel (legacy): appends the model JSON to the run tag ``mlflow.log-model.history``."""
    req = await parse_json(request, rq.LOG_MODEL)
    try:
        model = orjson.loads(req["model_json"])
    except orjson.JSONDecodeError:
        raise InvalidArgumentError(
            f"Malformed model info. \n {req['model_json']} \n is not a valid JSON."
        ) from None
    if not isinstance(model, dict):
        raise InvalidArgumentError("Malformed model info: model_json must be a JSON object.")
    missing = {"artifact_path", "flavors", "utc_time_created", "run_id"} - set(model)
    if missing:
        raise InvalidArgumentError(f"Model json is missing mandatory fields: {sorted(missing)}")
    await call(_append_model_history, tracking_store(request), req["run_id"], model)
    return empty()


@rpc(
    router,
    "/mlflow/runs/search",
    "POST",
    "GET",
    access=search(ResourceType.EXPERIMENT),
    response=SearchRunsResponse,
    errors=INPUT_ERRORS,
    spec=rq.SEARCH_RUNS,
)
async def search_runs(request: Request) -> Response:
    """SearchRuns -> ``{runs, next_page_token}``."""
    req = await parse(request, rq.SEARCH_RUNS)
    max_results = check_max_results(
        req["max_results"], SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_LIMIT
    )
    page = await call(
        tracking_store(request).search_runs_wire,
        experiment_ids=req["experiment_ids"],
        filter_string=req["filter"] or None,
        run_view_type=ViewType(req["run_view_type"] or "ACTIVE_ONLY"),
        max_results=max_results,
        order_by=req["order_by"],
        page_token=req["page_token"] or None,
    )
    out: dict[str, Any] = {"runs": list(page)}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)
