"""One traced LLM SDK call: its span, opened before the request and ended with the result.

The span is the current span while the SDK call runs (so spans of nested instrumentation
nest under it) and may stay open after the call returns, until a streamed response is fully
read. Every method here is telemetry code: failures are reported through
:func:`ardea._core.safety.report_failure`, never raised into the user's call (except under
``ARDEA_STRICT=1``).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from typing import Any

from ardea._core.safety import swallow_failures
from ardea.llm.usage import COST, TOKEN_USAGE, field, positive_int, usage_attributes
from ardea.tracing import deferred, keys
from ardea.tracing._serialize import dumps
from ardea.tracing.spans import LiveSpan, record_error, runtime, span_type_value

__all__ = [
    "COST",
    "Attributes",
    "MODEL",
    "PROVIDER",
    "TOKEN_USAGE",
    "TOOLS",
    "LLMCall",
    "clean_inputs",
    "field",
    "framework_llm_spans",
    "inside_framework_llm_span",
    "positive_int",
    "usage_attributes",
]

MODEL = "mlflow.llm.model"
PROVIDER = "mlflow.llm.provider"
TOOLS = "mlflow.chat.tools"

_DROPPED_INPUTS = frozenset({"extra_headers", "extra_query", "timeout"})

Attributes = Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None
"""Attributes set when a call finishes, or a function returning them (called late)."""

framework_llm_spans: set[int] = set()
"""OTel span ids of open framework LLM spans (a LangChain chat model run, ...): provider SDK
calls made inside one are already described by it and make no span of their own."""


def inside_framework_llm_span() -> bool:
    """Whether the current span is an open framework LLM span (see ``framework_llm_spans``)."""
    if not framework_llm_spans:
        return False
    from opentelemetry import trace

    return trace.get_current_span().get_span_context().span_id in framework_llm_spans


def clean_inputs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The request arguments without headers, transport options and ``NOT_GIVEN`` markers."""
    return {
        k: v
        for k, v in kwargs.items()
        if k not in _DROPPED_INPUTS and type(v).__name__ not in ("NotGiven", "Omit")
    }


@functools.cache
def _type_json(span_type: str) -> str:
    return dumps(span_type_value(span_type))


@functools.cache
def _ok() -> Any:
    rt = runtime()
    return rt.Status(rt.StatusCode.OK)


