"""Gateway virtual keys for the web UI: ``/api/3.0/ardea/gateway/keys/{list,create,revoke}``.

A virtual key is an ordinary API token with a gateway scope (allowed models, metadata; see
:mod:`ardea.gateway.limits.keys`), so these routes are ``tokens/...``'s with the scope added:
the same rules (one's own keys; admins: anyone's), the same audit events, the same secret
shown once. ``ardea tokens create --gateway-model --meta`` does the same from a shell.

- ``GET keys/list`` ``?username&include_revoked``: the caller's keys (tokens with a scope);
- ``POST keys/create`` ``{name, expires_in_days?, username?, allowed_models?, metadata?}``;
- ``POST keys/revoke`` ``{key_id}``.

A key's usage (requests, tokens, cost) is on its requests' traces (``ardea.gateway.keyId``)
and in the gateway's usage rollup. Needs ``--auth`` and a SQL database.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api import gateway_key_requests as rq
from ardea.api.schemas.gateway_keys import CreatedKey, KeyList, KeyResponse
from ardea.entities.auth import TokenInfo
from ardea.entities.gateway_keys import KeyScope
from ardea.server.access import handler
from ardea.server.gateway_guard import key_scopes
from ardea.server.http import call, json_response, parse_json, rpc
from ardea.server.routers.auth_accounts import (
    issue_for,
    listed_tokens,
    revoke_for,
    signed_in,
    token_json,
    usernames,
)
from ardea.server.routers.auth_session import not_enabled

__all__ = ["key_json", "router"]

router = APIRouter()
"""Mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

_K = "/ardea/gateway/keys"
_SELF_OR_ADMIN = handler("the caller's own keys, or an admin")
_MAX_PATTERNS = 100


def key_json(info: TokenInfo, username: str, scope: KeyScope | None) -> dict[str, Any]:
    """A key as the routes answer it."""
    out = token_json(info, username)
    out["allowed_models"] = list(scope.allowed_models) if scope else []
    out["metadata"] = dict(scope.metadata) if scope else {}
    return out


@rpc(router, f"{_K}/list", "GET", access=_SELF_OR_ADMIN, response=KeyList, spec=rq.LIST_KEYS)
async def list_keys(request: Request) -> Response:
    """The caller's keys, newest first; an admin's: anyone's (``username``) or everyone's."""
    listed = await listed_tokens(request, rq.LIST_KEYS, "keys")
    if listed is None:
        return not_enabled(request)
    auth, infos = listed
    scopes = await call(key_scopes(auth.store).get_many, [i.id for i in infos])
    keys = [i for i in infos if i.id in scopes]
    names = await usernames(auth, keys)
    return json_response({"keys": [key_json(i, names[i.user_id], scopes[i.id]) for i in keys]})


@rpc(
    router,
    f"{_K}/create",
    "POST",
    access=_SELF_OR_ADMIN,
    response=CreatedKey,
    errors=(400, 401, 403, 404, 500),
    spec=rq.CREATE_KEY,
)
async def create_key(request: Request) -> Response:
    """A new key for the caller (admins: for ``username``), with its secret, this once."""
    found = signed_in(request)
    if found is None:
        return not_enabled(request)
    req = await parse_json(request, rq.CREATE_KEY)
    patterns = [p.strip() for p in req.get("allowed_models") or []]
    if any(not p for p in patterns) or len(patterns) > _MAX_PATTERNS:
        raise InvalidArgumentError(
            f"allowed_models must be at most {_MAX_PATTERNS} non-empty endpoint-name or model "
            "globs ('chat', 'gpt-4.1*'); leave it out to allow every endpoint the owner may use."
        )
    metadata = {str(k): str(v) for k, v in (req.get("metadata") or {}).items()}
    scopes = key_scopes(found[0].store)
    issued, owner = await issue_for(request, found, req)
    scope = KeyScope(issued.info.id, tuple(patterns), metadata)
    await call(scopes.set, scope)
    answer = {"key": key_json(issued.info, owner.username, scope), "secret": issued.token}
    response = json_response(answer)
    response.headers["Cache-Control"] = "no-store"
    return response


@rpc(
    router, f"{_K}/revoke", "POST", access=_SELF_OR_ADMIN, response=KeyResponse, spec=rq.REVOKE_KEY
)
async def revoke_key(request: Request) -> Response:
    """Revoke one of the caller's keys (admins: anyone's); revoking twice changes nothing."""
    found = signed_in(request)
    if found is None:
        return not_enabled(request)
    req = await parse_json(request, rq.REVOKE_KEY)
    info, owner = await revoke_for(request, found, req["key_id"])
    scope = await call(key_scopes(found[0].store).get, info.id)
    return json_response({"key": key_json(info, owner.username, scope)})
