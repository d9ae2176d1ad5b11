"""Leaf spans recorded on the calling thread and built on the export thread.

An LLM SDK call is a leaf: nothing nests under it. Its span need not exist while the call
runs, so the calling thread only notes what the span needs (the parent context, its trace,
two clock readings, references to the request and response) and queues a :class:`Deferred`
item in the export queue. The export thread then builds the real OTel span with those times
and parent (serialization, token usage and cost happen there too) and exports it in the place
the item held in the queue, so a child still precedes its root.

Only Ardea's own provider defers, and only while every trace is sampled: a root's trace id is
drawn on the calling thread (so :func:`~ardea.tracing.context.get_last_active_trace_id` is
right at once) and the provider's id generator hands it to the span built later.
Everywhere else (a joined provider, sampling, a parent Ardea does not track) spans are built
in line, as before.
"""

from __future__ import annotations

import random
import threading
from typing import Any, NamedTuple, Protocol

from ardea._core import context as core_context
from ardea._core import env
from ardea._core.safety import report_failure
from ardea.tracing._state import state as _state
from ardea.tracing.context import TraceMeta, format_trace_id, registry

__all__ = ["Builder", "Deferred", "Parent", "building", "capture", "collect", "enqueue"]


class Builder(Protocol):
    """What builds a deferred span: starts and ends it with the recorded times and parent."""

    integration: str

    def build(self, tracer: Any, parent: Any) -> None:
        """Start and end the span with ``tracer`` in ``parent`` (an OTel context; empty: a root)."""


class Parent(NamedTuple):
    """Where a deferred span goes, captured on the calling thread.

    Attributes:
        tracer: The tracer to build it with (the one set up when it started).
        context: The parent's OTel span context (None: a new trace). Not the OTel context
            itself: its current span may be a proxy that changes when the parent ends.
        meta: The trace's Ardea state (for a root: a new one).
        trace_id: The new trace's id for a root; None for a child.
    """

    tracer: Any
    context: Any
    meta: TraceMeta
    trace_id: int | None


class Deferred(NamedTuple):
    """A queued item the export thread turns into span records.

    Attributes:
        builder: Builds the span.
        parent: Where it goes.
    """

    builder: Builder
    parent: Parent


class _Building(threading.local):
    meta: TraceMeta | None = None
    trace_id: int | None = None
    records: list[Any] | None = None


_building = _Building()


def building() -> _Building | None:
    """The export thread's state while it builds a deferred span (else None).

    The span processor collects the built span here instead of queueing it again, and the
    provider's id generator takes a root's trace id from it.
    """
    return _building if _building.records is not None else None


_get_current_span: Any = None


def _current_span_getter() -> Any:
    """OTel's ``get_current_span``, imported on first use (``import ardea`` stays light)."""
    global _get_current_span
    if _get_current_span is None:
        from opentelemetry import trace as otel_trace

        _get_current_span = otel_trace.get_current_span
    return _get_current_span


def capture() -> Parent | None:
    """On the calling thread: where a leaf span started now goes, or None to build in line."""
    tracer = _state.tracer
    if tracer is None:
        if _state.setup is None:
            return None
        tracer = _state.setup()
    if not _state.deferrable:
        return None
    parent = _current_span_getter()().get_span_context()
    if parent.is_valid:
        meta = registry.open.get(parent.trace_id)
        if meta is None or parent.is_remote:  # a parent Ardea does not track: build in line
            return None
        return Parent(tracer, parent, meta, None)
    trace_id = random.getrandbits(128) or 1
    meta = TraceMeta(
        format_trace_id(trace_id),
        core_context.active_experiment_id(),
        core_context.active_run_id(),
    )
    return Parent(tracer, None, meta, trace_id)


def enqueue(builder: Builder, parent: Parent) -> None:
    """On the calling thread: queue the finished leaf for the export thread."""
    if parent.trace_id is not None:
        registry.last_trace_id = parent.meta.trace_id
    processor = _state.processor
    if processor is not None:  # None: tracing was reset since the call started
        processor.queue.put(Deferred(builder, parent))


def _context(parent: Any) -> Any:
    # The parent's context, or an empty one for a root: never the export thread's own, which
    # a thread-patching library may have filled.
    from opentelemetry import context as otel_context
    from opentelemetry import trace as otel_trace

    if parent is None:
        return otel_context.Context()
    return otel_trace.set_span_in_context(otel_trace.NonRecordingSpan(parent))


def collect(items: list[Any]) -> tuple[list[Any], BaseException | None]:
    """On the export thread: the span records of a batch, deferred items built in place.

    Returns:
        The span records (``processor.SpanRecord``), and the first failure to raise once they
        are exported (only under ``ARDEA_STRICT=1``; otherwise failures are logged here). A
        span whose building failed half-way is still exported when it was ended.
    """
    records: list[Any] = []
    first: BaseException | None = None
    state = _building
    for item in items:
        if not isinstance(item, Deferred):
            records.append(item)
            continue
        state.meta, state.trace_id, state.records = item.parent.meta, item.parent.trace_id, []
        try:
            item.builder.build(item.parent.tracer, _context(item.parent.context))
        except Exception as exc:
            if env.strict():
                first = first or exc
            else:
                report_failure(f"{item.builder.integration} autolog (building a span)", exc)
        finally:
            records.extend(state.records)
            state.meta, state.trace_id, state.records = None, None, None
    return records, first
