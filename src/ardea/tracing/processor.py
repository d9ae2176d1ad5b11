"""Ardea's OTel span processor: tags spans with their trace id and queues finished ones.

Imports the OTel SDK, so it is only loaded when the first span starts.
"""

from __future__ import annotations

from typing import NamedTuple

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace import Span as SdkSpan
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator

from ardea._core import context
from ardea.tracing.context import TraceMeta, format_trace_id, registry
from ardea.tracing.deferred import building
from ardea.tracing.queue import ExportQueue

__all__ = ["ArdeaIdGenerator", "ArdeaSpanProcessor", "SpanRecord"]


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


class ArdeaSpanProcessor(SpanProcessor):
    """Tracks each trace's Ardea state and queues finished spans for export.

    ``mlflow.traceRequestId`` is not written on the calling thread: it is derived from the
    trace id when spans are converted (store export) or by the server (OTLP ingest). A new
    trace takes the active run and the experiment chosen with ``set_experiment`` from
    :mod:`ardea._core.context`; an experiment only named in the environment is resolved on the
    export thread, as for new runs (a store lookup must not happen on the calling thread).

    Args:
        queue: The bounded export queue.
    """

    def __init__(self, queue: ExportQueue) -> None:
        self.queue = queue
        self.enabled = True
        """False once Ardea was reconfigured (a joined provider cannot drop a processor)."""

    def on_start(self, span: SdkSpan, parent_context: Context | None = None) -> None:
        """Register the trace on its first local span; remember the local root."""
        if not self.enabled or building() is not None:
            return
        ctx = span.get_span_context()
        meta = registry.open.get(ctx.trace_id)
        if meta is None:
            meta = TraceMeta(
                format_trace_id(ctx.trace_id),
                context.active_experiment_id(),
                context.active_run_id(),
            )
            registry.open[ctx.trace_id] = meta
        parent = span.parent
        if meta.root_span is None and (parent is None or parent.is_remote):
            meta.root_span = span

    def on_end(self, span: ReadableSpan) -> None:
        """Queue the finished span (with its trace state) for export."""
        if not self.enabled:
            return
        deferred = building()
        if deferred is not None:  # built on the export thread: it joins the batch in place
            assert deferred.meta is not None and deferred.records is not None
            deferred.records.append(SpanRecord(span, deferred.meta, span.parent is None))
            return
        ctx = span.get_span_context()
        if ctx is None:  # typed Optional; the SDK gives every span a context
            return
        meta = registry.open.get(ctx.trace_id)
        if meta is None:  # started before Ardea joined the provider
            meta = TraceMeta(format_trace_id(ctx.trace_id), context.active_experiment_id(), None)
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


class ArdeaIdGenerator(RandomIdGenerator):
    """Random ids, except the trace id a deferred root drew on the calling thread."""

    def generate_trace_id(self) -> int:
        """The deferred root's trace id while the export thread builds it, else a random one."""
        deferred = building()
        if deferred is not None and deferred.trace_id is not None:
            return deferred.trace_id
        return super().generate_trace_id()
