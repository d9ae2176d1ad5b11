"""Ardea's one error hierarchy.

Every error Ardea raises on purpose is an :class:`ArdeaError` with a code from a closed set.
Each code maps exactly once to an HTTP status, a log level and an MLflow ``error_code``::

    ArdeaError
    ├── InvalidArgumentError      INVALID_ARGUMENT     400  (MLflow INVALID_PARAMETER_VALUE)
    ├── UnauthenticatedError      UNAUTHENTICATED      401
    ├── PermissionDeniedError     PERMISSION_DENIED    403
    ├── NotFoundError             NOT_FOUND            404  (MLflow RESOURCE_DOES_NOT_EXIST)
    ├── AlreadyExistsError        ALREADY_EXISTS       409  (MLflow RESOURCE_ALREADY_EXISTS, 400)
    ├── ConflictError             CONFLICT             409
    ├── FailedPreconditionError   FAILED_PRECONDITION  422
    ├── RateLimitedError          RATE_LIMITED         429
    ├── InternalError             INTERNAL             500
    ├── NotImplementedFeatureError NOT_IMPLEMENTED     501
    ├── UpstreamError             UPSTREAM_ERROR       502
    ├── UnavailableError          UNAVAILABLE          503
    ├── DeadlineExceededError     DEADLINE_EXCEEDED    504
    └── FeatureDisabledError      FEATURE_DISABLED     400  (MLflow answers it with a 500)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar

__all__ = [
    "ArdeaError",
    "AlreadyExistsError",
    "ConflictError",
    "DeadlineExceededError",
    "ErrorCode",
    "ErrorSpec",
    "FailedPreconditionError",
    "FeatureDisabledError",
    "InternalError",
    "InvalidArgumentError",
    "NotFoundError",
    "NotImplementedFeatureError",
    "PermissionDeniedError",
    "RateLimitedError",
    "UnauthenticatedError",
    "UnavailableError",
    "UpstreamError",
    "error_from_mlflow",
]


class ErrorCode(str, Enum):
    """The closed set of error codes."""

    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    CONFLICT = "CONFLICT"
    FAILED_PRECONDITION = "FAILED_PRECONDITION"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL = "INTERNAL"
    NOT_IMPLEMENTED = "NOT_IMPLEMENTED"
    UPSTREAM_ERROR = "UPSTREAM_ERROR"
    UNAVAILABLE = "UNAVAILABLE"
    DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"
    FEATURE_DISABLED = "FEATURE_DISABLED"


@dataclass(frozen=True)
class ErrorSpec:
    """How one code is rendered: Ardea HTTP status, log level, MLflow code and MLflow status."""

    http_status: int
    log_level: int
    mlflow_code: str
    mlflow_status: int


ERROR_TABLE: dict[ErrorCode, ErrorSpec] = {
    ErrorCode.INVALID_ARGUMENT: ErrorSpec(400, logging.INFO, "INVALID_PARAMETER_VALUE", 400),
    ErrorCode.UNAUTHENTICATED: ErrorSpec(401, logging.INFO, "UNAUTHENTICATED", 401),
    ErrorCode.PERMISSION_DENIED: ErrorSpec(403, logging.INFO, "PERMISSION_DENIED", 403),
    ErrorCode.NOT_FOUND: ErrorSpec(404, logging.INFO, "RESOURCE_DOES_NOT_EXIST", 404),
    ErrorCode.ALREADY_EXISTS: ErrorSpec(409, logging.INFO, "RESOURCE_ALREADY_EXISTS", 400),
    ErrorCode.CONFLICT: ErrorSpec(409, logging.INFO, "RESOURCE_CONFLICT", 409),
    ErrorCode.FAILED_PRECONDITION: ErrorSpec(422, logging.INFO, "INVALID_STATE", 400),
    ErrorCode.RATE_LIMITED: ErrorSpec(429, logging.WARNING, "REQUEST_LIMIT_EXCEEDED", 429),
    ErrorCode.INTERNAL: ErrorSpec(500, logging.ERROR, "INTERNAL_ERROR", 500),
    ErrorCode.NOT_IMPLEMENTED: ErrorSpec(501, logging.INFO, "NOT_IMPLEMENTED", 501),
    ErrorCode.UPSTREAM_ERROR: ErrorSpec(502, logging.WARNING, "TEMPORARILY_UNAVAILABLE", 502),
    ErrorCode.UNAVAILABLE: ErrorSpec(503, logging.WARNING, "TEMPORARILY_UNAVAILABLE", 503),
    ErrorCode.DEADLINE_EXCEEDED: ErrorSpec(504, logging.WARNING, "DEADLINE_EXCEEDED", 504),
    # MLflow answers FEATURE_DISABLED with a 500, which its clients retry for minutes; it is
    # the caller's to fix (a feature this server was not started with), so a 400 here.
    ErrorCode.FEATURE_DISABLED: ErrorSpec(400, logging.INFO, "FEATURE_DISABLED", 400),
}


class ArdeaError(Exception):
    """Base of every error Ardea raises on purpose.

    Args:
        message: A sentence for a person: what was wrong and, where possible, how to fix it.
        details: Optional structured data for programs.
    """

    code: ClassVar[ErrorCode] = ErrorCode.INTERNAL

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    @property
    def spec(self) -> ErrorSpec:
        """The rendering of this error's code."""
        return ERROR_TABLE[self.code]

    def to_mlflow_json(self) -> dict[str, str]:
        """The MLflow error envelope for this error."""
        return {"error_code": self.spec.mlflow_code, "message": self.message}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class InvalidArgumentError(ArdeaError, ValueError):
    """A request or call carried a bad value."""

    code = ErrorCode.INVALID_ARGUMENT


