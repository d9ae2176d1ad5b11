"""Answers of Ardea's login routes (``/api/3.0/ardea/auth/...``)."""

from __future__ import annotations

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64

__all__ = ["LoginOptions", "SessionInfo", "SessionUser"]


class SessionUser(TypedDict):
    """The signed-in user (never its password hash)."""

    id: Int64
    username: str
    is_admin: bool


class SessionInfo(TypedDict):
    """Who the session belongs to, and the CSRF token to send in ``X-CSRF-Token``.

    Every request that changes something and is authenticated by the session cookie must
    carry ``csrf_token`` in the ``X-CSRF-Token`` header (the ``ardea_csrf`` cookie holds it
    too).
    """

    user: SessionUser
    csrf_token: str


class LoginOptions(TypedDict):
    """How a person may sign in to this server (for the login page).

    ``sso_login_url`` is where the browser goes to sign in with single sign-on (add
    ``?next=/a/path`` to come back there), present when SSO is configured.
    """

    password_login: bool
    sso: bool
    sso_login_url: NotRequired[str]
