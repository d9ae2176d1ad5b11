"""Trace records that root spans carry as attributes (Ardea's SDK sends no separate record).

A root span carries its trace's tags as ``mlflow.traceTag.<key>`` (MLflow's convention), its
metadata as ``mlflow.traceMetadata.<key>`` and explicit previews as
``mlflow.traceRequestPreview`` / ``mlflow.traceResponsePreview`` (values JSON-encoded like every
``mlflow.*`` attribute, decoded by :mod:`ardea.services.ingest_otlp`). The request's OTLP
resource adds ``service.name`` / ``service.version`` as the metadata ``ardea.service.name`` /
``ardea.service.version``.

The OTLP route turns them into :class:`TraceInfo` records with :func:`trace_records`, then,
after ``log_spans``, stores each with ``TraceStore.start_trace``, first narrowed by
:func:`fill_only` when the trace already has a record (one a client sent with StartTraceV3):
such a record is completed, never overwritten.

Entries that a trace record cannot hold (keys of 1 to 250 characters, values of at most 8000)
are left out, as MLflow's server does: telemetry never fails a whole export for one tag.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from ardea.entities import TraceInfo, TraceState
from ardea.services.ingest_otlp import OtlpExport
from ardea.store.traces import fill_only

__all__ = [
    "ARTIFACT_LOCATION_TAG",
    "PLACEHOLDER_SERVICE_NAMES",
    "SERVICE_NAME_KEY",
    "SERVICE_VERSION_KEY",
    "TRACE_METADATA_PREFIX",
    "TRACE_REQUEST_PREVIEW",
    "TRACE_RESPONSE_PREVIEW",
    "TRACE_TAG_PREFIX",
    "fill_only",
    "service_metadata",
    "trace_records",
]

TRACE_TAG_PREFIX = "mlflow.traceTag."
"""Root-span attribute prefix of a trace tag (MLflow's convention; Ardea's SDK sends these)."""
TRACE_METADATA_PREFIX = "mlflow.traceMetadata."
"""Root-span attribute prefix of a trace metadata entry (Ardea's SDK sends these)."""
TRACE_REQUEST_PREVIEW = "mlflow.traceRequestPreview"
"""Root-span attribute: an explicit request preview."""
TRACE_RESPONSE_PREVIEW = "mlflow.traceResponsePreview"
"""Root-span attribute: an explicit response preview."""
SERVICE_NAME_KEY = "ardea.service.name"
"""Trace metadata: the OTLP resource's ``service.name`` (an Ardea key, not MLflow's)."""
SERVICE_VERSION_KEY = "ardea.service.version"
"""Trace metadata: the OTLP resource's ``service.version`` (an Ardea key, not MLflow's)."""
PLACEHOLDER_SERVICE_NAMES = ("unknown_service", "ardea")
"""``service.name`` values that name no service and are not recorded: OpenTelemetry's default
(``unknown_service`` or ``unknown_service:<process>``) and the one Ardea's SDK gives its own
provider when the application has none."""
ARTIFACT_LOCATION_TAG = "mlflow.artifactLocation"
"""The tag every stored trace record has (``start_trace`` sets it; spans alone never do)."""

_RECORD_KEYS = (
    TRACE_TAG_PREFIX,
    TRACE_METADATA_PREFIX,
    TRACE_REQUEST_PREVIEW,
    TRACE_RESPONSE_PREVIEW,
)
_MAX_KEY = 250
_MAX_VALUE = 8000
_PREVIEW_CHARS = 1000
_NAME_CHARS = 500
_ID_CHARS = 250


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def _entries(attrs: Mapping[str, Any], prefix: str) -> dict[str, str]:
    """``prefix<key>`` attributes as ``{key: text}``, entries a record cannot hold left out."""
    out: dict[str, str] = {}
    for key, value in attrs.items():
        if not key.startswith(prefix):
            continue
        name = key[len(prefix) :]
        if not 0 < len(name) <= _MAX_KEY or "\x00" in name or value is None:
            continue
        text = _text(value)
        if len(text) <= _MAX_VALUE:
            out[name] = text
    return out


def service_metadata(resource_attributes: Mapping[str, Any]) -> dict[str, str]:
    """Trace metadata from an OTLP resource's ``service.name`` and ``service.version``.

    Args:
        resource_attributes: The request's resource attributes.

    Returns:
        ``{"ardea.service.name": ..., "ardea.service.version": ...}`` for what is set; empty
        when ``service.name`` is missing or one of :data:`PLACEHOLDER_SERVICE_NAMES`.
    """
    name = resource_attributes.get("service.name")
    if name is None or name == "":
        return {}
    name_text = _text(name)
    if name_text == "ardea" or name_text.startswith("unknown_service"):
        return {}  # PLACEHOLDER_SERVICE_NAMES
    out = {SERVICE_NAME_KEY: name_text[:_MAX_VALUE]}
    version = resource_attributes.get("service.version")
    if version is not None and version != "":
        out[SERVICE_VERSION_KEY] = _text(version)[:_MAX_VALUE]
    return out


def _short(value: Any, limit: int) -> str | None:
    return None if value is None else _text(value)[:limit] or None


def trace_records(export: OtlpExport, experiment_id: str) -> list[TraceInfo]:
    """The trace records that root spans of ``export`` carry as attributes.

    Ardea's SDK sends no separate trace record: a root span carries the trace's tags as
    ``mlflow.traceTag.<key>``, its metadata as ``mlflow.traceMetadata.<key>`` and explicit
    previews as ``mlflow.traceRequestPreview`` / ``mlflow.traceResponsePreview``; the
    service of the resource that carried the trace becomes metadata (:func:`service_metadata`).
    For each root span (no parent) with at least one of these, this returns the
    :class:`TraceInfo` to store after its spans (name, times, state, session and user come
    from the root span as ``log_spans`` derives them; unset previews stay derived).

    Args:
        export: A parsed request.
        experiment_id: The experiment its traces belong to.

    Returns:
        One record per such root span (none for plain traces).
    """
    default_service = service_metadata(export.resource_attributes)
    out: list[TraceInfo] = []
    for trace_id, spans in export.traces.items():
        resource = export.trace_resources.get(trace_id)
        service = default_service if resource is None else service_metadata(resource)
        for span in spans:
            attrs = span.attributes
            if span.parent_span_id:
                continue
            if not service and not any(k.startswith(_RECORD_KEYS) for k in attrs):
                continue
            tags = _entries(attrs, TRACE_TAG_PREFIX)
            metadata = {**service, **_entries(attrs, TRACE_METADATA_PREFIX)}
            start_ms = span.start_time_ns // 1_000_000
            end_ms = (span.end_time_ns or span.start_time_ns) // 1_000_000
            session = attrs.get("session.id", metadata.get("mlflow.trace.session"))
            user = attrs.get("user.id", metadata.get("mlflow.trace.user"))
            out.append(
                TraceInfo(
                    trace_id=span.trace_id,
                    experiment_id=experiment_id,
                    request_time=start_ms,
                    execution_duration=end_ms - start_ms,
                    state=(
                        TraceState.ERROR.value
                        if span.status_code == "ERROR"
                        else TraceState.OK.value
                    ),
                    request_preview=_short(attrs.get(TRACE_REQUEST_PREVIEW), _PREVIEW_CHARS),
                    response_preview=_short(attrs.get(TRACE_RESPONSE_PREVIEW), _PREVIEW_CHARS),
                    trace_metadata=metadata,
                    tags=tags,
                    name=_short(span.name, _NAME_CHARS),
                    session_id=_short(session, _ID_CHARS),
                    user_id=_short(user, _ID_CHARS),
                )
            )
    return out
