"""MLflow 3.18's workspace RPCs, mounted under ``/api/3.0`` and ``/ajax-api/3.0``.

| RPC | Method + path | Answer |
|---|---|---|
| ListWorkspaces | GET ``/mlflow/workspaces`` | ``{workspaces}`` |
| CreateWorkspace | POST ``/mlflow/workspaces`` (``name``, ``description``, ``default_artifact_root``) | 201 ``{workspace}`` |
| GetWorkspace | GET ``/mlflow/workspaces/{workspace_name}`` | ``{workspace}`` |
| UpdateWorkspace | PATCH ``/mlflow/workspaces/{workspace_name}`` (``description``, ``default_artifact_root``) | ``{workspace}`` |
| DeleteWorkspace | DELETE ``/mlflow/workspaces/{workspace_name}`` (``?mode=`` RESTRICT, CASCADE or SET_DEFAULT) | 204, no body |

As MLflow: ``default`` cannot be created or deleted; a name must be a workspace name (2-63
lowercase letters, digits, inner hyphens); an update needs at least one field, and ``""``
clears ``description`` or ``default_artifact_root``; deleting a workspace that still holds
something answers ``INVALID_STATE`` unless ``mode`` says to delete (CASCADE) or move
(SET_DEFAULT) it; an unknown workspace is ``RESOURCE_DOES_NOT_EXIST`` (404).

Where Ardea differs: create and update also take ``default_permission`` (READ, USE, EDIT,
MANAGE or NO_PERMISSIONS; ``""`` clears it), what members without a grant may do in the
workspace on a server with ``--auth`` (absent: the server's ``--auth-default-permission``);
answers carry it when set (MLflow's clients ignore the field). A workspace's own ``default_artifact_root`` must be one the server
serves, as a client-chosen experiment location must (``mlflow-artifacts:/...``, or inside its
artifact roots; ``--allow-artifact-root`` adds more). On a server without workspaces these routes answer MLflow's
``FEATURE_DISABLED`` error (400, JSON) where MLflow answers a plain-text 503 (which its
clients retry); and a ``trace_archival_config`` is refused (400), as Ardea does not archive
traces. The routes are the same for every request whatever workspace it names (the header is
not read here; MLflow's client does not send it to them).
"""  # noqa: E501

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import FeatureDisabledError, InvalidArgumentError
from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas.workspaces import ListWorkspacesResponse, WorkspaceResponse
from ardea.entities.workspace import Workspace, WorkspaceDeletionMode
from ardea.server.access import (
    ADMIN,
    handler,
)
from ardea.server.artifact_access import check_new_experiment_location
from ardea.server.authz import is_member
from ardea.server.deps import root_backend, runtime, settings
from ardea.server.http import call, json_response, parse_get, parse_json, rpc
from ardea.server.openapi_responses import INPUT_ERRORS, LOOKUP_ERRORS, Answer
from ardea.store.workspaces import WorkspaceStore, workspace_not_found

__all__ = ["router", "workspace_to_json"]

router = APIRouter()
"""Workspace routes, mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

_PATH = "/mlflow/workspaces"
_ONE = _PATH + "/{workspace_name}"
_S = Field("string")
_ARCHIVAL = RequestSpec("TraceArchivalConfig", {"location": _S, "retention": _S})

LIST_WORKSPACES = RequestSpec("ListWorkspaces", {})
CREATE_WORKSPACE = RequestSpec(
    "CreateWorkspace",
    {
        "name": Field("string", required=True),
        "description": _S,
        "default_artifact_root": _S,
        "default_permission": _S,
        "trace_archival_config": Field("message", message=_ARCHIVAL),
    },
)
UPDATE_WORKSPACE = RequestSpec(
    "UpdateWorkspace",
    {
        "description": _S,
        "default_artifact_root": _S,
        "default_permission": _S,
        "trace_archival_config": Field("message", message=_ARCHIVAL),
    },
)
DELETE_WORKSPACE = RequestSpec("DeleteWorkspace", {"mode": _S})

_CREATED = Answer("The new workspace.", model=WorkspaceResponse, status=201)
_DELETED = Answer("The workspace is deleted: no body.", status=204)
_DISABLED = (
    "Workspace APIs are not available: workspaces are not enabled on this server. Start it "
    "with --enable-workspaces (MLFLOW_ENABLE_WORKSPACES=true)."
)


def workspace_to_json(w: Workspace) -> dict[str, Any]:
    """MLflow's ``Workspace`` message: unset fields are left out."""
    out: dict[str, Any] = {"name": w.name}
    if w.description is not None:
        out["description"] = w.description
    if w.default_artifact_root is not None:
        out["default_artifact_root"] = w.default_artifact_root
    if w.default_permission is not None:
        out["default_permission"] = w.default_permission
    return out


