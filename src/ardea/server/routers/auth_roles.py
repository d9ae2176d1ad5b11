"""MLflow 3.x roles (RBAC) on a server with ``--auth``: ``/api/3.0/mlflow/roles/...``.

``roles/create|get|list|update|delete``, ``roles/permissions/add|remove|list|update``,
``roles/assign|unassign`` and ``roles/users/list``, also under ``/ajax-api/3.0``, with
mlflow 3.18's request and answer shapes. Without ``--auth``: 404 ``ENDPOINT_NOT_FOUND``.

Who may: admins, and the admins of the role's workspace (a ``workspace`` grant of MANAGE),
change roles, their grants and who holds them; members of the workspace may read its roles
(``roles/get``, ``roles/permissions/list``, ``roles/users/list``, ``roles/list`` of workspaces
they belong to); listing the roles of every workspace (no ``workspace``) is for admins.
Every change is audited (``role.create``, ``role.update``, ``role.delete``,
``role.grant.add``, ``role.grant.update``, ``role.grant.remove``, ``role.assign``,
``role.unassign``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError, PermissionDeniedError
from ardea.api import mlflow_auth_requests as rq
from ardea.api.mlflow_auth_json import assignment_to_json, role_grant_to_json, role_to_json
from ardea.api.schemas.auth_mlflow import (
    AssignmentResponse,
    ListAssignmentsResponse,
    ListRolePermissionsResponse,
    ListRolesResponse,
    RolePermissionResponse,
    RoleResponse,
)
from ardea.api.schemas.common import EmptyResponse
from ardea.auth import audit
from ardea.entities.auth import Role, User
from ardea.server.access import handler
from ardea.server.auth_cookies import client_ip
from ardea.server.auth_runtime import AuthRuntime
from ardea.server.authz import caller_user
from ardea.server.deps import runtime
from ardea.server.http import call, empty, json_response, parse, parse_get, parse_json, rpc
from ardea.server.routers.auth_session import auth_or_none, not_enabled

__all__ = ["router"]

router = APIRouter()
"""``/mlflow/roles/...``, mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

_R = "/mlflow/roles"
_MANAGE = handler("admins and the admins of the role's workspace")
_VIEW = handler("admins and members of the role's workspace")
_NOT_ALLOWED = "Permission denied: only an admin or an admin of workspace '{}' may do this."


class _Roles:
    """The auth objects and the caller, with the checks every handler here makes."""

    def __init__(self, request: Request, auth: AuthRuntime, me: User) -> None:
        self.request = request
        self.auth = auth
        self.store = auth.store
        self.me = me

    def record(self, action: str, target: str, detail: dict[str, Any] | None = None) -> None:
        """Audit one change by the caller."""
        ip = client_ip(self.request)
        audit.record(self.store, self.me.username, action, target, detail, ip)

    async def may_manage(self, workspace: str) -> None:
        """Refuse unless the caller is an admin or an admin of ``workspace``."""
        if not await call(self.auth.policy.is_workspace_admin, self.me, workspace):
            raise PermissionDeniedError(_NOT_ALLOWED.format(workspace))

    async def may_view(self, workspace: str) -> None:
        """Refuse unless the caller is an admin or a member of ``workspace``."""
        if not await call(self.auth.policy.is_workspace_member, self.me, workspace):
            raise PermissionDeniedError(
                f"Permission denied: only members of workspace '{workspace}' may see its roles."
            )

    async def role(self, role_id: int) -> Role:
        """A role (404 when there is none)."""
        return await call(self.store.get_role, role_id)

    def json(self, role: Role) -> dict[str, Any]:
        """A role with its grants, as MLflow answers it."""
        return role_to_json(role, self.store.list_role_grants(role.id))


def _roles(request: Request) -> _Roles | None:
    auth = auth_or_none(request)
    me = caller_user(request)
    return None if auth is None or me is None else _Roles(request, auth, me)


