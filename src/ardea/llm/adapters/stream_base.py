"""Helpers shared by the adapters' stream parsers."""

from __future__ import annotations

import json
from typing import Any

from ardea.llm.errors import StreamError

__all__ = ["event_json", "stream_error"]


def event_json(data: bytes | str, provider: str) -> dict[str, Any]:
    """The JSON object of one stream event.

    Raises:
        StreamError: Not a JSON object.
    """
    try:
        value = json.loads(data)
    except ValueError:
        raise StreamError(
            f"{provider}: a stream event is not JSON", body=_text(data)[:200], provider=provider
        ) from None
    if not isinstance(value, dict):
        raise StreamError(
            f"{provider}: a stream event is not a JSON object",
            body=_text(data)[:200],
            provider=provider,
        )
    return value


def stream_error(provider: str, error: Any, status: int = 200) -> StreamError:
    """The :class:`StreamError` of an error event (``{"message": ..., "type"/"code": ...}``)."""
    if not isinstance(error, dict):
        error = {"message": str(error)}
    code = error.get("code")
    kind = error.get("type") or error.get("status") or code
    message = str(error.get("message") or "the provider reported an error mid-stream")
    if isinstance(code, int) and 400 <= code < 600:
        status = code
    return StreamError(
        f"{provider}: the stream failed: {message}" + (f" ({kind})" if kind else ""),
        status=status,
        body=json.dumps(error)[:500],
        provider=provider,
    )


def _text(data: bytes | str) -> str:
    return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
