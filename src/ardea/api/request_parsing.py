"""The generic request parser behind :mod:`ardea.api.mlflow_requests`.

A request message is a :class:`RequestSpec`: its fields, their wire types and which are
required. A GET is parsed from its query parameters (:func:`parse_query`), a POST, PATCH or
DELETE from its JSON body (:func:`parse_body`); both return a plain ``dict`` keyed by canonical
field name, with absent optional fields set to None (``[]`` when repeated) and enums as their
names. Every malformed request raises :class:`InvalidArgumentError` (HTTP 400
``INVALID_PARAMETER_VALUE``). This module is pure: no web framework is imported.

JSON bodies are typed as protobuf's JSON parser (``ParseDict``, behind MLflow's
``_get_request_message``) types them: a string field takes only a string; an int64 field a
number with an integral value or a string holding one (proto3 JSON writes int64 as strings);
a double field a number or a numeric string (``"NaN"``, ``"Infinity"`` included); a bool
field only ``true``/``false``; an enum its name, its number or its number as a string; a
repeated field a list; a message field an object. Anything else is a 400 with MLflow's
message (:func:`invalid_value`), e.g. ``Invalid value 5 for parameter 'name' supplied:  Hint:
Value was of type 'int'. See the API docs ...``. One deliberate difference: a bool for a
double (a metric ``value`` of ``true``) is refused, where protobuf reads it as 1.0.
Query strings (GET) are text: numbers and booleans (``true``/``false``, any case) are parsed
from it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from ardea._core.errors import InvalidArgumentError
from ardea.entities.run import Metric

__all__ = [
    "Field",
    "RequestSpec",
    "check_json_content_type",
    "decode_body",
    "invalid_value",
    "missing_value",
    "parse_body",
    "parse_dict",
    "parse_metrics",
    "parse_query",
]

_INT_RE = re.compile(r"[+-]?\d+")
_SPECIAL_DOUBLES = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a request message.

    Attributes:
        kind: ``string``, ``int64``, ``double``, ``bool``, ``enum``, ``message`` or ``map``
            (a proto ``map<string, string>``: a JSON object of strings).
        required: Whether an absent (or empty) value is rejected.
        repeated: Whether the field is a list.
        enum: For ``enum`` fields, the value names by their proto number.
        message: For ``message`` fields, the nested spec.
    """

    kind: str
    required: bool = False
    repeated: bool = False
    enum: Mapping[str, int] | None = None
    message: RequestSpec | None = None


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """The request message of one RPC.

    Attributes:
        name: The RPC or message name, for error messages.
        fields: Field name -> :class:`Field`.
        aliases: Deprecated field name -> canonical name (``run_uuid`` -> ``run_id``); the alias
            is used only when the canonical field is absent or empty.
    """

    name: str
    fields: Mapping[str, Field]
    aliases: Mapping[str, str] = field(default_factory=dict)


def missing_value(path: str) -> str:
    """MLflow's message for an absent required field."""
    return (
        f"Missing value for required parameter '{path}'. "
        "See the API docs for more information about request parameters."
    )


