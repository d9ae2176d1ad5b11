"""A bounded export queue drained by one background thread.

The calling thread only appends to a deque (no lock, no I/O). When the queue is full, new
spans are dropped and counted, and the first drop is logged once: a slow or dead server never
slows the application down or grows its memory without bound. :meth:`ExportQueue.flush`
waits until everything queued before the call has been exported.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from ardea._core import env
from ardea._core.threads import start_daemon

__all__ = ["ExportQueue"]

_log = logging.getLogger(__name__)

DEFAULT_MAX_QUEUE = 8192
DEFAULT_BATCH = 2048
DEFAULT_DELAY_S = 0.5


class ExportQueue:
    """Bounded queue of finished spans, exported in batches off the calling thread.

    Args:
        export: Called on the worker thread with one batch; exceptions are counted and logged.
        max_queue_size: Spans held at most; beyond it new spans are dropped and counted.
        batch_size: Spans per ``export`` call.
        schedule_delay: Seconds the worker waits before exporting a partial batch.
        drain: Called on the worker thread after the queue emptied, before flush waiters are
            released: waits for exports still in flight (asynchronous senders). An exception
            with a ``span_count`` attribute counts that many failed spans.
    """

    def __init__(
        self,
        export: Callable[[list[Any]], None],
        max_queue_size: int = DEFAULT_MAX_QUEUE,
        batch_size: int = DEFAULT_BATCH,
        schedule_delay: float = DEFAULT_DELAY_S,
        drain: Callable[[], None] | None = None,
    ) -> None:
        self._export = export
        self._after_drain = drain
        self._max = max_queue_size
        self._batch = batch_size
        self._delay = schedule_delay
        self._items: deque[Any] = deque()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._waiters: list[threading.Event] = []
        self._thread: threading.Thread | None = None
        self._stopped = False
        self.dropped = 0
        """Spans dropped because the queue was full (since creation)."""
        self.failed = 0
        """Spans whose export raised (since creation)."""
        self._reported_dropped = 0
        self._reported_failed = 0
        self._first_error: BaseException | None = None
        self._warned = False

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: Any) -> None:
        """Queue one item (called on the application's thread: no I/O, no blocking)."""
        items = self._items
        if len(items) >= self._max:
            self._drop()
            return
        items.append(item)
        if self._thread is None:
            self._start()
        if len(items) >= self._batch:
            self._wake.set()

    def _drop(self) -> None:
        with self._lock:
            self.dropped += 1
            warn = not self._warned
            self._warned = True
        if warn:
            _log.warning(
                "Ardea tracing: export queue full (%d spans), dropping spans until the "
                "exporter catches up (is the tracking server reachable?)",
                self._max,
            )

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None or self._stopped:
                return
            thread = start_daemon(self._run, "ardea-trace-export")
            # Published only once alive: a flush that sees the worker can wait for it.
            self._thread = thread
        atexit.register(self.shutdown, 5.0)

    def _run(self) -> None:
        while True:
            self._wake.wait(self._delay)
            self._wake.clear()
            with self._lock:
                waiters, self._waiters = self._waiters, []
                stopping = self._stopped
            self._drain()
            if self._after_drain is not None:
                self._call(self._after_drain, 0)
            for waiter in waiters:
                waiter.set()
            if stopping:
                return

    def _drain(self) -> None:
        items = self._items
        while items:
            batch: list[Any] = []
            while items and len(batch) < self._batch:
                batch.append(items.popleft())
            self._call(self._export, len(batch), batch)

    def _call(self, fn: Callable[..., None], size: int, *args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:  # export must never kill the worker
            count = getattr(exc, "span_count", size)
            with self._lock:
                self.failed += count
                if self._first_error is None:
                    self._first_error = exc
            _log.warning("Ardea tracing: exporting %d spans failed: %s", count, exc)

    def flush(self, timeout: float | None = 30.0, raise_failures: bool = True) -> bool:
        """Wait until everything queued before this call has been exported.

        Args:
            timeout: Seconds to wait at most (None: no limit).
            raise_failures: Raise under ``ARDEA_STRICT=1`` (OTel's ``force_flush`` must not).

        Returns:
            True when the queue drained in time.

        Raises:
            UnavailableError: Under ``ARDEA_STRICT=1``, spans were dropped or failed to export
                since the last flush.
        """
        done = True
        if self._thread is None and self._items:
            self._start()  # another thread may be starting it: wait for it under the lock
        thread = self._thread
        if thread is not None and thread.is_alive():
            event = threading.Event()
            with self._lock:
                self._waiters.append(event)
            self._wake.set()
            done = event.wait(timeout)
        if raise_failures and env.strict():
            self._raise_new_failures()
        return done

    def _raise_new_failures(self) -> None:
        with self._lock:
            dropped = self.dropped - self._reported_dropped
            failed = self.failed - self._reported_failed
            error, self._first_error = self._first_error, None
            self._reported_dropped, self._reported_failed = self.dropped, self.failed
        if dropped or failed:
            from ardea._core.errors import UnavailableError

            raise UnavailableError(
                f"Ardea tracing: {dropped} spans dropped (queue full) and {failed} failed to "
                f"export since the last flush; first error: {error!r}"
            ) from error

    def shutdown(self, timeout: float | None = 5.0) -> None:
        """Export what is queued (waiting at most ``timeout``) and stop the worker."""
        with self._lock:
            self._stopped = True
            thread = self._thread
        if thread is not None and thread.is_alive():
            self._wake.set()
            thread.join(timeout)
