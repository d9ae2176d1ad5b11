"""OTLP/HTTP trace ingest: ``ExportTraceServiceRequest`` bodies to Ardea spans.

Accepts the protobuf encoding (``application/x-protobuf``, what the OpenTelemetry exporters and
the ``mlflow`` client send) and OTLP JSON (``application/json``: hex ids, lowerCamel or
snake_case field names, int64 as strings or numbers), optionally gzip- or deflate-compressed.
Protobuf messages are walked directly (no ``MessageToDict``: it is an order of magnitude slower).

Every span gets ``trace_id = "tr-" + hex(otel trace id)``, hex span ids, decoded attribute
values (``mlflow.*`` values that arrive JSON-dumped, as the ``mlflow`` client sends them, are
JSON-decoded) and the normalized attributes of :mod:`ardea.llm.semconv`. Anything
malformed raises :class:`InvalidArgumentError`; nothing is half-parsed. That includes a time
outside ``0..2**63-1`` ns (:data:`MAX_TIME_NS`): valid ``fixed64`` in protobuf, but more than a
store's signed 64-bit time column holds.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Span, SpanEvent, SpanType
from ardea.llm.semconv import normalize_attributes

__all__ = [
    "MAX_DECOMPRESSED_BYTES",
    "MAX_TIME_NS",
    "OtlpExport",
    "decompress",
    "parse_export",
    "parse_otlp_json",
    "parse_otlp_protobuf",
]

MAX_DECOMPRESSED_BYTES = 128 * 1024 * 1024
"""Largest decompressed OTLP body accepted (guards against compression bombs)."""

MAX_TIME_NS = 2**63 - 1
"""Latest span or event time accepted, in ns since the epoch (the year 2262): stores keep
times as signed 64-bit integers, while OTLP's ``fixed64`` would allow twice as much."""

TRACE_ID_PREFIX = "tr-"
_INT_TEXT = re.compile(r"-?\d+")
_REQUEST_ID_KEY = "mlflow.traceRequestId"
_STATUS_NAMES = {0: "UNSET", 1: "OK", 2: "ERROR"}
_STATUS_BY_NAME = {
    "STATUS_CODE_UNSET": "UNSET",
    "STATUS_CODE_OK": "OK",
    "STATUS_CODE_ERROR": "ERROR",
    "UNSET": "UNSET",
    "OK": "OK",
    "ERROR": "ERROR",
}


@dataclass(slots=True)
class OtlpExport:
    """The spans of one export request, grouped by trace.

    Attributes:
        traces: Spans by Ardea trace id (``tr-`` + 32 hex), in arrival order.
        resource_attributes: Attributes of the request's resources (the first resource wins
            when several set the same key).
        trace_resources: Per trace id, the attributes of the resource whose spans first
            carried it (a collector may batch several services into one request).
    """

    traces: dict[str, list[Span]] = field(default_factory=dict)
    resource_attributes: dict[str, Any] = field(default_factory=dict)
    trace_resources: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def spans(self) -> list[Span]:
        """Every span of the request."""
        return [s for spans in self.traces.values() for s in spans]

    def add(self, span: Span, resource: dict[str, Any] | None = None) -> None:
        """Append ``span`` to its trace's list; ``resource`` is its resource's attributes."""
        spans = self.traces.get(span.trace_id)
        if spans is None:
            self.traces[span.trace_id] = spans = []
            if resource is not None:
                self.trace_resources[span.trace_id] = resource
        spans.append(span)


