"""A stand-in for the current span that outlives an un-detachable attach.

LangChain ends async runs from a shielded task (a copy of the caller's context), where the
context attached when the run started cannot be detached. The span made current at start is
therefore this proxy: it is the run's span while the run is open, and behaves as the span
that was current before once the run has ended, so later spans in the caller's context get
the right parent even though the attach was never undone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry import trace

__all__ = ["CurrentSpan"]


class CurrentSpan(trace.Span):
    """The run's span until :meth:`release`, then the previously current span.

    Args:
        span: The run's span.
        previous: The span that was current when the run started.
    """

    def __init__(self, span: trace.Span, previous: trace.Span) -> None:
        self._span = span
        self._previous = previous
        self._released = False

    def release(self) -> None:
        """The run ended: from now on behave as the previously current span."""
        self._released = True

    @property
    def previous(self) -> trace.Span:
        """The span that was current when the run started."""
        return self._previous

    @property
    def target(self) -> trace.Span:
        """The span this proxy stands for now."""
        return self._previous if self._released else self._span

    def end(self, end_time: int | None = None) -> None:
        """End the span this stands for."""
        self.target.end(end_time)

    def get_span_context(self) -> trace.SpanContext:
        """The span context of the span this stands for."""
        return self.target.get_span_context()

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        """Set attributes on the span this stands for."""
        self.target.set_attributes(attributes)

    def set_attribute(self, key: str, value: Any) -> None:
        """Set one attribute on the span this stands for."""
        self.target.set_attribute(key, value)

    def add_event(
        self,
        name: str,
        attributes: Mapping[str, Any] | None = None,
        timestamp: int | None = None,
    ) -> None:
        """Add an event to the span this stands for."""
        self.target.add_event(name, attributes, timestamp)

    def add_link(self, context: trace.SpanContext, attributes: Any = None) -> None:
        """Add a link to the span this stands for."""
        self.target.add_link(context, attributes)

    def update_name(self, name: str) -> None:
        """Rename the span this stands for."""
        self.target.update_name(name)

    def is_recording(self) -> bool:
        """Whether the span this stands for is recording."""
        return self.target.is_recording()

    def set_status(self, status: Any, description: str | None = None) -> None:
        """Set the status of the span this stands for."""
        self.target.set_status(status, description)

    def record_exception(
        self,
        exception: BaseException,
        attributes: Any = None,
        timestamp: int | None = None,
        escaped: bool = False,
    ) -> None:
        """Record an exception on the span this stands for."""
        self.target.record_exception(exception, attributes, timestamp, escaped)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.target, name)

    def __repr__(self) -> str:
        return f"CurrentSpan({self.target!r}, released={self._released})"
