"""Ardea's tracing SDK, built on the OpenTelemetry SDK (re-exported by ``ardea``).

``@trace`` and :func:`start_span` make spans with MLflow's attribute conventions, so traces
land unchanged in Ardea or MLflow servers. Spans are exported off the calling thread, in
batches, through a bounded queue: to the embedded store of the tracking URI, or to a server
over OTLP/HTTP. ``import ardea.tracing`` and decorating a function import no OTel code; the
first span does.

==================================  ===================================================
Module                              Responsibility
==================================  ===================================================
``decorator``                       ``@trace`` for the four kinds of functions
``spans``                           ``start_span``, ``LiveSpan``, ``get_current_active_span``
``context``                         per-trace state, ``update_current_trace``
``provider``                        tracer provider (join or private), ``configure``, ``flush``
``processor``, ``queue``            span processor, bounded export queue
``exporters``, ``otlp``, ``convert``  embedded store, in-memory, OTLP/HTTP exporters
``propagation``                     W3C ``traceparent`` helpers
``testing``                         ``capture_traces()``: spans in memory, for tests
``llm_calls``                       spans of ``ardea.llm`` calls made inside a trace
``keys``, ``_serialize``            MLflow attribute keys; JSON with safe fallbacks
==================================  ===================================================
"""

from ardea.tracing.context import get_last_active_trace_id, update_current_trace
from ardea.tracing.decorator import trace
from ardea.tracing.propagation import extract, inject_traceparent
from ardea.tracing.provider import configure, flush, reset
from ardea.tracing.spans import LiveSpan, get_current_active_span, start_span

__all__ = [
    "LiveSpan",
    "configure",
    "extract",
    "flush",
    "get_current_active_span",
    "get_last_active_trace_id",
    "inject_traceparent",
    "reset",
    "start_span",
    "trace",
    "update_current_trace",
]

# Calls of ardea.llm (a layer below) made inside a trace become spans of it.
from ardea.llm.hooks import add_observer as _add_llm_observer
from ardea.tracing.llm_calls import observe_llm_call as _observe_llm_call

_add_llm_observer(_observe_llm_call)
