"""Request specs of Ardea's gateway virtual-key routes (``/api/3.0/ardea/gateway/keys/...``)."""

from __future__ import annotations

from ardea.api.request_parsing import Field, RequestSpec

__all__ = ["CREATE_KEY", "LIST_KEYS", "REVOKE_KEY"]

_S = Field("string")

LIST_KEYS = RequestSpec("ListGatewayKeys", {"username": _S, "include_revoked": Field("bool")}, {})
"""``GET keys/list``: one user's keys (default the caller's; admins: anyone's or everyone's)."""

CREATE_KEY = RequestSpec(
    "CreateGatewayKey",
    {
        "name": Field("string", required=True),
        "expires_in_days": Field("double"),
        "username": _S,
        "allowed_models": Field("string", repeated=True),
        "metadata": Field("map"),
    },
    {},
)
"""``POST keys/create``: a token (as ``tokens/create``) with its gateway scope."""

REVOKE_KEY = RequestSpec("RevokeGatewayKey", {"key_id": Field("int64", required=True)}, {})
"""``POST keys/revoke``: revoke the key's token."""
