"""Labels of the SQL review store: submit (HUMAN assessments), skip, and dataset records.

A submission is checked against its queue's schemas first (nothing is written when a label
is wrong). The assessments are then written through the trace store (one transaction for a
first submission; a re-submission overrides each earlier label, which the trace store marks
invalid), and the item is marked done in a second transaction that checks again that the item
is still the reviewer's. Should that fail, the new assessments are deleted again, so a refused
submission leaves nothing behind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import (
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
)
from ardea._core.ids import now_ms
from ardea.entities.assessment import Assessment, AssessmentSource
from ardea.entities.feedback import Expectation, Feedback
from ardea.entities.review import LabelSchema, ReviewItem, check_labels
from ardea.store.datasets import DatasetStore
from ardea.store.review import ITEM_ID_KEY, QUEUE_ID_KEY
from ardea.store.sql._db.engine import Database
from ardea.store.sql.review import rows
from ardea.store.sql.review.tables import review_items, review_labels
from ardea.store.sql.traces.tables import traces
from ardea.store.traces import TraceStore

__all__ = ["ReviewHost", "first_traces", "skip", "submit", "to_dataset"]

_I, _L = review_items, review_labels
_COMMENT_MAX = 65_536


class ReviewHost(Protocol):
    """What these functions use of :class:`~ardea.store.sql.review.store.SqlReviewStore`."""

    _db: Database
    _traces: TraceStore
    _datasets: DatasetStore

    def _item_row(self, conn: Connection, item_id: str) -> tuple[Any, Any]:
        """An item's row and its queue's row (NotFoundError when either is not visible)."""
        ...

    def _queue_row(self, conn: Connection, queue_id: str, *, lock: bool = False) -> Any:
        """A queue's row (NotFoundError when it is not visible)."""
        ...

    def get_item(self, item_id: str) -> ReviewItem:
        """One item."""
        ...


def first_traces(conn: Connection, experiment: int, session_ids: Sequence[str]) -> dict[str, str]:
    """The earliest trace of each session of the experiment (sessions without one: absent)."""
    out: dict[str, str] = {}
    if not session_ids:
        return out
    query = (
        sa.select(traces.c.session_id, traces.c.trace_id)
        .where(traces.c.session_id.in_(list(session_ids)), traces.c.experiment_id == experiment)
        .order_by(traces.c.request_time, traces.c.trace_id)
    )
    for row in conn.execute(query):
        out.setdefault(row.session_id, row.trace_id)
    return out


def _mine(item: Any, reviewer: str, as_admin: bool) -> None:
    if item.assignee not in (None, reviewer) and not as_admin:
        raise PermissionDeniedError(
            f"Review item '{item.item_id}' is assigned to {item.assignee!r}, not to {reviewer!r}"
        )


def _assessment(
    schema: LabelSchema, value: Any, trace_id: str, reviewer: str, meta: dict[str, str]
) -> Assessment:
    source = AssessmentSource("HUMAN", reviewer)
    if schema.type == "expected_answer":
        return Expectation(schema.name, value, source=source, trace_id=trace_id, metadata=meta)
    return Feedback(schema.name, value, source=source, trace_id=trace_id, metadata=meta)


def submit(
    store: ReviewHost,
    item_id: str,
    reviewer: str,
    labels: Mapping[str, Any],
    comment: str | None,
    as_admin: bool,
) -> ReviewItem:
    """See :meth:`ardea.store.review.ReviewStore.submit_labels`."""
    rows.check_user(reviewer)
    if comment is not None and (not isinstance(comment, str) or len(comment) > _COMMENT_MAX):
        raise InvalidArgumentError(f"'comment' must be a string of at most {_COMMENT_MAX} chars")

    def read(conn: Connection) -> tuple[Any, Any, dict[str, str]]:
        item, queue = store._item_row(conn, item_id)
        earlier = conn.execute(
            sa.select(_L.c.label_name, _L.c.assessment_id).where(_L.c.item_id == item.item_id)
        )
        return item, queue, {r.label_name: r.assessment_id for r in earlier}

    item, queue_row, earlier = store._db.read(read)
    _mine(item, reviewer, as_admin)
    if item.trace_id is None:
        raise FailedPreconditionError(f"Review item '{item_id}' has no trace to label")
    queue = rows.queue_of(queue_row)
    checked = check_labels(queue.label_schemas, labels)
    meta = {QUEUE_ID_KEY: queue.queue_id, ITEM_ID_KEY: item.item_id}
    by_name = {s.name: s for s in queue.label_schemas}
    new = []
    for name, value in checked.items():
        made = _assessment(by_name[name], value, item.trace_id, reviewer, meta)
        made.rationale = comment or None
        made.overrides = earlier.get(name)
        new.append(made)
    fresh = [a for a in new if a.overrides is None]
    stored = store._traces.create_assessments(fresh) if fresh else []
    stored += [store._traces.create_assessment(a) for a in new if a.overrides is not None]

    def mark(conn: Connection) -> Any:
        now_row = conn.execute(sa.select(_I).where(_I.c.item_id == item.item_id)).first()
        if now_row is None:
            raise NotFoundError(f"Review item '{item_id}' not found")
        _mine(now_row, reviewer, as_admin)
        conn.execute(
            _I.update()
            .where(_I.c.item_id == item.item_id)
            .values(
                state="done",
                reviewed_by=reviewer,
                completed_time=now_ms(),
                assignee=now_row.assignee or reviewer,
            )
        )
        names = [a.name for a in stored]
        conn.execute(_L.delete().where(_L.c.item_id == item.item_id, _L.c.label_name.in_(names)))
        conn.execute(
            _L.insert(),
            [
                {
                    "item_id": item.item_id,
                    "assessment_id": a.assessment_id,
                    "trace_id": a.trace_id,
                    "label_name": a.name,
                }
                for a in stored
            ],
        )

    try:
        store._db.write(mark)
    except BaseException:
        for a in stored:
            store._traces.delete_assessment(a.trace_id, a.assessment_id)
        raise
    return store.get_item(item_id)


