"""Logging rows while the evaluation runs, in a background thread.

Writing assessments then overlaps the wait for the LLM instead of following it.

The harness hands each finished row to :meth:`RowLogger.submit`; the logger thread takes what
has accumulated (every ``interval`` seconds at most), exports the pending spans (a row's
assessments need its trace in the store), then logs those rows' feedbacks and expectations
with a small thread pool (:func:`~ardea.evaluation.record.log_assessments`).
:meth:`RowLogger.close` logs what is left and waits; rows are never dropped, even on Ctrl-C.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ardea._core.threads import start_daemon
from ardea.evaluation.record import log_assessments
from ardea.evaluation.rows import EvalItem

if TYPE_CHECKING:
    from ardea.client import ArdeaClient

__all__ = ["RowLogger"]


class RowLogger:
    """Logs finished rows' assessments in the background (see the module docstring).

    Args:
        client: Where to log.
        run_id: The evaluation run (``mlflow.assessment.sourceRunId``).
        flush: Exports pending spans (``ardea.tracing.flush``).
        workers: Threads writing assessments.
        interval: Seconds between two batches at most.
    """

    def __init__(
        self,
        client: ArdeaClient,
        run_id: str,
        flush: Callable[[], object],
        workers: int = 16,
        interval: float = 0.25,
    ) -> None:
        self.client = client
        self.run_id = run_id
        self.flush = flush
        self.workers = workers
        self.interval = interval
        self.logged = 0
        self.errors: list[str] = []
        self._queue: queue.Queue[EvalItem | None] = queue.Queue()
        self._thread = start_daemon(self._loop, "ardea-eval-logger")

    def submit(self, item: EvalItem) -> None:
        """Log ``item`` soon (thread-safe, never blocks)."""
        self._queue.put(item)

    def close(self) -> None:
        """Log every row submitted so far, then stop."""
        self._queue.put(None)
        self._thread.join()

    def _loop(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            batch: list[EvalItem] = []
            if first is None:
                stopping = True
            else:
                batch.append(first)
            # A batch closes after a pause of ``interval`` in the rows, at 512 rows, or once it
            # is ``interval`` old with at least 128 rows: rows that keep coming quickly (a
            # cached re-run) are written while the run goes on, not all after its last row.
            deadline = time.monotonic() + self.interval
            try:
                while True:
                    more = self._queue.get(timeout=0 if stopping else self.interval)
                    if more is None:
                        stopping = True
                        continue
                    batch.append(more)
                    if len(batch) >= 512:
                        break
                    if len(batch) >= 128 and time.monotonic() >= deadline:
                        break
            except queue.Empty:
                pass
            if batch:
                self._log(batch)

    def _log(self, batch: list[EvalItem]) -> None:
        try:
            self.flush()
            logged, errors = log_assessments(self.client, batch, self.run_id, self.workers)
        except Exception as exc:  # the store is down: say so, keep the rows in the result
            self.errors.append(f"{len(batch)} rows not logged: {exc}")
            return
        self.logged += logged
        self.errors.extend(errors)
