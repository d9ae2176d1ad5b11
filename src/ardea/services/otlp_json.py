"""OTLP JSON ``ExportTraceServiceRequest`` bodies (``application/json``) to Ardea spans.

Hex ids (base64 tolerated: protobuf's own JSON mapping), lowerCamel or snake_case field names,
int64 as strings or numbers. See :mod:`ardea.services.ingest_otlp` for the rules.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from ardea._core.errors import InvalidArgumentError
from ardea.entities import SPAN_KINDS, Span, SpanEvent, SpanLink
from ardea.services.otlp_export import (
    STATUS_NAMES,
    TRACE_ID_PREFIX,
    OtlpExport,
    id_hex,
    kind_name,
    make_span,
)

__all__ = ["NO_SPANS_MESSAGE", "parse_otlp_json"]

NO_SPANS_MESSAGE = "Invalid OpenTelemetry format - no spans found"
"""The start of the 400 message for a request without ``resourceSpans`` (MLflow's words)."""
_INT_TEXT = re.compile(r"-?\d+")
_STATUS_BY_NAME = {
    "STATUS_CODE_UNSET": "UNSET",
    "STATUS_CODE_OK": "OK",
    "STATUS_CODE_ERROR": "ERROR",
    "UNSET": "UNSET",
    "OK": "OK",
    "ERROR": "ERROR",
}


def parse_otlp_json(data: bytes) -> OtlpExport:
    """Parse an OTLP JSON ``ExportTraceServiceRequest`` (hex ids).

    Raises:
        InvalidArgumentError: Invalid JSON, wrong shapes, ids that are neither hex nor base64,
            or no ``resourceSpans``.
        SpanConversionError: A span with a missing or wrong-sized id, or a time out of range.
    """
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidArgumentError(f"Malformed OTLP JSON body: {exc}") from None
    if not isinstance(doc, dict):
        raise InvalidArgumentError("An OTLP JSON body must be an object with resourceSpans.")
    resource_spans = _list(_get(doc, "resourceSpans", "resource_spans"), "resourceSpans")
    if not resource_spans:
        raise InvalidArgumentError(f"{NO_SPANS_MESSAGE}: the request has no resourceSpans.")
    export = OtlpExport()
    for raw_rs in resource_spans:
        rs = _dict(raw_rs, "resourceSpans[]")
        raw_resource = _dict(rs.get("resource"), "resource")
        resource = dict(_json_kvs(raw_resource.get("attributes"), "resource.attributes"))
        for key, value in resource.items():
            export.resource_attributes.setdefault(key, value)
        for ss in _list(_get(rs, "scopeSpans", "scope_spans"), "scopeSpans"):
            for raw in _list(_dict(ss, "scopeSpans[]").get("spans"), "spans"):
                export.add(_json_span(_dict(raw, "span")), resource)
    return export


def _get(d: Mapping[str, Any], camel: str, snake: str) -> Any:
    value = d.get(camel)
    return d.get(snake) if value is None else value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidArgumentError(f"OTLP JSON field {what!r} must be a list.")
    return value


def _dict(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidArgumentError(f"OTLP JSON field {what!r} must be an object.")
    return value


def _json_int(value: Any, what: str) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise InvalidArgumentError(f"OTLP JSON field {what!r} must be an integer.")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT_TEXT.fullmatch(value):
        return int(value)
    raise InvalidArgumentError(f"OTLP JSON field {what!r} must be an integer, got {value!r}.")


def _json_double(value: Any, what: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)  # also "NaN", "Infinity", "-Infinity"
        except ValueError:
            pass
    raise InvalidArgumentError(f"OTLP JSON {what} must be a number, got {value!r}.")


def _json_id(value: Any, size: int, what: str, span_name: str) -> str:
    """A JSON id (hex, or base64 as protobuf's JSON mapping writes bytes) as hex.

    Missing or empty is a :class:`SpanConversionError` (as an empty protobuf id); anything
    that is not a string, or neither hex nor base64, makes the body malformed.
    """
    if value is None or value == "":
        return id_hex(b"", size, what, span_name)
    return id_hex(_json_id_bytes(value, what), size, what, span_name)


def _json_id_bytes(value: Any, what: str) -> bytes:
    """The bytes of a JSON id: hex (OTLP JSON) or base64 (protobuf's JSON mapping)."""
    if not isinstance(value, str):
        raise InvalidArgumentError(f"OTLP JSON {what} must be a hex string.")
    try:
        return bytes.fromhex(value)
    except ValueError:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidArgumentError(
                f"Invalid OTLP JSON {what} {value[:64]!r}: expected hex."
            ) from None


def _json_links(items: Any) -> list[SpanLink]:
    links = []
    for raw in (_dict(x, "link") for x in _list(items, "links")):
        trace = _get(raw, "traceId", "trace_id")
        span = _get(raw, "spanId", "span_id")
        if not trace or not span:
            continue
        trace_raw = _json_id_bytes(trace, "links.traceId")
        span_raw = _json_id_bytes(span, "links.spanId")
        if len(trace_raw) == 16 and len(span_raw) == 8:
            attributes = dict(_json_kvs(raw.get("attributes"), "links.attributes"))
            links.append(SpanLink(TRACE_ID_PREFIX + trace_raw.hex(), span_raw.hex(), attributes))
    return links


def _json_kind(value: Any) -> str:
    if isinstance(value, str) and not _INT_TEXT.fullmatch(value):
        name = value.upper().removeprefix("SPAN_KIND_")
        return name if name in SPAN_KINDS else "INTERNAL"
    return kind_name(_json_int(value, "kind"))


def _json_value(v: Any, what: str) -> Any:
    if not isinstance(v, dict):
        raise InvalidArgumentError(f"OTLP JSON {what} must be an AnyValue object.")
    for key in ("stringValue", "string_value"):
        if key in v:
            return v[key]
    for key in ("boolValue", "bool_value"):
        if key in v:
            return bool(v[key])
    for key in ("intValue", "int_value"):
        if key in v:
            return _json_int(v[key], what)
    for key in ("doubleValue", "double_value"):
        if key in v:
            return _json_double(v[key], what)
    arr = _get(v, "arrayValue", "array_value")
    if arr is not None:
        return [_json_value(x, what) for x in _list(_dict(arr, what).get("values"), what)]
    kvl = _get(v, "kvlistValue", "kvlist_value")
    if kvl is not None:
        return dict(_json_kvs(_dict(kvl, what).get("values"), what))
    raw = _get(v, "bytesValue", "bytes_value")
    if raw is not None:
        return raw
    return None


def _json_kvs(items: Any, what: str) -> Iterable[tuple[str, Any]]:
    for kv in _list(items, what):
        kv = _dict(kv, what)
        key = kv.get("key")
        if not isinstance(key, str):
            raise InvalidArgumentError(f"OTLP JSON {what} entries need a string key.")
        yield key, _json_value(kv.get("value") or {}, f"{what}.{key}")


def _json_span(raw: dict[str, Any]) -> Span:
    name = raw.get("name", "")
    name = name if isinstance(name, str) else str(name)
    trace_hex = _json_id(_get(raw, "traceId", "trace_id"), 16, "traceId", name)
    span_hex = _json_id(_get(raw, "spanId", "span_id"), 8, "spanId", name)
    parent_raw = _get(raw, "parentSpanId", "parent_span_id")
    parent = _json_id(parent_raw, 8, "parentSpanId", name) if parent_raw else None
    status = _dict(raw.get("status"), "status")
    code = status.get("code", 0)
    status_code = (
        _STATUS_BY_NAME.get(code, "UNSET")
        if isinstance(code, str)
        else STATUS_NAMES.get(_json_int(code, "status.code"), "UNSET")
    )
    events = [
        SpanEvent(
            name=str(e.get("name", "")),
            time_ns=_json_int(_get(e, "timeUnixNano", "time_unix_nano"), "timeUnixNano"),
            attributes=dict(_json_kvs(e.get("attributes"), "event.attributes")),
        )
        for e in (_dict(x, "event") for x in _list(raw.get("events"), "events"))
    ]
    return make_span(
        trace_hex,
        span_hex,
        parent,
        name,
        status_code,
        str(status.get("message") or ""),
        _json_int(_get(raw, "startTimeUnixNano", "start_time_unix_nano"), "startTimeUnixNano"),
        _json_int(_get(raw, "endTimeUnixNano", "end_time_unix_nano"), "endTimeUnixNano"),
        dict(_json_kvs(raw.get("attributes"), "attributes")),
        events,
        _json_kind(raw.get("kind")),
        _json_links(raw.get("links")),
    )
