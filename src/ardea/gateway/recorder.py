"""Request traces, written off the request path in batches through a bounded queue.

The request path calls :meth:`TraceRecorder.record` (a ``put_nowait``, nothing else). A
daemon thread takes up to ``batch_size`` records at a time and hands each batch to a
:class:`~ardea.gateway.trace_batch.BatchWriter`: on that thread, or, given a
:class:`~ardea.gateway.trace_process.WriterSpec`, in a writer process of its own
(:mod:`ardea.gateway.trace_process`), so that building and inserting traces neither takes the
request path's CPU nor its Python lock. When the queue is full (the store is slow or down) a
record is dropped and counted; when a write fails its batch is dropped and counted. Requests
never wait on the store. Before each batch is written, ``on_batch`` (if given) sees its
records: the seam for the usage roll-up, which counts requests whose traces are dropped too.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ardea._core.threads import start_daemon
from ardea.gateway.record import GatewayRecord, trace_parent
from ardea.gateway.trace_batch import BatchWriter, Drops
from ardea.store.traces import TraceStore

if TYPE_CHECKING:
    from ardea.gateway.trace_process import ProcessSink, WriterSpec

__all__ = ["GatewayRecord", "TraceRecorder", "trace_parent"]

_log = logging.getLogger(__name__)


class TraceRecorder:
    """A bounded queue of :class:`GatewayRecord` and the thread that writes them.

    Args:
        store: Where traces go.
        max_queue: Records waiting at most; more are dropped (counted).
        batch_size: Records per write.
        linger_s: How long after a first record the thread waits before it takes every
            queued record (fewer, larger transactions: the store's cost per trace drops
            several-fold; and one wake-up per batch, not one per request).
        on_drop: Called with ``(reason, count)`` for every drop (the metrics counter).
        on_write: Called with the count of every batch written.
        on_batch: Called with every batch before its traces are written (the usage rollup,
            :mod:`ardea.gateway.usage_rollup`: usage counts even when the traces are
            dropped); an exception it raises is logged and does not stop the writer. Not
            used with ``writer``, whose process runs its own roll-up.
        store_for: The trace store of a workspace (a record's ``workspace``): an endpoint's
            experiment lives in its own workspace. None: ``store`` for every record.
        writer: Write in a process of its own, opened from this spec (None: on the
            recorder's thread, into ``store``).
    """

    def __init__(
        self,
        store: TraceStore,
        *,
        max_queue: int = 10_000,
        batch_size: int = 256,
        linger_s: float = 0.2,
        on_drop: Callable[[str, int], None] | None = None,
        on_write: Callable[[int], None] | None = None,
        on_batch: Callable[[list[GatewayRecord]], None] | None = None,
        store_for: Callable[[str], TraceStore] | None = None,
        writer: WriterSpec | None = None,
    ) -> None:
        self.store = store
        self.batch_size = batch_size
        self.linger_s = linger_s
        self._queue: queue.Queue[GatewayRecord | None] = queue.Queue(max_queue)
        self._on_drop = on_drop
        self._on_write = on_write
        self._local: BatchWriter | None = None
        self._sink: ProcessSink | None = None
        if writer is None:
            self._local = BatchWriter(store, store_for=store_for, on_batch=on_batch)
        else:
            from ardea.gateway.trace_process import ProcessSink

            self._sink = ProcessSink(writer, self._result)
        self.dropped = 0
        self.written = 0
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()

    def _start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = start_daemon(self._run, "ardea-gateway-traces")

    def record(self, record: GatewayRecord) -> None:
        """Queue ``record`` (never blocks: a full queue drops it)."""
        if self._thread is None:
            self._start()
        try:
            self._idle.clear()
            self._queue.put_nowait(record)
        except queue.Full:
            self._drop("queue_full", 1)

    def _drop(self, reason: str, count: int) -> None:
        self.dropped += count
        if self._on_drop is not None:
            self._on_drop(reason, count)

    def _result(self, written: int, drops: Drops) -> None:
        """Count what one batch's write did (on the writer thread or the sink's reader)."""
        for reason, count in drops:
            self._drop(reason, count)
        if written:
            self.written += written
            if self._on_write is not None:
                self._on_write(written)

    def _run(self) -> None:
        try:
            self._drain()
        finally:
            if self._local is not None:
                self._local.close()
            if self._sink is not None:
                self._sink.close()

    def _drain(self) -> None:
        # The first record wakes this thread; then it sleeps out the linger and takes what
        # came meanwhile in one go. Waiting on the queue record by record instead woke it for
        # every request (hundreds of times a second), each time taking the Python lock from
        # the request path.
        while True:
            first = self._queue.get()
            if first is None:
                return
            if self.linger_s > 0:
                time.sleep(self.linger_s)
            batch = [first]
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._write(batch)
                    return
                batch.append(item)
                if len(batch) == self.batch_size:
                    self._write(batch)
                    batch = []
            if batch:
                self._write(batch)
            if self._queue.empty():
                self._idle.set()

    def _write(self, batch: list[GatewayRecord]) -> None:
        if self._sink is not None:
            self._sink.send(batch)
            return
        assert self._local is not None
        self._result(*self._local.write(batch))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued record is written or dropped; whether it happened in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._idle.wait(min(0.05, max(0.0, deadline - time.monotonic()))) and (
                self._queue.empty()
            ):
                if self._sink is None:
                    return True
                return self._sink.wait_acked(max(0.0, deadline - time.monotonic()))
        return False

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (within ``timeout``) and stop the thread (and the writer)."""
        if self._thread is None:
            return
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            return
        self._thread.join(timeout)
