"""A judge's ``feedback_value_type`` as the JSON schema of its ``result`` (and back).

The types MLflow's ``make_judge`` accepts: ``bool``, ``int``, ``float``, ``str``,
``Literal[...]`` of primitives, ``Optional[T]`` of those, ``dict[str, T]`` and ``list[T]``
with a primitive ``T``. Schemas are written as MLflow serializes them
(``{"type": "boolean"}``, ``{"enum": [...]}``, ``{"anyOf": [T, {"type": "null"}]}``, ...).
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union

from ardea._core.errors import InvalidArgumentError

__all__ = ["YES_NO", "schema_of", "type_from_schema"]

YES_NO = Literal["yes", "no"]
"""The categorical verdict of MLflow's built-in judges."""

_PRIMITIVES: dict[Any, str] = {bool: "boolean", int: "integer", float: "number", str: "string"}
_FROM_JSON: dict[str, Any] = {v: k for k, v in _PRIMITIVES.items()}


def _unsupported(value_type: Any) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"Unsupported feedback_value_type: {value_type!r}. Use bool, int, float, str, "
        "Literal[...], Optional[T], dict[str, T] or list[T] with a primitive T."
    )


def schema_of(value_type: Any) -> dict[str, Any]:
    """The JSON schema of a ``feedback_value_type``.

    Raises:
        InvalidArgumentError: A type MLflow's judges do not accept.
    """
    if value_type in _PRIMITIVES:
        return {"type": _PRIMITIVES[value_type]}
    origin = typing.get_origin(value_type)
    args = typing.get_args(value_type)
    if origin is Literal:
        if not args or not all(isinstance(a, (str, int, float, bool)) for a in args):
            raise _unsupported(value_type)
        return (
            {"type": _PRIMITIVES[type(args[0])], "enum": list(args)}
            if len({type(a) for a in args}) == 1
            else {"enum": list(args)}
        )
    if origin in (Union, types.UnionType):
        others = [a for a in args if a is not type(None)]
        if len(others) != 1 or len(args) != 2:
            raise _unsupported(value_type)
        return {"anyOf": [schema_of(others[0]), {"type": "null"}]}
    if origin is dict:
        if len(args) != 2 or args[0] is not str or args[1] not in _PRIMITIVES:
            raise _unsupported(value_type)
        return {"type": "object", "additionalProperties": {"type": _PRIMITIVES[args[1]]}}
    if origin is list:
        if len(args) != 1 or args[0] not in _PRIMITIVES:
            raise _unsupported(value_type)
        return {"type": "array", "items": {"type": _PRIMITIVES[args[0]]}}
    raise _unsupported(value_type)


def type_from_schema(schema: Any) -> Any:
    """The ``feedback_value_type`` a :func:`schema_of` schema (or MLflow's) describes.

    None (no schema) gives ``str``, MLflow's default.

    Raises:
        InvalidArgumentError: A schema no accepted type has.
    """
    if schema is None:
        return str
    if not isinstance(schema, dict):
        raise InvalidArgumentError(f"Invalid feedback_value_type serialization: {schema!r}")
    if "enum" in schema:
        values = schema["enum"]
        if not isinstance(values, list) or not values:
            raise InvalidArgumentError(f"Invalid feedback_value_type serialization: {schema!r}")
        return Literal[tuple(values)]
    if "anyOf" in schema:
        parts = [p for p in schema["anyOf"] if p != {"type": "null"}]
        if len(parts) != 1:
            raise InvalidArgumentError(f"Invalid feedback_value_type serialization: {schema!r}")
        return typing.Optional[type_from_schema(parts[0])]  # noqa: UP045
    kind = schema.get("type")
    if kind in _FROM_JSON:
        return _FROM_JSON[kind]
    if kind == "object":
        inner = (schema.get("additionalProperties") or {}).get("type")
        if inner not in _FROM_JSON:
            raise InvalidArgumentError(f"Invalid feedback_value_type serialization: {schema!r}")
        value: Any = _FROM_JSON[inner]
        return dict[str, value]
    if kind == "array":
        inner = (schema.get("items") or {}).get("type")
        if inner not in _FROM_JSON:
            raise InvalidArgumentError(f"Invalid feedback_value_type serialization: {schema!r}")
        item: Any = _FROM_JSON[inner]
        return list[item]
    raise InvalidArgumentError(f"Invalid feedback_value_type serialization: {schema!r}")
