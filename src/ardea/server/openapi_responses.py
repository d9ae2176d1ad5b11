"""The answers and path parameters of each route in the OpenAPI document.

Handlers answer ``orjson`` bytes in a plain ``Response`` (no response models, for speed), so
FastAPI cannot see what they send; ``rpc(..., response=..., errors=...)`` declares it instead:
the 200 answer (a schema from :mod:`ardea.api.schemas`, or an :class:`Answer` for files, text
and other media types) and the error statuses, each with MLflow's error envelope.

Everything here only shapes the document, and lazily: a route records a ``$ref`` to its
schema's name, and the JSON schemas themselves are built (with pydantic) only when the
document is, so neither a request nor the server's start pays for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import FastAPI

from ardea.api.schemas.common import ErrorResponse

__all__ = [
    "ERRORS",
    "FILE",
    "INPUT_ERRORS",
    "LOOKUP_ERRORS",
    "STORE_ERRORS",
    "TEXT",
    "Answer",
    "component_schemas",
    "finish_document",
    "install_document",
    "path_parameters",
    "responses",
]

ERRORS: dict[int, str] = {
    400: "Invalid request (`INVALID_PARAMETER_VALUE`, `RESOURCE_ALREADY_EXISTS`, "
    "`INVALID_STATE`, `BAD_REQUEST`).",
    401: "`UNAUTHENTICATED`: no valid credentials (a wrong password, no live session); on a "
    'server with `--auth`, with `WWW-Authenticate: Basic realm="mlflow"` for API clients.',
    403: "Refused (`PERMISSION_DENIED`): a Host header not on the allow-list, a cross-origin "
    "write, or an artifact location outside the server's artifact roots; on a server with "
    "`--auth`, a caller who may see the resource but not do this, or a session request "
    "without its CSRF token.",
    404: "`RESOURCE_DOES_NOT_EXIST`: something the request names is not there.",
    422: "`INVALID_PARAMETER_VALUE`: a well-formed request that cannot be taken as it is "
    "(OTLP: no experiment named, or a span that cannot be converted).",
    429: "`REQUEST_LIMIT_EXCEEDED`: too many failed logins; `Retry-After` says when to try again.",
    500: "`INTERNAL_ERROR`: the message names a request id; the details are in the server log.",
    501: "`NOT_IMPLEMENTED`: this server's store does not support the operation.",
}
"""Every error status a route may declare, with what it means (the body is always
:class:`~ardea.api.schemas.common.ErrorResponse`)."""

INPUT_ERRORS = (400, 403, 500)
"""Routes that look nothing up by id or name (creates of new names, searches)."""
LOOKUP_ERRORS = (400, 403, 404, 500)
"""Routes that read or change something the request names (the default)."""
STORE_ERRORS = (*LOOKUP_ERRORS, 501)
"""Lookups in a store that a server over a non-SQL tracking store lacks (traces, registry,
webhooks)."""

_PATH_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


@dataclass(frozen=True)
class Answer:
    """A success answer beyond one JSON schema: files, text, media types, or another status.

    Attributes:
        description: What the answer is.
        content: Media type -> OpenAPI media type object, for the non-JSON bodies.
        model: A JSON schema type, documented as ``application/json`` next to ``content``.
        headers: Response headers worth documenting (name -> OpenAPI header object).
        status: The success status (201 for MLflow's CreateWorkspace, 204 for an empty body).
    """

    description: str
    content: Mapping[str, Any] = field(default_factory=dict)
    model: Any = None
    headers: Mapping[str, Any] = field(default_factory=dict)
    status: int = 200


_BINARY = {"schema": {"type": "string", "format": "binary"}}

TEXT = Answer("Plain text.", {"text/plain": {"schema": {"type": "string"}}})
"""A plain-text answer (``/health``, ``/version``)."""
FILE = Answer(
    "The file's bytes, as an attachment (the content type follows the file name; HTML and "
    "SVG are sent as text, never to be rendered).",
    {"*/*": _BINARY},
)
"""A file download."""


_REGISTERED: dict[str, Any] = {}
"""Component name -> schema type, for every type a route's answers name."""


def _ref(schema: Any) -> dict[str, str]:
    name = schema.__name__
    if _REGISTERED.setdefault(name, schema) is not schema:
        raise ValueError(f"Two response schemas are named {name!r}: rename one.")
    return {"$ref": f"#/components/schemas/{name}"}


def responses(response: Any, errors: Collection[int]) -> dict[str, dict[str, Any]]:
    """The OpenAPI ``responses`` of one route: its success answer and its error statuses.

    Args:
        response: A schema type (``TypedDict``) for a JSON answer, or an :class:`Answer`.
        errors: Statuses from :data:`ERRORS`.
    """
    status = 200
    if isinstance(response, Answer):
        ok: dict[str, Any] = {"description": response.description}
        content = dict(response.content)
        if response.model is not None:
            content["application/json"] = {"schema": _ref(response.model)}
        if content:
            ok["content"] = content
        if response.headers:
            ok["headers"] = dict(response.headers)
        status = response.status
    else:
        ok = {"description": _summary(response), "content": _json(response)}
    out = {str(status): ok}
    for status in sorted(errors):
        out[str(status)] = {"description": ERRORS[status], "content": _json(ErrorResponse)}
    return out


def _json(schema: Any) -> dict[str, Any]:
    return {"application/json": {"schema": _ref(schema)}}


def _summary(schema: Any) -> str:
    doc = (getattr(schema, "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else "Successful answer."


def component_schemas(doc: dict[str, Any]) -> dict[str, Any]:
    """The JSON schemas of the response types ``doc`` refers to, and of the types they use."""
    from pydantic import TypeAdapter
    from pydantic.json_schema import GenerateJsonSchema

    class WithoutFieldTitles(GenerateJsonSchema):
        """Pydantic's generator, less the ``title`` it derives from each key ("Run Id")."""

        def field_title_should_be_set(self, schema: Any) -> bool:
            return False

    mode: Literal["serialization"] = "serialization"
    adapters = [(name, mode, TypeAdapter(t)) for name, t in _REGISTERED.items()]
    tops, defs = TypeAdapter.json_schemas(
        adapters,
        ref_template="#/components/schemas/{model}",
        schema_generator=WithoutFieldTitles,
    )
    schemas: dict[str, Any] = defs.get("$defs", {})
    for (name, _), top in tops.items():
        if top != {"$ref": f"#/components/schemas/{name}"}:
            schemas[name] = top
    used: dict[str, Any] = {}
    todo = _refs(doc.get("paths", {}))
    while todo:
        name = todo.pop()
        if name not in used and name in schemas:
            used[name] = schemas[name]
            todo |= _refs(schemas[name])
    return used


def _refs(node: Any) -> set[str]:
    """The component names that ``$ref``s in ``node`` point at."""
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def path_parameters(path: str, declared: Collection[str]) -> list[dict[str, Any]]:
    """OpenAPI parameters for the ``{name}`` segments of ``path`` not in ``declared``.

    FastAPI documents path parameters only when the handler takes them as arguments; most
    handlers read ``request.path_params`` instead, so their parameters are added here.
    """
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(path)
        if name not in declared
    ]


def finish_document(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` (changed in place) with the response schemas, without FastAPI's 422 answers.

    FastAPI adds a 422 ``HTTPValidationError`` to every route whose handler takes path
    parameters as arguments. Those parameters are plain strings, which never fail
    validation, and every error Ardea sends is MLflow's envelope, so those 422s are dropped
    (a route's own 422, declared through ``errors``, stays).
    """
    for operations in doc.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if "HTTPValidationError" in str(responses.get("422", "")):
                del responses["422"]
    schemas = dict(doc.get("components", {}).get("schemas", {}))
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas.update(component_schemas(doc))
    doc["components"] = {**doc.get("components", {}), "schemas": dict(sorted(schemas.items()))}
    return doc


def install_document(
    app: FastAPI, extend: Callable[[dict[str, Any]], object] | None = None
) -> None:
    """Make ``app.openapi()`` (and ``/openapi.json``) answer :func:`finish_document`.

    Args:
        app: The app.
        extend: Adds what FastAPI cannot see to the finished document (the AI gateway's
            paths, :func:`ardea.server.openapi_gateway.add_gateway_paths`).
    """
    generate = app.openapi
    finished: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        doc = generate()  # cached by FastAPI: finish each document once
        if not finished or finished[0] is not doc:
            finished[:] = [finish_document(doc)]
            if extend is not None:
                extend(doc)
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
