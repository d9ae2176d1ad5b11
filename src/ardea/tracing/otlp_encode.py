"""A direct OTLP protobuf encoder for finished OTel spans (wire bytes, no message objects).

``opentelemetry-exporter-otlp-proto-common`` builds a protobuf object per span, attribute and
value (~50 us per span). This module writes the ``ExportTraceServiceRequest`` wire format
directly, caching the encoding of attribute keys, short attribute values, resources and
scopes, and splits a batch into requests of at most ``max_bytes``. The output parses with the
official ``opentelemetry-proto`` messages (tests compare field by field).

Extra root-span attributes (trace tags and metadata, see :mod:`ardea.tracing.keys`) are passed
per span id, so a finished (immutable) span needs no copy.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["DEFAULT_MAX_BYTES", "encode_request", "encode_requests"]

DEFAULT_MAX_BYTES = 4 * 1024 * 1024
"""Uncompressed size at which a batch is split into another request."""

_CACHE_LIMIT = 20_000
_VALUE_CACHE_MAX_LEN = 96
_SPAN_FLAGS_HAS_IS_REMOTE = 0x100
_SPAN_FLAGS_IS_REMOTE = 0x200
_pack_q = struct.Struct("<Q").pack
_pack_d = struct.Struct("<d").pack
_pack_i = struct.Struct("<I").pack


_SMALL = [bytes((i,)) for i in range(128)]


def _varint(n: int) -> bytes:
    if 0 <= n < 0x80:
        return _SMALL[n]
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _ld(tag: bytes, payload: bytes) -> bytes:
    """A length-delimited field (``tag``: the encoded field key)."""
    n = len(payload)
    return tag + (_SMALL[n] if n < 0x80 else _varint(n)) + payload


def _any_value(value: Any) -> bytes:
    """An encoded ``AnyValue`` message body."""
    if isinstance(value, str):
        return _ld(b"\x0a", value.encode("utf-8", "surrogatepass"))
    if isinstance(value, bool):
        return b"\x10\x01" if value else b"\x10\x00"
    if isinstance(value, int):
        return b"\x18" + _varint(value)
    if isinstance(value, float):
        return b"\x21" + _pack_d(value)
    if isinstance(value, (bytes, bytearray)):
        return _ld(b"\x3a", bytes(value))
    if isinstance(value, (list, tuple)):
        return _ld(b"\x2a", b"".join(_ld(b"\x0a", _any_value(v)) for v in value))
    if isinstance(value, Mapping):
        return _ld(b"\x32", b"".join(_ld(b"\x0a", _key_value(str(k), v)) for k, v in value.items()))
    if value is None:
        return b""
    return _ld(b"\x0a", str(value).encode("utf-8", "surrogatepass"))


_key_cache: dict[str, bytes] = {}
_kv_cache: dict[tuple[str, Any], bytes] = {}


def _key_value(key: str, value: Any) -> bytes:
    """An encoded ``KeyValue`` message body."""
    k = _key_cache.get(key)
    if k is None:
        if len(_key_cache) > _CACHE_LIMIT:
            _key_cache.clear()
        k = _key_cache[key] = _ld(b"\x0a", key.encode("utf-8", "surrogatepass"))
    return k + _ld(b"\x12", _any_value(value))


def _attributes(tag: bytes, attributes: Mapping[str, Any] | None) -> bytes:
    """Repeated ``KeyValue`` fields (field key byte ``tag``), short values cached."""
    if not attributes:
        return b""
    parts = []
    cache = _kv_cache
    for key, value in attributes.items():
        cacheable = type(value) is str and len(value) <= _VALUE_CACHE_MAX_LEN
        if cacheable:
            hit = cache.get((key, value))
            if hit is not None:
                parts.append(hit)
                continue
        field = _ld(tag, _key_value(key, value))
        if cacheable:
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
            cache[(key, value)] = field
        parts.append(field)
    return b"".join(parts)


def _status(span: Any) -> bytes:
    status = span.status
    code = status.status_code.value  # OTel UNSET=0, OK=1, ERROR=2 (as in the proto)
    body = b""
    if status.description:
        body += _ld(b"\x12", status.description.encode("utf-8", "surrogatepass"))
    if code:
        body += b"\x18" + _varint(code)
    return _ld(b"\x7a", body)


def _event(event: Any) -> bytes:
    body = b"\x09" + _pack_q(event.timestamp or 0)
    body += _ld(b"\x12", event.name.encode("utf-8", "surrogatepass"))
    body += _attributes(b"\x1a", event.attributes)
    dropped = getattr(event, "dropped_attributes", 0)
    if dropped:
        body += b"\x20" + _varint(dropped)
    return _ld(b"\x5a", body)


def _link(link: Any) -> bytes:
    ctx = link.context
    body = _ld(b"\x0a", ctx.trace_id.to_bytes(16, "big")) + _ld(
        b"\x12", ctx.span_id.to_bytes(8, "big")
    )
    if ctx.trace_state:
        body += _ld(b"\x1a", ctx.trace_state.to_header().encode())
    body += _attributes(b"\x22", link.attributes)
    flags = _SPAN_FLAGS_HAS_IS_REMOTE
    if ctx.is_remote:
        flags |= _SPAN_FLAGS_IS_REMOTE
    body += b"\x35" + _pack_i(flags)
    return _ld(b"\x6a", body)


def _span(span: Any, extra: Mapping[str, Any] | None) -> bytes:
    """An encoded ``Span`` message body."""
    ctx = span.context
    parts = [
        b"\x0a\x10" + ctx.trace_id.to_bytes(16, "big"),
        b"\x12\x08" + ctx.span_id.to_bytes(8, "big"),
    ]
    if ctx.trace_state:
        parts.append(_ld(b"\x1a", ctx.trace_state.to_header().encode()))
    parent = span.parent
    flags = _SPAN_FLAGS_HAS_IS_REMOTE
    if parent is not None:
        parts.append(b"\x22\x08" + parent.span_id.to_bytes(8, "big"))
        if parent.is_remote:
            flags |= _SPAN_FLAGS_IS_REMOTE
    parts.append(_ld(b"\x2a", span.name.encode("utf-8", "surrogatepass")))
    parts.append(b"\x30" + _varint(span.kind.value + 1))
    parts.append(b"\x39" + _pack_q(span.start_time or 0))
    parts.append(b"\x41" + _pack_q(span.end_time or 0))
    parts.append(_attributes(b"\x4a", span.attributes))
    if extra:
        parts.append(_attributes(b"\x4a", extra))
    dropped = span.dropped_attributes
    if dropped:
        parts.append(b"\x50" + _varint(dropped))
    for event in span.events:
        parts.append(_event(event))
    if span.dropped_events:
        parts.append(b"\x60" + _varint(span.dropped_events))
    for link in span.links:
        parts.append(_link(link))
    if span.dropped_links:
        parts.append(b"\x70" + _varint(span.dropped_links))
    parts.append(_status(span))
    parts.append(b"\x85\x01" + _pack_i(flags))
    return b"".join(parts)


_resource_cache: dict[int, tuple[Any, bytes]] = {}
_scope_cache: dict[int, tuple[Any, bytes]] = {}


def _resource(resource: Any) -> bytes:
    hit = _resource_cache.get(id(resource))
    if hit is not None and hit[0] is resource:
        return hit[1]
    encoded = _ld(b"\x0a", _attributes(b"\x0a", resource.attributes if resource else None))
    if len(_resource_cache) > 64:
        _resource_cache.clear()
    _resource_cache[id(resource)] = (resource, encoded)
    return encoded


def _scope(scope: Any) -> bytes:
    hit = _scope_cache.get(id(scope))
    if hit is not None and hit[0] is scope:
        return hit[1]
    body = b""
    if scope is not None:
        body = _ld(b"\x0a", scope.name.encode())
        if scope.version:
            body += _ld(b"\x12", scope.version.encode())
        body += _attributes(b"\x1a", getattr(scope, "attributes", None))
    encoded = _ld(b"\x0a", body)
    if len(_scope_cache) > 256:
        _scope_cache.clear()
    _scope_cache[id(scope)] = (scope, encoded)
    return encoded


def _assemble(
    groups: dict[Any, dict[Any, list[bytes]]], resources: dict[Any, Any], scopes: dict[Any, Any]
) -> bytes:
    out = []
    for res_key, by_scope in groups.items():
        rs = [_resource(resources[res_key])]
        for scope_key, spans in by_scope.items():
            rs.append(_ld(b"\x12", _scope(scopes[scope_key]) + b"".join(spans)))
        out.append(_ld(b"\x0a", b"".join(rs)))
    return b"".join(out)


def encode_requests(
    spans: Iterable[Any],
    extra_attributes: Mapping[int, Mapping[str, Any]] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[bytes]:
    """Serialized ``ExportTraceServiceRequest`` bodies holding ``spans``.

    Args:
        spans: Finished OTel SDK spans (``ReadableSpan``).
        extra_attributes: Attributes to add, by span id (int), e.g. trace tags on roots.
        max_bytes: Start a new request once a body reaches this many bytes (a single larger
            span still goes alone).

    Returns:
        One or more request bodies (none for no spans).
    """
    extra = extra_attributes or {}
    bodies: list[bytes] = []
    groups: dict[Any, dict[Any, list[bytes]]] = {}
    resources: dict[Any, Any] = {}
    scopes: dict[Any, Any] = {}
    size = 0
    for span in spans:
        encoded = _ld(b"\x12", _span(span, extra.get(span.context.span_id)))
        if size and size + len(encoded) > max_bytes:
            bodies.append(_assemble(groups, resources, scopes))
            groups, resources, scopes, size = {}, {}, {}, 0
        resource = span.resource
        res_key = id(resource)
        resources[res_key] = resource
        scope = span.instrumentation_scope
        scopes[id(scope)] = scope
        groups.setdefault(res_key, {}).setdefault(id(scope), []).append(encoded)
        size += len(encoded)
    if groups:
        bodies.append(_assemble(groups, resources, scopes))
    return bodies


def encode_request(
    spans: Sequence[Any], extra_attributes: Mapping[int, Mapping[str, Any]] | None = None
) -> bytes:
    """One serialized ``ExportTraceServiceRequest`` with every span (no size split)."""
    bodies = encode_requests(spans, extra_attributes, max_bytes=1 << 62)
    return bodies[0] if bodies else b""
