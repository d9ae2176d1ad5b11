"""Attribute and metadata keys Ardea writes, with MLflow's names (the wire expects them)."""

from __future__ import annotations

__all__ = [
    "META_SESSION",
    "META_SOURCE_RUN",
    "META_USER",
    "SCHEMA_VERSION",
    "SESSION_ID",
    "SPAN_FUNCTION_NAME",
    "SPAN_INPUTS",
    "SPAN_OUTPUTS",
    "SPAN_TYPE",
    "TRACE_METADATA_PREFIX",
    "TRACE_NAME_TAG",
    "TRACE_REQUEST_ID",
    "TRACE_REQUEST_PREVIEW",
    "TRACE_RESPONSE_PREVIEW",
    "TRACE_TAG_PREFIX",
    "USER_ID",
]

SPAN_TYPE = "mlflow.spanType"
"""Span type (a :class:`~ardea.entities.SpanType` value or any string), JSON-encoded."""
SPAN_INPUTS = "mlflow.spanInputs"
"""Span inputs, JSON-encoded."""
SPAN_OUTPUTS = "mlflow.spanOutputs"
"""Span outputs, JSON-encoded."""
SPAN_FUNCTION_NAME = "mlflow.spanFunctionName"
"""Name of the decorated function, JSON-encoded."""
TRACE_REQUEST_ID = "mlflow.traceRequestId"
"""The trace id (``tr-`` + 32 hex), JSON-encoded, on every span."""
SESSION_ID = "session.id"
"""OTel semconv session id on the root span (plain string)."""
USER_ID = "user.id"
"""OTel semconv user id on the root span (plain string)."""

META_SOURCE_RUN = "mlflow.sourceRun"
"""Trace metadata: the run that was active when the trace started."""
META_SESSION = "mlflow.trace.session"
"""Trace metadata: the session id."""
META_USER = "mlflow.trace.user"
"""Trace metadata: the user id."""
SCHEMA_VERSION = "mlflow.trace_schema.version"
"""Trace metadata: MLflow trace schema version (``"3"``)."""
TRACE_NAME_TAG = "mlflow.traceName"
"""Trace tag: the root span's name."""

PREVIEW_LIMIT = 1000
"""Request/response previews are truncated to this many characters (as MLflow does)."""

TRACE_TAG_PREFIX = "mlflow.traceTag."
"""Root-span attribute prefix carrying a trace tag (MLflow's convention): JSON-encoded value."""
TRACE_METADATA_PREFIX = "mlflow.traceMetadata."
"""Root-span attribute prefix carrying a trace metadata entry: JSON-encoded value."""
TRACE_REQUEST_PREVIEW = "mlflow.traceRequestPreview"
"""Root-span attribute: an explicit request preview (JSON-encoded string)."""
TRACE_RESPONSE_PREVIEW = "mlflow.traceResponsePreview"
"""Root-span attribute: an explicit response preview (JSON-encoded string)."""
