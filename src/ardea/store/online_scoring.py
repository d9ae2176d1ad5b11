"""The online scoring work contract: durable work rows for sampled traces.

Backend: ``store.sql.online_scoring.store.SqlOnlineScoringStore`` (on the tracking database).
Other backends have none (:class:`UnsupportedOnlineScoringStore`).

The guarantees a caller builds on:

- :meth:`OnlineScoringStore.enqueue` is idempotent: a (trace, scorer, version) is stored once.
- :meth:`OnlineScoringStore.claim` is atomic: two workers (threads, processes, replicas) never
  hold the same row; a row whose lease has lapsed can be claimed again (crash recovery).
- A trace store write that ends traces stores their sampled rows itself (in the same
  transaction where no search is needed): :meth:`OnlineScoringStore.listen` hears of them.
- :meth:`OnlineScoringStore.complete` writes the assessments and marks the row done in one
  transaction, and only for the worker that holds the claim; the assessments' ids derive
  from the row's key, so they are stored at most once however often a completion is retried.

Times are epoch milliseconds; leases are given in seconds.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from ardea.entities import Assessment
from ardea.entities.online_scoring import ActiveScorer, ClaimedWork, WorkItem, WorkKey

__all__ = ["MAX_ATTEMPTS", "OnlineScoringStore", "UnsupportedOnlineScoringStore"]

MAX_ATTEMPTS = 3
"""Claims of one row before it is failed for good (a lease that lapses counts as one)."""


class OnlineScoringStore(ABC):
    """Work rows of online scoring, scoped to the store's workspace."""

    @abstractmethod
    def active_scorers(self, experiment_id: str) -> list[ActiveScorer]:
        """The scorers with a sample rate above 0 in the experiment (one indexed read)."""

    @abstractmethod
    def enqueue(self, items: Sequence[WorkItem], *, not_before: int | None = None) -> int:
        """Store work rows (``pending``); rows already there are left as they are.

        With ``not_before`` (epoch ms) the rows become claimable only then, and a row of
        these keys still pending is pushed back to it (a session scored once it goes quiet:
        each new trace of the session re-arms its row).

        Returns:
            How many rows were new.
        """

    @abstractmethod
    def claim(
        self,
        worker_id: str,
        *,
        kinds: Sequence[str],
        limit: int,
        lease_seconds: float,
        experiment_ids: Sequence[str] | None = None,
        all_workspaces: bool = False,
    ) -> list[ClaimedWork]:
        """Claim up to ``limit`` runnable rows of ``kinds`` for ``worker_id``.

        Runnable: ``pending`` and due, or ``claimed`` with a lapsed lease. A lapsed row that
        already had :data:`MAX_ATTEMPTS` claims is failed instead. ``experiment_ids`` limits
        the claim to those experiments' rows. ``all_workspaces`` is for the server's own loop
        (it claims every workspace's rows).
        """

    @abstractmethod
    def complete(self, key: WorkKey, worker_id: str, assessments: Sequence[Assessment]) -> bool:
        """Write ``assessments`` and mark the row done, in one transaction.

        Returns:
            False (and nothing written) when ``worker_id`` no longer holds the claim.
        """

    def complete_many(
        self, worker_id: str, done: Sequence[tuple[WorkKey, Sequence[Assessment]]]
    ) -> list[bool]:
        """:meth:`complete` for each ``(key, assessments)`` of ``done``.

        A backend may do them in one transaction (fewer commits on a busy database).

        Returns:
            :meth:`complete`'s answer for each, in order.
        """
        return [self.complete(key, worker_id, assessments) for key, assessments in done]

    @abstractmethod
    def fail(
        self, key: WorkKey, worker_id: str, error: str, *, retry_in: float | None = None
    ) -> bool:
        """Give a claimed row back: pending again after ``retry_in`` seconds, else failed.

        A row out of attempts (:data:`MAX_ATTEMPTS`) fails whatever ``retry_in`` says.

        Returns:
            False when ``worker_id`` no longer holds the claim.
        """

    @abstractmethod
    def get_work(self, key: WorkKey) -> dict[str, Any]:
        """One row as a dict (state, attempts, error, times); NotFoundError if absent."""

    @abstractmethod
    def counts(self, experiment_id: str | None = None) -> dict[str, int]:
        """Rows by state (every state present, 0 when none), of one experiment or all."""

    @abstractmethod
    def backlog(self) -> int:
        """Rows not finished yet (pending or claimed), in every workspace."""

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` when this process's writes store rows for traces they ended.

        It is called on the writer's thread. Returns what stops it (by default nothing is
        ever called).
        """
        return lambda: None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (nothing by default)."""


def _unsupported(*args: Any, **kwargs: Any) -> Any:
    from ardea._core.errors import NotImplementedFeatureError

    raise NotImplementedFeatureError("This backend has no online scoring.")


class UnsupportedOnlineScoringStore(OnlineScoringStore):
    """A backend without online scoring: every call raises NotImplementedFeatureError."""

    active_scorers = enqueue = claim = complete = fail = _unsupported
    get_work = counts = backlog = _unsupported
