"""Opaque page tokens: base64 of a small JSON object, as MLflow does (``{"offset": N}``)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ardea._core.errors import InvalidArgumentError


def encode_page_token(payload: dict[str, Any]) -> str:
    """Encode a token payload."""
    return base64.b64encode(json.dumps(payload).encode()).decode()


def decode_page_token(token: str | None) -> dict[str, Any]:
    """Decode a token; an empty token is ``{}``; a malformed one is InvalidArgumentError."""
    if not token:
        return {}
    try:
        payload = json.loads(base64.b64decode(token, validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidArgumentError(
            f"Invalid page token, could not base64-decode: {token!r}"
        ) from exc
    if not isinstance(payload, dict):
        raise InvalidArgumentError(f"Invalid page token: {token!r}")
    return payload


def offset_from_token(token: str | None) -> int:
    """The non-negative integer offset stored in a token (0 when absent)."""
    offset = decode_page_token(token).get("offset", 0)
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise InvalidArgumentError(f"Invalid page token, bad offset: {token!r}")
    return offset
