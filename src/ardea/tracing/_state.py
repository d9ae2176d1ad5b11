"""The tracing plumbing's process-wide state (what :mod:`ardea.tracing.provider` set up).

Its own module so that :mod:`ardea.tracing.deferred` can read it without importing the
provider (which imports the span processor, which imports ``deferred``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Tracer

    from ardea.tracing.queue import ExportQueue

__all__ = ["Processor", "State", "state"]


class Processor(Protocol):
    """What the state keeps of Ardea's span processor (typed here without importing it)."""

    queue: ExportQueue
    enabled: bool


class State:
    """Everything :func:`configure` and the first span set up (one per process)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tracer: Tracer | None = None
        self.provider: TracerProvider | None = None
        self.joined = False
        self.processor: Processor | None = None
        self.exporter_override: Any = None  # an exporters.SpanExporter (not imported: a cycle)
        self.sampling_ratio: float | None = None
        self.queue_options: dict[str, Any] = {}
        self.exporters: dict[str, Any] = {}  # tracking URI -> its exporters.SpanExporter
        self.exporters_lock = threading.Lock()  # taken on the export thread: never under lock
        self.setup: Callable[[], Tracer] | None = None
        """Sets tracing up and returns the tracer (``provider.get_tracer``, installed there)."""
        self.deferrable = False
        """Leaf spans may be built on the export thread (see :mod:`ardea.tracing.deferred`)."""


state = State()
"""The one instance."""
