"""Errors in each API's own shape: OpenAI's, Anthropic's, Gemini's and MLflow's.

A caller talking to the gateway through the OpenAI route gets ``{"error": {...}}``, through
the Anthropic route ``{"type": "error", "error": {...}}``, through Gemini's
``{"error": {"code", "message", "status"}}``, through MLflow's ``invocations`` route MLflow's
``{"error_code", "message"}``; the HTTP status keeps its meaning (a provider's 429 stays 429).
"""

from __future__ import annotations

from typing import Any, Literal

import orjson

__all__ = ["Dialect", "GatewayError", "dialect_of_path", "error_body", "provider_message"]

Dialect = Literal["openai", "anthropic", "gemini", "mlflow"]
"""Whose error shape a route answers."""

_OPENAI_TYPE = {
    400: "invalid_request_error",
    401: "invalid_request_error",  # OpenAI's own 401: code "invalid_api_key"
    403: "permission_error",
    404: "invalid_request_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
}
_ANTHROPIC_TYPE = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    503: "overloaded_error",
    529: "overloaded_error",
    504: "timeout_error",
}
_GEMINI_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_MLFLOW_CODE = {
    400: "INVALID_PARAMETER_VALUE",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "RESOURCE_DOES_NOT_EXIST",
    413: "INVALID_PARAMETER_VALUE",
    429: "RESOURCE_EXHAUSTED",
    504: "DEADLINE_EXCEEDED",
}


def dialect_of_path(path: str) -> Dialect | None:
    """Whose error shape a request to ``path`` is answered in; None off the gateway's paths.

    The one place that decides it, for the gateway's routes and for the server's door (its
    401/403 on a gateway path): ``/gateway/anthropic/...`` is Anthropic's, ``/gateway/gemini/...``
    Google's, ``/gateway/<endpoint>/mlflow/invocations`` MLflow's, every other ``/gateway/...``
    path OpenAI's.
    """
    if not path.startswith("/gateway/"):
        return None
    if path.startswith("/gateway/anthropic/"):
        return "anthropic"
    if path.startswith("/gateway/gemini/"):
        return "gemini"
    if path.endswith("/mlflow/invocations"):
        return "mlflow"
    return "openai"


class GatewayError(Exception):
    """A request the gateway answers with an error (before or instead of a provider's).

    Attributes:
        status: The HTTP status.
        message: What to tell the caller (never a credential).
        code: A short machine code (``model_not_found``, ``timeout``, ...), or None.
        headers: Extra response headers (``retry-after``).
    """

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        headers: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers


def error_body(dialect: Dialect, status: int, message: str, code: str | None = None) -> bytes:
    """The JSON error body of ``dialect``.

    A 401 in OpenAI's shape is OpenAI's own: ``type`` ``invalid_request_error``, ``code``
    ``invalid_api_key`` (the ``openai`` SDK raises ``AuthenticationError``); in Anthropic's,
    ``authentication_error``.
    """
    if dialect == "anthropic":
        kind = _ANTHROPIC_TYPE.get(status, "api_error")
        return orjson.dumps({"type": "error", "error": {"type": kind, "message": message}})
    if dialect == "gemini":
        state = _GEMINI_STATUS.get(status, "INTERNAL")
        return orjson.dumps({"error": {"code": status, "message": message, "status": state}})
    if dialect == "mlflow":
        return orjson.dumps(
            {"error_code": _MLFLOW_CODE.get(status, "INTERNAL_ERROR"), "message": message}
        )
    kind = _OPENAI_TYPE.get(status, "api_error" if status != 504 else "timeout")
    if status == 401 and code in (None, "unauthenticated"):  # OpenAI's code for a bad key
        code = "invalid_api_key"
    return orjson.dumps({"error": {"message": message, "type": kind, "param": None, "code": code}})


def provider_message(body: bytes) -> str:
    """The human message of a provider's error body (any dialect), at most 500 characters."""
    try:
        value: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body[:500].decode("utf-8", "replace")
    if isinstance(value, dict):
        error = value.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])[:500]
        if isinstance(error, str):
            return error[:500]
        if isinstance(value.get("message"), str):
            return str(value["message"])[:500]
    return body[:500].decode("utf-8", "replace")
