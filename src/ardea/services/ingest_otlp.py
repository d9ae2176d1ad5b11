"""OTLP/HTTP trace ingest: ``ExportTraceServiceRequest`` bodies to Ardea spans.

Accepts the protobuf encoding (``application/x-protobuf``, what the OpenTelemetry exporters and
the ``mlflow`` client send) and OTLP JSON (``application/json``: hex ids, lowerCamel or
snake_case field names, int64 as strings or numbers), optionally gzip- or deflate-compressed.
Protobuf messages are walked directly (no ``MessageToDict``: it is an order of magnitude slower).
This module parses protobuf and dispatches; :mod:`ardea.services.otlp_json` parses JSON, and
:mod:`ardea.services.otlp_export` holds what both share (the export, span conversion).

Every span gets ``trace_id = "tr-" + hex(otel trace id)``, hex span ids, decoded attribute
values and the normalized attributes of :mod:`ardea.llm.semconv` (which also undoes the JSON
encoding the ``mlflow`` client gives attribute values). Nothing is half-parsed; errors come in
two kinds, as MLflow's server answers them:

- :class:`InvalidArgumentError` (HTTP 400): the body is no OTLP request: an unsupported
  content type or encoding, undecodable bytes or JSON, ids that are not hex (or base64) in
  JSON, or no ``resourceSpans`` at all ("no spans found").
- :class:`SpanConversionError` (a subclass, HTTP 422): the request is well formed but a span
  cannot become an Ardea span: a missing (empty) trace or span id, an id longer than OTLP's
  16 / 8 bytes, or a time outside ``0..2**63-1`` ns (:data:`MAX_TIME_NS`: valid ``fixed64`` in
  protobuf, but more than a store's signed 64-bit time column holds).

Root spans (no parent) get two more touches, as MLflow 3.18's receiver gives them: the
resource's ``service.name`` becomes the root's ``service.name`` attribute when it is one of
:data:`KNOWN_SERVICE_NAMES` (MLflow 3.17 and 3.18 keep to this allow-list so that a client
cannot store free text there), and ``mlflow.traceTag.<key>`` attributes naming a tag the
server manages (:data:`SERVER_MANAGED_TRACE_TAGS`) are dropped (new in MLflow 3.18).

Spans keep their OpenTelemetry kind (unspecified or unknown is ``INTERNAL``) and their links.
A link names its trace and span like a span does (hex in OTLP JSON, raw bytes in protobuf); a
link whose ids are missing or not 16 / 8 bytes long is left out rather than failing the span
(MLflow 3.18 drops such links when it exports a trace again).

Ids are taken as they are otherwise: an all-zero trace or span id is a valid id here (as in
MLflow), and so is an all-zero parent span id (a parent reference); only an empty parent id
means "no parent". Ids shorter than 16 / 8 bytes are refused (MLflow pads them with leading
zeros, which can make two ids collide).
"""

from __future__ import annotations

import base64
import zlib
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Span, SpanEvent, SpanLink
from ardea.services.otlp_export import (
    KNOWN_SERVICE_NAMES,
    MAX_TIME_NS,
    SERVER_MANAGED_TRACE_TAGS,
    STATUS_NAMES,
    TRACE_ID_PREFIX,
    OtlpExport,
    SpanConversionError,
    id_hex,
    kind_name,
    make_span,
)
from ardea.services.otlp_json import NO_SPANS_MESSAGE, parse_otlp_json

__all__ = [
    "KNOWN_SERVICE_NAMES",
    "MAX_DECOMPRESSED_BYTES",
    "MAX_TIME_NS",
    "NO_SPANS_MESSAGE",
    "SERVER_MANAGED_TRACE_TAGS",
    "OtlpExport",
    "SpanConversionError",
    "decompress",
    "parse_export",
    "parse_otlp_json",
    "parse_otlp_protobuf",
]

MAX_DECOMPRESSED_BYTES = 128 * 1024 * 1024
"""Largest decompressed OTLP body accepted (guards against compression bombs)."""
_PROTOBUF_TYPES = ("application/x-protobuf", "application/protobuf")


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

    ``content_type`` must be ``application/x-protobuf`` (or ``application/protobuf``) or
    ``application/json``, parameters such as ``charset`` aside; a missing one is refused, as
    MLflow does.

    Raises:
        InvalidArgumentError: Unsupported or missing content type, or a malformed body.
        SpanConversionError: A span that cannot be converted (see the module docstring).
    """
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in _PROTOBUF_TYPES and media != "application/json":
        raise InvalidArgumentError(
            f"Invalid Content-Type: {content_type}. "
            "Expected: application/x-protobuf or application/json"
        )
    data = decompress(body, content_encoding)
    if media == "application/json":
        return parse_otlp_json(data)
    return parse_otlp_protobuf(data)


def parse_otlp_protobuf(data: bytes) -> OtlpExport:
    """Parse a protobuf ``ExportTraceServiceRequest``.

    Raises:
        InvalidArgumentError: Undecodable bytes, or no ``resourceSpans``.
        SpanConversionError: A span with a missing or oversized id, or a time out of range.
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
    if not request.resource_spans:
        raise InvalidArgumentError(f"{NO_SPANS_MESSAGE}: the request has no resourceSpans.")
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
    trace_hex = id_hex(pb.trace_id, 16, "trace_id", pb.name)
    span_hex = id_hex(pb.span_id, 8, "span_id", pb.name)
    parent = id_hex(pb.parent_span_id, 8, "parent_span_id", pb.name) if pb.parent_span_id else None
    attributes = {kv.key: _pb_value(kv.value) for kv in pb.attributes}
    events = [
        SpanEvent(
            name=e.name,
            time_ns=e.time_unix_nano,
            attributes={kv.key: _pb_value(kv.value) for kv in e.attributes},
        )
        for e in pb.events
    ]
    links = [
        SpanLink(
            TRACE_ID_PREFIX + link.trace_id.hex(),
            link.span_id.hex(),
            {kv.key: _pb_value(kv.value) for kv in link.attributes},
        )
        for link in pb.links
        if len(link.trace_id) == 16 and len(link.span_id) == 8
    ]
    return make_span(
        trace_hex,
        span_hex,
        parent,
        pb.name,
        STATUS_NAMES.get(pb.status.code, "UNSET"),
        pb.status.message,
        pb.start_time_unix_nano,
        pb.end_time_unix_nano,
        attributes,
        events,
        kind_name(pb.kind),
        links,
    )