def skip(store: ReviewHost, item_id: str, reviewer: str, as_admin: bool) -> ReviewItem:
    """See :meth:`ardea.store.review.ReviewStore.skip_item`."""
    rows.check_user(reviewer)

    def op(conn: Connection) -> None:
        item, _ = store._item_row(conn, item_id)
        _mine(item, reviewer, as_admin)
        if item.state != "pending":
            raise FailedPreconditionError(
                f"Review item '{item_id}' is {item.state}: only a pending item can be skipped"
            )
        conn.execute(
            _I.update()
            .where(_I.c.item_id == item.item_id)
            .values(
                state="skipped",
                reviewed_by=reviewer,
                completed_time=now_ms(),
                assignee=item.assignee or reviewer,
            )
        )

    store._db.write(op)
    return store.get_item(item_id)


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def to_dataset(
    store: ReviewHost, queue_id: str, dataset_id: str, item_ids: Sequence[str] | None
) -> int:
    """See :meth:`ardea.store.review.ReviewStore.to_dataset`."""
    if not isinstance(dataset_id, str) or not dataset_id.strip():
        raise InvalidArgumentError("'dataset_id' must be a non-empty string")
    ids = None if item_ids is None else rows.check_ids(item_ids, "item_ids", 36)
    store._datasets.get_dataset(dataset_id)  # NotFoundError before anything is read

    def read(conn: Connection) -> list[tuple[Any, dict[str, str]]]:
        store._queue_row(conn, queue_id)
        query = sa.select(_I).where(_I.c.queue_id == queue_id, _I.c.state == "done")
        if ids is not None:
            query = query.where(_I.c.item_id.in_(ids))
        found = list(conn.execute(query.order_by(_I.c.position)))
        if ids is not None and len(found) != len(ids):
            raise InvalidArgumentError(
                "Only done items of this queue can become dataset records: "
                f"{sorted(set(ids) - {r.item_id for r in found})[:10]}"
            )
        out = []
        for row in found:
            labels = conn.execute(
                sa.select(_L.c.label_name, _L.c.assessment_id).where(_L.c.item_id == row.item_id)
            )
            out.append((row, {r.label_name: r.assessment_id for r in labels}))
        return out

    done = store._db.read(read)
    if not done:
        return 0
    got = store._traces.batch_get_traces([r.trace_id for r, _ in done])
    whole = {t.info.trace_id: t for t in got}
    records = []
    for row, label_ids in done:
        trace = whole.get(row.trace_id)
        if trace is None:
            continue
        expectations: dict[str, Any] = {}
        for name, aid in label_ids.items():
            try:
                expectations[name] = store._traces.get_assessment(row.trace_id, aid).value
            except NotFoundError:  # the label's assessment was deleted since
                continue
        root = next((s for s in trace.spans if s.parent_span_id is None), None)
        inputs = _json(root.inputs) if root is not None else None
        outputs = _json(root.outputs) if root is not None else None
        data: dict[str, Any] = {"trace_id": row.trace_id, "review_item_id": row.item_id}
        if row.session_id:
            data["session_id"] = row.session_id
        record: dict[str, Any] = {
            "inputs": inputs if isinstance(inputs, dict) else {"input": inputs},
            "expectations": expectations,
            "source": {"source_type": "HUMAN", "source_data": data},
            "tags": {"mlflow.user": row.reviewed_by or ""},
        }
        if outputs is not None:
            record["outputs"] = outputs
        records.append(record)
    if not records:
        return 0
    store._datasets.upsert_records(dataset_id, records)
    return len(records)
