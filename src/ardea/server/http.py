"""Small helpers every router uses: register a route, parse a request, call a store, answer.

Handlers are ``async``; blocking store calls go through :func:`call` (Starlette's thread pool).
Answers are ``orjson`` bytes in a plain :class:`Response`: no response models on hot paths.
The parsing helpers live in :mod:`ardea.server.parsing` (re-exported here).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection
from typing import Any

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from ardea.api.mlflow_requests import RequestSpec
from ardea.server.access import Access, AccessKind
from ardea.server.authz import guarded
from ardea.server.errors import Endpoint, handle_errors
from ardea.server.openapi import openapi_extra
from ardea.server.openapi_responses import LOOKUP_ERRORS, Answer, path_parameters, responses
from ardea.server.parsing import (
    MAX_JSON_BODY_BYTES,
    call,
    json_object,
    parse,
    parse_get,
    parse_json,
    read_json_body,
)

__all__ = [
    "MAX_JSON_BODY_BYTES",
    "call",
    "empty",
    "json_object",
    "read_json_body",
    "json_response",
    "parse",
    "parse_get",
    "parse_json",
    "rpc",
]

_EMPTY_BODY = b"{}"


def json_response(obj: Any, status_code: int = 200) -> Response:
    """A JSON response serialized with orjson."""
    return Response(orjson.dumps(obj), status_code=status_code, media_type="application/json")


def empty() -> Response:
    """The ``{}`` answer of write RPCs."""
    return Response(_EMPTY_BODY, media_type="application/json")


def rpc(
    router: APIRouter,
    path: str,
    *methods: str,
    access: Access,
    response: Any,
    errors: Collection[int] = LOOKUP_ERRORS,
    spec: RequestSpec | None = None,
    spec_in: str = "auto",
    extra: dict[str, Any] | None = None,
) -> Callable[[Endpoint], Endpoint]:
    """Register ``fn`` on ``router`` for ``path`` and ``methods``, with MLflow error handling.

    ``access`` (required: a route without a rule does not type-check, and fails at import)
    is who may call it (:mod:`ardea.server.access`); the wrapper both the fast path and
    FastAPI call checks it on a server with ``--auth`` (:mod:`ardea.server.authz`).

    Everything else but the handler only documents the route in the OpenAPI document
    (nothing of it runs on a request):

    - ``response``: the 200 answer, a schema from :mod:`ardea.api.schemas` (JSON) or an
      :class:`~ardea.server.openapi_responses.Answer` (files, text, other media types);
    - ``errors``: the error statuses it may answer (MLflow's error envelope), from
      :data:`~ardea.server.openapi_responses.ERRORS`;
    - ``spec`` (the request message): its inputs, in the query for GET (or
      ``spec_in="query"``, for raw-body uploads), else in a JSON body;
    - ``extra``: anything else for the operation (merged into it).

    Path parameters (``{name}``) are declared whether or not the handler takes them.

    Example::

        @rpc(
            router,
            "/mlflow/runs/get",
            "GET",
            access=on(READ, run(), "experiment of run_id"),
            response=GetRunResponse,
            spec=rq.GET_RUN,
        )
        async def get_run(request: Request) -> Response: ...
    """
    if not isinstance(access, Access):
        raise TypeError(f"rpc({path!r}): access= must be an Access rule, got {access!r}")

    def decorate(fn: Endpoint) -> Endpoint:
        wrapped = handle_errors(guarded(fn, access, spec, spec_in))
        wrapped.ardea_access = access  # type: ignore[attr-defined]
        wrapped.ardea_spec = spec  # type: ignore[attr-defined]  # (tests build requests from it)
        # A function attribute, which mypy cannot declare: RpcFastPath may dispatch the route.
        wrapped.ardea_rpc = True  # type: ignore[attr-defined]
        declared = inspect.signature(fn).parameters
        refusals = () if access.kind is AccessKind.PUBLIC else (401, 403)  # with --auth
        answers = responses(response, sorted({*errors, *refusals}))
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
