"""Single sign-on for browsers: ``/api/3.0/ardea/auth/oidc/{login,callback}``.

- ``GET oidc/login?next=/a/path``: a fresh login state (state, nonce, PKCE verifier) goes
  into a sealed ``ardea_oidc`` cookie, and the browser is sent (302) to the provider.
- ``GET oidc/callback?code=...&state=...``: the provider sends the browser back here. The
  state must match the cookie's and be unused; the code is exchanged and the ID token
  validated (:class:`~ardea.auth.oidc.OidcClient`); the user is found or created and its
  groups mapped to roles (:func:`~ardea.auth.oidc_users.sign_in`); a session starts (the
  browser's previous one ends) and the browser goes (303) to ``next`` (a path on this
  server, ``/`` by default).

The redirect URI to register at the provider is ``<base>/api/3.0/ardea/auth/oidc/callback``,
where ``<base>`` is ``--oidc-redirect-base-url`` or, unset, the URL the browser used.

Failures answer a small HTML page for browsers (``Accept: text/html``), else MLflow's JSON
error envelope, with a 4xx (a 502 when the provider cannot be reached): never a stack
trace, a token or the client secret. They are audited as ``login.failed``. These are
browser navigations, not API calls: they are left out of the OpenAPI document. Without
``--auth`` or without SSO they answer 404.
"""

from __future__ import annotations

import html

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ardea._core.errors import (
    ArdeaError,
    InvalidArgumentError,
    PermissionDeniedError,
    UnauthenticatedError,
)
from ardea.api.auth_requests import OIDC_LOGIN
from ardea.auth import audit
from ardea.auth.oidc_state import EXPIRED, new_login_state, seal, unseal
from ardea.auth.oidc_users import sign_in
from ardea.auth.sessions import SESSION_COOKIE
from ardea.server.access import (
    PUBLIC,
)
from ardea.server.auth_cookies import (
    OIDC_COOKIE,
    clear_oidc_cookie,
    client_ip,
    is_https,
    no_store,
    set_oidc_cookie,
    set_session_cookies,
)
from ardea.server.auth_runtime import AuthRuntime
from ardea.server.errors import error_response
from ardea.server.http import call, parse_get, rpc
from ardea.server.openapi_responses import Answer
from ardea.server.routers.auth_session import auth_or_none, not_enabled

__all__ = ["CALLBACK_PATH", "router", "safe_next_path"]

router = APIRouter()
"""The OIDC routes, mounted under ``/api/3.0`` only (the registered redirect URI's prefix)."""

CALLBACK_PATH = "/api/3.0/ardea/auth/oidc/callback"
"""The callback's path: the redirect URI is the server's base URL plus this."""

_REDIRECT = Answer("A redirect (the page is never shown).", {"text/html": {}})


def safe_next_path(value: str | None) -> str:
    """``value`` when it is a path on this server (``/...``), else ``/``: never another site."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)
        or len(value) > 2048
    ):
        return "/"
    return value


def _base_url(auth: AuthRuntime, request: Request) -> str:
    if auth.redirect_base_url:
        return auth.redirect_base_url
    scheme = "https" if is_https(request) else request.url.scheme
    return f"{scheme}://{request.url.netloc}"


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _failure(request: Request, exc: ArdeaError, *, spent: bool = True) -> Response:
    """The answer to a failed login: a small page for a browser, MLflow's JSON otherwise.

    ``spent``: the login state is used up, so its cookie is cleared. An answer whose state
    did not match leaves it: a forged callback must not spoil the real one in flight.
    """
    response: Response
    if _wants_html(request):
        page = (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>Sign-in failed - Ardea</title></head><body><h1>Sign-in failed</h1>"
            f'<p>{html.escape(exc.message)}</p><p><a href="/">Back to Ardea</a></p>'
            "</body></html>\n"
        )
        response = HTMLResponse(page, status_code=exc.spec.mlflow_status)
    else:
        response = error_response(exc)
    if spent:
        clear_oidc_cookie(response, request)
    return no_store(response)


@rpc(router, "/ardea/auth/oidc/login", "GET", access=PUBLIC, response=_REDIRECT, spec=OIDC_LOGIN)
async def oidc_login(request: Request) -> Response:
    """Send the browser to the identity provider, with a fresh sealed login state."""
    auth = auth_or_none(request)
    if auth is None or auth.oidc is None:
        return not_enabled(request)
    req = parse_get(request, OIDC_LOGIN)
    state = new_login_state(safe_next_path(req["next"]))
    try:
        redirect_uri = _base_url(auth, request) + CALLBACK_PATH
        url = await call(auth.oidc.authorization_url, state, redirect_uri)
    except ArdeaError as exc:
        return _failure(request, exc)
    response = RedirectResponse(url, status_code=302)
    set_oidc_cookie(response, request, seal(state, auth.oidc_state_key))
    return no_store(response)


@rpc(router, "/ardea/auth/oidc/callback", "GET", access=PUBLIC, response=_REDIRECT)
async def oidc_callback(request: Request) -> Response:
    """Finish a login: check the state, exchange the code, sign the user in, set the session."""
    auth = auth_or_none(request)
    if auth is None or auth.oidc is None:
        return not_enabled(request)
    oidc = auth.oidc
    ip = client_ip(request)
    try:
        state = unseal(request.cookies.get(OIDC_COOKIE), auth.oidc_state_key)
        code = oidc.callback_code(dict(request.query_params), state)
    except InvalidArgumentError as exc:  # not this login's answer: keep the login going
        return _failure(request, exc, spent=False)
    except ArdeaError as exc:  # the provider's refusal
        return _failure(request, exc)
    try:
        if not auth.oidc_replays.use(state):
            raise InvalidArgumentError(EXPIRED)
        claims = await call(oidc.finish, code, state, _base_url(auth, request) + CALLBACK_PATH)
        user = await call(sign_in, auth.store, claims, oidc.config, ip=ip)
        old = request.cookies.get(SESSION_COOKIE)
        if old:  # the browser's previous session ends, as at a password login
            await call(auth.sessions.end, old)
        new = await call(
            auth.sessions.start,
            user,
            ip=ip,
            user_agent=request.headers.get("user-agent"),
            method="oidc",
        )
    except ArdeaError as exc:
        if isinstance(exc, (UnauthenticatedError, PermissionDeniedError)):
            detail = {"method": "oidc", "reason": exc.message[:200]}
            await call(audit.record, auth.store, None, "login.failed", None, detail, ip)
        return _failure(request, exc)
    response = RedirectResponse(state.next_path, status_code=303)
    max_age = auth.sessions.config.absolute_timeout_s
    set_session_cookies(response, request, new.cookie, new.csrf, max_age)
    clear_oidc_cookie(response, request)
    return no_store(response)
