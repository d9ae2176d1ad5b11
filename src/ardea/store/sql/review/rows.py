"""Row helpers of the SQL review store: checks of ids and arguments, rows to entities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from ardea._core.errors import InvalidArgumentError
from ardea.entities.review import (
    ITEM_STATES,
    LabelSchema,
    ReviewItem,
    ReviewQueue,
    parse_schemas,
    schema_to_dict,
)
from ardea.store.review import ADD_MAX_ITEMS

__all__ = [
    "NAME_MAX",
    "check_count",
    "check_ids",
    "check_name",
    "check_state",
    "check_user",
    "dump_schemas",
    "experiment_number",
    "item_of",
    "queue_of",
]

NAME_MAX = 255
"""Longest queue name and reviewer name (characters)."""


def experiment_number(experiment_id: object) -> int:
    """An experiment id as the integer its rows use (InvalidArgumentError otherwise)."""
    text = str(experiment_id) if experiment_id is not None else ""
    if not text.isdigit() or len(text) > 10:
        raise InvalidArgumentError(f"Invalid experiment id {text[:80]!r}")
    return int(text)


def check_name(name: object, what: str = "Queue name") -> str:
    """A non-empty name of at most :data:`NAME_MAX` characters."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgumentError(f"{what} must be a non-empty string")
    if len(name) > NAME_MAX or "\x00" in name:
        raise InvalidArgumentError(f"{what} must be at most {NAME_MAX} characters, without NUL")
    return name


def check_user(name: object) -> str:
    """A reviewer's username."""
    return check_name(name, "Reviewer")


def check_state(state: object) -> str | None:
    """An item state filter (None: any)."""
    if state is None or state == "":
        return None
    if state not in ITEM_STATES:
        raise InvalidArgumentError(f"'state' must be one of {', '.join(ITEM_STATES)}")
    return str(state)


def check_count(max_items: object, what: str = "max_items") -> int:
    """A positive count up to :data:`~ardea.store.review.ADD_MAX_ITEMS`."""
    if isinstance(max_items, bool) or not isinstance(max_items, int):
        raise InvalidArgumentError(f"'{what}' must be an integer")
    if not 1 <= max_items <= ADD_MAX_ITEMS:
        raise InvalidArgumentError(f"'{what}' must be between 1 and {ADD_MAX_ITEMS}")
    return max_items


def check_ids(ids: Sequence[str] | None, what: str, limit: int = 64) -> list[str]:
    """Distinct non-empty id strings, in order."""
    if ids is None:
        return []
    if isinstance(ids, str) or not isinstance(ids, Sequence):
        raise InvalidArgumentError(f"'{what}' must be a list of strings")
    out: list[str] = []
    for one in ids:
        if not isinstance(one, str) or not one.strip() or len(one) > limit or "\x00" in one:
            raise InvalidArgumentError(f"'{what}' holds an invalid id {str(one)[:80]!r}")
        out.append(one)
    if len(out) > ADD_MAX_ITEMS:
        raise InvalidArgumentError(f"'{what}' may list at most {ADD_MAX_ITEMS} ids")
    return list(dict.fromkeys(out))


def dump_schemas(schemas: Sequence[LabelSchema]) -> str:
    """The schemas as the JSON text stored in ``label_schemas``."""
    return orjson.dumps([schema_to_dict(s) for s in schemas]).decode()


def queue_of(row: Any) -> ReviewQueue:
    """A ``review_queues`` row as a :class:`ReviewQueue`."""
    return ReviewQueue(
        queue_id=row.queue_id,
        experiment_id=str(row.experiment_id),
        name=row.name,
        description=row.description,
        label_schemas=parse_schemas(orjson.loads(row.label_schemas)),
        created_by=row.created_by,
        creation_time=int(row.creation_time),
        last_update_time=int(row.last_update_time),
    )


def item_of(row: Any, assessment_ids: Sequence[str] = ()) -> ReviewItem:
    """A ``review_items`` row as a :class:`ReviewItem`."""
    return ReviewItem(
        item_id=row.item_id,
        queue_id=row.queue_id,
        trace_id=row.trace_id,
        session_id=row.session_id,
        state=row.state,
        assignee=row.assignee,
        position=int(row.position),
        source=row.source,
        reviewed_by=row.reviewed_by,
        creation_time=int(row.creation_time),
        completed_time=None if row.completed_time is None else int(row.completed_time),
        assessment_ids=tuple(assessment_ids),
    )