def _text(value: object, message: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(message)
    return value


@rpc(router, f"{_R}/create", "POST", access=_MANAGE, response=RoleResponse, spec=rq.CREATE_ROLE)
async def create_role(request: Request) -> Response:
    """CreateRole ``{workspace, name, description?}`` -> ``{role}``."""
    roles = _roles(request)
    if roles is None:
        return not_enabled(request)
    req = await parse_json(request, rq.CREATE_ROLE)
    name = _text(req["name"], "Role name cannot be empty.")
    workspace = _text(req["workspace"], "Workspace cannot be empty.")
    await roles.may_manage(workspace)
    if runtime(request).deps.settings.enable_workspaces:
        try:
            await call(runtime(request).deps.backend.workspaces.get_workspace, workspace)
        except LookupError:
            raise InvalidArgumentError(f"Workspace '{workspace}' does not exist.") from None
    role = await call(roles.store.create_role, name, workspace, req["description"])
    await call(
        roles.record, "role.create", f"role:{role.id}", {"name": name, "workspace": workspace}
    )
    return json_response({"role": role_to_json(role, [])})


@rpc(router, f"{_R}/get", "GET", access=_VIEW, response=RoleResponse, spec=rq.ROLE_ID)
async def get_role(request: Request) -> Response:
    """GetRole ``?role_id`` -> ``{role}``."""
    roles = _roles(request)
    if roles is None:
        return not_enabled(request)
    role = await roles.role(parse_get(request, rq.ROLE_ID)["role_id"])
    await roles.may_view(role.workspace)
    return json_response({"role": await call(roles.json, role)})


@rpc(
    router,
    f"{_R}/list",
    "GET",
    access=handler("members of each workspace asked; all: admins"),
    response=ListRolesResponse,
    spec=rq.WORKSPACES,
)
async def list_roles(request: Request) -> Response:
    """ListRoles ``?workspace=...`` (repeatable) -> ``{roles}``; none: every workspace's."""
    roles = _roles(request)
    if roles is None:
        return not_enabled(request)
    wanted = parse_get(request, rq.WORKSPACES)["workspace"]
    for name in wanted:
        _text(name, "Parameter 'workspace' must be a non-empty string when provided.")
    if not wanted and not roles.me.is_admin:
        raise PermissionDeniedError(
            "Permission denied: only an admin may list every workspace's roles."
        )
    found: list[Role] = []
    if wanted:
        for name in dict.fromkeys(wanted):
            await roles.may_view(name)
            found += await call(roles.store.list_roles, name)
    else:
        found = await call(roles.store.list_roles)
    return json_response({"roles": [await call(roles.json, r) for r in found]})


@rpc(router, f"{_R}/update", "PATCH", access=_MANAGE, response=RoleResponse, spec=rq.UPDATE_ROLE)
async def update_role(request: Request) -> Response:
    """UpdateRole ``{role_id, name?, description?}`` -> ``{role}``."""
    roles = _roles(request)
    if roles is None:
        return not_enabled(request)
    req = await parse_json(request, rq.UPDATE_ROLE)
    if req["name"] is None and req["description"] is None:
        raise InvalidArgumentError(
            "At least one of 'name' or 'description' must be provided to update a role."
        )
    if req["name"] is not None:
        _text(req["name"], "Role name cannot be empty.")
    role = await roles.role(req["role_id"])
    await roles.may_manage(role.workspace)
    updated = await call(
        roles.store.update_role, role.id, name=req["name"], description=req["description"]
    )
    await call(roles.record, "role.update", f"role:{role.id}", {"name": updated.name})
    return json_response({"role": await call(roles.json, updated)})


@rpc(router, f"{_R}/delete", "DELETE", access=_MANAGE, response=EmptyResponse, spec=rq.ROLE_ID)
async def delete_role(request: Request) -> Response:
    """DeleteRole ``{role_id}`` -> ``{}``: with its grants and assignments."""
    roles = _roles(request)
    if roles is None:
        return not_enabled(request)
    role = await roles.role((await parse(request, rq.ROLE_ID))["role_id"])
    await roles.may_manage(role.workspace)
    await call(roles.store.delete_role, role.id)
    await call(roles.record, "role.delete", f"role:{role.id}", {"name": role.name})
    return empty()


@rpc(
    router,
    f"{_R}/permissions/add",
    "POST",
    access=_MANAGE,
    response=RolePermissionResponse,
    spec=rq.ADD_ROLE_PERMISSION,
)
async def add_role_permission(request: Request) -> Response:
    """AddRolePermission ``{role_id, resource_type, resource_pattern, permission}``."""
    roles = _roles(request)
    if roles is None:
        return not_enabled(request)
    req = await parse_json(request, rq.ADD_ROLE_PERMISSION)
    role = await roles.role(req["role_id"])
    await roles.may_manage(role.workspace)
    grant = await call(
        roles.store.add_role_grant,
        role.id,
        req["resource_type"],
        req["resource_pattern"],
        req["permission"],
    )
    await call(roles.record, "role.grant.add", f"role:{role.id}", role_grant_to_json(grant))
    return json_response({"role_permission": role_grant_to_json(grant)})


async def _grant_role(roles: _Roles, grant_id: int) -> Role:
    grant = await call(roles.store.get_role_grant, grant_id)
    role = await roles.role(grant.role_id)
    await roles.may_manage(role.workspace)
    return role


@rpc(
    router,
    f"{_R}/permissions/remove",
    "DELETE",
    access=_MANAGE,
    response=EmptyResponse,
    spec=rq.ROLE_PERMISSION_ID,
)
async def remove_role_permission(request: Request) -> Response:
    """RemoveRolePermission ``{role_permission_id}`` -> ``{}``."""
    roles = _roles(request)
    if roles is None:
        return not_enabled(request)
    grant_id = (await parse(request, rq.ROLE_PERMISSION_ID))["role_permission_id"]
    role = await _grant_role(roles, grant_id)
    await call(roles.store.remove_role_grant, grant_id)
    await call(roles.record, "role.grant.remove", f"role:{role.id}", {"id": grant_id})
    return empty()


@rpc(
    router,
    f"{_R}/permissions/list",
    "GET",
    access=_VIEW,
    response=ListRolePermissionsResponse,
    spec=rq.ROLE_ID,
)
async def list_role_permissions(request: Request) -> Response:
    """ListRolePermissions ``?role_id`` -> ``{role_permissions}``."""
    roles = _roles(request)
    if roles is None:
        return not_enabled(request)
    role = await roles.role(parse_get(request, rq.ROLE_ID)["role_id"])
    await roles.may_view(role.workspace)
    grants = await call(roles.store.list_role_grants, role.id)
    return json_response({"role_permissions": [role_grant_to_json(g) for g in grants]})


@rpc(
    router,
    f"{_R}/permissions/update",
    "PATCH",
    access=_MANAGE,
    response=RolePermissionResponse,
    spec=rq.UPDATE_ROLE_PERMISSION,
)
async def update_role_permission(request: Request) -> Response:
    """UpdateRolePermission ``{role_permission_id, permission}`` -> ``{role_permission}``."""
    roles = _roles(request)
    if roles is None:
        return not_enabled(request)
    req = await parse_json(request, rq.UPDATE_ROLE_PERMISSION)
    role = await _grant_role(roles, req["role_permission_id"])
    grant = await call(roles.store.update_role_grant, req["role_permission_id"], req["permission"])
    await call(roles.record, "role.grant.update", f"role:{role.id}", role_grant_to_json(grant))
    return json_response({"role_permission": role_grant_to_json(grant)})


@rpc(
    router,
    f"{_R}/assign",
    "POST",
    access=_MANAGE,
    response=AssignmentResponse,
    spec=rq.ROLE_ASSIGNMENT,
)
async def assign_role(request: Request) -> Response:
    """AssignRole ``{username, role_id}`` -> ``{assignment}``."""
    roles = _roles(request)
    if roles is None:
        return not_enabled(request)
    req = await parse_json(request, rq.ROLE_ASSIGNMENT)
    user = await call(roles.store.get_user_by_username, req["username"])
    role = await roles.role(req["role_id"])
    await roles.may_manage(role.workspace)
    assignment = await call(roles.store.assign_role, user.id, role.id)
    await call(roles.record, "role.assign", user.username, {"role": role.id, "name": role.name})
    return json_response({"assignment": assignment_to_json(assignment)})


@rpc(
    router,
    f"{_R}/unassign",
    "DELETE",
    access=_MANAGE,
    response=EmptyResponse,
    spec=rq.ROLE_ASSIGNMENT,
)
async def unassign_role(request: Request) -> Response:
    """UnassignRole ``{username, role_id}`` -> ``{}``."""
    roles = _roles(request)
    if roles is None:
        return not_enabled(request)
    req = await parse(request, rq.ROLE_ASSIGNMENT)
    user = await call(roles.store.get_user_by_username, req["username"])
    role = await roles.role(req["role_id"])
    await roles.may_manage(role.workspace)
    await call(roles.store.unassign_role, user.id, role.id)
    await call(roles.record, "role.unassign", user.username, {"role": role.id, "name": role.name})
    return empty()


@rpc(
    router,
    f"{_R}/users/list",
    "GET",
    access=_VIEW,
    response=ListAssignmentsResponse,
    spec=rq.ROLE_ID,
)
async def list_role_users(request: Request) -> Response:
    """ListRoleUsers ``?role_id`` -> ``{assignments}``."""
    roles = _roles(request)
    if roles is None:
        return not_enabled(request)
    role = await roles.role(parse_get(request, rq.ROLE_ID)["role_id"])
    await roles.may_view(role.workspace)
    found = await call(roles.store.list_role_assignments, role.id)
    return json_response({"assignments": [assignment_to_json(a) for a in found]})