class LLMCall:
    """The span of one SDK call.

    A ``leaf`` call (a provider SDK request: nothing nests under it) is deferred when tracing
    allows (:mod:`ardea.tracing.deferred`): the calling thread keeps references and two clock
    readings, and the export thread builds the span, serializing the inputs and outputs and
    computing usage there. Lists and dicts among the inputs are copied one level deep at the
    start, so a ``messages`` list the caller appends to afterwards is recorded as sent.

    Args:
        integration: Integration name for failure reports (``"openai"``).
        name: Span name.
        span_type: Span type value (``CHAT_MODEL``, ``EMBEDDING``, ``LLM``, ...).
        inputs: The span inputs.
        attributes: Extra attributes set at start.
        leaf: Whether nothing can nest under the span (it may then be deferred).
    """

    def __init__(
        self,
        integration: str,
        name: str,
        span_type: str,
        inputs: Any,
        attributes: Mapping[str, Any],
        leaf: bool = False,
    ) -> None:
        self.integration = integration
        self.name = name
        self.inputs = inputs
        self._span_type = span_type
        self._ended = False
        self._token: Any = None
        self._parent = deferred.capture() if leaf else None
        if self._parent is not None:
            self.inputs = _snapshot(inputs)
            self._start_attrs: Mapping[str, Any] = attributes
            self._start_ns = time.time_ns()
            self._end_ns = 0
            self._outputs: Any = None
            self._end_attrs: Attributes = None
            self._status = "OK"
            self._error: BaseException | None = None
            return
        rt = runtime()
        self._span = rt.get_tracer().start_span(name, attributes=self._attributes(attributes))
        self._token = rt.attach(rt.set_span_in_context(self._span))

    def _attributes(self, attributes: Mapping[str, Any]) -> dict[str, Any]:
        # Everything known at start goes in with the span: one attribute pass, no per-key
        # set_attribute (each takes the span's lock).
        attrs = {keys.SPAN_TYPE: _type_json(self._span_type), keys.SPAN_INPUTS: dumps(self.inputs)}
        for k, v in attributes.items():
            if v is not None:
                attrs[str(k)] = dumps(v)
        return attrs

    @property
    def span(self) -> LiveSpan:
        """The open span (only for calls that are not deferred leaves)."""
        if self._parent is not None:
            raise RuntimeError("a deferred leaf call has no live span")
        return LiveSpan(self._span)

    def detach(self) -> None:
        """Stop being the current span (the span itself stays open)."""
        if self._token is not None:
            token, self._token = self._token, None
            with swallow_failures(f"{self.integration} autolog (detaching a span)"):
                runtime().detach(token)

    def fail(self, exc: BaseException) -> None:
        """End the span as ERROR with an ``exception`` event for ``exc``."""
        self.detach()
        if self._ended:
            return
        self._ended = True
        if self._parent is not None:
            self._error, self._end_ns = exc, time.time_ns()
            deferred.enqueue(self, self._parent)
            return
        with swallow_failures(f"{self.integration} autolog (recording an error)"):
            record_error(self._span, exc)
        self._span.end()

    def finish(self, outputs: Any, attributes: Attributes = None, status: str = "OK") -> None:
        """Set the outputs and attributes, then end the span.

        Args:
            outputs: The span outputs.
            attributes: Attributes to set (``None`` values skipped), or a function returning
                them (called where the span is built: the export thread for a deferred leaf).
            status: ``OK``, or ``ERROR`` for a call that answered but failed (a tool whose
                result says so).
        """
        self.detach()
        if self._ended:
            return
        self._ended = True
        if self._parent is not None:
            self._outputs, self._end_attrs, self._status = outputs, attributes, status
            self._end_ns = time.time_ns()
            deferred.enqueue(self, self._parent)
            return
        span = self._span
        try:
            with swallow_failures(f"{self.integration} autolog (recording outputs)"):
                if span.is_recording():
                    self._set_outcome(span, outputs, attributes, status)
        finally:
            span.end()

    def _set_outcome(self, span: Any, outputs: Any, attributes: Attributes, status: str) -> None:
        attrs = {keys.SPAN_OUTPUTS: dumps(outputs)}
        if callable(attributes):
            attributes = attributes()
        if attributes:
            for k, v in attributes.items():
                if v is not None:
                    attrs[str(k)] = dumps(v)
        span.set_attributes(attrs)
        if status == "OK":
            span.set_status(_ok())
        else:
            LiveSpan(span).set_status(status)

    def build(self, tracer: Any, parent: Any) -> None:
        """Build the deferred span on the export thread (see :mod:`ardea.tracing.deferred`)."""
        attrs = self._attributes(self._start_attrs)
        span = tracer.start_span(
            self.name, context=parent, attributes=attrs, start_time=self._start_ns
        )
        try:
            with swallow_failures(f"{self.integration} autolog (recording outputs)"):
                if self._error is not None:
                    record_error(span, self._error, self._end_ns)
                else:
                    self._set_outcome(span, self._outputs, self._end_attrs, self._status)
        finally:
            span.end(end_time=self._end_ns)

    @property
    def ended(self) -> bool:
        """Whether the span has ended."""
        return self._ended


def _snapshot(inputs: Any) -> Any:
    """``inputs`` with list and dict values copied (the caller may change them afterwards)."""
    if not isinstance(inputs, dict):
        return inputs
    return {
        k: (list(v) if type(v) is list else dict(v) if type(v) is dict else v)
        for k, v in inputs.items()
    }
