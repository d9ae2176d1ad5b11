"""Test helpers: capture Ardea's spans in memory instead of exporting them.

Example (pytest)::

    from ardea.tracing.testing import capture_traces

    def test_agent() -> None:
        with capture_traces() as captured:
            run_agent("hi")
        (root,) = captured.roots()
        assert root.span_type == "AGENT"
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ardea.entities import Span, TraceInfo
from ardea.tracing import provider
from ardea.tracing.exporters import InMemoryExporter

__all__ = ["CapturedTraces", "capture_traces"]


class CapturedTraces:
    """What :func:`capture_traces` collected; every accessor flushes the export queue first.

    Args:
        exporter: The in-memory exporter receiving the spans.
    """

    def __init__(self, exporter: InMemoryExporter) -> None:
        self.exporter = exporter

    def spans(self) -> list[Span]:
        """Every finished span, as Ardea entities (attribute values decoded)."""
        provider.flush()
        return self.exporter.entity_spans()

    def roots(self) -> list[Span]:
        """The root spans (no parent)."""
        return [s for s in self.spans() if s.parent_span_id is None]

    def otel_spans(self) -> list[Any]:
        """Every finished span as the OpenTelemetry SDK's ``ReadableSpan``."""
        provider.flush()
        return self.exporter.spans

    def traces(self) -> list[TraceInfo]:
        """The trace records of finished traces."""
        provider.flush()
        return list(self.exporter.trace_infos)

    def clear(self) -> None:
        """Forget everything captured so far."""
        provider.flush()
        self.exporter.clear()


@contextmanager
def capture_traces(sampling_ratio: float | None = None) -> Iterator[CapturedTraces]:
    """Send Ardea's spans to memory for the ``with`` block, then restore the defaults.

    Args:
        sampling_ratio: Optional sampling ratio for the block.

    Yields:
        The :class:`CapturedTraces`.
    """
    memory = InMemoryExporter()
    provider.configure(exporter=memory, sampling_ratio=sampling_ratio, schedule_delay=0.01)
    try:
        yield CapturedTraces(memory)
    finally:
        provider.reset()
