"""Specs of Ardea's login requests (``/api/3.0/ardea/auth/...``). Pure: no web framework."""

from __future__ import annotations

from ardea.api.request_parsing import Field, RequestSpec

__all__ = [
    "ACCESS",
    "AUDIT_LIST",
    "CREATE_SERVICE_ACCOUNT",
    "CREATE_TOKEN",
    "LIST_TOKENS",
    "LOGIN",
    "OIDC_LOGIN",
    "REVOKE_TOKEN",
    "SET_DISABLED",
]

_S, _SR = Field("string"), Field("string", required=True)

LOGIN = RequestSpec("Login", {"username": _SR, "password": _SR}, {})
"""``POST /ardea/auth/login``: a username and its password."""

OIDC_LOGIN = RequestSpec("OidcLogin", {"next": Field("string")}, {})
"""``GET /ardea/auth/oidc/login``: where to go after signing in (a path on this server)."""

LIST_TOKENS = RequestSpec("ListTokens", {"username": _S, "include_revoked": Field("bool")}, {})
"""``GET /ardea/auth/tokens/list``: one user's tokens (default: the caller's; admins: anyone's,
or everyone's with ``username`` empty and the caller an admin)."""

CREATE_TOKEN = RequestSpec(
    "CreateToken",
    {"name": _SR, "expires_in_days": Field("double"), "username": _S},
    {},
)
"""``POST /ardea/auth/tokens/create``: a labelled token, its lifetime in days (none: never
expires), for the caller or (admins) another user or a service account."""

REVOKE_TOKEN = RequestSpec("RevokeToken", {"token_id": Field("int64", required=True)}, {})
"""``POST /ardea/auth/tokens/revoke``."""

CREATE_SERVICE_ACCOUNT = RequestSpec("CreateServiceAccount", {"username": _SR}, {})
"""``POST /ardea/auth/service-accounts/create`` (admins)."""

SET_DISABLED = RequestSpec(
    "SetUserDisabled", {"username": _SR, "disabled": Field("bool", required=True)}, {}
)
"""``POST /ardea/auth/users/set-disabled`` (admins)."""

AUDIT_LIST = RequestSpec(
    "ListAuditEvents",
    {
        "max_results": Field("int64"),
        "page_token": _S,
        "actor": _S,
        "action": _S,
        "target": _S,
        "since": Field("int64"),
        "until": Field("int64"),
    },
    {},
)
"""``GET /ardea/auth/audit/list`` (admins): newest first, filtered by every given field."""

ACCESS = RequestSpec("GetAccess", {"resource_type": _SR, "resource_id": _SR}, {})
"""``GET /ardea/auth/access``: the caller's level on one resource, and who has access."""

ACCESS_BATCH_MAX = 500
"""The most resources one ``access/batch`` request may name."""

ACCESS_BATCH = RequestSpec(
    "GetAccessBatch",
    {"resource_type": _SR, "resource_id": Field("string", required=True, repeated=True)},
    {},
)
"""``GET /ardea/auth/access/batch``: the caller's level on many resources of one type."""
