"""Errors as MLflow JSON envelopes: ``{"error_code": ..., "message": ...}``.

An :class:`ArdeaError` answers with its MLflow code and status from the error table (so
``RESOURCE_ALREADY_EXISTS`` is a 400, as MLflow clients expect). An unknown route is a JSON 404
``ENDPOINT_NOT_FOUND`` (it drives the MLflow client's v3 -> v2 fallbacks), a wrong method on a
known endpoint a JSON 405 with an ``Allow`` header, and any other exception a 500 that names
a request id and is logged in full on the server; the client never sees a stack trace.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from ardea._core.errors import ArdeaError, NotImplementedFeatureError
from ardea.server.door import current_request
from ardea.server.route_table import API_PREFIXES, RouteTable

__all__ = [
    "error_response",
    "handle_errors",
    "install_error_handlers",
    "internal_error_response",
]

logger = logging.getLogger("ardea.server")

Endpoint = Callable[..., Awaitable[Response]]


def _json(status: int, error_code: str, message: str) -> Response:
    body = orjson.dumps({"error_code": error_code, "message": message})
    return Response(body, status_code=status, media_type="application/json")


def error_response(exc: ArdeaError, status: int | None = None) -> Response:
    """The MLflow envelope and status for an Ardea error (logged when it is a server fault).

    A ``retry_after_s`` in the error's details (a rate limit) becomes a ``Retry-After``
    header.

    Args:
        exc: The error.
        status: An HTTP status to answer instead of the code's (a route whose MLflow
            counterpart answers another one, such as OTLP's 422 for unconvertible spans).
    """
    spec = exc.spec
    if spec.log_level >= logging.WARNING:
        # A traceback helps with faults and failures with a cause (an upstream's error), not
        # with an expected refusal such as a rate limit.
        trace = spec.log_level >= logging.ERROR or exc.__cause__ is not None
        logger.log(
            spec.log_level,
            "%s: %s",
            type(exc).__name__,
            exc.message,
            exc_info=exc if trace else None,
        )
    response = _json(status or spec.mlflow_status, spec.mlflow_code, exc.message)
    retry_after = exc.details.get("retry_after_s")
    if isinstance(retry_after, int) and retry_after > 0:
        response.headers["Retry-After"] = str(retry_after)
    return response


def internal_error_response(request: Request, exc: BaseException) -> Response:
    """Log ``exc`` in full under the request's id and answer a 500 that names only the id."""
    context = current_request()
    request_id = context.request_id if context is not None else uuid.uuid4().hex[:16]
    logger.error(
        "Internal error, request id %s: %s %s",
        request_id,
        request.method,
        request.url.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return _json(500, "INTERNAL_ERROR", f"Internal error, request id {request_id}")


def handle_errors(fn: Endpoint) -> Endpoint:
    """Wrap an endpoint so that every exception becomes an MLflow JSON error response."""

    @functools.wraps(fn)
    async def wrapper(request: Request, **kwargs: Any) -> Response:
        try:
            return await fn(request, **kwargs)
        except ArdeaError as exc:
            return error_response(exc)
        except ClientDisconnect:
            # Nobody is left to read an answer; not a server fault worth a stack trace.
            return Response(status_code=499)
        except StarletteHTTPException:
            raise
        except NotImplementedError:
            return error_response(
                NotImplementedFeatureError("This operation is not supported by the store.")
            )
        except Exception as exc:
            return internal_error_response(request, exc)

    return wrapper


def _not_found(request: Request) -> Response:
    return _json(404, "ENDPOINT_NOT_FOUND", f"No endpoint for {request.url.path}")


def _method_not_allowed(request: Request, exc: StarletteHTTPException) -> Response:
    """405 with the ``Allow`` header of every method the path answers.

    A path that is no endpoint is a 404 instead (see :mod:`ardea.server.route_table`).
    """
    path = request.url.path
    table: RouteTable | None = request.app.state.ardea.routes
    allowed = table.allowed(path) if table is not None else None
    if allowed is not None:
        allow = ", ".join(sorted(allowed))
    elif path.startswith(API_PREFIXES) or not (exc.headers or {}).get("Allow"):
        return _not_found(request)
    else:
        allow = (exc.headers or {})["Allow"]
    response = _json(405, "BAD_REQUEST", f"Method {request.method} is not allowed for {path}")
    response.headers["Allow"] = allow
    return response


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return _not_found(request)
    if exc.status_code == 405:
        return _method_not_allowed(request, exc)
    return _json(exc.status_code, "BAD_REQUEST", str(exc.detail))


async def _ardea_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ArdeaError)
    return error_response(exc)


async def _unhandled(request: Request, exc: Exception) -> Response:
    return internal_error_response(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    """Register the app-level handlers (routes not found, wrong methods, stray errors)."""
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(ArdeaError, _ardea_error)
    app.add_exception_handler(Exception, _unhandled)
