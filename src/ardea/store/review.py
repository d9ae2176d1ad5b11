"""The human review contract: review queues, their items, labels and progress.

Backends: ``store.sql.review.store.SqlReviewStore`` (on the tracking database, labels written
through the backend's trace store and datasets through its dataset store) and
``store.rest.review.RestReviewStore`` (a server's ``/api/3.0/ardea/review`` API).

Conventions (as the other stores): a call naming a queue, item or experiment that does not
exist (or is in another workspace) raises :class:`ardea.NotFoundError`; bad input raises
:class:`ardea.InvalidArgumentError` and stores nothing; times are epoch milliseconds.

Reviewers are usernames. A reviewer may act on items assigned to them or to nobody; an item
assigned to someone else raises :class:`ardea.PermissionDeniedError` unless ``as_admin``.
Labels are stored as HUMAN assessments on the item's trace (``source_id`` = the reviewer),
carrying the queue and item ids in their metadata (:data:`QUEUE_ID_KEY`, :data:`ITEM_ID_KEY`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

from ardea.entities.page import PagedList
from ardea.entities.review import QueueProgress, ReviewItem, ReviewQueue

__all__ = [
    "ADD_MAX_ITEMS",
    "ITEMS_MAX_RESULTS",
    "ITEM_ID_KEY",
    "QUEUE_ID_KEY",
    "ReviewStore",
    "UnsupportedReviewStore",
]

QUEUE_ID_KEY = "ardea.review.queue_id"
"""Assessment metadata key: the queue a label was given in."""
ITEM_ID_KEY = "ardea.review.item_id"
"""Assessment metadata key: the queue item a label was given for."""
ADD_MAX_ITEMS = 1000
"""Most items one add call (by hand, filter or judge) puts in a queue."""
ITEMS_MAX_RESULTS = 1000
"""Largest page of :meth:`ReviewStore.list_items`."""


class ReviewStore(ABC):
    """Review queues of experiments: items, assignment, labels, progress."""

    @abstractmethod
    def create_queue(
        self,
        experiment_id: str,
        name: str,
        label_schemas: Sequence[Mapping[str, Any]],
        description: str | None = None,
        created_by: str | None = None,
    ) -> ReviewQueue:
        """Create a queue (see :func:`ardea.entities.review.parse_schemas` for the schemas).

        Raises:
            AlreadyExistsError: The experiment has a queue of that name.
        """

    @abstractmethod
    def list_queues(self, experiment_id: str | None = None) -> list[ReviewQueue]:
        """The queues of one experiment, or of every readable experiment (None), by name."""

    @abstractmethod
    def get_queue(self, queue_id: str) -> ReviewQueue:
        """One queue."""

    def experiment_of_queue(self, queue_id: str) -> str:
        """The experiment a queue belongs to (for permission checks)."""
        return self.get_queue(queue_id).experiment_id

    @abstractmethod
    def experiment_of_item(self, item_id: str) -> str:
        """The experiment an item's queue belongs to (for permission checks)."""

    @abstractmethod
    def delete_queue(self, queue_id: str) -> None:
        """Delete a queue and its items (the labels' assessments stay on their traces)."""

    @abstractmethod
    def add_items(
        self,
        queue_id: str,
        trace_ids: Sequence[str] = (),
        session_ids: Sequence[str] = (),
    ) -> list[ReviewItem]:
        """Add traces and sessions of the queue's experiment by hand; answers the new items.

        Ids already in the queue are left alone (not answered).

        Raises:
            InvalidArgumentError: None given, too many, or an id that is no trace (session)
                of the experiment (nothing is added).
        """

    @abstractmethod
    def add_items_by_filter(
        self, queue_id: str, filter_string: str | None, max_items: int = 100
    ) -> list[ReviewItem]:
        """Add the newest traces of the experiment matching a trace search filter."""

    @abstractmethod
    def add_items_by_judge(
        self, queue_id: str, judge_name: str, max_items: int = 100
    ) -> list[ReviewItem]:
        """Add traces where the LLM_JUDGE feedback named ``judge_name`` said no.

        "No" is a valid feedback whose value is false, ``"no"``, ``"fail"``, ``"failed"``,
        ``"false"`` or ``"n"`` (any case).
        """

    @abstractmethod
    def list_items(
        self,
        queue_id: str,
        state: str | None = None,
        assignee: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> PagedList[ReviewItem]:
        """A queue's items by position (``assignee=""`` lists the unassigned ones)."""

    @abstractmethod
    def get_item(self, item_id: str) -> ReviewItem:
        """One item (with the assessment ids of its labels)."""

    @abstractmethod
    def assign_items(
        self, queue_id: str, reviewers: Sequence[str], item_ids: Sequence[str] | None = None
    ) -> list[ReviewItem]:
        """Assign items round-robin to ``reviewers`` (an empty list unassigns them).

        ``item_ids`` None: every pending item assigned to nobody.
        """

    @abstractmethod
    def next_item(
        self, queue_id: str, reviewer: str, after_position: int | None = None
    ) -> ReviewItem | None:
        """The reviewer's next pending item (None: nothing left for them).

        Items assigned to them come first, then one assigned to nobody (which becomes
        theirs); only after ``after_position`` when given.
        """

    @abstractmethod
    def submit_labels(
        self,
        item_id: str,
        reviewer: str,
        labels: Mapping[str, Any],
        comment: str | None = None,
        as_admin: bool = False,
    ) -> ReviewItem:
        """Store the labels as HUMAN assessments and mark the item done.

        A done item may be labelled again: its earlier assessments are overridden.
        """

    @abstractmethod
    def skip_item(self, item_id: str, reviewer: str, as_admin: bool = False) -> ReviewItem:
        """Mark a pending item skipped."""

    @abstractmethod
    def progress(self, queue_id: str) -> QueueProgress:
        """Counts per state, in all and per assignee."""

    def progress_of(self, queue_ids: Sequence[str]) -> list[QueueProgress]:
        """The progress of several queues, in order (one query where the store can)."""
        return [self.progress(q) for q in queue_ids]

    @abstractmethod
    def to_dataset(
        self, queue_id: str, dataset_id: str, item_ids: Sequence[str] | None = None
    ) -> int:
        """Make the labels of done items (all, or ``item_ids``) a dataset's expectations.

        Each item becomes a record: its trace's root inputs (and outputs), with the labels as
        expectations by schema name. Answers how many records were written.
        """

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (nothing by default)."""


def _unsupported(*args: Any, **kwargs: Any) -> Any:
    from ardea._core.errors import NotImplementedFeatureError

    raise NotImplementedFeatureError("This backend has no review queues.")


class UnsupportedReviewStore(ReviewStore):
    """A backend without review queues: every call raises NotImplementedFeatureError."""

    create_queue = list_queues = get_queue = experiment_of_item = _unsupported
    delete_queue = add_items = add_items_by_filter = add_items_by_judge = _unsupported
    list_items = get_item = assign_items = next_item = submit_labels = _unsupported
    skip_item = progress = to_dataset = _unsupported
