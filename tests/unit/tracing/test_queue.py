"""The bounded export queue: drops are counted and logged once; strict flush raises."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import pytest

import ardea
from ardea.tracing import flush, provider, start_span
from ardea.tracing.exporters import SpanExporter
from ardea.tracing.processor import SpanRecord
from ardea.tracing.queue import ExportQueue


class BlockingExporter(SpanExporter):
    """Blocks every export until released (a server that hangs)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.exported: list[SpanRecord] = []

    def export(self, records: Sequence[SpanRecord]) -> None:
        self.release.wait(30)
        self.exported.extend(records)


class FailingExporter(SpanExporter):
    def export(self, records: Sequence[SpanRecord]) -> None:
        raise ConnectionError("server gone")


def test_full_queue_drops_counts_and_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    blocking = BlockingExporter()
    provider.configure(exporter=blocking, max_queue_size=5, batch_size=1, schedule_delay=0.01)
    caplog.set_level(logging.WARNING, logger="ardea.tracing.queue")
    for i in range(100):
        with start_span(f"s{i}"):
            pass
    processor = provider._state.processor
    assert processor is not None
    assert len(processor.queue) <= 5  # memory stays bounded
    dropped = provider.dropped_spans()
    assert 100 - 5 - 1 <= dropped <= 100 - 5
    assert sum("export queue full" in r.getMessage() for r in caplog.records) == 1
    blocking.release.set()
    with pytest.raises(ardea.UnavailableError, match=f"{dropped} spans dropped"):
        flush()
    assert len(blocking.exported) == 100 - dropped
    flush()  # failures are reported once


def test_export_failure_raises_at_flush_in_strict_mode() -> None:
    provider.configure(exporter=FailingExporter(), schedule_delay=0.01)
    with start_span("lost"):
        pass
    with pytest.raises(ardea.UnavailableError, match="1 failed to export"):
        flush()


def test_export_failure_is_only_logged_when_not_strict(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("ARDEA_STRICT")
    provider.configure(exporter=FailingExporter(), schedule_delay=0.01)
    with start_span("lost"):
        pass
    assert flush() is True
    assert "server gone" in caplog.text


def test_fluent_flush_drains_traces(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    blocking = BlockingExporter()
    blocking.release.set()
    provider.configure(exporter=blocking, schedule_delay=60)  # only a flush exports
    with start_span("one"):
        pass
    ardea.set_tracking_uri(str(tmp_path))
    try:
        ardea.flush()
    finally:
        ardea.set_tracking_uri(None)
    assert [r.span.name for r in blocking.exported] == ["one"]


def _put_then_flush(
    queue: ExportQueue, seen: set[int], n: int, start: threading.Barrier, out: list[bool]
) -> None:
    """Put ``n``, flush, and record whether ``n`` was exported when the flush returned."""
    start.wait()
    queue.put(n)
    assert queue.flush(10)
    out.append(n in seen)


def test_flush_waits_for_a_worker_another_thread_is_starting() -> None:
    """Threads that put then flush on a fresh queue each see their item exported.

    The first ``put`` starts the worker; a ``flush`` in another thread in that instant used to
    see a worker not yet alive and return at once, before anything was exported.
    """
    for _ in range(100):
        seen: set[int] = set()
        queue = ExportQueue(seen.update, schedule_delay=5.0)
        start = threading.Barrier(4)
        out: list[bool] = []
        threads = [
            threading.Thread(target=_put_then_flush, args=(queue, seen, n, start, out))
            for n in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        queue.shutdown()
        assert out == [True] * 4
