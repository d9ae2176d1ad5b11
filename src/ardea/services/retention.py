"""The trace retention sweep: delete what the policies say, in short batches.

:func:`sweep` asks the backend's retention store for a plan (every workspace's experiments
with due traces, with cut-offs fixed now), then deletes each experiment's due traces, oldest
first, ``batch_size`` per transaction, until none are left. An experiment whose policy says
``archive`` has each batch written to Parquet first by the ``archiver`` the caller hands down
(:func:`ardea.tracing.archive.write_archive`), then indexed and deleted in one transaction.
A trace written while the sweep runs has a newer ``request_time`` than the cut-offs, so it is
never taken; under ``max_traces`` the experiment may then hold a few more than the limit until
the next sweep.

Once only across replicas: the sweep runs only when ``acquire_once(SWEEP_NAME)`` says so.
The default, :func:`always`, suits one process; a deployment of several replicas passes the
database lease (the lead wires it when the replicas' lease API lands). A sweep that loses the
race returns a result with ``skipped=True``.

Example::

    backend = open_backend("sqlite:///ardea.db")
    result = sweep(backend, dry_run=True)
    print(result.due, result.deleted)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ardea._core.errors import FailedPreconditionError, InvalidArgumentError
from ardea._core.ids import now_ms
from ardea.entities import Trace
from ardea.store.backend import Backend
from ardea.store.retention import RetentionTarget

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "SWEEP_NAME",
    "AcquireOnce",
    "Archiver",
    "SweepResult",
    "always",
    "sweep",
]

DEFAULT_BATCH_SIZE = 1000
"""Traces deleted per transaction."""
SWEEP_NAME = "trace-retention-sweep"
"""The name the sweep asks ``acquire_once`` for."""


class AcquireOnce(Protocol):
    """Decides whether this process runs a once-only job now (a lease across replicas)."""

    def __call__(self, name: str) -> bool:
        """True when this process may run the job ``name`` now."""
        ...


def always(name: str) -> bool:
    """The single-process ``acquire_once``: always this process."""
    return True


@dataclass
class SweepResult:
    """What :func:`sweep` did (or, on a dry run, would do).

    Attributes:
        targets: The experiments that had due traces, as planned.
        due: Due traces when the plan was made (all experiments).
        deleted: Traces deleted, by experiment id.
        dry_run: Nothing was deleted.
        skipped: Another process holds the sweep (``acquire_once`` said no).
    """

    targets: list[RetentionTarget] = field(default_factory=list)
    due: int = 0
    deleted: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    skipped: bool = False

    @property
    def total_deleted(self) -> int:
        """Traces deleted in all experiments."""
        return sum(self.deleted.values())


Archiver = Callable[[Backend, RetentionTarget, list[Trace]], str]
"""Writes an experiment's traces to the archive and returns the folder that holds them."""

Progress = Callable[[RetentionTarget, int, int], None]
"""Called after each batch with the target, traces deleted so far in it, and those left."""


def sweep(
    backend: Backend,
    *,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    now: int | None = None,
    acquire_once: AcquireOnce = always,
    on_batch: Progress | None = None,
    archiver: Archiver | None = None,
) -> SweepResult:
    """Apply every workspace's retention policies to its traces.

    Args:
        backend: A database backend (a server's refuses: it sweeps its own database).
        dry_run: Plan and count only.
        batch_size: Traces per transaction (at least 1).
        now: The time the age limits count from (epoch ms; default: now).
        acquire_once: Whether this process runs the sweep (see the module doc).
        on_batch: Progress callback after each batch.
        archiver: Writes the batches of experiments whose policy says ``archive``; without
            one, such an experiment's traces are kept (FailedPreconditionError).

    Returns:
        What was due and what was deleted.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidArgumentError("batch_size must be an integer of at least 1")
    result = SweepResult(dry_run=dry_run)
    if not acquire_once(SWEEP_NAME):
        result.skipped = True
        return result
    store = backend.retention
    result.targets = store.plan(now_ms() if now is None else now)
    result.due = sum(target.due for target in result.targets)
    if dry_run:
        return result
    if archiver is None and any(target.policy.archive for target in result.targets):
        raise FailedPreconditionError(
            "A retention policy says archive, and this sweep has no archiver: pass "
            "archiver=ardea.tracing.archive.write_archive (the server and ArdeaClient do)."
        )
    for target in result.targets:
        done = 0
        while True:
            if target.policy.archive and archiver is not None:
                went, size = _archive_batch(backend, target, batch_size, archiver)
            else:
                went = size = store.delete_due(target, batch_size)
            done += went
            if on_batch is not None:
                on_batch(target, done, max(0, target.due - done))
            if size < batch_size or went == 0:  # none left, or none could go (next sweep)
                break
        result.deleted[target.experiment_id] = done
    return result


def _archive_batch(
    backend: Backend, target: RetentionTarget, limit: int, archiver: Archiver
) -> tuple[int, int]:
    """Archive then delete up to ``limit`` due traces: (deleted, selected)."""
    store = backend.retention
    rows = store.due_ids(target, limit)
    if not rows:
        return 0, 0
    traces = backend.scoped(target.workspace).traces.batch_get_traces([r[0] for r in rows])
    location = archiver(backend, target, traces)
    found = {t.info.trace_id for t in traces}
    return store.archive_and_delete(target, [r for r in rows if r[0] in found], location), len(rows)
