"""Small helpers every router uses: parse a request, call a store off the event loop, answer.

Handlers are ``async``; blocking store calls go through :func:`call` (Starlette's thread pool).
Answers are ``orjson`` bytes in a plain :class:`Response`: no response models on hot paths.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api.mlflow_requests import RequestSpec, parse_body, parse_query
from ardea.server.errors import Endpoint, handle_errors
from ardea.server.openapi import openapi_extra

__all__ = [
    "MAX_JSON_BODY_BYTES",
    "call",
    "empty",
    "read_json_body",
    "json_response",
    "parse",
    "parse_get",
    "parse_json",
    "rpc",
]

T = TypeVar("T")

_EMPTY_BODY = b"{}"

MAX_JSON_BODY_BYTES = 16 * 1024 * 1024
"""Largest JSON request body accepted (artifact uploads are raw bodies and have no limit)."""


def json_response(obj: Any, status_code: int = 200) -> Response:
    """A JSON response serialized with orjson."""
    return Response(orjson.dumps(obj), status_code=status_code, media_type="application/json")


def empty() -> Response:
    """The ``{}`` answer of write RPCs."""
    return Response(_EMPTY_BODY, media_type="application/json")


async def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking (store) call in the thread pool and return its result."""
    return await run_in_threadpool(fn, *args, **kwargs)


def parse_get(request: Request, spec: RequestSpec) -> dict[str, Any]:
    """Parse a request's query parameters against ``spec``."""
    return parse_query(spec, request.query_params.multi_items())


async def read_json_body(request: Request, limit: int = MAX_JSON_BODY_BYTES) -> bytes:
    """The body of a JSON request, refused (400) beyond ``limit`` bytes without buffering it."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit():
        if int(length) > limit:
            raise InvalidArgumentError(_too_large(limit))
        return await request.body()
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise InvalidArgumentError(_too_large(limit))
    return bytes(data)


def _too_large(limit: int) -> str:
    return f"Request body is too large: JSON requests may be at most {limit} bytes."


async def parse_json(request: Request, spec: RequestSpec) -> dict[str, Any]:
    """Parse a request's JSON body against ``spec``."""
    body = await read_json_body(request)
    strict = request.method in ("POST", "PUT")
    return parse_body(spec, body, request.headers.get("content-type"), strict=strict)


async def parse(request: Request, spec: RequestSpec) -> dict[str, Any]:
    """Parse a GET from its query, anything else from its JSON body."""
    if request.method == "GET":
        return parse_get(request, spec)
    return await parse_json(request, spec)


def rpc(
    router: APIRouter,
    path: str,
    *methods: str,
    spec: RequestSpec | None = None,
    spec_in: str = "auto",
) -> Callable[[Endpoint], Endpoint]:
    """Register ``fn`` on ``router`` for ``path`` and ``methods``, with MLflow error handling.

    ``spec`` (the request message) documents the route's inputs in the OpenAPI document: in
    the query for GET (or ``spec_in="query"``, for raw-body uploads), else in a JSON body.

    Example::

        @rpc(router, "/mlflow/runs/get", "GET")
        async def get_run(request: Request) -> Response: ...
    """

    def decorate(fn: Endpoint) -> Endpoint:
        wrapped = handle_errors(fn)
        # A function attribute, which mypy cannot declare: RpcFastPath may dispatch the route.
        wrapped.ardea_rpc = True  # type: ignore[attr-defined]
        for method in methods:
            router.add_api_route(
                path,
                wrapped,
                methods=[method],
                response_class=Response,
                name=fn.__name__,
                operation_id=f"{fn.__name__}_{method.lower()}",
                openapi_extra=(
                    openapi_extra(spec, "GET" if spec_in == "query" else method)
                    if spec is not None
                    else None
                ),
            )
        return fn

    return decorate
