"""The OpenAI Agents SDK trace processor that turns the SDK's traces and spans into Ardea spans.

The SDK reports every trace and span to its registered processors (``agents.tracing``); this
one mirrors each as an OpenTelemetry span in Ardea's provider, with the parent the SDK gives
it, and makes it the current span while it is open (tools' ``@ardea.trace`` functions and
provider SDK calls nest under it). A model span (``response``, ``generation``) is registered
in :data:`ardea.autolog._llm_call.framework_llm_spans`, so the OpenAI SDK call the model makes
adds no second span when OpenAI autologging is on too.

A run opened by the ``Runner`` patch (:mod:`ardea.autolog.openai_agents`) already is the span
of the SDK trace and task it starts: those are mapped onto it rather than nested below it.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from agents.tracing import TracingProcessor

from ardea._core.safety import swallow_failures
from ardea.autolog import _openai_agents_parse as parse
from ardea.autolog._llm_call import framework_llm_spans
from ardea.autolog._scoped import Scope, current_otel_span, enter
from ardea.tracing import keys
from ardea.tracing._serialize import dumps
from ardea.tracing.spans import LiveSpan, runtime

__all__ = ["ArdeaTracingProcessor", "processor", "run_roots"]

run_roots: set[int] = set()
"""OTel span ids of open ``Runner.run`` spans (made by the ``Runner`` patch)."""


class _Open:
    __slots__ = ("llm", "owned", "scope", "span")

    def __init__(self, span: Any, scope: Scope | None, owned: bool, llm: bool) -> None:
        self.span = span
        self.scope = scope
        self.owned = owned
        self.llm = llm


class ArdeaTracingProcessor(TracingProcessor):
    """Mirrors OpenAI Agents SDK traces and spans as Ardea spans.

    Attributes:
        enabled: Whether new SDK traces and spans make Ardea spans (open ones still end).
    """

    def __init__(self) -> None:
        self.enabled = False
        self._lock = threading.Lock()
        self._open: dict[str, _Open] = {}

    # ------------------------------------------------------------------ traces

    def on_trace_start(self, trace: Any) -> None:
        """Open the trace's ``AGENT`` span (or map it onto the ``Runner.run`` span)."""
        if not self.enabled:
            return
        with swallow_failures("openai_agents autolog (starting a trace)"):
            attrs: dict[str, Any] = {}
            if getattr(trace, "group_id", None):
                attrs[parse.PREFIX + "group_id"] = trace.group_id
            if getattr(trace, "metadata", None):
                attrs[parse.PREFIX + "metadata"] = trace.metadata
            self._open_span(trace.trace_id, None, trace.name, "AGENT", attrs, claim=True)

    def on_trace_end(self, trace: Any) -> None:
        """End the trace's span."""
        self._close(trace.trace_id, None, None, {}, None)

    # ------------------------------------------------------------------ spans

    def on_span_start(self, span: Any) -> None:
        """Open the Ardea span of an SDK span under its parent's."""
        if not self.enabled:
            return
        with swallow_failures("openai_agents autolog (starting a span)"):
            data = span.span_data
            kind = getattr(data, "type", "")
            parent = span.parent_id or span.trace_id
            name = parse.span_name(data)
            self._open_span(
                span.span_id, parent, name, parse.span_type(kind), {},
                claim=kind == "task", llm=kind in parse.MODEL_KINDS,
            )  # fmt: skip

    def on_span_end(self, span: Any) -> None:
        """End the Ardea span with the SDK span's inputs, outputs and attributes."""
        inputs: Any = None
        outputs: Any = None
        attrs: dict[str, Any] = {}
        name = None
        with swallow_failures("openai_agents autolog (reading a span)"):
            inputs, outputs, attrs = parse.end_data(span.span_data)
            if getattr(span.span_data, "type", "") == "handoff":  # its target is known now
                name = parse.span_name(span.span_data)
        self._close(span.span_id, inputs, outputs, attrs, span.error, name)

    def shutdown(self) -> None:
        """Nothing to release: Ardea's exporter flushes on its own."""

    def force_flush(self) -> None:
        """Nothing queued here: Ardea's exporter flushes on its own."""

    # ------------------------------------------------------------------ bookkeeping

    def _open_span(
        self, key: str, parent_key: str | None, name: str, span_type: str,
        attributes: dict[str, Any], claim: bool = False, llm: bool = False,
    ) -> None:  # fmt: skip
        if claim and run_roots:
            current = current_otel_span()
            if current.get_span_context().span_id in run_roots:
                # The Runner.run span stands for this trace / task: map it, make none.
                with self._lock:
                    self._open[key] = _Open(current, None, owned=False, llm=False)
                current.update_name(name)
                return
        with self._lock:
            entry = self._open.get(parent_key) if parent_key is not None else None
        parent = entry.span if entry is not None else current_otel_span()
        rt = runtime()
        attrs = {keys.SPAN_TYPE: _type_json(span_type)}
        attrs.update({k: dumps(v) for k, v in attributes.items()})
        otel = rt.get_tracer().start_span(
            name, context=rt.set_span_in_context(parent), attributes=attrs
        )
        if llm:
            framework_llm_spans.add(otel.get_span_context().span_id)
        with self._lock:
            self._open[key] = _Open(otel, enter(otel), owned=True, llm=llm)

    def _close(
        self, key: str, inputs: Any, outputs: Any, attrs: dict[str, Any], error: Any,
        name: str | None = None,
    ) -> None:  # fmt: skip
        with self._lock:
            entry = self._open.pop(key, None)
        if entry is None or not entry.owned:
            return
        try:
            with swallow_failures("openai_agents autolog (ending a span)"):
                if entry.scope is not None:
                    entry.scope.exit()
                span = entry.span
                if name:
                    span.update_name(name)
                if span.is_recording():  # one attribute pass: each set takes the span's lock
                    values = {k: dumps(v) for k, v in attrs.items()}
                    if inputs is not None:
                        values[keys.SPAN_INPUTS] = dumps(inputs)
                    if outputs is not None:
                        values[keys.SPAN_OUTPUTS] = dumps(outputs)
                    span.set_attributes(values)
                if error:
                    _record_error(LiveSpan(span), error)
                else:
                    span.set_status(_ok())
        finally:
            if entry.llm:
                framework_llm_spans.discard(entry.span.get_span_context().span_id)
            entry.span.end()


@functools.cache
def _type_json(span_type: str) -> str:
    return dumps(span_type)


@functools.cache
def _ok() -> Any:
    rt = runtime()
    return rt.Status(rt.StatusCode.OK)


def _record_error(live: LiveSpan, error: Any) -> None:
    """Mark the span ERROR from the SDK's ``{"message", "data"}`` error."""
    message = str(error.get("message") if isinstance(error, dict) else error)
    data = error.get("data") if isinstance(error, dict) else None
    event = {"exception.type": "AgentsSpanError", "exception.message": message}
    if data:
        event["exception.stacktrace"] = dumps(data)
    live.add_event("exception", event)
    live.set_status("ERROR", message)


processor = ArdeaTracingProcessor()
"""The process-wide processor ``ardea.openai_agents.autolog()`` registers with the SDK."""
