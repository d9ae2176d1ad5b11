"""Login sessions for the web UI: ``/api/3.0/ardea/auth/{login,logout,session,login-options}``.

Only a server started with ``--auth`` answers them; without it they are a 404
``ENDPOINT_NOT_FOUND``, like any route the server does not have.

- ``POST login`` ``{username, password}``: checks the password (the failed-login limits
  apply: 429 with ``Retry-After``; one message whether or not the user exists), starts a
  session, sets the ``ardea_session`` and ``ardea_csrf`` cookies and answers
  ``{user, csrf_token}``. A session cookie the browser already had is ended first. Refused
  with 403 when password login is turned off.
- ``POST logout``: ends the session (the CSRF header is required when the cookie is a live
  session) and clears the cookies; answers ``{}`` whether or not there was one.
- ``GET session``: ``{user, csrf_token}`` of the session cookie, or 401.
- ``GET login-options``: how one may sign in (password, single sign-on), for the login page.

Logins, failures and logouts go to the audit log (:mod:`ardea.auth.audit`).
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import PermissionDeniedError, UnauthenticatedError
from ardea.api.auth_requests import LOGIN
from ardea.api.schemas.auth import LoginOptions, SessionInfo
from ardea.api.schemas.common import EmptyResponse
from ardea.auth.identity import authenticate_basic
from ardea.auth.sessions import CSRF_HEADER, SESSION_COOKIE, SessionAuth, csrf_matches
from ardea.entities.auth import User
from ardea.server.access import (
    PUBLIC,
)
from ardea.server.auth_cookies import (
    clear_session_cookies,
    client_ip,
    no_store,
    set_session_cookies,
)
from ardea.server.auth_runtime import AuthRuntime
from ardea.server.deps import runtime
from ardea.server.http import call, empty, json_response, parse_json, rpc

__all__ = ["OIDC_LOGIN_PATH", "auth_or_none", "not_enabled", "router", "user_json"]

router = APIRouter()
"""The session routes, mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

OIDC_LOGIN_PATH = "/api/3.0/ardea/auth/oidc/login"
"""Where a browser starts a single sign-on login."""

PASSWORD_LOGIN_OFF = "Password login is turned off on this server: sign in with single sign-on."
NOT_SIGNED_IN = "Not signed in."


def auth_or_none(request: Request) -> AuthRuntime | None:
    """The app's :class:`AuthRuntime`, or None when the server runs without auth."""
    return runtime(request).auth


def not_enabled(request: Request) -> Response:
    """The answer of an auth route on a server without auth: the unknown-route 404."""
    body = orjson.dumps(
        {"error_code": "ENDPOINT_NOT_FOUND", "message": f"No endpoint for {request.url.path}"}
    )
    return Response(body, status_code=404, media_type="application/json")


def user_json(user: User) -> dict[str, object]:
    """The public fields of a signed-in user."""
    return {"id": user.id, "username": user.username, "is_admin": user.is_admin}


def _session_answer(user: User, csrf: str) -> Response:
    return no_store(json_response({"user": user_json(user), "csrf_token": csrf}))


async def _current(auth: AuthRuntime, request: Request) -> SessionAuth | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    return await call(auth.sessions.session_from_cookie, cookie)


@rpc(
    router,
    "/ardea/auth/login",
    "POST",
    access=PUBLIC,
    response=SessionInfo,
    errors=(400, 401, 403, 404, 429, 500),
    spec=LOGIN,
)
async def login(request: Request) -> Response:
    """Sign in with a username and password: a session cookie and the CSRF token."""
    auth = auth_or_none(request)
    if auth is None:
        return not_enabled(request)
    if not auth.password_login:
        raise PermissionDeniedError(PASSWORD_LOGIN_OFF)
    req = await parse_json(request, LOGIN)
    ip = client_ip(request)
    principal = await call(
        authenticate_basic, auth.store, req["username"], req["password"], ip, limiter=auth.limiter
    )
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await call(auth.sessions.end, old)
    new = await call(
        auth.sessions.start,
        principal.user,
        ip=ip,
        user_agent=request.headers.get("user-agent"),
        method="password",
    )
    response = _session_answer(principal.user, new.csrf)
    max_age = auth.sessions.config.absolute_timeout_s
    set_session_cookies(response, request, new.cookie, new.csrf, max_age)
    return response


@rpc(
    router,
    "/ardea/auth/logout",
    "POST",
    access=PUBLIC,
    response=EmptyResponse,
    errors=(403, 404, 500),
)
async def logout(request: Request) -> Response:
    """End the session of the cookie (the ``X-CSRF-Token`` header must match) and clear it."""
    auth = auth_or_none(request)
    if auth is None:
        return not_enabled(request)
    found = await _current(auth, request)
    if found is not None:
        if not csrf_matches(found.csrf, request.headers.get(CSRF_HEADER)):
            raise PermissionDeniedError(
                f"Logging out needs the session's CSRF token in the {CSRF_HEADER} header."
            )
        await call(
            auth.sessions.end,
            request.cookies.get(SESSION_COOKIE),
            actor=found.user.username,
            ip=client_ip(request),
        )
    response = no_store(empty())
    clear_session_cookies(response, request)
    return response


@rpc(
    router,
    "/ardea/auth/session",
    "GET",
    access=PUBLIC,
    response=SessionInfo,
    errors=(401, 404, 500),
)
async def session(request: Request) -> Response:
    """Who the session cookie belongs to and its CSRF token; 401 without a live session."""
    auth = auth_or_none(request)
    if auth is None:
        return not_enabled(request)
    found = await _current(auth, request)
    if found is None:
        raise UnauthenticatedError(NOT_SIGNED_IN)
    return _session_answer(found.user, found.csrf)


@rpc(
    router,
    "/ardea/auth/login-options",
    "GET",
    access=PUBLIC,
    response=LoginOptions,
    errors=(404, 500),
)
async def login_options(request: Request) -> Response:
    """How one may sign in here: with a password, with single sign-on, or both."""
    auth = auth_or_none(request)
    if auth is None:
        return not_enabled(request)
    answer: dict[str, object] = {
        "password_login": auth.password_login,
        "sso": auth.oidc is not None,
    }
    if auth.oidc is not None:
        answer["sso_login_url"] = OIDC_LOGIN_PATH
    return json_response(answer)
