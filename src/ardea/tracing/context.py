"""Per-trace state kept beside the OTel spans: experiment, run, tags, metadata, session, user.

A :class:`TraceMeta` is created when a trace's first local span starts (by the span
processor) and is handed to the exporter with every span of the trace, so the export thread
knows which experiment the spans belong to and can build the trace record when the root
span ends. The active span itself lives in OpenTelemetry's context (contextvars), so nesting
is correct per thread and per asyncio task.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = [
    "TraceMeta",
    "get_last_active_trace_id",
    "registry",
    "update_current_trace",
]


class TraceMeta:
    """What Ardea knows about one trace beyond its spans.

    Attributes:
        trace_id: ``tr-`` + 32 hex.
        experiment_id: Where the trace is exported (None: resolved on the export thread).
        run_id: The Ardea run active when the trace started, if any.
        tags: Trace tags set with :func:`update_current_trace`.
        metadata: Trace metadata.
        session_id: Session id, if set.
        user_id: User id, if set.
        request_preview: Explicit request preview (else derived from the root's inputs).
        response_preview: Explicit response preview (else derived from the root's outputs).
        root_span: The local root OTel span while it is open.
    """

    __slots__ = (
        "experiment_id",
        "metadata",
        "request_preview",
        "response_preview",
        "root_span",
        "run_id",
        "session_id",
        "tags",
        "trace_id",
        "user_id",
    )

    def __init__(self, trace_id: str, experiment_id: str | None, run_id: str | None) -> None:
        self.trace_id = trace_id
        self.experiment_id = experiment_id
        self.run_id = run_id
        self.tags: dict[str, str] = {}
        self.metadata: dict[str, str] = {}
        self.session_id: str | None = None
        self.user_id: str | None = None
        self.request_preview: str | None = None
        self.response_preview: str | None = None
        self.root_span: Any = None


class _Registry:
    """Open traces by OTel trace id (int), plus the id of the last finished trace."""

    def __init__(self) -> None:
        self.open: dict[int, TraceMeta] = {}
        self.last_trace_id: str | None = None
        self.lock = threading.Lock()

    def clear(self) -> None:
        """Forget every open trace (tests, reconfiguration)."""
        with self.lock:
            self.open.clear()
            self.last_trace_id = None


registry = _Registry()
"""The process-wide registry of open traces."""


def format_trace_id(trace_id: int) -> str:
    """An OTel trace id as an Ardea/MLflow trace id (``tr-`` + 32 hex)."""
    return f"tr-{trace_id:032x}"


def current_meta() -> TraceMeta | None:
    """The :class:`TraceMeta` of the trace of the current active span, if any."""
    from opentelemetry import trace as otel_trace

    ctx = otel_trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return registry.open.get(ctx.trace_id)


def get_last_active_trace_id() -> str | None:
    """The id of the last trace whose root span ended in this process.

    Returns:
        ``tr-`` + 32 hex, or None when no trace has finished yet.
    """
    return registry.last_trace_id


def update_current_trace(
    tags: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    session_id: str | None = None,
    user_id: str | None = None,
    request_preview: str | None = None,
    response_preview: str | None = None,
) -> None:
    """Add tags, metadata, a session, a user or previews to the trace of the active span.

    Session and user go to the trace metadata (``mlflow.trace.session`` /
    ``mlflow.trace.user``) and to the root span's ``session.id`` / ``user.id`` attributes.
    Does nothing (with a warning) outside a trace.

    Args:
        tags: Trace tags (values are converted to strings).
        metadata: Trace metadata (values are converted to strings).
        session_id: The conversation or session this trace belongs to.
        user_id: The end user the trace served.
        request_preview: Text shown as the trace's request in lists.
        response_preview: Text shown as the trace's response in lists.
    """
    from ardea.tracing import keys

    meta = current_meta()
    if meta is None:
        import logging

        logging.getLogger(__name__).warning("update_current_trace called outside a trace")
        return
    with registry.lock:
        if tags:
            meta.tags.update({str(k): str(v) for k, v in tags.items()})
        if metadata:
            meta.metadata.update({str(k): str(v) for k, v in metadata.items()})
        if session_id is not None:
            meta.session_id = str(session_id)
            meta.metadata[keys.META_SESSION] = meta.session_id
        if user_id is not None:
            meta.user_id = str(user_id)
            meta.metadata[keys.META_USER] = meta.user_id
        if request_preview is not None:
            meta.request_preview = str(request_preview)
        if response_preview is not None:
            meta.response_preview = str(response_preview)
        root = meta.root_span
    if root is not None and root.is_recording():
        attrs = {}
        if session_id is not None:
            attrs[keys.SESSION_ID] = meta.session_id
        if user_id is not None:
            attrs[keys.USER_ID] = meta.user_id
        if attrs:
            root.set_attributes(attrs)
