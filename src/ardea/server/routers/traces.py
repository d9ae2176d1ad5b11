"""MLflow's trace RPCs (v3, plus the v2 ones the client still uses).

``v3_router`` is mounted under ``/api/3.0`` and ``/ajax-api/3.0``; ``common_router`` (tags,
deletes, links, the UI's ``get-trace-artifact``) under both the 2.0 and 3.0 prefixes. Inside
``v3_router`` the fixed paths ``/traces/get``, ``/batchGet``, ``/batchGetInfos`` and ``/search``
are registered before ``/traces/{trace_id}`` so they win.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import ArdeaError, InvalidArgumentError, NotFoundError
from ardea.api import mlflow_trace_requests as rq
from ardea.api.mlflow_trace_json import (
    check_trace_id,
    span_from_traces_json,
    span_to_traces_json,
    trace_info_from_json,
    trace_info_to_json,
    trace_to_json,
)
from ardea.api.request_parsing import check_json_content_type
from ardea.api.schemas.common import EmptyResponse
from ardea.api.schemas.traces import (
    BatchGetTraceInfosResponse,
    BatchGetTracesResponse,
    DeleteTracesResponse,
    GetTraceInfoResponse,
    GetTraceResponse,
    SearchTracesResponse,
)
from ardea.entities import Trace
from ardea.entities.auth import ResourceType
from ardea.server import access_targets as at
from ardea.server.access import (
    EDIT,
    MANAGE,
    READ,
    on,
    search,
)
from ardea.server.artifact_access import resolve_root
from ardea.server.deps import backend, trace_store, tracking_store
from ardea.server.http import call, empty, json_response, parse, parse_json, read_json_body, rpc
from ardea.server.openapi_responses import INPUT_ERRORS, STORE_ERRORS, Answer
from ardea.store.traces import SEARCH_TRACES_DEFAULT, SEARCH_TRACES_LIMIT
from ardea.tracing.archive import load_archived

v3_router = APIRouter()
"""v3-only trace routes, mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""
common_router = APIRouter()
"""Trace routes mounted under both the 2.0 and the 3.0 prefixes."""

