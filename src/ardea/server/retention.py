"""The server's trace retention sweep: a timer that applies every workspace's policies.

:class:`RetentionSweeper` is built by ``create_app`` on a SQL backend (``ServerRuntime.
retention``). Every ``ARDEA_RETENTION_INTERVAL_SECONDS`` (3600 by default; ``0`` turns it
off) it runs :func:`ardea.services.retention.sweep` in a worker thread: 1,000 traces per
transaction, oldest first, so ingest is never locked out for long. The first pass runs one
interval after start (a restart loop does not sweep on every start).

Once across replicas: the sweep asks ``acquire_once`` first. By default that takes the
database's ``trace-retention`` lease (:mod:`ardea.store.leases`) for three intervals, renewed
by every pass of its holder, so one replica sweeps and another takes over within three
intervals when the holder dies; :meth:`RetentionSweeper.stop` releases it. (Were two sweeps
to overlap, nothing would break: the deletes are idempotent and PostgreSQL rows are taken
``SKIP LOCKED``; only an archive could be written twice.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from typing import TYPE_CHECKING

from ardea._core import env
from ardea.services.retention import AcquireOnce, SweepResult, sweep

if TYPE_CHECKING:
    from ardea.store.backend import Backend

__all__ = ["DEFAULT_INTERVAL_SECONDS", "RetentionSweeper", "interval_seconds"]

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_SECONDS = 3600.0
"""Seconds between two sweeps when ``ARDEA_RETENTION_INTERVAL_SECONDS`` is unset."""
_MIN_INTERVAL_SECONDS = 0.2
LEASE_INTERVALS = 3
"""The sweep's lease lasts this many intervals (renewed by every pass of its holder)."""


def interval_seconds() -> float:
    """``ARDEA_RETENTION_INTERVAL_SECONDS`` (0: off; else at least 0.2), default 3600."""
    return env.env_number(
        env.ARDEA_RETENTION_INTERVAL_SECONDS,
        DEFAULT_INTERVAL_SECONDS,
        minimum=_MIN_INTERVAL_SECONDS,
        off=True,
    )


class RetentionSweeper:
    """Applies the trace retention policies of every workspace on a timer.

    Args:
        backend: The server's (root) SQL backend.
        interval: Seconds between sweeps; 0 disables the timer
            (``ARDEA_RETENTION_INTERVAL_SECONDS`` when omitted).
        acquire_once: Whether this replica sweeps now (the database lease when omitted; see
            the module doc).
    """

    def __init__(
        self,
        backend: Backend,
        interval: float | None = None,
        acquire_once: AcquireOnce | None = None,
    ) -> None:
        self.backend = backend
        self.interval = interval_seconds() if interval is None else interval
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        """This sweeper's id as the lease's holder."""
        self._leased: set[str] = set()
        self.acquire_once = acquire_once or self._acquire_lease
        self._task: asyncio.Task[None] | None = None
        self.passes = 0
        self.last: SweepResult | None = None

    def _acquire_lease(self, name: str) -> bool:
        seconds = max(self.interval * LEASE_INTERVALS, 60.0)
        if not self.backend.leases.acquire(name, self.holder, seconds):
            return False
        self._leased.add(name)
        return True

    def release(self) -> None:
        """Give up the leases this sweeper holds (another replica's next pass sweeps)."""
        for name in sorted(self._leased):
            try:
                self.backend.leases.release(name, self.holder)
            except Exception:
                log.exception("Could not release the %r lease", name)
        self._leased.clear()

    def sweep_once(self) -> SweepResult:
        """One sweep over every workspace (blocking)."""
        from ardea.tracing.archive import write_archive

        result = sweep(self.backend, acquire_once=self.acquire_once, archiver=write_archive)
        if result.total_deleted:
            log.info("Trace retention deleted %d traces", result.total_deleted)
        self.passes += 1
        self.last = result
        return result

    def start(self) -> None:
        """Start the timer on the running event loop (nothing when the interval is 0)."""
        if self.interval <= 0 or self._task is not None:
            return
        self._task = asyncio.create_task(self._run(), name="ardea-retention")

    async def stop(self) -> None:
        """Stop the timer and release the lease (a sweep stops after its batch's transaction)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._leased:
            await asyncio.to_thread(self.release)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await asyncio.to_thread(self.sweep_once)
            except Exception:
                log.exception("Trace retention sweep failed")
