"""The cookies of login sessions and OIDC logins: names, flags, setting and clearing them.

- ``ardea_session``: the session (HttpOnly, SameSite=Lax, Path=/, Secure on https).
- ``ardea_csrf``: the session's CSRF token, readable by the UI's script (not HttpOnly), so
  it can send it back in ``X-CSRF-Token``.
- ``ardea_oidc``: a sealed OIDC login state, for ten minutes, only on the OIDC paths.

A request counts as https when its own scheme is, or when a proxy in front says so with
``X-Forwarded-Proto: https`` (trusting it can only add ``Secure``, never remove it).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ardea.auth.oidc_state import LOGIN_STATE_TTL_S
from ardea.auth.sessions import CSRF_COOKIE, SESSION_COOKIE

__all__ = [
    "OIDC_COOKIE",
    "OIDC_COOKIE_PATH",
    "clear_oidc_cookie",
    "clear_session_cookies",
    "client_ip",
    "is_https",
    "no_store",
    "set_oidc_cookie",
    "set_session_cookies",
]

OIDC_COOKIE = "ardea_oidc"
"""The cookie holding a sealed OIDC login state."""

OIDC_COOKIE_PATH = "/api/3.0/ardea/auth/oidc"
"""Where the browser sends :data:`OIDC_COOKIE`: the OIDC login and callback only."""


def is_https(request: Request) -> bool:
    """Whether the browser reached the server over https (directly or through a proxy)."""
    if request.url.scheme == "https":
        return True
    forwarded = request.headers.get("x-forwarded-proto", "")
    return forwarded.split(",", 1)[0].strip().lower() == "https"


def client_ip(request: Request) -> str | None:
    """The address the request came from (the proxy's, behind one)."""
    return request.client.host if request.client else None


def no_store(response: Response) -> Response:
    """Mark an answer that carries credentials as never to be cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


def set_session_cookies(
    response: Response, request: Request, cookie: str, csrf: str, max_age: int
) -> None:
    """Set ``ardea_session`` (HttpOnly) and ``ardea_csrf`` (readable) for ``max_age`` s."""
    secure = is_https(request)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, path="/", secure=secure, httponly=False, samesite="lax"
    )


def clear_session_cookies(response: Response, request: Request) -> None:
    """Expire both session cookies in the browser."""
    secure = is_https(request)
    for name, httponly in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(name, path="/", secure=secure, httponly=httponly, samesite="lax")


def set_oidc_cookie(response: Response, request: Request, sealed: str) -> None:
    """Set the sealed login state for the OIDC callback (HttpOnly, SameSite=Lax)."""
    response.set_cookie(
        OIDC_COOKIE,
        sealed,
        max_age=LOGIN_STATE_TTL_S,
        path=OIDC_COOKIE_PATH,
        secure=is_https(request),
        httponly=True,
        samesite="lax",
    )


def clear_oidc_cookie(response: Response, request: Request) -> None:
    """Expire the OIDC login-state cookie."""
    response.delete_cookie(
        OIDC_COOKIE, path=OIDC_COOKIE_PATH, secure=is_https(request), httponly=True, samesite="lax"
    )
