"""The OpenTelemetry tracer PydanticAI's own instrumentation writes to: Ardea's, plus two fixes.

PydanticAI instruments agents with the OpenTelemetry GenAI conventions (``invoke_agent``,
``chat``, ``execute_tool`` spans); Ardea maps those to its span types, tokens and cost like any
OTel source (:mod:`ardea.llm.semconv`). This tracer hands its spans to Ardea's tracer (looked
up on every span, so a reconfigured Ardea provider is followed), ends them OK unless they
failed (as Ardea's own spans), and treats two kinds specially:

- a model request (``gen_ai.operation.name == "chat"``) is registered in
  :data:`ardea.autolog._llm_call.framework_llm_spans` while open, so the OpenAI SDK call it
  makes adds no second span when OpenAI autologging is on too;
- an agent run (``invoke_agent``) gets inputs (the user prompt, from
  ``pydantic_ai.all_messages``) and outputs (``final_result``) when it ends.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from opentelemetry import trace

from ardea._core.safety import swallow_failures
from ardea.autolog._current_span import CurrentSpan
from ardea.autolog._llm_call import framework_llm_spans
from ardea.tracing import keys
from ardea.tracing._serialize import dumps
from ardea.tracing.spans import runtime

__all__ = ["TracerProvider", "prompt_of"]

_OP = "gen_ai.operation.name"
_UNSET = trace.StatusCode.UNSET


class _Span(CurrentSpan):
    """One PydanticAI span; its ``end`` marks it OK unless it failed (as Ardea's own spans)."""

    def __init__(self, span: trace.Span) -> None:
        super().__init__(span, span)

    def end(self, end_time: int | None = None) -> None:
        """End the span (status OK when still unset)."""
        span = self.target
        status = getattr(span, "status", None)
        if span.is_recording() and status is not None and status.status_code is _UNSET:
            span.set_status(trace.Status(trace.StatusCode.OK))
        span.end(end_time)


class _ChatSpan(_Span):
    """A model request span: a framework LLM span while it is open."""

    def __init__(self, span: trace.Span) -> None:
        super().__init__(span)
        self._id = span.get_span_context().span_id
        framework_llm_spans.add(self._id)

    def end(self, end_time: int | None = None) -> None:
        """Stop being a framework LLM span, then end."""
        framework_llm_spans.discard(self._id)
        super().end(end_time)


class _AgentSpan(_Span):
    """An agent run span: inputs and outputs set from PydanticAI's attributes at the end."""

    def end(self, end_time: int | None = None) -> None:
        """Set inputs and outputs, then end."""
        span = self.target
        with swallow_failures("pydantic_ai autolog (reading an agent run)"):
            attrs: Mapping[str, Any] = getattr(span, "attributes", None) or {}
            messages = _json(attrs.get("pydantic_ai.all_messages"))
            if messages is not None and span.is_recording():
                span.set_attribute(keys.SPAN_INPUTS, dumps(prompt_of(messages)))
            if "final_result" in attrs and span.is_recording():
                span.set_attribute(keys.SPAN_OUTPUTS, dumps(_json(attrs["final_result"])))
        super().end(end_time)


def _json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def prompt_of(messages: Any) -> Any:
    """The user prompt of a run: the first user message's text (its parts when not text)."""
    for message in messages if isinstance(messages, list) else ():
        if isinstance(message, dict) and message.get("role") == "user":
            parts = message.get("parts") or []
            texts = [p.get("content") for p in parts if isinstance(p, dict)]
            if len(texts) == 1 and isinstance(texts[0], str):
                return texts[0]
            return parts
    return messages


class _Tracer(trace.Tracer):
    """Starts spans on Ardea's tracer; wraps model requests and agent runs."""

    def start_span(
        self,
        name: str,
        context: Any = None,
        kind: trace.SpanKind = trace.SpanKind.INTERNAL,
        attributes: Any = None,
        links: Sequence[trace.Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
    ) -> trace.Span:
        """Start a span on Ardea's tracer (wrapped for model requests and agent runs)."""
        span = runtime().get_tracer().start_span(
            name, context, kind, attributes, links, start_time, record_exception,
            set_status_on_exception,
        )  # fmt: skip
        op = attributes.get(_OP) if attributes else None
        if op == "chat":
            return _ChatSpan(span)
        if op == "invoke_agent":
            return _AgentSpan(span)
        return _Span(span)

    @contextmanager  # OTel types it with a private decorator; the behavior is the same
    def start_as_current_span(  # type: ignore[override]
        self,
        name: str,
        context: Any = None,
        kind: trace.SpanKind = trace.SpanKind.INTERNAL,
        attributes: Any = None,
        links: Sequence[trace.Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
        end_on_exit: bool = True,
    ) -> Iterator[trace.Span]:
        """Start a span and make it current for the ``with`` block."""
        span = self.start_span(
            name, context, kind, attributes, links, start_time, record_exception,
            set_status_on_exception,
        )  # fmt: skip
        with trace.use_span(
            span, end_on_exit=end_on_exit, record_exception=record_exception,
            set_status_on_exception=set_status_on_exception,
        ) as current:  # fmt: skip
            yield current


class TracerProvider(trace.TracerProvider):
    """Hands out the tracer PydanticAI's ``InstrumentationSettings`` writes to."""

    def get_tracer(
        self,
        instrumenting_module_name: str,
        instrumenting_library_version: str | None = None,
        schema_url: str | None = None,
        attributes: Any = None,
    ) -> trace.Tracer:
        """The tracer (one for every caller: it only forwards to Ardea's)."""
        return _Tracer()
