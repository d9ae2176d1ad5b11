"""Review queues on Ardea's wire (``/api/3.0/ardea/review/...``): entities to JSON and back.

Shared by the server (entity to JSON) and the REST store (JSON to entity). Absent optional
values are left out of the JSON (never ``null``), as in MLflow's answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ardea.entities.review import (
    QueueProgress,
    ReviewerProgress,
    ReviewItem,
    ReviewQueue,
    parse_schemas,
    schema_to_dict,
)

__all__ = [
    "item_from_json",
    "item_to_json",
    "progress_from_json",
    "progress_to_json",
    "queue_from_json",
    "queue_to_json",
]


def _some(out: dict[str, Any], **values: Any) -> dict[str, Any]:
    out.update({k: v for k, v in values.items() if v is not None})
    return out


def queue_to_json(q: ReviewQueue) -> dict[str, Any]:
    """A queue as JSON."""
    out = {
        "queue_id": q.queue_id,
        "experiment_id": q.experiment_id,
        "name": q.name,
        "label_schemas": [schema_to_dict(s) for s in q.label_schemas],
        "creation_time": q.creation_time,
        "last_update_time": q.last_update_time,
    }
    return _some(out, description=q.description, created_by=q.created_by)


def queue_from_json(d: Mapping[str, Any]) -> ReviewQueue:
    """A queue from its JSON."""
    return ReviewQueue(
        queue_id=str(d["queue_id"]),
        experiment_id=str(d["experiment_id"]),
        name=str(d["name"]),
        description=d.get("description"),
        label_schemas=parse_schemas(d.get("label_schemas") or []),
        created_by=d.get("created_by"),
        creation_time=int(d.get("creation_time") or 0),
        last_update_time=int(d.get("last_update_time") or 0),
    )


def item_to_json(i: ReviewItem) -> dict[str, Any]:
    """An item as JSON."""
    out = {
        "item_id": i.item_id,
        "queue_id": i.queue_id,
        "state": i.state,
        "position": i.position,
        "source": i.source,
        "creation_time": i.creation_time,
        "assessment_ids": list(i.assessment_ids),
    }
    return _some(
        out,
        trace_id=i.trace_id,
        session_id=i.session_id,
        assignee=i.assignee,
        reviewed_by=i.reviewed_by,
        completed_time=i.completed_time,
    )


def item_from_json(d: Mapping[str, Any]) -> ReviewItem:
    """An item from its JSON."""
    done = d.get("completed_time")
    return ReviewItem(
        item_id=str(d["item_id"]),
        queue_id=str(d["queue_id"]),
        trace_id=d.get("trace_id"),
        session_id=d.get("session_id"),
        state=str(d["state"]),
        assignee=d.get("assignee"),
        position=int(d["position"]),
        source=str(d.get("source") or "manual"),
        reviewed_by=d.get("reviewed_by"),
        creation_time=int(d.get("creation_time") or 0),
        completed_time=None if done is None else int(done),
        assessment_ids=tuple(d.get("assessment_ids") or ()),
    )


def progress_to_json(p: QueueProgress) -> dict[str, Any]:
    """A queue's progress as JSON (``reviewer`` absent: the unassigned items)."""
    return {
        "queue_id": p.queue_id,
        "total": p.total,
        "pending": p.pending,
        "done": p.done,
        "skipped": p.skipped,
        "reviewers": [
            _some(
                {"total": r.total, "pending": r.pending, "done": r.done, "skipped": r.skipped},
                reviewer=r.reviewer,
            )
            for r in p.reviewers
        ],
    }


def progress_from_json(d: Mapping[str, Any]) -> QueueProgress:
    """A queue's progress from its JSON."""
    return QueueProgress(
        queue_id=str(d["queue_id"]),
        pending=int(d.get("pending") or 0),
        done=int(d.get("done") or 0),
        skipped=int(d.get("skipped") or 0),
        reviewers=[
            ReviewerProgress(
                r.get("reviewer"),
                int(r.get("pending") or 0),
                int(r.get("done") or 0),
                int(r.get("skipped") or 0),
            )
            for r in d.get("reviewers") or []
        ],
    )
