"""The audit log and the caller's access: ``/api/3.0/ardea/auth/{audit/list,access}``.

- ``GET audit/list`` ``?max_results&page_token&actor&action&target&since&until`` (admins):
  audited actions newest first (logins and failures, user, token, role and permission
  changes, deletes), 100 a page by default and at most 1,000. ``action`` ending in ``.``
  matches a family (``token.``); ``since`` is inclusive and ``until`` exclusive (epoch ms).
- ``GET access`` ``?resource_type&resource_id``: the caller's level on one resource of the
  request's workspace and what it allows (the web UI hides what the caller may not do), and,
  when the caller may MANAGE it, who has access: users' own grants and the roles whose
  grants name the resource or ``*``. A resource the caller may not read is a 404, as
  anywhere else. The level is the policy's (grants, roles, the workspace's default); it does
  not look the resource up, so an id that names nothing answers what a grant on it would
  give.
- ``GET access/batch`` ``?resource_type&resource_id=1&resource_id=2...`` (at most
  :data:`~ardea.api.auth_requests.ACCESS_BATCH_MAX`): the caller's level on each named
  resource, the ones it may not read left out; one request where a list page would make one
  per row. Never ``grants``.

Only a server started with ``--auth`` answers them (else the unknown-route 404).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.api import auth_requests as rq
from ardea.api.schemas.auth import AccessBatch, AccessInfo, AuditList
from ardea.auth.policy import Decisions
from ardea.entities.auth import WILDCARD, AuditEvent, Permission, ResourceType, User
from ardea.server.access import ADMIN, READ, handler
from ardea.server.access_targets import canonical_experiment_id, resource
from ardea.server.auth_runtime import AuthRuntime
from ardea.server.authz import caller_user, check_target
from ardea.server.deps import workspace
from ardea.server.http import call, json_response, parse_get, rpc
from ardea.server.routers.auth_session import auth_or_none, not_enabled

__all__ = ["AUDIT_PAGE_MAX", "event_json", "router"]

router = APIRouter()
"""Mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

AUDIT_PAGE_MAX = 1000
"""The most audit events one page holds."""
_AUDIT_PAGE_DEFAULT = 100


def event_json(event: AuditEvent) -> dict[str, Any]:
    """One audit event as the route answers it (no target or ip when unknown)."""
    out: dict[str, Any] = {
        "id": event.id,
        "time": event.time,
        "actor": event.actor,
        "action": event.action,
        "detail": dict(event.detail),
    }
    if event.target is not None:
        out["target"] = event.target
    if event.ip is not None:
        out["ip"] = event.ip
    return out


@rpc(router, "/ardea/auth/audit/list", "GET", access=ADMIN, response=AuditList, spec=rq.AUDIT_LIST)
async def list_audit(request: Request) -> Response:
    """Audited actions, newest first, filtered by every given field."""
    auth = auth_or_none(request)
    if auth is None:
        return not_enabled(request)
    req = parse_get(request, rq.AUDIT_LIST)
    size = req.get("max_results")
    size = _AUDIT_PAGE_DEFAULT if size is None else size
    if not 1 <= size <= AUDIT_PAGE_MAX:
        raise InvalidArgumentError(f"max_results must be between 1 and {AUDIT_PAGE_MAX}.")
    page = await call(
        auth.store.list_audit,
        size,
        req.get("page_token") or None,
        actor=req.get("actor") or None,
        action=req.get("action") or None,
        target=req.get("target") or None,
        since=req.get("since"),
        until=req.get("until"),
    )
    answer: dict[str, Any] = {"events": [event_json(e) for e in page]}
    if page.token:
        answer["next_page_token"] = page.token
    return json_response(answer)


