"""MLflow's legacy (v2) trace record RPCs, mounted under ``/api/2.0`` and ``/ajax-api/2.0``.

Clients use them when StartTraceV3 answers ``ENDPOINT_NOT_FOUND`` (servers older than MLflow
3), and MLflow's REST suite still drives them:

- StartTrace ``POST /mlflow/traces``: a new trace record in progress, its id a fresh 32-hex
  request id (as MLflow's), with the server tags (``mlflow.artifactLocation``);
- EndTrace ``PATCH /mlflow/traces/{request_id}``: execution time from ``timestamp_ms``, the
  status, and metadata and tags merged into the stored ones;
- GetTraceInfo ``GET /mlflow/traces/{request_id}/info`` and SearchTraces
  ``GET /mlflow/traces`` (the trace filter grammar, at most 500 a page).

Server-set tags in a request (``mlflow.artifactLocation``, ``mlflow.trace.spansLocation``)
are dropped, as MLflow drops them. Tags, deletes and links are the shared routes of
``traces.common_router``.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api.mlflow_trace_json import check_trace_id
from ardea.api.mlflow_trace_v2_json import (
    END_TRACE_V2,
    SEARCH_TRACES_V2,
    START_TRACE_V2,
    key_values,
    state_from_status,
    trace_info_v2_to_json,
)
from ardea.api.schemas.traces import SearchTracesV2Response, TraceInfoV2Response
from ardea.entities import TraceInfo, TraceState
from ardea.entities.auth import ResourceType
from ardea.server import access_targets as at
from ardea.server.access import (
    EDIT,
    READ,
    on,
    search,
)
from ardea.server.deps import trace_store
from ardea.server.http import call, json_response, parse, parse_json, rpc
from ardea.server.openapi_responses import INPUT_ERRORS, STORE_ERRORS
from ardea.store.traces import SEARCH_TRACES_DEFAULT, SEARCH_TRACES_LIMIT

__all__ = ["router"]

router = APIRouter()
"""Mounted under ``/api/2.0`` and ``/ajax-api/2.0``."""

_SERVER_TAGS = frozenset({"mlflow.artifactLocation", "mlflow.trace.spansLocation"})


def _tags(raw: list[dict[str, str]]) -> dict[str, str]:
    return {k: v for k, v in key_values(raw).items() if k not in _SERVER_TAGS}


@rpc(
    router,
    "/mlflow/traces",
    "POST",
    access=on(EDIT, at.experiment(), "experiment"),
    response=TraceInfoV2Response,
    errors=STORE_ERRORS,
    spec=START_TRACE_V2,
)
async def start_trace_v2(request: Request) -> Response:
    """StartTrace -> ``{trace_info}`` (v2): a new record, ``IN_PROGRESS``."""
    req = await parse_json(request, START_TRACE_V2)
    record = TraceInfo(
        trace_id=uuid.uuid4().hex,
        experiment_id=req["experiment_id"],
        request_time=req["timestamp_ms"] or 0,
        state=TraceState.IN_PROGRESS.value,
        trace_metadata=key_values(req["request_metadata"]),
        tags=_tags(req["tags"]),
    )
    stored = await trace_store(request).start_trace_async(record)
    return json_response({"trace_info": trace_info_v2_to_json(stored)})


@rpc(
    router,
    "/mlflow/traces/{request_id}",
    "PATCH",
    access=on(EDIT, at.trace("request_id"), "experiment of the trace"),
    response=TraceInfoV2Response,
    errors=STORE_ERRORS,
    spec=END_TRACE_V2,
)
async def end_trace_v2(request: Request) -> Response:
    """EndTrace -> ``{trace_info}`` (v2) as stored after the merge."""
    trace_id = check_trace_id(request.path_params["request_id"])
    req = await parse_json(request, END_TRACE_V2)
    if req["timestamp_ms"] is None:
        raise InvalidArgumentError("Missing value for required parameter 'timestamp_ms'.")
    stored = await call(
        trace_store(request).end_trace,
        trace_id,
        req["timestamp_ms"],
        state_from_status(req["status"]),
        key_values(req["request_metadata"]),
        _tags(req["tags"]),
    )
    return json_response({"trace_info": trace_info_v2_to_json(stored)})


@rpc(
    router,
    "/mlflow/traces/{request_id}/info",
    "GET",
    access=on(READ, at.trace("request_id"), "experiment of the trace"),
    response=TraceInfoV2Response,
    errors=STORE_ERRORS,
)
async def get_trace_info_v2(request: Request) -> Response:
    """GetTraceInfo -> ``{trace_info}`` (v2)."""
    trace_id = check_trace_id(request.path_params["request_id"])
    info = await call(trace_store(request).get_trace_info, trace_id)
    return json_response({"trace_info": trace_info_v2_to_json(info)})


@rpc(
    router,
    "/mlflow/traces",
    "GET",
    access=search(ResourceType.EXPERIMENT),
    response=SearchTracesV2Response,
    errors=(*INPUT_ERRORS, 501),
    spec=SEARCH_TRACES_V2,
)
async def search_traces_v2(request: Request) -> Response:
    """SearchTraces -> ``{traces: [TraceInfo v2], next_page_token}``."""
    req = await parse(request, SEARCH_TRACES_V2)
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
        req["experiment_ids"],
        req["filter"] or None,
        max_results,
        req["order_by"],
        req["page_token"] or None,
    )
    out: dict[str, object] = {"traces": [trace_info_v2_to_json(i) for i in page]}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)
