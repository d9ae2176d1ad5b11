"""Answers of Ardea's gateway virtual-key routes (``/api/3.0/ardea/gateway/keys/...``)."""

from __future__ import annotations

from typing_extensions import TypedDict

from ardea.api.schemas.auth import TokenInfoJson

__all__ = ["CreatedKey", "GatewayKeyJson", "KeyList", "KeyResponse"]


class GatewayKeyJson(TokenInfoJson):
    """A virtual key: an API token's public part plus its gateway scope.

    ``allowed_models`` are globs of endpoint names or provider models (empty: every endpoint
    the owner may USE); ``metadata`` (``team``, ``project``, ...) goes on each request's trace.
    """

    allowed_models: list[str]
    metadata: dict[str, str]


class KeyList(TypedDict):
    """``keys/list``: newest first."""

    keys: list[GatewayKeyJson]


class KeyResponse(TypedDict):
    """``keys/revoke``: the key as it now is."""

    key: GatewayKeyJson


class CreatedKey(TypedDict):
    """``keys/create``: the key and its full secret, shown this once and never again."""

    key: GatewayKeyJson
    secret: str
