"""Human review: queues of traces (or sessions) for people to label, and the label schemas.

A :class:`ReviewQueue` belongs to an experiment and lists the :class:`LabelSchema` its
reviewers fill in. Its :class:`ReviewItem` rows (one trace or one session each) are
``pending`` until a reviewer submits labels (``done``) or skips them (``skipped``). Labels are
stored as HUMAN assessments on the item's trace (``source_id`` = the reviewer's username):
feedback for every schema but ``expected_answer``, which is an expectation.

The checks here are pure (no database, no HTTP): :func:`parse_schemas` for a queue's schemas
and :func:`check_labels` for a submission, each raising InvalidArgumentError with a message
that names the schema and what is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ardea._core.errors import InvalidArgumentError

__all__ = [
    "ITEM_STATES",
    "MAX_OPTIONS",
    "MAX_SCHEMAS",
    "SCHEMA_TYPES",
    "TEXT_MAX",
    "LabelSchema",
    "QueueProgress",
    "ReviewItem",
    "ReviewQueue",
    "ReviewerProgress",
    "check_labels",
    "parse_schemas",
    "schema_to_dict",
]

SCHEMA_TYPES = ("pass_fail", "categorical", "numeric", "text", "expected_answer")
"""The kinds of label a schema asks for."""
ITEM_STATES = ("pending", "done", "skipped")
"""The states of a queue item."""
MAX_SCHEMAS = 20
"""Most label schemas on one queue."""
MAX_OPTIONS = 50
"""Most options of a categorical schema."""
TEXT_MAX = 65_536
"""Longest free-text or expected-answer label (characters)."""
_NAME_MAX = 250  # an assessment name's column


@dataclass(frozen=True)
class LabelSchema:
    """One question a reviewer answers for each item.

    Attributes:
        name: The label's (and the assessment's) name, unique in its queue.
        type: One of :data:`SCHEMA_TYPES`.
        title: What the form shows (the name when not given).
        instruction: Help for the reviewer, or None.
        options: A categorical schema's choices (1 to :data:`MAX_OPTIONS`).
        min: A numeric schema's lowest value, or None.
        max: A numeric schema's highest value, or None.
        required: Whether a submission must answer it.
    """

    name: str
    type: str
    title: str = ""
    instruction: str | None = None
    options: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    required: bool = True


@dataclass(frozen=True)
class ReviewQueue:
    """A review queue (Ardea's; MLflow's labeling sessions are Databricks-only).

    Attributes:
        queue_id: A UUID.
        experiment_id: The experiment whose traces it reviews (and whose permissions apply).
        name: Unique in its experiment.
        description: Free text, or None.
        label_schemas: What reviewers fill in, in form order.
        created_by: The creator's username, or None.
        creation_time: Epoch milliseconds.
        last_update_time: Epoch milliseconds.
    """

    queue_id: str
    experiment_id: str
    name: str
    description: str | None
    label_schemas: tuple[LabelSchema, ...]
    created_by: str | None
    creation_time: int
    last_update_time: int


@dataclass(frozen=True)
class ReviewItem:
    """One trace or session waiting in (or done with) a queue.

    Attributes:
        item_id: A UUID.
        queue_id: Its queue.
        trace_id: The trace to review (a session item: the session's first trace).
        session_id: The session to review, or None for a trace item.
        state: One of :data:`ITEM_STATES`.
        assignee: The reviewer it is assigned to, or None.
        position: Its place in the queue (1, 2, ...: the order items were added).
        source: How it came in: ``manual``, ``filter`` or ``judge``.
        reviewed_by: Who submitted or skipped it, or None.
        creation_time: Epoch milliseconds.
        completed_time: When it was submitted or skipped, or None.
        assessment_ids: The HUMAN assessments its submission stored.
    """

    item_id: str
    queue_id: str
    trace_id: str | None
    session_id: str | None
    state: str
    assignee: str | None
    position: int
    source: str
    reviewed_by: str | None
    creation_time: int
    completed_time: int | None
    assessment_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewerProgress:
    """One reviewer's share of a queue (by assignee; unassigned items under None)."""

    reviewer: str | None
    pending: int
    done: int
    skipped: int

    @property
    def total(self) -> int:
        """All items of this reviewer."""
        return self.pending + self.done + self.skipped


@dataclass(frozen=True)
class QueueProgress:
    """How far a queue is, in all and per reviewer."""

    queue_id: str
    pending: int
    done: int
    skipped: int
    reviewers: list[ReviewerProgress] = field(default_factory=list)

    @property
    def total(self) -> int:
        """All items of the queue."""
        return self.pending + self.done + self.skipped


def schema_to_dict(schema: LabelSchema) -> dict[str, Any]:
    """A schema as JSON (only the fields its type uses)."""
    out: dict[str, Any] = {
        "name": schema.name,
        "type": schema.type,
        "title": schema.title or schema.name,
        "required": schema.required,
    }
    if schema.instruction:
        out["instruction"] = schema.instruction
    if schema.type == "categorical":
        out["options"] = list(schema.options)
    if schema.type == "numeric":
        out["min"] = schema.min
        out["max"] = schema.max
    return out


def _text(raw: Mapping[str, Any], key: str, where: str, limit: int = 1000) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        raise InvalidArgumentError(f"{where}: '{key}' must be a string of at most {limit} chars")
    return value


def _bound(raw: Mapping[str, Any], key: str, where: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidArgumentError(f"{where}: '{key}' must be a finite number")
    return float(value)


def _options(raw: Mapping[str, Any], where: str) -> tuple[str, ...]:
    options = raw.get("options")
    if not isinstance(options, list) or not 1 <= len(options) <= MAX_OPTIONS:
        raise InvalidArgumentError(
            f"{where}: a categorical schema needs 'options', a list of 1 to {MAX_OPTIONS} strings"
        )
    if not all(isinstance(o, str) and o.strip() and len(o) <= 250 for o in options):
        raise InvalidArgumentError(f"{where}: every option must be a non-empty string")
    if len(set(options)) != len(options):
        raise InvalidArgumentError(f"{where}: options must be distinct")
    return tuple(options)


def _one_schema(raw: Any, index: int) -> LabelSchema:
    where = f"label_schemas[{index}]"
    if not isinstance(raw, Mapping):
        raise InvalidArgumentError(f"{where} must be an object with 'name' and 'type'")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > _NAME_MAX or "\x00" in name:
        raise InvalidArgumentError(f"{where}: 'name' must be a non-empty string (<= 250 chars)")
    kind = raw.get("type")
    if kind not in SCHEMA_TYPES:
        raise InvalidArgumentError(
            f"{where}: 'type' must be one of {', '.join(SCHEMA_TYPES)}, not {kind!r}"
        )
    required = raw.get("required", True)
    if not isinstance(required, bool):
        raise InvalidArgumentError(f"{where}: 'required' must be true or false")
    low, high = _bound(raw, "min", where), _bound(raw, "max", where)
    if low is not None and high is not None and low > high:
        raise InvalidArgumentError(f"{where}: 'min' ({low}) is above 'max' ({high})")
    return LabelSchema(
        name=name,
        type=str(kind),
        title=_text(raw, "title", where) or name,
        instruction=_text(raw, "instruction", where, 10_000),
        options=_options(raw, where) if kind == "categorical" else (),
        min=low if kind == "numeric" else None,
        max=high if kind == "numeric" else None,
        required=required,
    )


def parse_schemas(raw: Any) -> tuple[LabelSchema, ...]:
    """A queue's label schemas from JSON (a list of objects), checked.

    Raises:
        InvalidArgumentError: Not a list, none or more than :data:`MAX_SCHEMAS`, a bad
            schema, or two with one name.
    """
    if isinstance(raw, (str, bytes, Mapping)) or not isinstance(raw, Sequence):
        raise InvalidArgumentError("'label_schemas' must be a list of schema objects")
    if not 1 <= len(raw) <= MAX_SCHEMAS:
        raise InvalidArgumentError(f"A queue needs 1 to {MAX_SCHEMAS} label schemas")
    schemas = tuple(_one_schema(r, i) for i, r in enumerate(raw))
    names = [s.name for s in schemas]
    if len(set(names)) != len(names):
        raise InvalidArgumentError("Label schema names must be distinct within a queue")
    return schemas


def _check_one(schema: LabelSchema, value: Any) -> Any:
    where = f"Label '{schema.name}' ({schema.type})"
    if schema.type == "pass_fail":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("pass", "fail"):
            return value.lower() == "pass"
        raise InvalidArgumentError(f"{where} must be true/false or 'pass'/'fail'")
    if schema.type == "categorical":
        if value not in schema.options:
            raise InvalidArgumentError(f"{where} must be one of {list(schema.options)}")
        return value
    if schema.type == "numeric":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidArgumentError(f"{where} must be a number")
        if not math.isfinite(value):
            raise InvalidArgumentError(f"{where} must be a finite number")
        if (schema.min is not None and value < schema.min) or (
            schema.max is not None and value > schema.max
        ):
            raise InvalidArgumentError(f"{where} must be within [{schema.min}, {schema.max}]")
        return value
    if not isinstance(value, str) or len(value) > TEXT_MAX or "\x00" in value:
        raise InvalidArgumentError(f"{where} must be a string of at most {TEXT_MAX} characters")
    return value


def check_labels(schemas: Sequence[LabelSchema], labels: Any) -> dict[str, Any]:
    """A submission's labels, checked against the queue's schemas (values normalized).

    ``labels`` maps schema names to values; a None or empty-string value of an optional
    schema leaves it out.

    Raises:
        InvalidArgumentError: Not an object, an unknown name, a missing required label, or a
            value its schema refuses.
    """
    if not isinstance(labels, Mapping):
        raise InvalidArgumentError("'labels' must be an object of schema name to value")
    known = {s.name: s for s in schemas}
    unknown = sorted(set(labels) - set(known))
    if unknown:
        raise InvalidArgumentError(f"Unknown label(s) {unknown}; this queue has {list(known)}")
    out: dict[str, Any] = {}
    for schema in schemas:
        value = labels.get(schema.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if schema.required:
                raise InvalidArgumentError(f"Label '{schema.name}' is required")
            continue
        out[schema.name] = _check_one(schema, value)
    if not out:
        raise InvalidArgumentError("A submission needs at least one label")
    return out
