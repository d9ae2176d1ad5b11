"""MLflow's user routes and per-user grants, on a server with ``--auth``.

Under ``/api/2.0`` and ``/ajax-api/2.0`` (as mlflow 3.17 and 3.18 serve them):
``mlflow/users/create|get|current|list|update-password|update-admin|delete``. Under ``/api/3.0``
and ``/ajax-api/3.0``: ``mlflow/users/current/permissions``,
``mlflow/users/permissions/list|grant|revoke|get`` and ``mlflow/users/roles/list``. Answers
are MLflow's (``{"user": {id, username, is_admin}}``, ...); without ``--auth`` every route is a
404 ``ENDPOINT_NOT_FOUND``, like any route the server does not have.

Who may call what (MLflow's rules, where Ardea's differ docs/auth.md says so):

- ``users/create``, ``update-admin``, ``delete``: admins (nobody deletes their own account);
- ``users/get``, ``update-password``, ``users/permissions/list``, ``users/roles/list``: the
  user itself or an admin (a workspace admin sees the target's grants and roles in the
  workspaces it administers); changing one's own password needs ``current_password``;
- ``users/current``, ``users/current/permissions``, ``users/list``: anyone signed in (the list
  names every user, with the roles the caller may see of each);
- ``users/permissions/grant`` and ``revoke``: MANAGE on the resource, in the request's
  workspace (a ``workspace`` grant: workspace admins); ``users/permissions/get``: the user
  itself, or MANAGE on the resource.

Changes are audited (``user.*``, ``permission.grant``, ``permission.revoke``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError, PermissionDeniedError
from ardea.api import mlflow_auth_requests as rq
from ardea.api.mlflow_auth_json import grant_row, role_grant_row, role_to_json, user_to_json
from ardea.api.schemas.auth_mlflow import (
    CurrentUserResponse,
    ListRolesResponse,
    ListUsersResponse,
    UserPermissionResult,
    UserPermissionsResponse,
    UserResponse,
)
from ardea.api.schemas.common import EmptyResponse
from ardea.auth import accounts, audit
from ardea.auth.passwords import verify_password
from ardea.auth.sessions import SESSION_COOKIE, session_id_hash
from ardea.entities.auth import Permission, ResourceType, Role, User, check_user_grant
from ardea.server.access import ADMIN, AUTHENTICATED, MANAGE, handler
from ardea.server.access_targets import canonical_experiment_id, resource
from ardea.server.auth_cookies import client_ip
from ardea.server.auth_runtime import AuthRuntime
from ardea.server.authz import caller_user, check_target
from ardea.server.deps import workspace
from ardea.server.http import call, empty, json_response, parse, parse_get, parse_json, rpc
from ardea.server.routers.auth_session import auth_or_none, not_enabled

__all__ = ["router", "rbac_router"]

router = APIRouter()
"""``/mlflow/users/...``, mounted under ``/api/2.0`` and ``/ajax-api/2.0``."""

rbac_router = APIRouter()
"""``/mlflow/users/current/permissions``, ``users/permissions/...``, ``users/roles/list``,
mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

_U = "/mlflow/users"
_EMPTY_NAME = "Username and password cannot be empty."


class _Ctx:
    """What a handler of these routes needs: the auth objects, the caller, its workspace."""

    def __init__(self, request: Request, auth: AuthRuntime, me: User) -> None:
        self.request = request
        self.auth = auth
        self.me = me
        self.workspace = workspace(request) or "default"

    def record(self, action: str, target: str | None, detail: dict[str, Any] | None = None) -> None:
        """Audit one change by the caller."""
        audit.record(
            self.auth.store, self.me.username, action, target, detail, client_ip(self.request)
        )

    async def user(self, username: str) -> User:
        """A user by name (404 when there is none)."""
        return await call(self.auth.store.get_user_by_username, username)

    async def administers(self, workspace_name: str) -> bool:
        """Whether the caller is an admin or a workspace admin of ``workspace_name``."""
        return await call(self.auth.policy.is_workspace_admin, self.me, workspace_name)

    async def visible_roles(self, target: User, roles: list[Role]) -> list[Role]:
        """The roles of ``target`` the caller may see (its own, or what it administers)."""
        if self.me.is_admin or self.me.id == target.id:
            return roles
        return [r for r in roles if await self.administers(r.workspace)]

    def role_json(self, role: Role) -> dict[str, Any]:
        """A role with its grants, as MLflow answers it."""
        return role_to_json(role, self.auth.store.list_role_grants(role.id))


