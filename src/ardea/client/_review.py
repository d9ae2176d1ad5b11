"""Human review queues (part of :class:`~ardea.client.ArdeaClient`).

Queues hold traces (or sessions) for people to label against the queue's label schemas;
labels are stored as HUMAN assessments on the traces (``source_id`` = the reviewer) and can
become an evaluation dataset's expectations in one call. Against a server, who the reviewer
is comes from the signed-in user (``reviewer`` left out); an embedded store uses ``reviewer``
or the operating system's user name.

Example::

    client = ArdeaClient("http://localhost:5000")
    queue = client.create_review_queue(
        experiment_id,
        "wrong answers",
        [{"name": "correct", "type": "pass_fail"},
         {"name": "expected_response", "type": "expected_answer", "required": False}],
    )
    client.add_review_items_by_filter(queue.queue_id, "feedback.correctness = 'no'")
    item = client.next_review_item(queue.queue_id)
    client.submit_review_labels(item.item_id, {"correct": False, "expected_response": "Paris"})
    client.review_labels_to_dataset(queue.queue_id, dataset_id)
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ardea.client._base import ClientBase

if TYPE_CHECKING:
    from ardea.entities.page import PagedList
    from ardea.entities.review import QueueProgress, ReviewItem, ReviewQueue
    from ardea.store.review import ReviewStore

__all__ = ["ReviewMixin"]


def _os_user() -> str:
    try:
        return getpass.getuser() or "anonymous"
    except (KeyError, OSError):  # no user name in the environment or passwd database
        return "anonymous"


class ReviewMixin(ClientBase):
    """Review queues, their items, labels and progress."""

    @property
    def review_store(self) -> ReviewStore:
        """The review queue store of the backend."""
        return self.backend.review

    def _reviewer(self, reviewer: str | None) -> str:
        if reviewer:
            return reviewer
        return "" if self.backend.remote else _os_user()

    def create_review_queue(
        self,
        experiment_id: str,
        name: str,
        label_schemas: Sequence[Mapping[str, Any]],
        description: str | None = None,
    ) -> ReviewQueue:
        """Create a review queue on an experiment.

        Args:
            experiment_id: The experiment whose traces it reviews.
            name: Unique in the experiment.
            label_schemas: The questions, in form order: objects with ``name``, ``type``
                (``pass_fail``, ``categorical`` with ``options``, ``numeric`` with ``min`` and
                ``max``, ``text``, ``expected_answer``), and optional ``title``,
                ``instruction`` and ``required`` (true by default).
            description: Free text.

        Raises:
            InvalidArgumentError: A bad schema (nothing is stored).
            AlreadyExistsError: The experiment has a queue of that name.
        """
        creator = None if self.backend.remote else _os_user()
        return self.review_store.create_queue(
            experiment_id, name, label_schemas, description, creator
        )

    def list_review_queues(self, experiment_id: str | None = None) -> list[ReviewQueue]:
        """The queues of an experiment (None: of every experiment you may read)."""
        return self.review_store.list_queues(experiment_id)

    def get_review_queue(self, queue_id: str) -> ReviewQueue:
        """One queue."""
        return self.review_store.get_queue(queue_id)

    def delete_review_queue(self, queue_id: str) -> None:
        """Delete a queue and its items (the labels stay on their traces)."""
        self.review_store.delete_queue(queue_id)

    def add_review_items(
        self, queue_id: str, trace_ids: Sequence[str] = (), session_ids: Sequence[str] = ()
    ) -> list[ReviewItem]:
        """Add traces and sessions of the queue's experiment; answers the new items."""
        return self.review_store.add_items(queue_id, trace_ids, session_ids)

    def add_review_items_by_filter(
        self, queue_id: str, filter_string: str | None = None, max_items: int = 100
    ) -> list[ReviewItem]:
        """Add the newest traces matching a trace search filter (``search_traces`` grammar)."""
        return self.review_store.add_items_by_filter(queue_id, filter_string, max_items)

    def add_review_items_by_judge(
        self, queue_id: str, judge_name: str, max_items: int = 100
    ) -> list[ReviewItem]:
        """Add traces where the LLM judge ``judge_name`` said no (false, "no", "fail")."""
        return self.review_store.add_items_by_judge(queue_id, judge_name, max_items)

    def list_review_items(
        self,
        queue_id: str,
        state: str | None = None,
        assignee: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> PagedList[ReviewItem]:
        """A page of a queue's items by position (``assignee=""``: the unassigned ones)."""
        return self.review_store.list_items(queue_id, state, assignee, max_results, page_token)

    def get_review_item(self, item_id: str) -> ReviewItem:
        """One item (with the ids of its labels' assessments)."""
        return self.review_store.get_item(item_id)

    def assign_review_items(
        self, queue_id: str, reviewers: Sequence[str], item_ids: Sequence[str] | None = None
    ) -> list[ReviewItem]:
        """Assign items round-robin to ``reviewers`` (None: every unassigned pending item)."""
        return self.review_store.assign_items(queue_id, reviewers, item_ids)

    def next_review_item(
        self, queue_id: str, reviewer: str | None = None, after_position: int | None = None
    ) -> ReviewItem | None:
        """Your next pending item (yours first, then an unassigned one); None when done."""
        return self.review_store.next_item(queue_id, self._reviewer(reviewer), after_position)

    def submit_review_labels(
        self,
        item_id: str,
        labels: Mapping[str, Any],
        comment: str | None = None,
        reviewer: str | None = None,
    ) -> ReviewItem:
        """Store labels (schema name -> value) as HUMAN assessments; the item is done.

        Raises:
            InvalidArgumentError: A label its schema refuses (nothing is stored).
            PermissionDeniedError: The item is assigned to someone else.
        """
        return self.review_store.submit_labels(item_id, self._reviewer(reviewer), labels, comment)

    def skip_review_item(self, item_id: str, reviewer: str | None = None) -> ReviewItem:
        """Skip a pending item."""
        return self.review_store.skip_item(item_id, self._reviewer(reviewer))

    def review_progress(self, queue_id: str) -> QueueProgress:
        """Counts of pending, done and skipped items, in all and per reviewer."""
        return self.review_store.progress(queue_id)

    def review_labels_to_dataset(
        self, queue_id: str, dataset_id: str, item_ids: Sequence[str] | None = None
    ) -> int:
        """Make the labels of done items (all, or ``item_ids``) a dataset's expectations.

        Each item becomes a record with its trace's inputs (and outputs) and its labels as
        expectations by schema name; answers how many records were written.
        """
        return self.review_store.to_dataset(queue_id, dataset_id, item_ids)