LINKED_PROMPTS_TAG = "mlflow.linkedPrompts"
ARTIFACT_LOCATION_TAG = "mlflow.artifactLocation"
TRACES_JSON = "traces.json"
MAX_BATCH_GET = 100
"""At most this many trace ids in one batch get."""
MAX_LINK_TRACES = 100
"""At most this many trace ids in one link-to-run request."""
BATCH_ERRORS = (*INPUT_ERRORS, 501)
"""Batch reads, searches and deletes: unknown ids are left out, not a 404."""
TRACES_JSON_FILE = Answer(
    "The trace's ``traces.json`` (``{spans: [...]}`` in MLflow's ``Span.to_dict`` form), as "
    "an attachment.",
    {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
)
"""The documented answer of ``get-trace-artifact``."""


# ---------------------------------------------------------------------------------------------
# v3: start, get, batch get, search (fixed paths first), then /traces/{trace_id}
# ---------------------------------------------------------------------------------------------


@rpc(
    v3_router,
    "/mlflow/traces",
    "POST",
    access=on(EDIT, at.trace_location(), "experiment of the trace location"),
    response=GetTraceInfoResponse,
    errors=STORE_ERRORS,
)
async def start_trace_v3(request: Request) -> Response:
    """StartTraceV3 ``{trace: {trace_info}}`` -> ``{trace: {trace_info}}`` with server tags."""
    body = await read_json_body(request)
    check_json_content_type(request.headers.get("content-type"))
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidArgumentError(f"Request body is not valid JSON: {exc}") from None
    trace = doc.get("trace") if isinstance(doc, dict) else None
    if not isinstance(trace, dict) or "trace_info" not in trace:
        raise InvalidArgumentError("Missing value for required parameter 'trace.trace_info'.")
    info = trace_info_from_json(trace["trace_info"])
    # The store checks the experiment (NotFoundError) inside its write: no separate read.
    stored = await trace_store(request).start_trace_async(info)
    return json_response({"trace": {"trace_info": trace_info_to_json(stored)}})


def _read_artifact(root: Any, path: str) -> bytes | None:
    try:
        return bytes(root.store.get(path))
    except (ArdeaError, OSError):
        return None


async def _load_trace(request: Request, trace_id: str) -> Trace:
    """A trace with its spans; spans only uploaded as ``traces.json`` are ingested first.

    A client whose StartTraceV3 raced ahead of its OTLP export (or whose export failed)
    uploads the spans to ``<mlflow.artifactLocation>/traces.json`` instead; reading them into
    the store here lets span searches and the UI see them. A trace the retention sweep
    archived is read back from its Parquet archive.
    """
    store = trace_store(request)
    try:
        trace = await call(store.get_trace, trace_id)
    except NotFoundError:
        archived = await call(load_archived, backend(request), trace_id)
        if archived is None:
            raise
        return archived
    location = trace.info.tags.get(ARTIFACT_LOCATION_TAG)
    if trace.spans or not location:
        return trace
    try:
        root = resolve_root(request, location)
        data = await call(_read_artifact, root, root.join(TRACES_JSON))
    except ArdeaError:
        return trace
    if data is None:
        return trace
    try:
        doc = orjson.loads(data)
        spans = [span_from_traces_json(s) for s in doc.get("spans") or []]
    except (orjson.JSONDecodeError, AttributeError, ArdeaError):
        return trace
    spans = [s for s in spans if s.trace_id == trace_id]
    if not spans:
        return trace
    await call(store.log_spans, trace.info.experiment_id, spans)
    return await call(store.get_trace, trace_id)


@rpc(
    v3_router,
    "/mlflow/traces/get",
    "GET",
    access=on(READ, at.trace(), "experiment of the trace"),
    response=GetTraceResponse,
    errors=STORE_ERRORS,
    spec=rq.GET_TRACE,
)
async def get_trace(request: Request) -> Response:
    """GetTrace -> ``{trace: {trace_info, spans}}`` (OTel proto-JSON spans)."""
    req = await parse(request, rq.GET_TRACE)
    trace = await _load_trace(request, check_trace_id(req["trace_id"]))
    return json_response({"trace": trace_to_json(trace.info, trace.spans)})


def _batch_ids(ids: list[str]) -> list[str]:
    if len(ids) > MAX_BATCH_GET:
        raise InvalidArgumentError(
            f"At most {MAX_BATCH_GET} trace ids per batch request, got {len(ids)}."
        )
    return [check_trace_id(t) for t in ids]


def _in_experiments(experiment_id: str, experiment_ids: list[str]) -> bool:
    return not experiment_ids or experiment_id in experiment_ids


@rpc(
    v3_router,
    "/mlflow/traces/batchGet",
    "GET",
    access=on(READ, at.traces(), "experiments of the traces"),
    response=BatchGetTracesResponse,
    errors=BATCH_ERRORS,
    spec=rq.BATCH_GET_TRACES,
)
async def batch_get_traces(request: Request) -> Response:
    """BatchGetTraces -> ``{traces: [{trace_info, spans}]}``; unknown ids are left out."""
    req = await parse(request, rq.BATCH_GET_TRACES)
    traces = await call(trace_store(request).batch_get_traces, _batch_ids(req["trace_ids"]))
    scope = req["experiment_ids"]
    return json_response(
        {
            "traces": [
                trace_to_json(t.info, t.spans)
                for t in traces
                if _in_experiments(t.info.experiment_id, scope)
            ]
        }
    )


def _get_infos(store: Any, trace_ids: list[str]) -> list[Any]:
    from ardea._core.errors import NotFoundError

    infos = []
    for trace_id in trace_ids:
        try:
            infos.append(store.get_trace_info(trace_id))
        except NotFoundError:
            continue
    return infos


@rpc(
    v3_router,
    "/mlflow/traces/batchGetInfos",
    "POST",
    access=on(READ, at.traces(), "experiments of the traces"),
    response=BatchGetTraceInfosResponse,
    errors=BATCH_ERRORS,
    spec=rq.BATCH_GET_TRACES,
)
async def batch_get_trace_infos(request: Request) -> Response:
    """BatchGetTraceInfos -> ``{trace_infos}`` (no spans); unknown ids are left out."""
    req = await parse(request, rq.BATCH_GET_TRACES)
    infos = await call(_get_infos, trace_store(request), _batch_ids(req["trace_ids"]))
    scope = req["experiment_ids"]
    return json_response(
        {
            "trace_infos": [
                trace_info_to_json(i) for i in infos if _in_experiments(i.experiment_id, scope)
            ]
        }
    )


def _experiment_ids(req: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    for location in req["locations"]:
        kind = location.get("type") or "MLFLOW_EXPERIMENT"
        experiment = location.get("mlflow_experiment") or {}
        if kind != "MLFLOW_EXPERIMENT" or not experiment.get("experiment_id"):
            raise InvalidArgumentError(
                "Only MLFLOW_EXPERIMENT trace locations with an experiment_id are supported."
            )
        ids.append(experiment["experiment_id"])
    ids.extend(req["experiment_ids"])
    if not ids:
        raise InvalidArgumentError("Missing value for required parameter 'locations'.")
    return ids


@rpc(
    v3_router,
    "/mlflow/traces/search",
    "POST",
    access=search(ResourceType.EXPERIMENT),
    response=SearchTracesResponse,
    errors=BATCH_ERRORS,
    spec=rq.SEARCH_TRACES_V3,
)
async def search_traces(request: Request) -> Response:
    """SearchTracesV3 -> ``{traces: [TraceInfoV3], next_page_token}``."""
    req = await parse(request, rq.SEARCH_TRACES_V3)
    max_results = req["max_results"]
    if max_results is None:
        max_results = SEARCH_TRACES_DEFAULT
    if not 1 <= max_results <= SEARCH_TRACES_LIMIT:
        raise InvalidArgumentError(
            f"Invalid value {max_results} for parameter 'max_results': it must be between "
            f"1 and {SEARCH_TRACES_LIMIT}."
        )
    page = await call(
        trace_store(request).search_traces,
        _experiment_ids(req),
        req["filter"] or None,
        max_results,
        req["order_by"],
        req["page_token"] or None,
    )
    out: dict[str, Any] = {"traces": [trace_info_to_json(i) for i in page]}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)


@rpc(
    v3_router,
    "/mlflow/traces/{trace_id}",
    "GET",
    access=on(READ, at.trace(), "experiment of the trace"),
    response=GetTraceInfoResponse,
    errors=STORE_ERRORS,
)
async def get_trace_info_v3(request: Request) -> Response:
    """GetTraceInfoV3 -> ``{trace: {trace_info}}``."""
    trace_id = check_trace_id(request.path_params["trace_id"])
    info = await call(trace_store(request).get_trace_info, trace_id)
    return json_response({"trace": {"trace_info": trace_info_to_json(info)}})


# ---------------------------------------------------------------------------------------------
# v2 and v3: deletes, tags, links, the UI's trace artifact
# ---------------------------------------------------------------------------------------------


@rpc(
    common_router,
    "/mlflow/traces/delete-traces",
    "POST",
    access=on(MANAGE, at.experiment(), "experiment"),
    response=DeleteTracesResponse,
    errors=STORE_ERRORS,  # an unknown experiment is a 404
    spec=rq.DELETE_TRACES,
)
async def delete_traces(request: Request) -> Response:
    """DeleteTraces -> ``{traces_deleted}`` (by ids, or by age with an optional count)."""
    req = await parse_json(request, rq.DELETE_TRACES)
    ids, max_ts = req["request_ids"], req["max_timestamp_millis"]
    if bool(ids) == (max_ts is not None):
        raise InvalidArgumentError(
            "Exactly one of 'max_timestamp_millis' and 'request_ids' must be specified."
        )
    if ids and req["max_traces"] is not None:
        raise InvalidArgumentError("'max_traces' can't be specified with 'request_ids'.")
    deleted = await call(
        trace_store(request).delete_traces,
        req["experiment_id"],
        max_timestamp_millis=max_ts,
        max_traces=req["max_traces"],
        trace_ids=[check_trace_id(t) for t in ids] or None,
    )
    return json_response({"traces_deleted": deleted})


@rpc(
    common_router,
    "/mlflow/traces/{trace_id}/tags",
    "PATCH",
    access=on(EDIT, at.trace(), "experiment of the trace"),
    response=EmptyResponse,
    errors=STORE_ERRORS,
    spec=rq.SET_TRACE_TAG,
)
async def set_trace_tag(request: Request) -> Response:
    """SetTraceTag -> ``{}``."""
    trace_id = check_trace_id(request.path_params["trace_id"])
    req = await parse_json(request, rq.SET_TRACE_TAG)
    await call(trace_store(request).set_trace_tag, trace_id, req["key"], req["value"] or "")
    return empty()


@rpc(
    common_router,
    "/mlflow/traces/{trace_id}/tags",
    "DELETE",
    access=on(EDIT, at.trace(), "experiment of the trace"),
    response=EmptyResponse,
    errors=STORE_ERRORS,
    spec=rq.DELETE_TRACE_TAG,
)
async def delete_trace_tag(request: Request) -> Response:
    """DeleteTraceTag (key in the JSON body or the query) -> ``{}``."""
    trace_id = check_trace_id(request.path_params["trace_id"])
    key = request.query_params.get("key")
    if not key:
        key = (await parse_json(request, rq.DELETE_TRACE_TAG))["key"]
    await call(trace_store(request).delete_trace_tag, trace_id, key)
    return empty()


@rpc(
    common_router,
    "/mlflow/traces/link-to-run",
    "POST",
    access=on(EDIT, at.all_of(at.run(), at.traces()), "experiments of the run and the traces"),
    response=EmptyResponse,
    errors=STORE_ERRORS,
    spec=rq.LINK_TRACES_TO_RUN,
)
async def link_traces_to_run(request: Request) -> Response:
    """LinkTracesToRun -> ``{}``."""
    req = await parse_json(request, rq.LINK_TRACES_TO_RUN)
    ids = [check_trace_id(t) for t in req["trace_ids"]]
    if len(ids) > MAX_LINK_TRACES:
        raise InvalidArgumentError(f"At most {MAX_LINK_TRACES} traces can be linked at once.")
    await call(tracking_store(request).get_run, req["run_id"])
    await call(trace_store(request).link_traces_to_run, ids, req["run_id"])
    return empty()


def _link_prompts(store: Any, trace_id: str, versions: list[dict[str, str]]) -> None:
    info = store.get_trace_info(trace_id)
    try:
        linked = orjson.loads(info.tags.get(LINKED_PROMPTS_TAG) or "[]")
    except orjson.JSONDecodeError:
        linked = []
    if not isinstance(linked, list):
        linked = []
    for v in versions:
        entry = {"name": v["name"], "version": str(v["version"])}
        if entry not in linked:
            linked.append(entry)
    store.set_trace_tag(trace_id, LINKED_PROMPTS_TAG, orjson.dumps(linked).decode())


@rpc(
    common_router,
    "/mlflow/traces/link-prompts",
    "POST",
    access=on(EDIT, at.trace(), "experiment of the trace"),
    response=EmptyResponse,
    errors=STORE_ERRORS,
    spec=rq.LINK_PROMPTS_TO_TRACE,
)
async def link_prompts_to_trace(request: Request) -> Response:
    """LinkPromptsToTrace: merge ``{name, version}`` into the ``mlflow.linkedPrompts`` tag."""
    req = await parse_json(request, rq.LINK_PROMPTS_TO_TRACE)
    trace_id = check_trace_id(req["trace_id"])
    await call(_link_prompts, trace_store(request), trace_id, req["prompt_versions"])
    return empty()


@rpc(
    common_router,
    "/mlflow/get-trace-artifact",
    "GET",
    access=on(READ, at.trace("request_id"), "experiment of the trace"),
    response=TRACES_JSON_FILE,
    errors=STORE_ERRORS,
    spec=rq.GET_TRACE_ARTIFACT,
)
async def get_trace_artifact(request: Request) -> Response:
    """The trace's ``traces.json`` built from the stored spans, as a file download."""
    req = await parse(request, rq.GET_TRACE_ARTIFACT)
    if req["path"]:
        raise InvalidArgumentError("Trace attachments are not stored by this server.")
    trace = await _load_trace(request, check_trace_id(req["request_id"]))
    body = orjson.dumps({"spans": [span_to_traces_json(s) for s in trace.spans]})
    # Exactly MLflow's header (the name unquoted): safe only because the name is this fixed
    # token; user-derived file names go through ``artifact_access``, quoted and escaped.
    return Response(
        body,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename={TRACES_JSON}"},
    )