def _ctx(request: Request) -> _Ctx | None:
    auth = auth_or_none(request)
    me = caller_user(request)
    if auth is None or me is None:
        return None
    return _Ctx(request, auth, me)


def _self_or_admin(ctx: _Ctx, username: str) -> None:
    if not (ctx.me.is_admin or ctx.me.username == username):
        raise PermissionDeniedError("Permission denied: only the user itself or an admin may.")


# -- users --------------------------------------------------------------------------------------


@rpc(
    router,
    f"{_U}/create",
    "POST",
    access=ADMIN,
    response=UserResponse,
    spec=rq.CREATE_USER,
)
async def create_user(request: Request) -> Response:
    """CreateUser ``{username, password}`` -> ``{user}`` (admins; the password policy applies)."""
    ctx = _ctx(request)
    if ctx is None:
        return not_enabled(request)
    req = await parse_json(request, rq.CREATE_USER)
    if not req["username"] or not req["password"]:
        raise InvalidArgumentError(_EMPTY_NAME)
    user = await call(
        accounts.create_user,
        ctx.auth.store,
        req["username"],
        req["password"],
        actor=ctx.me.username,
        ip=client_ip(request),
    )
    return json_response({"user": user_to_json(user)})


@rpc(
    router,
    f"{_U}/get",
    "GET",
    access=handler("the user itself or an admin"),
    response=UserResponse,
    spec=rq.USERNAME,
)
async def get_user(request: Request) -> Response:
    """GetUser ``?username`` -> ``{user}``."""
    ctx = _ctx(request)
    if ctx is None:
        return not_enabled(request)
    username = parse_get(request, rq.USERNAME)["username"]
    _self_or_admin(ctx, username)
    return json_response({"user": user_to_json(await ctx.user(username))})


@rpc(router, f"{_U}/current", "GET", access=AUTHENTICATED, response=CurrentUserResponse)
async def get_current_user(request: Request) -> Response:
    """GetCurrentUser -> ``{user, is_basic_auth}``: who the credentials belong to."""
    ctx = _ctx(request)
    if ctx is None:
        return not_enabled(request)
    return json_response({"user": user_to_json(ctx.me), "is_basic_auth": True})


@rpc(router, f"{_U}/list", "GET", access=AUTHENTICATED, response=ListUsersResponse)
async def list_users(request: Request) -> Response:
    """ListUsers -> ``{users: [{id, username, is_admin, roles}]}``, by name."""
    ctx = _ctx(request)
    if ctx is None:
        return not_enabled(request)
    store = ctx.auth.store
    users: list[User] = []
    token = None
    while True:
        page = await call(store.list_users, 1000, token)
        users += list(page)
        token = page.token
        if not token:
            break
    out = []
    for user in users:
        roles = await ctx.visible_roles(user, await call(store.list_user_roles, user.id))
        json_roles = [await call(ctx.role_json, r) for r in roles]
        out.append({**user_to_json(user), "roles": json_roles})
    return json_response({"users": out})


@rpc(
    router,
    f"{_U}/update-password",
    "PATCH",
    access=handler("the user itself or an admin"),
    response=EmptyResponse,
    spec=rq.UPDATE_USER_PASSWORD,
)
async def update_user_password(request: Request) -> Response:
    """UpdateUserPassword ``{username, password, current_password?}`` -> ``{}``.

    Changing one's own password needs the current one (and a new one); an admin changing
    another user's needs neither. The user's other login sessions end.
    """
    ctx = _ctx(request)
    if ctx is None:
        return not_enabled(request)
    req = await parse_json(request, rq.UPDATE_USER_PASSWORD)
    username, password = req["username"], req["password"]
    _self_or_admin(ctx, username)
    user = await ctx.user(username)
    keep = None
    if ctx.me.id == user.id:
        current = req["current_password"]
        if not current:
            raise InvalidArgumentError(
                "Current password is required when changing your own password."
            )
        login = await call(ctx.auth.store.get_login, username)
        if (
            login is None
            or login.password_hash is None
            or not await call(verify_password, login.password_hash, current)
        ):
            raise InvalidArgumentError("Current password does not match.")
        if password == current:
            raise InvalidArgumentError("New password must differ from the current password.")
        cookie = request.cookies.get(SESSION_COOKIE)
        keep = session_id_hash(cookie) if cookie and cookie.isascii() else None
    await call(
        accounts.set_password,
        ctx.auth.store,
        user,
        password,
        actor=ctx.me.username,
        ip=client_ip(request),
        keep_session=keep,
    )
    return empty()


