"""Review queues over a server's ``/api/3.0/ardea/review`` API (Ardea's own routes).

The server decides who the reviewer is on a server with ``--auth`` (the signed-in user); a
``reviewer`` given here is sent along and must be that user unless the caller is an admin.
An empty ``reviewer`` is not sent (the server then uses the signed-in user).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ardea.api.review_json import item_from_json, progress_from_json, queue_from_json
from ardea.entities.page import PagedList
from ardea.entities.review import QueueProgress, ReviewItem, ReviewQueue
from ardea.store.rest.http import RestClient
from ardea.store.review import ReviewStore

__all__ = ["RestReviewStore"]

_PATH = "/api/3.0/ardea/review"


def _items(out: Mapping[str, Any]) -> list[ReviewItem]:
    return [item_from_json(i) for i in out.get("items") or []]


class RestReviewStore(ReviewStore):
    """A :class:`ReviewStore` that is a client of a server.

    Args:
        uri: The server's ``http(s)://host:port[/prefix]`` URL.
        rest: Optional ready-made :class:`RestClient` (shared with the backend's other stores).
    """

    def __init__(self, uri: str, *, rest: RestClient | None = None) -> None:
        self.uri = uri.rstrip("/")
        self._rest = rest or RestClient(self.uri)

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        return self._rest.call("POST", f"{_PATH}/{path}", json=body)

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        return self._rest.call("GET", f"{_PATH}/{path}", params=params)

    def create_queue(
        self,
        experiment_id: str,
        name: str,
        label_schemas: Sequence[Mapping[str, Any]],
        description: str | None = None,
        created_by: str | None = None,
    ) -> ReviewQueue:
        """Create a queue (the server sets ``created_by`` to the signed-in user)."""
        body = {
            "experiment_id": experiment_id,
            "name": name,
            "label_schemas": list(label_schemas),
            "description": description,
        }
        return queue_from_json(self._post("queues/create", body)["queue"])

    def list_queues(self, experiment_id: str | None = None) -> list[ReviewQueue]:
        """The queues of one experiment, or of every readable one."""
        out = self._get("queues/list", {"experiment_id": experiment_id})
        return [queue_from_json(q) for q in out.get("queues") or []]

    def get_queue(self, queue_id: str) -> ReviewQueue:
        """One queue."""
        return queue_from_json(self._get("queues/get", {"queue_id": queue_id})["queue"])

    def experiment_of_item(self, item_id: str) -> str:
        """The experiment of the item's queue."""
        out = self._get("items/get", {"item_id": item_id})
        return str(out["queue"]["experiment_id"])

    def delete_queue(self, queue_id: str) -> None:
        """Delete a queue with its items."""
        self._post("queues/delete", {"queue_id": queue_id})

    def add_items(
        self,
        queue_id: str,
        trace_ids: Sequence[str] = (),
        session_ids: Sequence[str] = (),
    ) -> list[ReviewItem]:
        """Add traces and sessions by hand."""
        body = {
            "queue_id": queue_id,
            "trace_ids": list(trace_ids),
            "session_ids": list(session_ids),
        }
        return _items(self._post("items/add", body))

    def add_items_by_filter(
        self, queue_id: str, filter_string: str | None, max_items: int = 100
    ) -> list[ReviewItem]:
        """Add traces matching a filter."""
        body = {"queue_id": queue_id, "filter_string": filter_string, "max_items": max_items}
        return _items(self._post("items/add-by-filter", body))

    def add_items_by_judge(
        self, queue_id: str, judge_name: str, max_items: int = 100
    ) -> list[ReviewItem]:
        """Add traces a judge said no to."""
        body = {"queue_id": queue_id, "judge_name": judge_name, "max_items": max_items}
        return _items(self._post("items/add-by-judge", body))

    def list_items(
        self,
        queue_id: str,
        state: str | None = None,
        assignee: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> PagedList[ReviewItem]:
        """A page of a queue's items."""
        params = {
            "queue_id": queue_id,
            "state": state,
            "assignee": assignee,
            "max_results": max_results,
            "page_token": page_token,
        }
        out = self._get("items/list", params)
        return PagedList(_items(out), out.get("next_page_token"))

    def get_item(self, item_id: str) -> ReviewItem:
        """One item."""
        return item_from_json(self._get("items/get", {"item_id": item_id})["item"])

    def assign_items(
        self, queue_id: str, reviewers: Sequence[str], item_ids: Sequence[str] | None = None
    ) -> list[ReviewItem]:
        """Assign items round-robin."""
        body: dict[str, Any] = {"queue_id": queue_id, "reviewers": list(reviewers)}
        if item_ids is None:
            body["all"] = True
        else:
            body["item_ids"] = list(item_ids)
        return _items(self._post("items/assign", body))

    def next_item(
        self, queue_id: str, reviewer: str, after_position: int | None = None
    ) -> ReviewItem | None:
        """The reviewer's next pending item."""
        params = {
            "queue_id": queue_id,
            "reviewer": reviewer or None,
            "after_position": after_position,
        }
        found = self._get("items/next", params).get("item")
        return None if found is None else item_from_json(found)

    def submit_labels(
        self,
        item_id: str,
        reviewer: str,
        labels: Mapping[str, Any],
        comment: str | None = None,
        as_admin: bool = False,
    ) -> ReviewItem:
        """Submit labels (``as_admin`` is the server's to decide)."""
        body = {
            "item_id": item_id,
            "reviewer": reviewer or None,
            "labels": labels,
            "comment": comment,
        }
        return item_from_json(self._post("items/submit", body)["item"])

    def skip_item(self, item_id: str, reviewer: str, as_admin: bool = False) -> ReviewItem:
        """Skip an item."""
        body = {"item_id": item_id, "reviewer": reviewer or None}
        return item_from_json(self._post("items/skip", body)["item"])

    def progress(self, queue_id: str) -> QueueProgress:
        """A queue's counts."""
        return progress_from_json(self._get("queues/progress", {"queue_id": queue_id}))

    def to_dataset(
        self, queue_id: str, dataset_id: str, item_ids: Sequence[str] | None = None
    ) -> int:
        """Labels to dataset expectations."""
        body = {"queue_id": queue_id, "dataset_id": dataset_id, "item_ids": item_ids}
        return int(self._post("queues/to-dataset", body)["records"])
