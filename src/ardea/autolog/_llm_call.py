"""One traced LLM SDK call: its span, opened before the request and ended with the result.

The span is the current span while the SDK call runs (so spans of nested instrumentation
nest under it) and may stay open after the call returns, until a streamed response is fully
read. Every method here is telemetry code: failures are reported through
:func:`ardea._core.safety.report_failure`, never raised into the user's call (except under
``ARDEA_STRICT=1``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ardea._core.safety import swallow_failures
from ardea.llm.usage import COST, TOKEN_USAGE, field, positive_int, usage_attributes
from ardea.tracing import keys
from ardea.tracing._serialize import dumps
from ardea.tracing.spans import LiveSpan, record_error, runtime, span_type_value

__all__ = [
    "COST",
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

    Args:
        integration: Integration name for failure reports (``"openai"``).
        name: Span name.
        span_type: Span type value (``CHAT_MODEL``, ``EMBEDDING``, ``LLM``, ...).
        inputs: The span inputs.
        attributes: Extra attributes set at start.
    """

    def __init__(
        self,
        integration: str,
        name: str,
        span_type: str,
        inputs: Any,
        attributes: Mapping[str, Any],
    ) -> None:
        rt = runtime()
        # Everything known at start goes in with the span: one attribute pass, no per-key
        # set_attribute (each takes the span's lock).
        attrs = {keys.SPAN_TYPE: _type_json(span_type), keys.SPAN_INPUTS: dumps(inputs)}
        for k, v in attributes.items():
            if v is not None:
                attrs[str(k)] = dumps(v)
        self.integration = integration
        self.name = name
        self.inputs = inputs
        self._span = rt.get_tracer().start_span(name, attributes=attrs)
        self.span = LiveSpan(self._span)
        self._token: Any = rt.attach(rt.set_span_in_context(self._span))
        self._ended = False

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
        with swallow_failures(f"{self.integration} autolog (recording an error)"):
            record_error(self._span, exc)
        self._span.end()

    def finish(
        self, outputs: Any, attributes: Mapping[str, Any] | None = None, status: str = "OK"
    ) -> None:
        """Set the outputs and attributes, then end the span.

        Args:
            outputs: The span outputs.
            attributes: Attributes to set (``None`` values skipped).
            status: ``OK``, or ``ERROR`` for a call that answered but failed (a tool whose
                result says so).
        """
        self.detach()
        if self._ended:
            return
        self._ended = True
        span = self._span
        try:
            with swallow_failures(f"{self.integration} autolog (recording outputs)"):
                if span.is_recording():
                    attrs = {keys.SPAN_OUTPUTS: dumps(outputs)}
                    if attributes:
                        for k, v in attributes.items():
                            if v is not None:
                                attrs[str(k)] = dumps(v)
                    span.set_attributes(attrs)
                    if status == "OK":
                        span.set_status(_ok())
                    else:
                        self.span.set_status(status)
        finally:
            span.end()

    @property
    def ended(self) -> bool:
        """Whether the span has ended."""
        return self._ended
