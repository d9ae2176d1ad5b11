"""Trace retention policies: ``/api/3.0/ardea/traces/retention/...``.

Ardea's own routes (MLflow has no trace retention wire).

| Route | Method + path | Access |
|---|---|---|
| an experiment's retention | GET ``/ardea/traces/retention/get?experiment_id=`` | READ experiment |
| set an experiment's policy | POST ``/ardea/traces/retention/set`` | MANAGE experiment |
| the workspace's policy | GET ``/ardea/traces/retention/workspace/get`` | authenticated |
| set the workspace's policy | POST ``/ardea/traces/retention/workspace/set`` | admin |

A set replaces the level's policy: ``max_age_days`` and ``max_traces`` each absent (or
``null``: not set, inherited from the workspace), ``0`` (no limit) or a positive integer;
``archive`` absent, ``null``, ``true`` (write the traces to Parquet before deleting them) or
``false``. A
negative or non-integer limit is a 400 ``INVALID_PARAMETER_VALUE`` and changes nothing; an
unknown experiment a 404 ``RESOURCE_DOES_NOT_EXIST``. The workspace is the request's. The
server's sweep (:mod:`ardea.server.retention`) applies the policies.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas.retention import ExperimentRetentionResponse, WorkspaceRetentionResponse
from ardea.entities.retention import check_policy
from ardea.server import access_targets as at
from ardea.server.access import ADMIN, AUTHENTICATED, MANAGE, READ, on
from ardea.server.deps import backend
from ardea.server.http import call, json_response, parse_get, parse_json, rpc
from ardea.server.openapi_responses import STORE_ERRORS
from ardea.store.retention import RetentionStore

__all__ = ["GET", "SET", "SET_WORKSPACE", "router"]

router = APIRouter()
"""Trace retention routes, mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

_P = "/ardea/traces/retention"
_LIMITS = {
    "max_age_days": Field("int64"),
    "max_traces": Field("int64"),
    "archive": Field("bool"),
}
GET = RequestSpec("GetTraceRetention", {"experiment_id": Field("string", required=True)})
SET = RequestSpec("SetTraceRetention", {**_LIMITS, "experiment_id": Field("string", required=True)})
GET_WORKSPACE = RequestSpec("GetWorkspaceTraceRetention", {})
SET_WORKSPACE = RequestSpec("SetWorkspaceTraceRetention", dict(_LIMITS))


def _store(request: Request) -> RetentionStore:
    return backend(request).retention


@rpc(
    router,
    _P + "/get",
    "GET",
    access=on(READ, at.experiment(), "experiment"),
    response=ExperimentRetentionResponse,
    errors=STORE_ERRORS,
    spec=GET,
)
async def get_retention(request: Request) -> Response:
    """The experiment's policy, its workspace's and the limits in force."""
    req = parse_get(request, GET)
    found = await call(_store(request).get_experiment_retention, req["experiment_id"])
    return json_response(found.to_json())


@rpc(
    router,
    _P + "/set",
    "POST",
    access=on(MANAGE, at.experiment(), "experiment"),
    response=ExperimentRetentionResponse,
    errors=STORE_ERRORS,
    spec=SET,
)
async def set_retention(request: Request) -> Response:
    """Replace the experiment's own policy -> the same answer as the get."""
    req = await parse_json(request, SET)
    policy = check_policy(req["max_age_days"], req["max_traces"], req["archive"])
    changed = await call(_store(request).set_experiment_retention, req["experiment_id"], policy)
    return json_response(changed.to_json())


@rpc(
    router,
    _P + "/workspace/get",
    "GET",
    access=AUTHENTICATED,
    response=WorkspaceRetentionResponse,
    spec=GET_WORKSPACE,
)
async def get_workspace_retention(request: Request) -> Response:
    """The policy of the request's workspace -> ``{policy}``."""
    parse_get(request, GET_WORKSPACE)
    found = await call(_store(request).get_workspace_retention)
    return json_response({"policy": found.to_json()})


@rpc(
    router,
    _P + "/workspace/set",
    "POST",
    access=ADMIN,
    response=WorkspaceRetentionResponse,
    errors=STORE_ERRORS,
    spec=SET_WORKSPACE,
)
async def set_workspace_retention(request: Request) -> Response:
    """Replace the policy of the request's workspace -> ``{policy}``."""
    req = await parse_json(request, SET_WORKSPACE)
    policy = check_policy(req["max_age_days"], req["max_traces"], req["archive"])
    changed = await call(_store(request).set_workspace_retention, policy)
    return json_response({"policy": changed.to_json()})
