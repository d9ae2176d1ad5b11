"""Trace records that root spans carry as attributes (Ardea's SDK sends no separate record).

A root span carries its trace's tags as ``mlflow.traceTag.<key>`` (MLflow's convention), its
metadata as ``mlflow.traceMetadata.<key>`` and explicit previews as
``mlflow.traceRequestPreview`` / ``mlflow.traceResponsePreview`` (values JSON-encoded like every
``mlflow.*`` attribute, decoded by :mod:`ardea.services.ingest_otlp`). The OTLP route turns
them into :class:`TraceInfo` records with :func:`trace_records` and stores them with
``TraceStore.start_trace`` after ``log_spans``, in the same request.
"""

from __future__ import annotations

from typing import Any

import orjson

from ardea.entities import TraceInfo, TraceState
from ardea.services.ingest_otlp import OtlpExport

__all__ = [
    "TRACE_METADATA_PREFIX",
    "TRACE_REQUEST_PREVIEW",
    "TRACE_RESPONSE_PREVIEW",
    "TRACE_TAG_PREFIX",
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
_RECORD_KEYS = (TRACE_TAG_PREFIX, TRACE_METADATA_PREFIX, TRACE_REQUEST_PREVIEW)
_RECORD_KEYS += (TRACE_RESPONSE_PREVIEW,)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def trace_records(export: OtlpExport, experiment_id: str) -> list[TraceInfo]:
    """The trace records that root spans of ``export`` carry as attributes.

    Ardea's SDK sends no separate trace record: a root span carries the trace's tags as
    ``mlflow.traceTag.<key>``, its metadata as ``mlflow.traceMetadata.<key>`` and explicit
    previews as ``mlflow.traceRequestPreview`` / ``mlflow.traceResponsePreview``. For each root
    span (no parent) with at least one such attribute, this returns the :class:`TraceInfo` to
    pass to ``TraceStore.start_trace`` after ``log_spans`` (name, times, state, session and
    user come from the root span as ``log_spans`` derives them; unset previews stay derived).

    Args:
        export: A parsed request.
        experiment_id: The experiment its traces belong to.

    Returns:
        One record per such root span (none for plain traces).
    """
    out: list[TraceInfo] = []
    for spans in export.traces.values():
        for span in spans:
            attrs = span.attributes
            if span.parent_span_id or not any(k.startswith(_RECORD_KEYS) for k in attrs):
                continue
            tags = {
                k[len(TRACE_TAG_PREFIX) :]: _text(v)
                for k, v in attrs.items()
                if k.startswith(TRACE_TAG_PREFIX)
            }
            metadata = {
                k[len(TRACE_METADATA_PREFIX) :]: _text(v)
                for k, v in attrs.items()
                if k.startswith(TRACE_METADATA_PREFIX)
            }
            start_ms = span.start_time_ns // 1_000_000
            end_ms = (span.end_time_ns or span.start_time_ns) // 1_000_000
            request, response = attrs.get(TRACE_REQUEST_PREVIEW), attrs.get(TRACE_RESPONSE_PREVIEW)
            session, user = attrs.get("session.id"), attrs.get("user.id")
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
                    request_preview=None if request is None else _text(request)[:1000],
                    response_preview=None if response is None else _text(response)[:1000],
                    trace_metadata=metadata,
                    tags=tags,
                    name=span.name,
                    session_id=None if session is None else str(session),
                    user_id=None if user is None else str(user),
                )
            )
    return out