@rpc(
    router,
    f"{_U}/update-admin",
    "PATCH",
    access=ADMIN,
    response=EmptyResponse,
    spec=rq.UPDATE_USER_ADMIN,
)
async def update_user_admin(request: Request) -> Response:
    """UpdateUserAdmin ``{username, is_admin}`` -> ``{}`` (never the last enabled admin)."""
    ctx = _ctx(request)
    if ctx is None:
        return not_enabled(request)
    req = await parse_json(request, rq.UPDATE_USER_ADMIN)
    user = await ctx.user(req["username"])
    await call(
        accounts.set_admin,
        ctx.auth.store,
        user,
        bool(req["is_admin"]),
        actor=ctx.me.username,
        ip=client_ip(request),
    )
    return empty()


@rpc(router, f"{_U}/delete", "DELETE", access=ADMIN, response=EmptyResponse, spec=rq.USERNAME)
async def delete_user(request: Request) -> Response:
    """DeleteUser ``{username}`` -> ``{}``: with its tokens, sessions, grants and roles."""
    ctx = _ctx(request)
    if ctx is None:
        return not_enabled(request)
    username = (await parse(request, rq.USERNAME))["username"]
    if username == ctx.me.username:
        raise InvalidArgumentError(
            "Users cannot delete their own account. Ask another admin to delete this user instead."
        )
    user = await ctx.user(username)
    await call(
        accounts.delete_user, ctx.auth.store, user, actor=ctx.me.username, ip=client_ip(request)
    )
    return empty()


# -- what a user holds --------------------------------------------------------------------------


async def _permission_rows(ctx: _Ctx, user: User) -> list[dict[str, Any]]:
    """Every grant ``user`` holds (its roles' and its own) that the caller may see."""
    store = ctx.auth.store
    rows: list[dict[str, Any]] = []
    for role in await ctx.visible_roles(user, await call(store.list_user_roles, user.id)):
        rows += [role_grant_row(role, g) for g in await call(store.list_role_grants, role.id)]
    for grant in await call(store.list_grants, user_id=user.id):
        if ctx.me.is_admin or ctx.me.id == user.id or await ctx.administers(grant.workspace):
            rows.append(grant_row(grant))
    return rows


@rpc(
    rbac_router,
    f"{_U}/current/permissions",
    "GET",
    access=AUTHENTICATED,
    response=UserPermissionsResponse,
)
async def list_current_user_permissions(request: Request) -> Response:
    """ListCurrentUserPermissions -> ``{is_admin, permissions}``: the caller's grants."""
    ctx = _ctx(request)
    if ctx is None:
        return not_enabled(request)
    rows = await _permission_rows(ctx, ctx.me)
    return json_response({"is_admin": ctx.me.is_admin, "permissions": rows})


@rpc(
    rbac_router,
    f"{_U}/permissions/list",
    "GET",
    access=handler("the user itself, an admin, or a workspace admin (its workspaces' rows)"),
    response=UserPermissionsResponse,
    spec=rq.USERNAME,
)
async def list_user_permissions(request: Request) -> Response:
    """ListUserPermissions ``?username`` -> ``{is_admin, permissions}``."""
    ctx = _ctx(request)
    if ctx is None:
        return not_enabled(request)
    user = await ctx.user(parse_get(request, rq.USERNAME)["username"])
    rows = await _permission_rows(ctx, user)
    return json_response({"is_admin": user.is_admin, "permissions": rows})


@rpc(
    rbac_router,
    f"{_U}/roles/list",
    "GET",
    access=handler("the user itself, an admin, or a workspace admin (its workspaces' roles)"),
    response=ListRolesResponse,
    spec=rq.USERNAME,
)
async def list_user_roles(request: Request) -> Response:
    """ListUserRoles ``?username`` -> ``{roles}``."""
    ctx = _ctx(request)
    if ctx is None:
        return not_enabled(request)
    user = await ctx.user(parse_get(request, rq.USERNAME)["username"])
    roles = await ctx.visible_roles(user, await call(ctx.auth.store.list_user_roles, user.id))
    return json_response({"roles": [await call(ctx.role_json, r) for r in roles]})


