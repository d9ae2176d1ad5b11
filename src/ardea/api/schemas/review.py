"""Answers of Ardea's review queue routes (``/api/3.0/ardea/review/...``)."""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64

__all__ = [
    "AddItemsResponse",
    "LabelSchemaJson",
    "NextItemResponse",
    "QueueProgressJson",
    "ReviewItemJson",
    "ReviewItemResponse",
    "ReviewItemsResponse",
    "ReviewQueueJson",
    "ReviewQueueResponse",
    "ReviewQueuesResponse",
    "ReviewerProgressJson",
    "ToDatasetResponse",
]


class LabelSchemaJson(TypedDict):
    """One question of a queue's form.

    ``options`` for categorical schemas, ``min``/``max`` for numeric ones.
    """

    name: str
    type: Literal["pass_fail", "categorical", "numeric", "text", "expected_answer"]
    title: str
    required: bool
    instruction: NotRequired[str]
    options: NotRequired[list[str]]
    min: NotRequired[float | None]
    max: NotRequired[float | None]


class ReviewQueueJson(TypedDict):
    """A review queue."""

    queue_id: str
    experiment_id: str
    name: str
    label_schemas: list[LabelSchemaJson]
    creation_time: Int64
    last_update_time: Int64
    description: NotRequired[str]
    created_by: NotRequired[str]


class ReviewItemJson(TypedDict):
    """A trace or session in a queue."""

    item_id: str
    queue_id: str
    state: Literal["pending", "done", "skipped"]
    position: int
    source: Literal["manual", "filter", "judge"]
    creation_time: Int64
    assessment_ids: list[str]
    trace_id: NotRequired[str]
    session_id: NotRequired[str]
    assignee: NotRequired[str]
    reviewed_by: NotRequired[str]
    completed_time: NotRequired[Int64]


class ReviewerProgressJson(TypedDict):
    """One reviewer's counts (``reviewer`` absent: the unassigned items)."""

    total: int
    pending: int
    done: int
    skipped: int
    reviewer: NotRequired[str]


class QueueProgressJson(TypedDict):
    """A queue's counts, in all and per reviewer."""

    queue_id: str
    total: int
    pending: int
    done: int
    skipped: int
    reviewers: list[ReviewerProgressJson]


class ReviewQueueResponse(TypedDict):
    """One queue (create, get); ``progress`` on get."""

    queue: ReviewQueueJson
    progress: NotRequired[QueueProgressJson]


class ReviewQueuesResponse(TypedDict):
    """Queues of an experiment (or of every readable one), each with its progress."""

    queues: list[ReviewQueueJson]
    progress: list[QueueProgressJson]


class AddItemsResponse(TypedDict):
    """The items an add call put in the queue (those already there are left out)."""

    items: list[ReviewItemJson]


class ReviewItemsResponse(TypedDict):
    """A page of a queue's items."""

    items: list[ReviewItemJson]
    next_page_token: NotRequired[str]


class ReviewItemResponse(TypedDict):
    """One item (get, submit, skip), with its queue."""

    item: ReviewItemJson
    queue: NotRequired[ReviewQueueJson]


class NextItemResponse(TypedDict):
    """The caller's next item; absent when the queue has nothing left for them."""

    item: NotRequired[ReviewItemJson]


class ToDatasetResponse(TypedDict):
    """How many dataset records the labels made."""

    records: int
