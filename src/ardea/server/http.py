"""Small helpers every router uses: parse a request, call a store off the event loop, answer.

Handlers are ``async``; blocking store calls go through :func:`call` (Starlette's thread pool).
Answers are ``orjson`` bytes in a plain :class:`Response`: no response models on hot paths.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection
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
from ardea.server.openapi_responses import LOOKUP_ERRORS, Answer, path_parameters, responses

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
    response: Any,
    errors: Collection[int] = LOOKUP_ERRORS,
    spec: RequestSpec | None = None,
    spec_in: str = "auto",
    extra: dict[str, Any] | None = None,
) -> Callable[[Endpoint], Endpoint]:
    """Register ``fn`` on ``router`` for ``path`` and ``methods``, with MLflow error handling.

    Everything but the handler only documents the route in the OpenAPI document (nothing of
    it runs on a request):

    - ``response``: the 200 answer, a schema from :mod:`ardea.api.schemas` (JSON) or an
      :class:`~ardea.server.openapi_responses.Answer` (files, text, other media types);
    - ``errors``: the error statuses it may answer (MLflow's error envelope), from
      :data:`~ardea.server.openapi_responses.ERRORS`;
    - ``spec`` (the request message): its inputs, in the query for GET (or
      ``spec_in="query"``, for raw-body uploads), else in a JSON body;
    - ``extra``: anything else for the operation (merged into it).

    Path parameters (``{name}``) are declared whether or not the handler takes them.

    Example::

        @rpc(router, "/mlflow/runs/get", "GET", response=GetRunResponse, spec=rq.GET_RUN)
        async def get_run(request: Request) -> Response: ...
    """

    def decorate(fn: Endpoint) -> Endpoint:
        wrapped = handle_errors(fn)
        # A function attribute, which mypy cannot declare: RpcFastPath may dispatch the route.
        wrapped.ardea_rpc = True  # type: ignore[attr-defined]
        declared = inspect.signature(fn).parameters
        answers = responses(response, errors)
        status = response.status if isinstance(response, Answer) else 200
        for method in methods:
            router.add_api_route(
                path,
                wrapped,
                methods=[method],
                status_code=status,  # documented as given (FastAPI adds a 200 otherwise)
                response_class=Response,
                name=fn.__name__,
                operation_id=f"{fn.__name__}_{method.lower()}",
                openapi_extra=_operation_extra(path, declared, method, spec, spec_in, extra)
                | {"responses": answers},
            )
        return fn

    return decorate


def _operation_extra(
    path: str,
    declared: Collection[str],
    method: str,
    spec: RequestSpec | None,
    spec_in: str,
    extra: dict[str, Any] | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    parameters = path_parameters(path, declared)
    if spec is not None:
        fragment = openapi_extra(spec, "GET" if spec_in == "query" else method)
        parameters += fragment.pop("parameters", [])
        out.update(fragment)
    if parameters:
        out["parameters"] = parameters
    out.update(extra or {})
    return out
