"""Manual spans: :func:`start_span`, the :class:`LiveSpan` handle, the current span.

The active span is OpenTelemetry's (a context variable), so nesting follows each thread and
asyncio task, and spans made by other OTel instrumentation in the same provider nest with
Ardea's. OpenTelemetry is imported on the first span, not when this module is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ardea.entities import SpanType
from ardea.tracing import keys
from ardea.tracing._serialize import dumps

__all__ = ["LiveSpan", "get_current_active_span", "start_span"]


class _Runtime:
    """OTel functions used on the hot path, bound once after the first import."""

    def __init__(self) -> None:
        from opentelemetry import context, trace
        from opentelemetry.trace import Status, StatusCode

        from ardea.tracing.provider import get_tracer

        self.attach = context.attach
        self.detach = context.detach
        self.set_span_in_context = trace.set_span_in_context
        self.get_current_span = trace.get_current_span
        self.get_tracer = get_tracer
        self.Status = Status
        self.StatusCode = StatusCode


_rt: _Runtime | None = None


def runtime() -> _Runtime:
    """The OTel hot-path functions (imports the OTel SDK on first call)."""
    global _rt
    if _rt is None:
        _rt = _Runtime()
    return _rt


def record_error(span: Any, exc: BaseException, timestamp: int | None = None) -> None:
    """Record ``exc`` as an ``exception`` event on ``span`` and set its status to ERROR.

    Args:
        span: The OTel span.
        exc: The exception.
        timestamp: When it was raised (ns since the epoch; None: now).
    """
    rt = runtime()
    if span.is_recording():
        span.record_exception(exc, timestamp=timestamp)
        span.set_status(rt.Status(rt.StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))


def end_span(span: Any) -> None:
    """End ``span``; one still UNSET becomes OK first (as MLflow's SDK marks finished spans)."""
    if span.is_recording() and span.status.status_code is runtime().StatusCode.UNSET:
        span.set_status(runtime().Status(runtime().StatusCode.OK))
    span.end()


def span_type_value(span_type: SpanType | str | None) -> str:
    """The string stored for a span type (enum value or the string itself)."""
    if span_type is None:
        return SpanType.UNKNOWN.value
    return span_type.value if isinstance(span_type, SpanType) else str(span_type)


class LiveSpan:
    """A handle on an open span, with MLflow's attribute conventions.

    Attribute values are stored JSON-encoded, as the MLflow wire expects.

    Args:
        span: The OTel span.
    """

    __slots__ = ("_span",)

    def __init__(self, span: Any) -> None:
        self._span = span

    @property
    def otel_span(self) -> Any:
        """The underlying OpenTelemetry span."""
        return self._span

    @property
    def trace_id(self) -> str:
        """The trace id, ``tr-`` + 32 hex."""
        return f"tr-{self._span.get_span_context().trace_id:032x}"

    @property
    def request_id(self) -> str:
        """Alias of :attr:`trace_id` (MLflow's older name)."""
        return self.trace_id

    @property
    def span_id(self) -> str:
        """The span id, 16 hex."""
        return f"{self._span.get_span_context().span_id:016x}"

    @property
    def name(self) -> str:
        """The span name."""
        return str(getattr(self._span, "name", ""))

    def set_inputs(self, inputs: Any) -> None:
        """Set the span's inputs (``mlflow.spanInputs``)."""
        if self._span.is_recording():
            self._span.set_attribute(keys.SPAN_INPUTS, dumps(inputs))

    def set_outputs(self, outputs: Any) -> None:
        """Set the span's outputs (``mlflow.spanOutputs``)."""
        if self._span.is_recording():
            self._span.set_attribute(keys.SPAN_OUTPUTS, dumps(outputs))

    def set_attribute(self, key: str, value: Any) -> None:
        """Set one attribute (stored as JSON)."""
        if self._span.is_recording():
            self._span.set_attribute(str(key), dumps(value))

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        """Set several attributes (stored as JSON)."""
        if self._span.is_recording():
            self._span.set_attributes({str(k): dumps(v) for k, v in attributes.items()})

    def set_span_type(self, span_type: SpanType | str) -> None:
        """Change the span type."""
        if self._span.is_recording():
            self._span.set_attribute(keys.SPAN_TYPE, dumps(span_type_value(span_type)))

    def set_status(self, status: str, description: str | None = None) -> None:
        """Set the status: ``"OK"``, ``"ERROR"`` or ``"UNSET"``.

        Raises:
            InvalidArgumentError: Another status string.
        """
        rt = runtime()
        code = getattr(rt.StatusCode, str(status).upper(), None)
        if code is None:
            from ardea._core.errors import InvalidArgumentError

            raise InvalidArgumentError(f"Span status must be OK, ERROR or UNSET, not {status!r}.")
        self._span.set_status(rt.Status(code, description))

    def add_event(
        self,
        name: str,
        attributes: Mapping[str, Any] | None = None,
        timestamp_ns: int | None = None,
    ) -> None:
        """Add a point-in-time event (non-primitive attribute values are JSON-encoded)."""
        clean = {
            str(k): v if isinstance(v, str | bool | int | float) else dumps(v)
            for k, v in (attributes or {}).items()
        }
        self._span.add_event(name, clean, timestamp_ns)

    def record_exception(self, exc: BaseException) -> None:
        """Record ``exc`` as an ``exception`` event and mark the span ERROR."""
        record_error(self._span, exc)

    def __repr__(self) -> str:
        return f"LiveSpan(name={self.name!r}, trace_id={self.trace_id!r}, span_id={self.span_id!r})"


@contextmanager
def start_span(
    name: str = "span",
    span_type: SpanType | str | None = SpanType.UNKNOWN,
    attributes: Mapping[str, Any] | None = None,
    inputs: Any = None,
) -> Iterator[LiveSpan]:
    """Open a span as the current span for the ``with`` block.

    An exception leaving the block is recorded (``exception`` event, status ERROR) and
    re-raised unchanged.

    Args:
        name: Span name.
        span_type: A :class:`SpanType` or any string.
        attributes: Extra attributes (stored as JSON).
        inputs: The span's inputs, if known up front.

    Yields:
        The :class:`LiveSpan` handle.

    Example::

        with ardea.start_span("retrieve", span_type="RETRIEVER") as span:
            span.set_inputs({"query": q})
            span.set_outputs(search(q))
    """
    rt = runtime()
    attrs = {keys.SPAN_TYPE: dumps(span_type_value(span_type))}
    if attributes:
        attrs.update({str(k): dumps(v) for k, v in attributes.items()})
    span = rt.get_tracer().start_span(name, attributes=attrs)
    live = LiveSpan(span)
    if inputs is not None:
        live.set_inputs(inputs)
    token = rt.attach(rt.set_span_in_context(span))
    try:
        yield live
    except GeneratorExit:
        raise
    except BaseException as exc:
        record_error(span, exc)
        raise
    finally:
        rt.detach(token)
        end_span(span)


def get_current_active_span() -> LiveSpan | None:
    """The current span of this thread or task, if one is recording.

    Returns:
        A :class:`LiveSpan`, or None outside a (sampled) span.
    """
    from opentelemetry import trace as otel_trace

    span = otel_trace.get_current_span()
    return LiveSpan(span) if span.is_recording() else None
