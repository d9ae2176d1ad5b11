"""The trace retention store contract: policies, and the batched deletes of the sweep.

Policies (see :mod:`ardea.entities.retention`) are set per experiment (its tags) and per
workspace (the ``trace_retention_policies`` table). The sweep
(:func:`ardea.services.retention.sweep`) asks :meth:`RetentionStore.plan` for what is due in
every workspace, then calls :meth:`RetentionStore.delete_due` a batch at a time: each batch is
one short transaction, so writers are never locked out for long.

Backends: ``store.sql.retention.store.SqlRetentionStore``, ``store.rest.retention`` (policies
only: a server sweeps its own database) and :class:`UnsupportedRetentionStore`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from ardea.entities.retention import ExperimentRetention, RetentionPolicy

__all__ = ["RetentionStore", "RetentionTarget", "UnsupportedRetentionStore"]


@dataclass(frozen=True)
class RetentionTarget:
    """One experiment's due traces, as the plan found them.

    The cut-offs are fixed when the plan is made, so a trace written after it (with a newer
    ``request_time``) is never taken by the sweep that made the plan.

    Attributes:
        experiment_id: The experiment.
        workspace: Its workspace.
        policy: The limits in force (experiment over workspace).
        age_cutoff_ms: Traces with ``request_time`` below this are due (None: no age limit).
        count_boundary: ``(request_time, trace_id)`` of the newest trace beyond
            ``max_traces``: it and every older trace are due (None: nothing over the count).
        due: Traces due when the plan was made.
    """

    experiment_id: str
    workspace: str
    policy: RetentionPolicy
    age_cutoff_ms: int | None
    count_boundary: tuple[int, str] | None
    due: int


class RetentionStore(ABC):
    """Trace retention policies, and the deletes that apply them."""

    @abstractmethod
    def get_experiment_retention(self, experiment_id: str) -> ExperimentRetention:
        """The experiment's policy, its workspace's, and the limits in force.

        Raises:
            NotFoundError: No such experiment in this workspace.
        """

    @abstractmethod
    def set_experiment_retention(
        self, experiment_id: str, policy: RetentionPolicy
    ) -> ExperimentRetention:
        """Replace the experiment's own policy (a None field is removed: it inherits).

        Raises:
            NotFoundError: No such experiment in this workspace.
            InvalidArgumentError: A bad limit; nothing is changed.
            FailedPreconditionError: ``archive`` is true but the ``parquet`` extra (pyarrow)
                that the sweep archives with is not installed; nothing is changed.
        """

    @abstractmethod
    def get_workspace_retention(self) -> RetentionPolicy:
        """The policy of this store's workspace (empty when none is set)."""

    @abstractmethod
    def set_workspace_retention(self, policy: RetentionPolicy) -> RetentionPolicy:
        """Replace the policy of this store's workspace (an empty policy removes it).

        Raises:
            InvalidArgumentError: A bad limit; nothing is changed.
            FailedPreconditionError: As :meth:`set_experiment_retention`.
        """

    @abstractmethod
    def plan(self, now_ms: int) -> list[RetentionTarget]:
        """What is due in every workspace at ``now_ms``: experiments with due traces only."""

    @abstractmethod
    def delete_due(self, target: RetentionTarget, limit: int) -> int:
        """Delete up to ``limit`` of ``target``'s due traces, oldest first, in one transaction.

        A trace goes with its spans, tags, metadata and assessments. Returns how many went
        (fewer than ``limit``: none are left).
        """

    @abstractmethod
    def count_due(self, target: RetentionTarget) -> int:
        """How many of ``target``'s due traces are still stored."""

    @abstractmethod
    def due_ids(self, target: RetentionTarget, limit: int) -> list[tuple[str, int]]:
        """Up to ``limit`` due traces, oldest first, as ``(trace_id, request_time)``.

        Archival reads them before :meth:`archive_and_delete`.
        """

    @abstractmethod
    def archive_and_delete(
        self, target: RetentionTarget, rows: Sequence[tuple[str, int]], location: str
    ) -> int:
        """In one transaction: index ``rows`` as archived at ``location``, delete them.

        Only the rows still stored and still due are indexed and deleted; returns how many.
        """

    @abstractmethod
    def archived_location(self, trace_id: str) -> str | None:
        """The archive folder of an archived trace of this workspace (None: not archived)."""


def _unsupported(*_args: Any, **_kwargs: Any) -> NoReturn:
    from ardea._core.errors import NotImplementedFeatureError

    raise NotImplementedFeatureError("This backend has no trace retention.")


class UnsupportedRetentionStore(RetentionStore):
    """A backend without trace retention: every call raises NotImplementedFeatureError."""

    get_experiment_retention = set_experiment_retention = _unsupported
    get_workspace_retention = set_workspace_retention = _unsupported
    plan = delete_due = count_due = _unsupported
    due_ids = archive_and_delete = archived_location = _unsupported
