"""OpenAPI fragments generated from the declarative MLflow request specs.

Handlers take the raw request (for speed), so FastAPI cannot infer their inputs; ``rpc(...,
spec=...)`` attaches these fragments instead: query parameters for GET, a JSON request body
for the other methods.
"""

from __future__ import annotations

from typing import Any

from ardea.api.mlflow_requests import Field, RequestSpec

__all__ = ["field_schema", "openapi_extra", "spec_schema"]

_SCALARS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "int64": {"type": "integer", "format": "int64"},
    "double": {
        "oneOf": [{"type": "number"}, {"type": "string", "enum": ["NaN", "Infinity", "-Infinity"]}]
    },
    "bool": {"type": "boolean"},
}


def field_schema(f: Field) -> dict[str, Any]:
    """JSON schema of one field."""
    if f.kind == "enum":
        schema: dict[str, Any] = {"type": "string", "enum": list(f.enum or {})}
    elif f.kind == "message" and f.message is not None:
        schema = spec_schema(f.message)
    elif f.kind == "map":
        schema = {"type": "object", "additionalProperties": {"type": "string"}}
    else:
        schema = dict(_SCALARS[f.kind])
    return {"type": "array", "items": schema} if f.repeated else schema


def _body_field(f: Field) -> dict[str, Any]:
    """A JSON body field: an optional one may also be ``null``, which reads as absent.

    As protobuf's JSON parsing does for MLflow's server (``{"artifact_location": null}`` is a
    create without one), so the document says what the server takes.
    """
    schema = field_schema(f)
    return schema if f.required else {"anyOf": [schema, {"type": "null"}]}


def spec_schema(spec: RequestSpec) -> dict[str, Any]:
    """JSON schema of a request message (an object)."""
    schema: dict[str, Any] = {
        "type": "object",
        "title": spec.name,
        "properties": {name: _body_field(f) for name, f in spec.fields.items()},
    }
    required = [name for name, f in spec.fields.items() if f.required]
    if required:
        schema["required"] = required
    return schema


def openapi_extra(spec: RequestSpec, method: str) -> dict[str, Any]:
    """The ``openapi_extra`` of one route: query parameters for GET, a JSON body otherwise."""
    if method == "GET":
        return {
            "parameters": [
                {
                    "name": name,
                    "in": "query",
                    "required": f.required,
                    "schema": field_schema(f),
                    **({"style": "form", "explode": True} if f.repeated else {}),
                }
                for name, f in spec.fields.items()
            ]
        }
    return {
        "requestBody": {
            "required": any(f.required for f in spec.fields.values()),
            "content": {"application/json": {"schema": spec_schema(spec)}},
        }
    }
