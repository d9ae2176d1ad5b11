"""Background batching of metric points, so that ``log_metric`` never blocks on I/O.

One daemon thread per client drains a bounded queue: it writes a batch through the store's
``log_batch`` when 1000 points are waiting or 100 ms after the first one arrived. ``flush()``
(called by ``end_run``, ``ardea.flush()`` and at process exit) waits for everything queued
before it. Write failures never reach the caller of ``log_metric``: they are counted and
logged once; under ``ARDEA_STRICT=1`` the first one is raised by the next ``flush()``.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable

from ardea._core import env
from ardea._core.threads import start_daemon
from ardea.entities import Metric

__all__ = ["MetricBatcher"]

logger = logging.getLogger("ardea")

WriteFn = Callable[[str, list[Metric]], None]


class MetricBatcher:
    """A bounded queue of ``(run_id, Metric)`` drained by one daemon thread.

    Args:
        write: Writes one run's points (``store.log_batch(run_id, metrics=...)``).
        max_batch: Points per write.
        interval: Seconds to wait for a batch to fill once a point is queued.
        max_queue: Queue bound; ``submit`` waits for room when it is reached.
    """

    def __init__(
        self,
        write: WriteFn,
        *,
        max_batch: int = 1000,
        interval: float = 0.1,
        max_queue: int = 100_000,
    ) -> None:
        self._write = write
        self._max_batch = max_batch
        self._interval = interval
        self._max_queue = max_queue
        self._queue: deque[tuple[str, Metric]] = deque()
        self._cond = threading.Condition()
        self._submitted = 0
        self._done = 0
        self._flushing = 0
        self._closed = False
        self._thread: threading.Thread | None = None
        self._failed_points = 0
        self._first_error: BaseException | None = None
        self._reported_points = 0

    @property
    def failed_points(self) -> int:
        """Points that could not be written since this batcher started."""
        return self._failed_points

    def submit(self, run_id: str, metric: Metric) -> None:
        """Queue one point; waits only if the queue is full."""
        with self._cond:
            if self._closed:
                raise RuntimeError("The metric batcher is closed.")
            self._ensure_thread()
            while len(self._queue) >= self._max_queue:
                self._cond.wait(0.5)
            self._queue.append((run_id, metric))
            self._submitted += 1
            if len(self._queue) >= self._max_batch or len(self._queue) == 1:
                self._cond.notify_all()

    def flush(self, timeout: float | None = None) -> None:
        """Wait until every point queued before this call has been written (or has failed).

        Args:
            timeout: Give up waiting after this many seconds (None: wait as long as needed).

        Raises:
            BaseException: Under ``ARDEA_STRICT=1``, the first write failure since the last
                flush.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            target = self._submitted
            self._flushing += 1
            self._cond.notify_all()
            try:
                while self._done < target and self._thread is not None and self._thread.is_alive():
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        break
                    self._cond.wait(remaining if remaining is not None else 1.0)
            finally:
                self._flushing -= 1
            error, self._first_error = self._first_error, None
            failed = self._failed_points - self._reported_points
            self._reported_points = self._failed_points
        if error is None:
            return
        if env.strict():
            raise error
        logger.warning(
            "Ardea: %d metric point(s) could not be logged; first error: %s: %s",
            failed,
            type(error).__name__,
            error,
        )

    def close(self, timeout: float | None = 30.0) -> None:
        """Flush what is queued (never raising) and stop the thread."""
        try:
            self.flush(timeout)
        except Exception as exc:
            logger.warning("Ardea: metric points lost at shutdown: %s", exc)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = start_daemon(self._run, "ardea-metric-batcher")
        ref = weakref.ref(self)
        atexit.register(_close_at_exit, ref)

    def _next_batch(self) -> list[tuple[str, Metric]] | None:
        with self._cond:
            while not self._queue:
                if self._closed:
                    return None
                self._cond.wait()
            deadline = time.monotonic() + self._interval
            while len(self._queue) < self._max_batch and not self._flushing and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            n = min(len(self._queue), self._max_batch)
            batch = [self._queue.popleft() for _ in range(n)]
            self._cond.notify_all()
            return batch

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            by_run: dict[str, list[Metric]] = {}
            for run_id, metric in batch:
                by_run.setdefault(run_id, []).append(metric)
            for run_id, metrics in by_run.items():
                try:
                    self._write(run_id, metrics)
                except Exception as exc:
                    self._record_failure(exc, len(metrics))
            with self._cond:
                self._done += len(batch)
                self._cond.notify_all()

    def _record_failure(self, exc: BaseException, points: int) -> None:
        with self._cond:
            first_ever = self._failed_points == 0
            self._failed_points += points
            if self._first_error is None:
                self._first_error = exc
        if first_ever and not env.strict():
            logger.warning(
                "Ardea: logging %d metric point(s) failed (%s: %s); further failures are "
                "counted and reported at flush.",
                points,
                type(exc).__name__,
                exc,
            )


def _close_at_exit(ref: weakref.ref[MetricBatcher]) -> None:
    batcher = ref()
    if batcher is not None:
        batcher.close()