async def _who_has_access(
    auth: AuthRuntime, rtype: ResourceType, rid: str, ws: str
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for grant in await call(
        auth.store.list_grants, resource_type=rtype, resource_id=rid, workspace=ws
    ):
        user = await call(auth.store.get_user, grant.user_id)
        rows.append(
            {
                "principal_type": "user",
                "principal": user.username,
                "permission": grant.permission.value,
                "resource_pattern": rid,
            }
        )
    for role in await call(auth.store.list_roles, ws):
        for rgrant in await call(auth.store.list_role_grants, role.id):
            if rgrant.resource_type is rtype and rgrant.resource_pattern in (rid, WILDCARD):
                rows.append(
                    {
                        "principal_type": "role",
                        "principal": role.name,
                        "permission": rgrant.permission.value,
                        "resource_pattern": rgrant.resource_pattern,
                        "role_id": role.id,
                    }
                )
    rows.sort(key=lambda r: (r["principal_type"] != "user", r["principal"]))
    return rows


def _level_json(level: Permission) -> dict[str, Any]:
    return {
        "permission": level.value,
        "can_read": level.allows(Permission.READ),
        "can_use": level.allows(Permission.USE),
        "can_edit": level.allows(Permission.EDIT),
        "can_manage": level.allows(Permission.MANAGE),
    }


@rpc(
    router,
    "/ardea/auth/access",
    "GET",
    access=handler("READ on the resource"),
    response=AccessInfo,
    spec=rq.ACCESS,
)
async def get_access(request: Request) -> Response:
    """The caller's level on a resource; who has access when the caller may MANAGE it."""
    auth = auth_or_none(request)
    me: User | None = caller_user(request)
    if auth is None or me is None:
        return not_enabled(request)
    req = parse_get(request, rq.ACCESS)
    rtype = ResourceType.parse(req["resource_type"])
    rid = req["resource_id"]
    ws = workspace(request) or "default"
    if rtype is ResourceType.EXPERIMENT:
        rid = canonical_experiment_id(rid)
    if rtype is ResourceType.WORKSPACE:
        if rid != ws:
            raise InvalidArgumentError(
                "Ask about a workspace from inside it: its name as resource_id and in the "
                "X-MLFLOW-WORKSPACE header."
            )
        admin = await call(auth.policy.is_workspace_admin, me, ws)
        member = admin or await call(auth.policy.is_workspace_member, me, ws)
        if not member:
            raise NotFoundError(f"Workspace '{ws}' not found.")
        level = Permission.MANAGE if admin else Permission.USE
    else:
        await check_target(auth, me, resource(rtype, rid), READ, ws)
        level = await call(auth.policy.level, me, rtype, rid, ws)
    answer = _level_json(level)
    answer["workspace_default"] = (await call(auth.policy.default_for, ws)).value
    if level.allows(Permission.MANAGE):
        answer["grants"] = await _who_has_access(auth, rtype, rid, ws)
    return json_response(answer)


@rpc(
    router,
    "/ardea/auth/access/batch",
    "GET",
    access=handler("READ on each resource; unreadable ones are left out"),
    response=AccessBatch,
    spec=rq.ACCESS_BATCH,
)
async def get_access_batch(request: Request) -> Response:
    """The caller's level on many resources of one type (the readable ones)."""
    auth = auth_or_none(request)
    me: User | None = caller_user(request)
    if auth is None or me is None:
        return not_enabled(request)
    req = parse_get(request, rq.ACCESS_BATCH)
    rtype = ResourceType.parse(req["resource_type"])
    if rtype is ResourceType.WORKSPACE:
        raise InvalidArgumentError("Ask about a workspace with access, not access/batch.")
    ids: list[str] = list(dict.fromkeys(req["resource_id"]))
    if len(ids) > rq.ACCESS_BATCH_MAX:
        raise InvalidArgumentError(
            f"access/batch takes at most {rq.ACCESS_BATCH_MAX} resource_id values, got {len(ids)}."
        )
    ws = workspace(request) or "default"
    memo = Decisions()

    def levels() -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for raw in ids:
            rid = canonical_experiment_id(raw) if rtype is ResourceType.EXPERIMENT else raw
            level = auth.policy.level(me, rtype, rid, ws, memo)
            if level.can_read:
                out.append({"resource_id": raw, **_level_json(level)})
        return out

    return json_response({"levels": await call(levels)})