def _store(request: Request) -> WorkspaceStore:
    """The workspace store, when the server runs with workspaces (FEATURE_DISABLED if not)."""
    if not settings(request).enable_workspaces:
        raise FeatureDisabledError(_DISABLED)
    return root_backend(request).workspaces


def _no_archival(req: dict[str, Any]) -> None:
    config = req.get("trace_archival_config") or {}
    if any(config.get(key) for key in ("location", "retention")):
        raise InvalidArgumentError(
            "trace_archival_config is not supported: this server does not archive traces."
        )


def _check_root(request: Request, root: str | None) -> None:
    """A workspace's own artifact root must be one the server serves (400 otherwise).

    The rule of a client-chosen experiment location (``mlflow-artifacts:/...``, or inside the
    artifacts destination, the default artifact root or an ``--allow-artifact-root``):
    otherwise anyone who may set a workspace's root could make the server read any folder.
    """
    if root and root.strip():
        check_new_experiment_location(settings(request), root.strip())


def _one(w: Workspace, status: int = 200) -> Response:
    return json_response({"workspace": workspace_to_json(w)}, status_code=status)


@rpc(
    router,
    _PATH,
    "GET",
    access=handler("lists the workspaces the caller belongs to"),
    response=ListWorkspacesResponse,
    errors=INPUT_ERRORS,
)
async def list_workspaces(request: Request) -> Response:
    """ListWorkspaces -> ``{workspaces}``, by name (``default`` included).

    With ``--auth``, only the workspaces the caller belongs to (all of them for an admin).
    """
    parse_get(request, LIST_WORKSPACES)
    found = await call(_store(request).list_workspaces)
    mine = [w for w in found if await is_member(request, w.name)]
    return json_response({"workspaces": [workspace_to_json(w) for w in mine]})


@rpc(
    router,
    _PATH,
    "POST",
    access=ADMIN,
    response=_CREATED,
    errors=INPUT_ERRORS,
    spec=CREATE_WORKSPACE,
)
async def create_workspace(request: Request) -> Response:
    """CreateWorkspace -> 201 ``{workspace}``; a taken name: RESOURCE_ALREADY_EXISTS."""
    store = _store(request)
    req = await parse_json(request, CREATE_WORKSPACE)
    _no_archival(req)
    _check_root(request, req["default_artifact_root"])
    created = await call(
        store.create_workspace,
        req["name"],
        req["description"],
        req["default_artifact_root"],
        req["default_permission"],
    )
    return _one(created, 201)


@rpc(
    router,
    _ONE,
    "GET",
    access=handler("members of the workspace"),
    response=WorkspaceResponse,
    errors=LOOKUP_ERRORS,
)
async def get_workspace(request: Request) -> Response:
    """GetWorkspace -> ``{workspace}``; unknown: 404 (and, with ``--auth``, not the caller's)."""
    store = _store(request)
    name = request.path_params["workspace_name"]
    found = await call(store.get_workspace, name)
    if not await is_member(request, name):
        raise workspace_not_found(name)
    return _one(found)


@rpc(
    router,
    _ONE,
    "PATCH",
    access=ADMIN,
    response=WorkspaceResponse,
    errors=LOOKUP_ERRORS,
    spec=UPDATE_WORKSPACE,
)
async def update_workspace(request: Request) -> Response:
    """UpdateWorkspace -> ``{workspace}``; only the fields given change (``""`` clears)."""
    store = _store(request)
    req = await parse_json(request, UPDATE_WORKSPACE)
    _no_archival(req)
    if all(req[k] is None for k in ("description", "default_artifact_root", "default_permission")):
        raise InvalidArgumentError("Workspace update must have at least one key")
    _check_root(request, req["default_artifact_root"])
    name = request.path_params["workspace_name"]
    updated = await call(
        store.update_workspace,
        name,
        description=req["description"],
        default_artifact_root=req["default_artifact_root"],
        default_permission=req["default_permission"],
    )
    runtime(request).forget_workspace(name)
    return _one(updated)


@rpc(
    router,
    _ONE,
    "DELETE",
    access=ADMIN,
    response=_DELETED,
    errors=LOOKUP_ERRORS,
    spec=DELETE_WORKSPACE,
    spec_in="query",
)
async def delete_workspace(request: Request) -> Response:
    """DeleteWorkspace -> 204; ``?mode=`` RESTRICT (default), CASCADE or SET_DEFAULT."""
    store = _store(request)
    req = parse_get(request, DELETE_WORKSPACE)
    mode = req["mode"] or WorkspaceDeletionMode.RESTRICT.value
    if mode not in WorkspaceDeletionMode.__members__:
        raise InvalidArgumentError(
            f"Invalid deletion mode '{mode}'. Must be one of: "
            f"{', '.join(m.value for m in WorkspaceDeletionMode)}"
        )
    name = request.path_params["workspace_name"]
    await call(store.delete_workspace, name, WorkspaceDeletionMode(mode))
    runtime(request).forget_workspace(name)
    return Response(status_code=204)
