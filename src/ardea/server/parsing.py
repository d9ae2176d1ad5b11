"""Parse a request (once, whoever asks first) and call a store off the event loop.

The access check of a route (:mod:`ardea.server.authz`) and its handler may both parse the
same request: the first parse against a spec is kept in the request's scope, so the second
costs a dict lookup (and a JSON body is decoded once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ardea._core.errors import InvalidArgumentError
from ardea.api.mlflow_requests import RequestSpec, decode_body, parse_dict, parse_query

__all__ = [
    "MAX_JSON_BODY_BYTES",
    "call",
    "json_object",
    "parse",
    "parse_get",
    "parse_json",
    "read_json_body",
]

T = TypeVar("T")

MAX_JSON_BODY_BYTES = 16 * 1024 * 1024
"""Largest JSON request body accepted (artifact uploads are raw bodies and have no limit)."""


async def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking (store) call in the thread pool and return its result."""
    return await run_in_threadpool(fn, *args, **kwargs)


_PARSED = "ardea.parsed"  # scope key: (spec, fields) of the request's last parse


def _cached(request: Request, spec: RequestSpec) -> dict[str, Any] | None:
    """The fields already parsed against ``spec`` for this request (by the access check)."""
    found = request.scope.get(_PARSED)
    return found[1] if found is not None and found[0] is spec else None


def parse_get(request: Request, spec: RequestSpec) -> dict[str, Any]:
    """Parse a request's query parameters against ``spec`` (once per request and spec)."""
    found = _cached(request, spec)
    if found is not None:
        return found
    fields = parse_query(spec, request.query_params.multi_items())
    request.scope[_PARSED] = (spec, fields)
    return fields


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


async def json_object(request: Request) -> dict[str, Any]:
    """The request's JSON body decoded (once per request: the access check may read it first).

    MLflow's rule: POST and PUT bodies must be declared JSON, PATCH and DELETE need not.
    """
    found = request.scope.get(_DECODED)
    if found is not None:
        decoded: dict[str, Any] = found
        return decoded
    body = await read_json_body(request)
    strict = request.method in ("POST", "PUT")
    decoded = decode_body(body, request.headers.get("content-type"), strict=strict)
    request.scope[_DECODED] = decoded
    return decoded


_DECODED = "ardea.json"  # scope key: the decoded JSON body


async def parse_json(request: Request, spec: RequestSpec) -> dict[str, Any]:
    """Parse a request's JSON body against ``spec`` (once per request and spec)."""
    found = _cached(request, spec)
    if found is not None:
        return found
    fields = parse_dict(spec, await json_object(request))
    request.scope[_PARSED] = (spec, fields)
    return fields


async def parse(request: Request, spec: RequestSpec) -> dict[str, Any]:
    """Parse a GET from its query, anything else from its JSON body."""
    if request.method == "GET":
        return parse_get(request, spec)
    return await parse_json(request, spec)
