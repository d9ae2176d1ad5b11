"""Tokens and accounts for the web UI: ``/api/3.0/ardea/auth/{tokens,service-accounts,users}/...``.

MLflow's auth wire has users and grants but no API tokens nor service accounts; these routes
are Ardea's (the CLI's ``ardea tokens`` and ``ardea users`` do the same from a shell):

- ``GET tokens/list`` ``?username&include_revoked``: the caller's tokens; an admin may name
  any user, or leave ``username`` out for everyone's. Never a secret.
- ``POST tokens/create`` ``{name, expires_in_days?, username?}``: a token for the caller
  (admins: for anyone, e.g. a service account), answered with its secret this once.
- ``POST tokens/revoke`` ``{token_id}``: one's own token, or (admins) anyone's.
- ``POST service-accounts/create`` ``{username}`` (admins): an account that signs in with
  tokens only.
- ``GET users/list`` (admins): every account with its kind and whether it is disabled.
- ``POST users/set-disabled`` ``{username, disabled}`` (admins): a disabled account's
  sessions and tokens stop working at once.

Only a server started with ``--auth`` answers them (else the unknown-route 404). Every change
is audited (``token.create``, ``token.revoke``, ``user.create``, ``user.disable``,
``user.enable``). Someone else's token that the caller may not see is a 404, like one that
does not exist.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError, NotFoundError, PermissionDeniedError
from ardea.api import auth_requests as rq
from ardea.api.request_parsing import RequestSpec
from ardea.api.schemas.auth import (
    AccountResponse,
    CreatedToken,
    ListAccounts,
    TokenList,
    TokenResponse,
)
from ardea.auth import accounts, tokens
from ardea.entities.auth import TokenInfo, User
from ardea.server.access import ADMIN, handler
from ardea.server.auth_cookies import client_ip
from ardea.server.auth_runtime import AuthRuntime
from ardea.server.authz import caller_user
from ardea.server.http import call, json_response, parse_get, parse_json, rpc
from ardea.server.routers.auth_session import auth_or_none, not_enabled

__all__ = [
    "account_json",
    "issue_for",
    "listed_tokens",
    "revoke_for",
    "router",
    "signed_in",
    "token_json",
    "usernames",
]

router = APIRouter()
"""Mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

_A = "/ardea/auth"
MAX_TOKEN_DAYS = 3650.0
"""The longest lifetime a token may be given here (ten years); no expiry is allowed too."""
_SELF_OR_ADMIN = handler("the caller's own tokens, or an admin")


def token_json(info: TokenInfo, username: str) -> dict[str, Any]:
    """A token's public part as the routes answer it (unset times left out)."""
    out: dict[str, Any] = {
        "id": info.id,
        "name": info.name,
        "prefix": info.prefix,
        "kind": info.kind,
        "username": username,
        "created": info.created,
    }
    for key in ("expires", "last_used", "revoked"):
        value = getattr(info, key)
        if value is not None:
            out[key] = value
    return out


def account_json(user: User) -> dict[str, Any]:
    """A user or service account for the admin pages."""
    return {
        "id": user.id,
        "username": user.username,
        "is_admin": user.is_admin,
        "kind": user.kind,
        "disabled": user.disabled,
        "created": user.created,
    }


def signed_in(request: Request) -> tuple[AuthRuntime, User] | None:
    """The auth runtime and the signed-in caller, or None (auth off, or nobody)."""
    auth = auth_or_none(request)
    me = caller_user(request)
    if auth is None or me is None:
        return None
    return auth, me


async def usernames(auth: AuthRuntime, infos: list[TokenInfo]) -> dict[int, str]:
    """The user name of each token's owner, by user id."""
    names: dict[int, str] = {}
    for user_id in {i.user_id for i in infos}:
        names[user_id] = (await call(auth.store.get_user, user_id)).username
    return names


async def listed_tokens(
    request: Request, spec: RequestSpec, what: str
) -> tuple[AuthRuntime, list[TokenInfo]] | None:
    """The tokens a ``.../list`` route answers, newest first (None: auth is off).

    The caller's own; an admin's: anyone's (``username``) or everyone's. ``include_revoked``
    adds the revoked ones. ``what`` names them in the refusal ("tokens", "keys").
    """
    found = signed_in(request)
    if found is None:
        return None
    auth, me = found
    req = parse_get(request, spec)
    username = req.get("username") or None
    if username is not None and username != me.username and not me.is_admin:
        raise PermissionDeniedError(f"Permission denied: only an admin may list others' {what}.")
    if username is None and not me.is_admin:
        username = me.username
    owner = None if username is None else await call(auth.store.get_user_by_username, username)
    infos = await call(
        auth.store.list_tokens,
        None if owner is None else owner.id,
        include_revoked=bool(req.get("include_revoked")),
    )
    return auth, infos


@rpc(
    router,
    f"{_A}/tokens/list",
    "GET",
    access=_SELF_OR_ADMIN,
    response=TokenList,
    spec=rq.LIST_TOKENS,
)
async def list_tokens(request: Request) -> Response:
    """The caller's tokens, newest first; an admin's: anyone's (``username``) or everyone's."""
    listed = await listed_tokens(request, rq.LIST_TOKENS, "tokens")
    if listed is None:
        return not_enabled(request)
    auth, infos = listed
    names = await usernames(auth, infos)
    return json_response({"tokens": [token_json(i, names[i.user_id]) for i in infos]})


