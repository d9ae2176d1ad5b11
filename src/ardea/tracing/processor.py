"""Ardea's OTel span processor: tags spans with their trace id and queues finished ones.

Imports the OTel SDK, so it is only loaded when the first span starts.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace import Span as SdkSpan

from ardea.tracing.context import TraceMeta, format_trace_id, registry
from ardea.tracing.queue import ExportQueue

__all__ = ["ArdeaSpanProcessor", "SpanRecord"]


class SpanRecord(NamedTuple):
    """A finished span as queued for export.

    Attributes:
        span: The finished OTel span.
        meta: Its trace's Ardea state.
        is_root: Whether it is the trace's root span (no parent at all): the trace record is
            written when it is exported.
    """

    span: ReadableSpan
    meta: TraceMeta
    is_root: bool


def _fluent_state() -> Any:
    global _state_module
    if _state_module is None:
        from ardea.fluent import _state

        _state_module = _state
    return _state_module


_state_module: Any = None


def _current_run_id() -> str | None:
    stack = _fluent_state().run_stack.get()
    return stack[-1].info.run_id if stack else None


def _chosen_experiment_id() -> str | None:
    """The experiment picked with ``set_experiment``, else None.

    None means "resolve on the export thread" like new runs do (an experiment *name* from the
    environment needs a store lookup, which must not happen on the calling thread).
    """
    return _fluent_state().active_experiment_id()


class ArdeaSpanProcessor(SpanProcessor):
    """Tracks each trace's Ardea state and queues finished spans for export.

    ``mlflow.traceRequestId`` is not written on the calling thread: it is derived from the
    trace id when spans are converted (store export) or by the server (OTLP ingest).

    Args:
        queue: The bounded export queue.
    """

    def __init__(self, queue: ExportQueue) -> None:
        self.queue = queue
        self.enabled = True
        """False once Ardea was reconfigured (a joined provider cannot drop a processor)."""

    def on_start(self, span: SdkSpan, parent_context: Context | None = None) -> None:
        """Register the trace on its first local span; remember the local root."""
        if not self.enabled:
            return
        ctx = span.get_span_context()
        meta = registry.open.get(ctx.trace_id)
        if meta is None:
            meta = TraceMeta(
                format_trace_id(ctx.trace_id), _chosen_experiment_id(), _current_run_id()
            )
            registry.open[ctx.trace_id] = meta
        parent = span.parent
        if meta.root_span is None and (parent is None or parent.is_remote):
            meta.root_span = span

    def on_end(self, span: ReadableSpan) -> None:
        """Queue the finished span (with its trace state) for export."""
        if not self.enabled:
            return
        ctx = span.get_span_context()
        meta = registry.open.get(ctx.trace_id)
        if meta is None:  # started before Ardea joined the provider
            meta = TraceMeta(format_trace_id(ctx.trace_id), _chosen_experiment_id(), None)
        root = meta.root_span
        is_local_root = root is not None and root.get_span_context().span_id == ctx.span_id
        if is_local_root:
            registry.open.pop(ctx.trace_id, None)
            registry.last_trace_id = meta.trace_id
            meta.root_span = None
        self.queue.put(SpanRecord(span, meta, is_local_root and span.parent is None))

    def shutdown(self) -> None:
        """Export what is queued and stop the worker."""
        self.queue.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Wait until queued spans are exported."""
        return self.queue.flush(timeout_millis / 1000, raise_failures=False)
