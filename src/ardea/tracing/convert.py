"""Finished OTel spans -> Ardea entities (Span, TraceInfo), on the export thread."""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import StatusCode

from ardea.entities import Span, SpanEvent, SpanType, TraceInfo, TraceState
from ardea.llm.semconv import normalize_attributes
from ardea.tracing import keys
from ardea.tracing._serialize import loads_attribute
from ardea.tracing.context import TraceMeta

__all__ = ["to_span", "trace_info_from_root"]


def _attributes(span: ReadableSpan) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (span.attributes or {}).items():
        if key.startswith("mlflow."):
            out[key] = loads_attribute(value)
        else:
            out[key] = list(value) if isinstance(value, tuple) else value
    return out


def to_span(span: ReadableSpan, meta: TraceMeta) -> Span:
    """An Ardea :class:`Span` from a finished OTel span (JSON attribute values decoded).

    Args:
        span: The finished span.
        meta: Its trace's state.

    Returns:
        The entity.
    """
    ctx = span.get_span_context()
    attributes = _attributes(span)
    attributes[keys.TRACE_REQUEST_ID] = meta.trace_id
    events = [SpanEvent(e.name, e.timestamp, dict(e.attributes or {})) for e in span.events]
    normalize_attributes(attributes, events)  # GenAI / OpenInference keys, as OTLP ingest does
    span_type = attributes.get(keys.SPAN_TYPE) or SpanType.UNKNOWN.value
    status = span.status
    return Span(
        trace_id=meta.trace_id,
        # Typed Optional, but the SDK gives every span a context; no check per exported span.
        span_id=f"{ctx.span_id:016x}",  # type: ignore[union-attr]
        parent_span_id=f"{span.parent.span_id:016x}" if span.parent is not None else None,
        name=span.name,
        span_type=str(span_type),
        status_code=status.status_code.name,
        status_message=status.description or "",
        start_time_ns=span.start_time or 0,
        end_time_ns=span.end_time,
        attributes=attributes,
        events=events,
    )


def _preview(raw: Any) -> str | None:
    if raw is None:
        return None
    text = raw if isinstance(raw, str) else str(raw)
    return text[: keys.PREVIEW_LIMIT]


def trace_info_from_root(root: ReadableSpan, meta: TraceMeta, experiment_id: str) -> TraceInfo:
    """The trace record of a finished trace, built from its root span and Ardea's state.

    Args:
        root: The root span (ended).
        meta: The trace's state (tags, metadata, session, user, run).
        experiment_id: The experiment the trace belongs to.

    Returns:
        A complete :class:`TraceInfo` (state OK or ERROR).
    """
    start = root.start_time or 0
    end = root.end_time or start
    attrs = root.attributes or {}
    error = root.status.status_code is StatusCode.ERROR
    metadata = {keys.SCHEMA_VERSION: "3"}
    if meta.run_id:
        metadata[keys.META_SOURCE_RUN] = meta.run_id
    metadata.update(meta.metadata)
    tags = {keys.TRACE_NAME_TAG: root.name}
    tags.update(meta.tags)
    return TraceInfo(
        trace_id=meta.trace_id,
        experiment_id=experiment_id,
        request_time=start // 1_000_000,
        execution_duration=(end - start) // 1_000_000,
        state=TraceState.ERROR.value if error else TraceState.OK.value,
        request_preview=meta.request_preview or _preview(attrs.get(keys.SPAN_INPUTS)),
        response_preview=meta.response_preview or _preview(attrs.get(keys.SPAN_OUTPUTS)),
        trace_metadata=metadata,
        tags=tags,
        name=root.name,
        session_id=meta.session_id,
        user_id=meta.user_id,
        run_id=meta.run_id,
    )
