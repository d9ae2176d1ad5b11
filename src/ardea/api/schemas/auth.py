"""Answers of Ardea's login routes (``/api/3.0/ardea/auth/...``)."""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64

__all__ = [
    "AccessBatch",
    "AccessLevel",
    "AccessGrant",
    "AccessInfo",
    "AccountInfo",
    "AccountResponse",
    "AuditEventInfo",
    "AuditList",
    "CreatedToken",
    "ListAccounts",
    "LoginOptions",
    "SessionInfo",
    "SessionUser",
    "TokenInfoJson",
    "TokenList",
    "TokenResponse",
]


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


class TokenInfoJson(TypedDict):
    """An API token's public part (never its secret nor the secret's hash).

    Times are epoch milliseconds; ``expires``, ``last_used`` and ``revoked`` are absent when
    unset. ``prefix`` is what identifies the token in ``ardea_<kind>_<prefix>_<secret>``.
    """

    id: Int64
    name: str
    prefix: str
    kind: Literal["pat", "sa"]
    username: str
    created: Int64
    expires: NotRequired[Int64]
    last_used: NotRequired[Int64]
    revoked: NotRequired[Int64]


class TokenList(TypedDict):
    """``tokens/list``: newest first."""

    tokens: list[TokenInfoJson]


class TokenResponse(TypedDict):
    """``tokens/revoke``: the token as it now is."""

    token: TokenInfoJson


class CreatedToken(TypedDict):
    """``tokens/create``: the token and its full secret, shown this once and never again."""

    token: TokenInfoJson
    secret: str


class AccountInfo(TypedDict):
    """A user or service account as the admin pages show it."""

    id: Int64
    username: str
    is_admin: bool
    kind: Literal["user", "service"]
    disabled: bool
    created: Int64


class AccountResponse(TypedDict):
    """One account."""

    user: AccountInfo


class ListAccounts(TypedDict):
    """``users/list``: every account, by name."""

    users: list[AccountInfo]


class AuditEventInfo(TypedDict):
    """One audited action (``detail`` never holds a secret)."""

    id: Int64
    time: Int64
    actor: str
    action: str
    target: NotRequired[str]
    detail: dict[str, Any]
    ip: NotRequired[str]


class AuditList(TypedDict):
    """``audit/list``: newest first; ``next_page_token`` when there are more."""

    events: list[AuditEventInfo]
    next_page_token: NotRequired[str]


class AccessGrant(TypedDict):
    """Who holds a level on a resource: a user's own grant, or a role's (its id or ``*``)."""

    principal_type: Literal["user", "role"]
    principal: str
    permission: str
    resource_pattern: str
    role_id: NotRequired[Int64]


class AccessLevel(TypedDict):
    """One resource's level in an ``access/batch`` answer."""

    resource_id: str
    permission: str
    can_read: bool
    can_use: bool
    can_edit: bool
    can_manage: bool


class AccessBatch(TypedDict):
    """``access/batch``: the caller's level on each resource it may read, in request order.

    A resource the caller may not read is left out (as a single ``access`` answers 404).
    """

    levels: list[AccessLevel]


class AccessInfo(TypedDict):
    """``access``: the caller's level on a resource and what it allows.

    ``grants`` (who has access) is there only when the caller may MANAGE the resource.
    ``workspace_default`` is what members without a grant get.
    """

    permission: str
    can_read: bool
    can_use: bool
    can_edit: bool
    can_manage: bool
    workspace_default: str
    grants: NotRequired[list[AccessGrant]]
