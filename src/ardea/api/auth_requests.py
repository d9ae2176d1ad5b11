"""Specs of Ardea's login requests (``/api/3.0/ardea/auth/...``). Pure: no web framework."""

from __future__ import annotations

from ardea.api.request_parsing import Field, RequestSpec

__all__ = ["LOGIN", "OIDC_LOGIN"]

_SR = Field("string", required=True)

LOGIN = RequestSpec("Login", {"username": _SR, "password": _SR}, {})
"""``POST /ardea/auth/login``: a username and its password."""

OIDC_LOGIN = RequestSpec("OidcLogin", {"next": Field("string")}, {})
"""``GET /ardea/auth/oidc/login``: where to go after signing in (a path on this server)."""