def invalid_value(path: str, value: Any) -> InvalidArgumentError:
    """MLflow's error for a value of the wrong type (``_validate_param_against_schema``).

    The value is shown as compact, key-sorted JSON, as MLflow shows it (cut at 1000
    characters).
    """
    try:
        shown = json.dumps(value, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        shown = repr(value)
    if len(shown) > 1000:
        shown = shown[:1000] + "..."
    return InvalidArgumentError(
        f"Invalid value {shown} for parameter '{path}' supplied:  Hint: Value was of type "
        f"'{type(value).__name__}'. See the API docs for more information about request "
        "parameters."
    )


_invalid = invalid_value


def check_json_content_type(content_type: str | None) -> None:
    """Reject a body that is not declared as JSON, with MLflow's message."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise InvalidArgumentError("Content-Type must be one of ['application/json']")


def parse_body(
    spec: RequestSpec, body: bytes, content_type: str | None, *, strict: bool = True
) -> dict[str, Any]:
    """Parse a JSON request body against ``spec``.

    Args:
        spec: The request message.
        body: Raw body bytes; an empty body is ``{}``.
        content_type: The request's Content-Type header.
        strict: Require a JSON Content-Type (MLflow does for POST and PUT, not for PATCH
            and DELETE).

    Raises:
        InvalidArgumentError: Wrong content type, invalid JSON, a non-object body, a value of
            the wrong type, or a missing required field.
    """
    return parse_dict(spec, decode_body(body, content_type, strict=strict))


def decode_body(body: bytes, content_type: str | None, *, strict: bool = True) -> dict[str, Any]:
    """Decode a JSON object body (checks as :func:`parse_body`, without a spec)."""
    if strict:
        check_json_content_type(content_type)
    if not body.strip():
        return {}
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidArgumentError(f"Request body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidArgumentError("Request body must be a JSON object.")
    return data


_FAST_METRIC_KEYS = frozenset(("key", "value", "timestamp", "step"))


def parse_metrics(spec: RequestSpec, raw: Any, path: str = "metrics") -> list[Metric]:
    """Parse a repeated Metric field straight into :class:`Metric` objects.

    The hot path of log-batch: the common, well-typed ``{key, value, timestamp, step}``
    object is checked inline; anything else goes through :func:`parse_dict` with ``spec``
    (the Metric message), which gives the exact error for a bad item.
    """
    if raw is None:
        return []
    if type(raw) is not list:
        raise _invalid(path, raw)
    out: list[Metric] = []
    append = out.append
    lo, hi = _INT64_MIN, _INT64_MAX
    value: Any  # a number once ``tv`` is checked below, a narrowing mypy cannot follow
    for i, m in enumerate(raw):
        if type(m) is dict and m.keys() <= _FAST_METRIC_KEYS:
            key, value, ts, step = m.get("key"), m.get("value"), m.get("timestamp"), m.get("step")
            tv = type(value)
            if (
                type(key) is str
                and key
                and (tv is float or tv is int)
                and type(ts) is int
                and lo <= ts <= hi
                and (step is None or (type(step) is int and lo <= step <= hi))
            ):
                append(Metric(key, float(value), ts, step or 0))
                continue
        if not isinstance(m, dict):
            raise _invalid(f"{path}[{i}]", m)
        d = parse_dict(spec, m, prefix=f"{path}[{i}].")
        append(
            Metric(
                d["key"],
                d["value"],
                d["timestamp"],
                d["step"] or 0,
                d.get("dataset_name") or None,
                d.get("dataset_digest") or None,
                d.get("model_id") or None,
            )
        )
    return out


def parse_dict(spec: RequestSpec, data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Validate and convert an already-decoded JSON object against ``spec``."""
    merged = _apply_aliases(spec, data) if spec.aliases else data
    out: dict[str, Any] = {}
    for name, f in spec.fields.items():
        raw = merged.get(name)
        camel = _CAMEL[name]
        if camel is not None and camel in merged:
            if name in merged:
                raise InvalidArgumentError(
                    f"Parameter '{prefix + name}' is given twice, as '{name}' and as '{camel}'."
                )
            raw = merged[camel]
        if f.repeated:
            if raw is None:
                items: list[Any] = []
            elif type(raw) is list:
                path = prefix + name
                items = [_convert_json(f, item, f"{path}[{i}]") for i, item in enumerate(raw)]
            else:
                raise _invalid(prefix + name, raw)
            if f.required and not items:
                raise InvalidArgumentError(missing_value(prefix + name))
            out[name] = items
            continue
        # Fast paths for the common, already well-typed values.
        kind, t = f.kind, type(raw)
        if raw is None:
            value = None
        elif kind == "string" and t is str:
            value = raw
        elif kind == "double" and (t is float or t is int):
            value = float(raw)
        elif kind == "int64" and t is int and _INT64_MIN <= raw <= _INT64_MAX:
            value = raw
        else:
            value = _convert_json(f, raw, prefix + name)
        if f.required and (value is None or value == ""):
            raise InvalidArgumentError(missing_value(prefix + name))
        out[name] = value
    return out


def parse_query(spec: RequestSpec, items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Parse GET query parameters against ``spec``.

    Repeated fields are repeated keys; for a scalar field the first value wins. Booleans are
    ``true``/``false`` in any case. Message fields cannot travel in a query string.

    Raises:
        InvalidArgumentError: A value of the wrong type or a missing required field.
    """
    grouped: dict[str, list[str]] = {}
    for key, given in items:
        grouped.setdefault(key, []).append(given)
    for alias, canonical in spec.aliases.items():
        if not any(grouped.get(canonical, [])) and alias in grouped:
            grouped[canonical] = grouped[alias]
    out: dict[str, Any] = {}
    for name, f in spec.fields.items():
        values = grouped.get(name, [])
        if f.kind == "message" and values:
            raise InvalidArgumentError(f"Parameter '{name}' cannot be passed as a query parameter.")
        if f.repeated:
            converted = [_convert_text(f, v, name) for v in values if v != "" or f.kind == "string"]
            if f.required and not converted:
                raise InvalidArgumentError(missing_value(name))
            out[name] = converted
        else:
            text = values[0] if values else None
            value = None
            if text is not None and (text != "" or f.kind == "string"):
                value = _convert_text(f, text, name)
            if f.required and (value is None or value == ""):
                raise InvalidArgumentError(missing_value(name))
            out[name] = value
    return out


def _camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class _CamelNames(dict[str, "str | None"]):
    """snake_case field name -> its lowerCamel JSON name (None when the same), memoized."""

    def __missing__(self, name: str) -> str | None:
        camel = _camel_case(name)
        value = camel if camel != name else None
        self[name] = value
        return value


_CAMEL = _CamelNames()


def _apply_aliases(spec: RequestSpec, data: Mapping[str, Any]) -> Mapping[str, Any]:
    if not spec.aliases:
        return data
    merged = dict(data)
    for alias, canonical in spec.aliases.items():
        if merged.get(canonical) in (None, "") and merged.get(alias) not in (None, ""):
            merged[canonical] = merged[alias]
    return merged


def _convert_json(f: Field, value: Any, path: str) -> Any:
    kind = f.kind
    if kind == "string":
        if isinstance(value, str):
            return value
        raise _invalid(path, value)  # a number is not coerced (protobuf refuses it too)
    if kind == "int64":
        return _to_int(value, path)
    if kind == "double":
        return _to_double(value, path)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise _invalid(path, value)  # "true" in JSON is a string (protobuf refuses it)
    if kind == "enum":
        return _to_enum(f, value, path)
    if kind == "message":
        if not isinstance(value, dict) or f.message is None:
            raise _invalid(path, value)
        return parse_dict(f.message, value, prefix=path + ".")
    if kind == "map":
        # The value is never echoed: maps carry credentials (a gateway secret's values).
        if not isinstance(value, dict):
            raise InvalidArgumentError(
                f"Invalid value for parameter '{path}': expected a map of strings "
                f"(a JSON object), not a {type(value).__name__}."
            )
        for key, item in value.items():
            if not isinstance(item, str):
                raise InvalidArgumentError(
                    f"Invalid value for parameter '{path}.{key}': expected a string, "
                    f"not a {type(item).__name__}."
                )
        return dict(value)
    raise AssertionError(f"unknown field kind {kind!r}")  # pragma: no cover


def _convert_text(f: Field, text: str, path: str) -> Any:
    if f.kind == "bool":
        low = text.strip().lower()
        if low in ("true", "false"):
            return low == "true"
        raise _invalid(path, text)
    if f.kind == "int64":
        return _to_int(text.strip(), path)  # query strings: surrounding blanks are tolerated
    return _convert_json(f, text, path)


def _to_int(value: Any, path: str) -> int:
    """An int64 as protobuf's JSON parser reads one (integral numbers and numeric strings)."""
    if isinstance(value, bool):
        raise _invalid(path, value)
    if isinstance(value, int):
        result = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and len(value) <= 25 and _INT_RE.fullmatch(value)
    ):
        result = int(value)  # (a longer digit string is out of range anyway)
    elif isinstance(value, str) and " " not in value and _integral_text(value):
        result = int(float(value))  # "1e3", "12.0": integral values, as protobuf takes them
    else:
        raise _invalid(path, value)
    if not _INT64_MIN <= result <= _INT64_MAX:
        raise _invalid(path, value)
    return result


def _integral_text(text: str) -> bool:
    try:
        number = float(text)
    except ValueError:
        return False
    return number.is_integer() and len(text) <= 40


def _to_double(value: Any, path: str) -> float:
    if isinstance(value, bool):
        raise _invalid(path, value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text in _SPECIAL_DOUBLES:
            return _SPECIAL_DOUBLES[text]
        try:
            result = float(text)
        except ValueError:
            raise _invalid(path, value) from None
        if math.isnan(result) or math.isinf(result):
            raise _invalid(path, value)
        return result
    raise _invalid(path, value)


def _to_enum(f: Field, value: Any, path: str) -> str:
    names = f.enum or {}
    if isinstance(value, str) and value in names:
        return value
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
        number = int(value.strip())
    if number is not None:
        for name, n in names.items():
            if n == number:
                return name
    raise InvalidArgumentError(
        f"Invalid value {value!r} for parameter '{path}' supplied. Expected one of {sorted(names)}."
    )