def decompress(body: bytes, content_encoding: str | None) -> bytes:
    """``body`` decoded per its ``Content-Encoding`` (``gzip``, ``deflate`` or none).

    Raises:
        InvalidArgumentError: Unknown encoding, corrupt data, or more than
            :data:`MAX_DECOMPRESSED_BYTES` once decompressed.
    """
    encoding = (content_encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding in ("gzip", "x-gzip"):
        return _inflate(body, 16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        try:
            return _inflate(body, zlib.MAX_WBITS)
        except InvalidArgumentError:
            return _inflate(body, -zlib.MAX_WBITS)  # raw deflate, as some clients send
    raise InvalidArgumentError(
        f"Unsupported Content-Encoding {content_encoding!r}: use gzip, deflate or none."
    )


def _inflate(body: bytes, wbits: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(body, MAX_DECOMPRESSED_BYTES + 1)
    except zlib.error as exc:
        raise InvalidArgumentError(f"The compressed request body is corrupt: {exc}.") from None
    if len(out) > MAX_DECOMPRESSED_BYTES or inflater.unconsumed_tail:
        raise InvalidArgumentError(
            f"The decompressed request body exceeds {MAX_DECOMPRESSED_BYTES} bytes."
        )
    if not inflater.eof:
        raise InvalidArgumentError("The compressed request body is truncated.")
    return out


def parse_export(
    body: bytes, content_type: str | None, content_encoding: str | None = None
) -> OtlpExport:
    """Parse an OTLP/HTTP trace export body by its content type and encoding.

    Raises:
        InvalidArgumentError: Unsupported content type or malformed body.
    """
    data = decompress(body, content_encoding)
    media = (content_type or "application/x-protobuf").split(";")[0].strip().lower()
    if media in ("application/x-protobuf", "application/protobuf", "application/octet-stream"):
        return parse_otlp_protobuf(data)
    if media == "application/json":
        return parse_otlp_json(data)
    raise InvalidArgumentError(
        f"Unsupported Content-Type {content_type!r} for OTLP: "
        "use application/x-protobuf or application/json."
    )


# ---------------------------------------------------------------------------------------------
# Protobuf
# ---------------------------------------------------------------------------------------------


def parse_otlp_protobuf(data: bytes) -> OtlpExport:
    """Parse a protobuf ``ExportTraceServiceRequest``.

    Raises:
        InvalidArgumentError: Undecodable bytes or invalid ids.
    """
    from google.protobuf.message import DecodeError
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    request = ExportTraceServiceRequest()
    try:
        request.ParseFromString(data)
    except (DecodeError, ValueError, RuntimeError) as exc:
        raise InvalidArgumentError(f"Malformed OTLP protobuf body: {exc}") from None
    export = OtlpExport()
    for resource_spans in request.resource_spans:
        resource = {kv.key: _pb_value(kv.value) for kv in resource_spans.resource.attributes}
        for key, value in resource.items():
            export.resource_attributes.setdefault(key, value)
        for scope_spans in resource_spans.scope_spans:
            for pb in scope_spans.spans:
                export.add(_pb_span(pb), resource)
    return export


def _pb_value(v: Any) -> Any:
    kind = v.WhichOneof("value")
    if kind is None:
        return None
    if kind == "string_value":
        return v.string_value
    if kind == "array_value":
        return [_pb_value(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _pb_value(kv.value) for kv in v.kvlist_value.values}
    if kind == "bytes_value":
        return base64.b64encode(v.bytes_value).decode("ascii")
    return getattr(v, kind)


def _pb_span(pb: Any) -> Span:
    trace_hex = _id_hex(pb.trace_id, 16, "trace_id")
    span_hex = _id_hex(pb.span_id, 8, "span_id")
    parent = _id_hex(pb.parent_span_id, 8, "parent_span_id") if pb.parent_span_id else None
    attributes = {kv.key: _pb_value(kv.value) for kv in pb.attributes}
    events = [
        SpanEvent(
            name=e.name,
            time_ns=e.time_unix_nano,
            attributes={kv.key: _pb_value(kv.value) for kv in e.attributes},
        )
        for e in pb.events
    ]
    return _make_span(
        trace_hex,
        span_hex,
        parent,
        pb.name,
        _STATUS_NAMES.get(pb.status.code, "UNSET"),
        pb.status.message,
        pb.start_time_unix_nano,
        pb.end_time_unix_nano,
        attributes,
        events,
    )


def _id_hex(raw: bytes, size: int, what: str) -> str:
    if len(raw) != size or not any(raw):
        raise InvalidArgumentError(
            f"Invalid OTLP {what}: expected {size} bytes, not all zero; got {len(raw)} bytes."
        )
    return raw.hex()


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------


def parse_otlp_json(data: bytes) -> OtlpExport:
    """Parse an OTLP JSON ``ExportTraceServiceRequest`` (hex ids).

    Raises:
        InvalidArgumentError: Invalid JSON, wrong shapes or invalid ids.
    """
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidArgumentError(f"Malformed OTLP JSON body: {exc}") from None
    if not isinstance(doc, dict):
        raise InvalidArgumentError("An OTLP JSON body must be an object with resourceSpans.")
    export = OtlpExport()
    for raw_rs in _list(_get(doc, "resourceSpans", "resource_spans"), "resourceSpans"):
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


def _json_id(value: Any, size: int, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentError(f"OTLP JSON {what} must be a hex string.")
    text = value.lower()
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = b""
        try:  # tolerate base64 ids (protobuf's canonical JSON mapping)
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            pass
    return _id_hex(raw, size, what)


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
    trace_hex = _json_id(_get(raw, "traceId", "trace_id"), 16, "traceId")
    span_hex = _json_id(_get(raw, "spanId", "span_id"), 8, "spanId")
    parent_raw = _get(raw, "parentSpanId", "parent_span_id")
    parent = _json_id(parent_raw, 8, "parentSpanId") if parent_raw else None
    status = _dict(raw.get("status"), "status")
    code = status.get("code", 0)
    status_code = (
        _STATUS_BY_NAME.get(code, "UNSET")
        if isinstance(code, str)
        else _STATUS_NAMES.get(_json_int(code, "status.code"), "UNSET")
    )
    events = [
        SpanEvent(
            name=str(e.get("name", "")),
            time_ns=_json_int(_get(e, "timeUnixNano", "time_unix_nano"), "timeUnixNano"),
            attributes=dict(_json_kvs(e.get("attributes"), "event.attributes")),
        )
        for e in (_dict(x, "event") for x in _list(raw.get("events"), "events"))
    ]
    name = raw.get("name", "")
    return _make_span(
        trace_hex,
        span_hex,
        parent,
        name if isinstance(name, str) else str(name),
        status_code,
        str(status.get("message") or ""),
        _json_int(_get(raw, "startTimeUnixNano", "start_time_unix_nano"), "startTimeUnixNano"),
        _json_int(_get(raw, "endTimeUnixNano", "end_time_unix_nano"), "endTimeUnixNano"),
        dict(_json_kvs(raw.get("attributes"), "attributes")),
        events,
    )


# ---------------------------------------------------------------------------------------------
# Common
# ---------------------------------------------------------------------------------------------


def _make_span(
    trace_hex: str,
    span_hex: str,
    parent: str | None,
    name: str,
    status_code: str,
    status_message: str,
    start_ns: int,
    end_ns: int,
    attributes: dict[str, Any],
    events: list[SpanEvent],
) -> Span:
    _check_time(start_ns, "startTimeUnixNano", span_hex)
    _check_time(end_ns, "endTimeUnixNano", span_hex)
    for event in events:
        _check_time(event.time_ns, "events.timeUnixNano", span_hex)
    for key, value in attributes.items():
        if key.startswith("mlflow.") and isinstance(value, str):
            attributes[key] = _json_or_text(value)
    trace_id = TRACE_ID_PREFIX + trace_hex
    attributes[_REQUEST_ID_KEY] = trace_id
    normalize_attributes(attributes, events)
    span_type = attributes.get("mlflow.spanType")
    return Span(
        trace_id=trace_id,
        span_id=span_hex,
        parent_span_id=parent,
        name=name,
        span_type=span_type if isinstance(span_type, str) and span_type else SpanType.UNKNOWN.value,
        status_code=status_code,
        status_message=status_message,
        start_time_ns=start_ns,
        end_time_ns=end_ns or None,
        attributes=attributes,
        events=events,
    )


def _check_time(ns: int, what: str, span_hex: str) -> None:
    if not 0 <= ns <= MAX_TIME_NS:
        raise InvalidArgumentError(
            f"Invalid OTLP {what} {ns} of span {span_hex}: times must be from 0 to "
            f"{MAX_TIME_NS} ns since the epoch."
        )


def _json_or_text(value: str) -> Any:
    if not value or value[0] not in '"{[-0123456789tfn':
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value