@rpc(
    router,
    f"{_A}/tokens/create",
    "POST",
    access=_SELF_OR_ADMIN,
    response=CreatedToken,
    errors=(400, 401, 403, 404, 500),
    spec=rq.CREATE_TOKEN,
)
async def create_token(request: Request) -> Response:
    """A new token for the caller (admins: for ``username``), with its secret, this once."""
    found = signed_in(request)
    if found is None:
        return not_enabled(request)
    req = await parse_json(request, rq.CREATE_TOKEN)
    issued, owner = await issue_for(request, found, req)
    answer = {"token": token_json(issued.info, owner.username), "secret": issued.token}
    response = json_response(answer)
    response.headers["Cache-Control"] = "no-store"
    return response


async def issue_for(
    request: Request, found: tuple[AuthRuntime, User], req: dict[str, Any]
) -> tuple[tokens.IssuedToken, User]:
    """Issue the token ``req`` asks for (``name``, ``expires_in_days``, ``username``).

    The rules of ``tokens/create`` (shared with the gateway's virtual keys): a name, a
    lifetime within :data:`MAX_TOKEN_DAYS`, another user's only for admins; audited.
    """
    auth, me = found
    name = req["name"].strip()
    if not name:
        raise InvalidArgumentError("A token needs a name (what it is for: 'laptop', 'ci').")
    days = req.get("expires_in_days")
    if days is not None and not 0 < days <= MAX_TOKEN_DAYS:
        raise InvalidArgumentError(
            f"expires_in_days must be more than 0 and at most {MAX_TOKEN_DAYS:g} "
            "(leave it out for a token that does not expire)."
        )
    owner = me
    username = req.get("username") or me.username
    if username != me.username:
        if not me.is_admin:
            raise PermissionDeniedError(
                "Permission denied: only an admin may create tokens for other users."
            )
        owner = await call(auth.store.get_user_by_username, username)
    issued = await call(
        tokens.issue_token,
        auth.store,
        owner,
        name,
        None if days is None else days * 86400.0,
        actor=me.username,
        ip=client_ip(request),
    )
    return issued, owner


@rpc(
    router,
    f"{_A}/tokens/revoke",
    "POST",
    access=_SELF_OR_ADMIN,
    response=TokenResponse,
    spec=rq.REVOKE_TOKEN,
)
async def revoke_token(request: Request) -> Response:
    """Revoke one of the caller's tokens (admins: anyone's); revoking twice changes nothing."""
    found = signed_in(request)
    if found is None:
        return not_enabled(request)
    req = await parse_json(request, rq.REVOKE_TOKEN)
    info, owner = await revoke_for(request, found, req["token_id"])
    return json_response({"token": token_json(info, owner.username)})


async def revoke_for(
    request: Request, found: tuple[AuthRuntime, User], token_id: int
) -> tuple[TokenInfo, User]:
    """Revoke ``token_id`` by the rules of ``tokens/revoke``: the token and its owner.

    One's own token, or (admins) anyone's; someone else's is a 404 as an unknown one.
    """
    auth, me = found
    missing = f"No token with id {token_id}."
    try:
        info = await call(auth.store.get_token, token_id)
    except NotFoundError:
        raise NotFoundError(missing) from None
    if info.user_id != me.id and not me.is_admin:
        raise NotFoundError(missing)
    if info.revoked is None:
        info = await call(
            tokens.revoke_token, auth.store, info.id, actor=me.username, ip=client_ip(request)
        )
    owner = await call(auth.store.get_user, info.user_id)
    return info, owner


@rpc(
    router,
    f"{_A}/service-accounts/create",
    "POST",
    access=ADMIN,
    response=AccountResponse,
    errors=(400, 401, 403, 404, 500),
    spec=rq.CREATE_SERVICE_ACCOUNT,
)
async def create_service_account(request: Request) -> Response:
    """A service account (tokens only; give it grants or roles like any user)."""
    found = signed_in(request)
    if found is None:
        return not_enabled(request)
    auth, me = found
    req = await parse_json(request, rq.CREATE_SERVICE_ACCOUNT)
    user = await call(
        accounts.create_service_account,
        auth.store,
        req["username"],
        actor=me.username,
        ip=client_ip(request),
    )
    return json_response({"user": account_json(user)})


@rpc(router, f"{_A}/users/list", "GET", access=ADMIN, response=ListAccounts)
async def list_accounts(request: Request) -> Response:
    """Every user and service account, by name, with its kind and state."""
    found = signed_in(request)
    if found is None:
        return not_enabled(request)
    auth, _ = found
    users: list[User] = []
    page_token = None
    while True:
        page = await call(auth.store.list_users, 1000, page_token)
        users += list(page)
        page_token = page.token
        if not page_token:
            break
    return json_response({"users": [account_json(u) for u in users]})


@rpc(
    router,
    f"{_A}/users/set-disabled",
    "POST",
    access=ADMIN,
    response=AccountResponse,
    spec=rq.SET_DISABLED,
)
async def set_disabled(request: Request) -> Response:
    """Disable an account (its sessions and tokens stop working) or enable it again."""
    found = signed_in(request)
    if found is None:
        return not_enabled(request)
    auth, me = found
    req = await parse_json(request, rq.SET_DISABLED)
    user = await call(auth.store.get_user_by_username, req["username"])
    if user.id == me.id and req["disabled"]:
        raise InvalidArgumentError("You cannot disable your own account.")
    updated = await call(
        accounts.set_disabled,
        auth.store,
        user,
        req["disabled"],
        actor=me.username,
        ip=client_ip(request),
    )
    return json_response({"user": account_json(updated)})
