"""MLflow's prompt-lab run: ``POST /ajax-api/2.0/mlflow/runs/create-promptlab-run``.

The MLflow UI's prompt engineering page records one prompt tried against a model route as a
finished run (:mod:`ardea.services.promptlab`). Fields are checked in MLflow's order, each
missing one with MLflow's message (``CreatePromptlabRun request must specify <field>.``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea._core.ids import now_ms
from ardea.api import mlflow_requests as rq
from ardea.api.mlflow_json import run_to_json
from ardea.api.request_parsing import invalid_value
from ardea.api.schemas.runs import GetRunResponse
from ardea.entities import Param, RunTag
from ardea.server import access_targets as at
from ardea.server.access import (
    EDIT,
    on,
)
from ardea.server.artifact_access import resolve_root
from ardea.server.deps import tracking_store
from ardea.server.http import call, json_response, read_json_body, rpc
from ardea.services.promptlab import PromptlabRequest, create_promptlab_run

__all__ = ["ajax_router"]

ajax_router = APIRouter()
"""Mounted under ``/ajax-api/2.0`` only, as in MLflow."""

_REQUIRED = (
    "experiment_id",
    "prompt_template",
    "prompt_parameters",
    "model_route",
    "model_input",
    "mlflow_version",
)


def _text(body: Mapping[str, Any], name: str, default: str | None = None) -> str | None:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise invalid_value(name, value)
    return str(value)


def _pairs(body: Mapping[str, Any], name: str) -> list[tuple[str, str]]:
    items = body.get(name) or []
    if not isinstance(items, list):
        raise invalid_value(name, items)
    out = []
    for i, item in enumerate(items):
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str) or not key:
            raise invalid_value(f"{name}[{i}]", item)
        value = item.get("value")
        out.append((key, "" if value is None else str(value)))
    return out


def parse_promptlab_request(body: Mapping[str, Any]) -> PromptlabRequest:
    """The request's fields, checked in MLflow's order and with its messages."""
    for name in _REQUIRED:
        if not body.get(name):
            raise InvalidArgumentError(f"CreatePromptlabRun request must specify {name}.")
    start_time = body.get("start_time")
    if start_time is None:
        start_time = now_ms()
    elif isinstance(start_time, bool) or not isinstance(start_time, int):
        raise invalid_value("start_time", start_time)
    return PromptlabRequest(
        experiment_id=_text(body, "experiment_id") or "",
        prompt_template=_text(body, "prompt_template") or "",
        prompt_parameters=[Param(k, v) for k, v in _pairs(body, "prompt_parameters")],
        model_route=_text(body, "model_route") or "",
        model_input=_text(body, "model_input") or "",
        mlflow_version=_text(body, "mlflow_version") or "",
        run_name=_text(body, "run_name"),
        tags=[RunTag(k, v) for k, v in _pairs(body, "tags")],
        model_parameters=[Param(k, v) for k, v in _pairs(body, "model_parameters")],
        model_output=_text(body, "model_output"),
        model_output_parameters=[Param(k, v) for k, v in _pairs(body, "model_output_parameters")],
        user_id=_text(body, "user_id", "unknown") or "unknown",
        start_time=start_time,
    )


@rpc(
    ajax_router,
    "/mlflow/runs/create-promptlab-run",
    "POST",
    access=on(EDIT, at.experiment(), "experiment"),
    response=GetRunResponse,
    spec=rq.CREATE_PROMPTLAB_RUN,
)
async def create_promptlab_run_route(request: Request) -> Response:
    """Record a prompt-lab evaluation as a finished run -> ``{run}`` (see the module)."""
    body = rq.decode_body(await read_json_body(request), request.headers.get("content-type"))
    req = parse_promptlab_request(body)

    def write(artifact_uri: str, files: Mapping[str, bytes]) -> None:
        root = resolve_root(request, artifact_uri)
        for path, data in files.items():
            root.store.put(root.join(path), data)

    run = await call(create_promptlab_run, tracking_store(request), write, req)
    return json_response({"run": run_to_json(run)})
