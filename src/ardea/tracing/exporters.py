"""Where finished spans go: an embedded trace store, a list in memory (tests), or OTLP.

Exporters run on the export thread only. Each receives batches of
:class:`~ardea.tracing.processor.SpanRecord` whose ``meta.experiment_id`` is resolved.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ardea.tracing.convert import to_span, trace_info_from_root

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

    from ardea.entities import Span, TraceInfo
    from ardea.store.traces import TraceStore
    from ardea.tracing.processor import SpanRecord

__all__ = ["InMemoryExporter", "SpanExporter", "StoreExporter"]


class SpanExporter(ABC):
    """Receives batches of finished spans on the export thread."""

    @abstractmethod
    def export(self, records: Sequence[SpanRecord]) -> None:
        """Send one batch; raise on failure (the queue counts and logs it)."""

    def drain(self) -> None:  # noqa: B027 - optional hook
        """Wait for exports still in flight; raise if one failed (synchronous: no-op)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""


class InMemoryExporter(SpanExporter):
    """Keeps every exported span and trace record in memory (for tests and notebooks)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.records: list[SpanRecord] = []
        self.trace_infos: list[TraceInfo] = []

    def export(self, records: Sequence[SpanRecord]) -> None:
        """Append the batch and build trace records for finished roots."""
        infos = [
            trace_info_from_root(r.span, r.meta, r.meta.experiment_id or "0")
            for r in records
            if r.is_root
        ]
        with self._lock:
            self.records.extend(records)
            self.trace_infos.extend(infos)

    @property
    def spans(self) -> list[ReadableSpan]:
        """The exported OTel spans, in export order."""
        with self._lock:
            return [r.span for r in self.records]

    def entity_spans(self) -> list[Span]:
        """The exported spans as Ardea :class:`Span` entities (attributes decoded)."""
        with self._lock:
            return [to_span(r.span, r.meta) for r in self.records]

    def clear(self) -> None:
        """Forget everything exported so far."""
        with self._lock:
            self.records.clear()
            self.trace_infos.clear()


class StoreExporter(SpanExporter):
    """Writes spans (``log_spans``) and finished traces (``start_traces``) to a trace store.

    Args:
        store: A trace store to write to.
        tracking_uri: Instead of ``store``: an embedded tracking URI whose backend's trace
            store is looked up per batch (so a backend closed by ``set_tracking_uri`` is
            reopened).
    """

    def __init__(self, store: TraceStore | None = None, tracking_uri: str | None = None) -> None:
        if (store is None) == (tracking_uri is None):
            from ardea._core.errors import InvalidArgumentError

            raise InvalidArgumentError("Give exactly one of store or tracking_uri.")
        self._store = store
        self._uri = tracking_uri

    @property
    def store(self) -> TraceStore:
        """The trace store the next batch goes to."""
        if self._store is not None:
            return self._store
        assert self._uri is not None
        from ardea.store.resolve import resolve_backend

        return resolve_backend(self._uri).traces

    def export(self, records: Sequence[SpanRecord]) -> None:
        """One ``log_spans`` per experiment in the batch, then one ``start_traces`` of the roots.

        A failing call does not stop the rest of the batch; the first error is raised at the
        end (the queue counts and logs it).
        """
        store = self.store
        by_experiment: dict[str, list[Span]] = {}
        for record in records:
            exp = record.meta.experiment_id or "0"
            by_experiment.setdefault(exp, []).append(to_span(record.span, record.meta))
        infos = [
            trace_info_from_root(r.span, r.meta, r.meta.experiment_id or "0")
            for r in records
            if r.is_root
        ]
        errors: list[Exception] = []

        for experiment_id, spans in by_experiment.items():
            try:
                store.log_spans(experiment_id, spans)
            except Exception as exc:  # keep the rest of the batch
                errors.append(exc)
        if infos:
            try:
                store.start_traces(infos)
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]