class UnauthenticatedError(ArdeaError):
    """No valid credentials were given."""

    code = ErrorCode.UNAUTHENTICATED


class PermissionDeniedError(ArdeaError):
    """The caller may not do this."""

    code = ErrorCode.PERMISSION_DENIED


class NotFoundError(ArdeaError, LookupError):
    """The named thing does not exist."""

    code = ErrorCode.NOT_FOUND


class AlreadyExistsError(ArdeaError):
    """A thing with this unique name or id already exists."""

    code = ErrorCode.ALREADY_EXISTS


class ConflictError(ArdeaError):
    """The request conflicts with the current state."""

    code = ErrorCode.CONFLICT


class FailedPreconditionError(ArdeaError):
    """The thing is not in a state that allows this operation."""

    code = ErrorCode.FAILED_PRECONDITION


class RateLimitedError(ArdeaError):
    """Too many requests."""

    code = ErrorCode.RATE_LIMITED


class InternalError(ArdeaError):
    """An unexpected failure inside Ardea."""

    code = ErrorCode.INTERNAL


class NotImplementedFeatureError(ArdeaError):
    """The feature is not available with this backend or configuration."""

    code = ErrorCode.NOT_IMPLEMENTED


class UpstreamError(ArdeaError):
    """A provider or service Ardea called failed."""

    code = ErrorCode.UPSTREAM_ERROR


class UnavailableError(ArdeaError):
    """The service cannot answer right now."""

    code = ErrorCode.UNAVAILABLE


class FeatureDisabledError(ArdeaError):
    """The request needs a feature this server runs without (e.g. workspaces)."""

    code = ErrorCode.FEATURE_DISABLED


class DeadlineExceededError(ArdeaError):
    """The operation took too long."""

    code = ErrorCode.DEADLINE_EXCEEDED


_BY_CODE: dict[ErrorCode, type[ArdeaError]] = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        UnauthenticatedError,
        PermissionDeniedError,
        NotFoundError,
        AlreadyExistsError,
        ConflictError,
        FailedPreconditionError,
        RateLimitedError,
        InternalError,
        NotImplementedFeatureError,
        UpstreamError,
        UnavailableError,
        DeadlineExceededError,
        FeatureDisabledError,
    )
}

_FROM_MLFLOW: dict[str, ErrorCode] = {
    "INVALID_PARAMETER_VALUE": ErrorCode.INVALID_ARGUMENT,
    "BAD_REQUEST": ErrorCode.INVALID_ARGUMENT,
    "MALFORMED_REQUEST": ErrorCode.INVALID_ARGUMENT,
    "RESOURCE_DOES_NOT_EXIST": ErrorCode.NOT_FOUND,
    "NOT_FOUND": ErrorCode.NOT_FOUND,
    "ENDPOINT_NOT_FOUND": ErrorCode.NOT_FOUND,
    "RESOURCE_ALREADY_EXISTS": ErrorCode.ALREADY_EXISTS,
    "ALREADY_EXISTS": ErrorCode.ALREADY_EXISTS,
    "RESOURCE_CONFLICT": ErrorCode.CONFLICT,
    "ABORTED": ErrorCode.CONFLICT,
    "INVALID_STATE": ErrorCode.FAILED_PRECONDITION,
    "PERMISSION_DENIED": ErrorCode.PERMISSION_DENIED,
    "UNAUTHENTICATED": ErrorCode.UNAUTHENTICATED,
    "CUSTOMER_UNAUTHORIZED": ErrorCode.UNAUTHENTICATED,
    "REQUEST_LIMIT_EXCEEDED": ErrorCode.RATE_LIMITED,
    "RESOURCE_EXHAUSTED": ErrorCode.RATE_LIMITED,
    "NOT_IMPLEMENTED": ErrorCode.NOT_IMPLEMENTED,
    "TEMPORARILY_UNAVAILABLE": ErrorCode.UNAVAILABLE,
    "DEADLINE_EXCEEDED": ErrorCode.DEADLINE_EXCEEDED,
    "FEATURE_DISABLED": ErrorCode.FEATURE_DISABLED,
}


def error_class(code: ErrorCode) -> type[ArdeaError]:
    """The error class that carries ``code``."""
    return _BY_CODE[code]


def error_from_mlflow(error_code: str | None, message: str, http_status: int) -> ArdeaError:
    """Rebuild a typed error from an MLflow envelope (or from the HTTP status alone)."""
    code = _FROM_MLFLOW.get(error_code or "")
    if code is None:
        by_status = {spec.http_status: c for c, spec in reversed(ERROR_TABLE.items())}
        code = by_status.get(http_status, ErrorCode.INTERNAL)
        if http_status == 400:
            code = ErrorCode.INVALID_ARGUMENT
    return _BY_CODE[code](message)