# -- per-user grants on one resource -----------------------------------------------------------


def _grant_fields(
    ctx: _Ctx, req: dict[str, Any], permission: object
) -> tuple[ResourceType, str, Permission]:
    """The checked type, id (canonical) and level of a per-user grant in the caller's workspace."""
    rtype, rid, level, _ = check_user_grant(
        req["resource_type"], req["resource_id"], permission, ctx.workspace
    )
    if rtype is ResourceType.EXPERIMENT:
        rid = canonical_experiment_id(rid)
    return rtype, rid, level


async def _may_manage(ctx: _Ctx, rtype: ResourceType, rid: str) -> None:
    """Refuse unless the caller may share the resource (MANAGE; a workspace: its admin)."""
    if rtype is ResourceType.WORKSPACE:
        if not await ctx.administers(ctx.workspace):
            raise PermissionDeniedError("Permission denied: only a workspace admin may do this.")
        return
    await check_target(ctx.auth, ctx.me, resource(rtype, rid), MANAGE, ctx.workspace)


@rpc(
    rbac_router,
    f"{_U}/permissions/grant",
    "POST",
    access=handler("MANAGE on the resource"),
    response=EmptyResponse,
    spec=rq.USER_PERMISSION,
)
async def grant_user_permission(request: Request) -> Response:
    """GrantUserPermission ``{username, resource_type, resource_id, permission}`` -> ``{}``.

    Gives the user that level on one resource of the request's workspace, replacing what it
    had there.
    """
    ctx = _ctx(request)
    if ctx is None:
        return not_enabled(request)
    req = await parse_json(request, rq.USER_PERMISSION)
    rtype, rid, level = _grant_fields(ctx, req, req["permission"])
    user = await ctx.user(req["username"])
    await _may_manage(ctx, rtype, rid)
    await call(ctx.auth.store.grant, user.id, rtype, rid, level, ctx.workspace)
    detail = {"type": rtype.value, "id": rid, "permission": level.value, "workspace": ctx.workspace}
    await call(ctx.record, "permission.grant", user.username, detail)
    return empty()


@rpc(
    rbac_router,
    f"{_U}/permissions/revoke",
    "POST",
    access=handler("MANAGE on the resource"),
    response=EmptyResponse,
    spec=rq.USER_RESOURCE,
)
async def revoke_user_permission(request: Request) -> Response:
    """RevokeUserPermission ``{username, resource_type, resource_id}`` -> ``{}`` (404 if none)."""
    ctx = _ctx(request)
    if ctx is None:
        return not_enabled(request)
    req = await parse_json(request, rq.USER_RESOURCE)
    rtype, rid, _ = _grant_fields(ctx, req, Permission.USE)
    user = await ctx.user(req["username"])
    await _may_manage(ctx, rtype, rid)
    await call(ctx.auth.store.revoke, user.id, rtype, rid, ctx.workspace)
    detail = {"type": rtype.value, "id": rid, "workspace": ctx.workspace}
    await call(ctx.record, "permission.revoke", user.username, detail)
    return empty()


@rpc(
    rbac_router,
    f"{_U}/permissions/get",
    "GET",
    access=handler("the user itself, or MANAGE on the resource"),
    response=UserPermissionResult,
    spec=rq.USER_RESOURCE,
)
async def get_user_permission(request: Request) -> Response:
    """GetUserPermission ``?username&resource_type&resource_id`` -> ``{allowed, permission}``.

    The level the policy gives that user on the resource (grants, roles, the workspace's
    default), as a request of its would see it; ``allowed`` is whether it allows use.
    """
    ctx = _ctx(request)
    if ctx is None:
        return not_enabled(request)
    req = parse_get(request, rq.USER_RESOURCE)
    rtype, rid, _ = _grant_fields(ctx, req, Permission.USE)
    user = await ctx.user(req["username"])
    if user.id != ctx.me.id:
        await _may_manage(ctx, rtype, rid)
    level = await call(ctx.auth.policy.level, user, rtype, rid, ctx.workspace)
    return json_response({"allowed": level.can_use, "permission": level.value})
