"""The SQL review store: :class:`SqlReviewStore` on a tracking :class:`Database`.

Queues belong to an experiment, so the workspace reaches them through it: a queue is found
only when its experiment is in the store's :class:`WorkspaceScope` (NotFoundError otherwise).
Items keep their order in ``position``; adding items locks the queue's row (``FOR UPDATE`` on
PostgreSQL and MySQL; SQLite has one writer) so two concurrent adds never share a position.

Labels and dataset records are written through the sibling stores the backend hands in (the
trace store's assessments, the dataset store's records): see :mod:`.labels`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from ardea._core.ids import now_ms
from ardea.entities.page import PagedList
from ardea.entities.review import QueueProgress, ReviewerProgress, ReviewItem, ReviewQueue
from ardea.entities.review import parse_schemas as _parse_schemas
from ardea.store.datasets import DatasetStore
from ardea.store.review import ITEMS_MAX_RESULTS, ReviewStore
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql._db.visibility import visibility_condition
from ardea.store.sql.review import labels as _labels
from ardea.store.sql.review import rows
from ardea.store.sql.review.tables import review_items, review_labels, review_queues
from ardea.store.sql.traces.tables import assessments, traces
from ardea.store.traces import TraceStore

__all__ = ["SqlReviewStore"]

_Q, _I, _L = review_queues, review_items, review_labels
_NO = frozenset({"false", "no", "fail", "failed", "n"})


def _said_no(value: Any) -> bool:
    try:
        found = orjson.loads(value) if isinstance(value, str) else value
    except orjson.JSONDecodeError:
        found = value
    if found is False:
        return True
    return isinstance(found, str) and found.strip().lower() in _NO


class SqlReviewStore(ReviewStore):
    """Review queues in a SQL database.

    Args:
        database: An open database at the current schema, shared with the backend's other
            SQL stores; the backend closes it.
        traces: The trace store of the same workspace (labels become its assessments).
        datasets: The dataset store of the same workspace (``to_dataset`` writes there).
        scope: The workspace the store sees and writes to (``default`` when omitted).
    """

    def __init__(
        self,
        database: Database,
        traces: TraceStore,
        datasets: DatasetStore,
        scope: WorkspaceScope = DEFAULT_SCOPE,
    ) -> None:
        self._db = database
        self._traces = traces
        self._datasets = datasets
        self._scope = scope

    # -- lookups -----------------------------------------------------------------------------

    def _queue_row(self, conn: Connection, queue_id: str, *, lock: bool = False) -> Any:
        query = sa.select(_Q).where(
            _Q.c.queue_id == str(queue_id), self._scope.owns_experiment(_Q.c.experiment_id)
        )
        if lock:
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"Review queue '{queue_id}' not found")
        return row

    def _item_row(self, conn: Connection, item_id: str) -> tuple[Any, Any]:
        row = conn.execute(sa.select(_I).where(_I.c.item_id == str(item_id))).first()
        if row is None:
            raise NotFoundError(f"Review item '{item_id}' not found")
        try:
            return row, self._queue_row(conn, row.queue_id)
        except NotFoundError:
            raise NotFoundError(f"Review item '{item_id}' not found") from None

    @staticmethod
    def _labels_of(conn: Connection, item_ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        if not item_ids:
            return out
        query = sa.select(_L.c.item_id, _L.c.assessment_id).where(_L.c.item_id.in_(item_ids))
        for row in conn.execute(query.order_by(_L.c.label_name)):
            out.setdefault(row.item_id, []).append(row.assessment_id)
        return out

    def _items(self, conn: Connection, found: Sequence[Any]) -> list[ReviewItem]:
        ids = self._labels_of(conn, [r.item_id for r in found])
        return [rows.item_of(r, ids.get(r.item_id, ())) for r in found]

    # -- queues ------------------------------------------------------------------------------

    def create_queue(
        self,
        experiment_id: str,
        name: str,
        label_schemas: Sequence[Mapping[str, Any]],
        description: str | None = None,
        created_by: str | None = None,
    ) -> ReviewQueue:
        """Create a queue on the experiment."""
        rows.check_name(name)
        schemas = _parse_schemas(label_schemas)
        if description is not None and not isinstance(description, str):
            raise InvalidArgumentError("'description' must be a string")
        number = rows.experiment_number(experiment_id)

        def op(conn: Connection) -> ReviewQueue:
            self._scope.experiment_row(conn, number)
            taken = conn.execute(
                sa.select(_Q.c.queue_id).where(_Q.c.experiment_id == number, _Q.c.name == name)
            ).first()
            if taken is not None:
                raise AlreadyExistsError(
                    f"Experiment {number} already has a review queue named {name!r}"
                )
            now, queue_id = now_ms(), str(uuid.uuid4())
            values = {
                "queue_id": queue_id,
                "experiment_id": number,
                "name": name,
                "description": description or None,
                "label_schemas": rows.dump_schemas(schemas),
                "created_by": created_by or None,
                "creation_time": now,
                "last_update_time": now,
            }
            conn.execute(_Q.insert().values(**values))
            return ReviewQueue(
                queue_id, str(number), name, description or None, schemas,
                created_by or None, now, now,
            )  # fmt: skip

        return self._db.write(op)

    def list_queues(self, experiment_id: str | None = None) -> list[ReviewQueue]:
        """The queues of one experiment, or of every readable live one in the workspace."""
        number = None if experiment_id is None else rows.experiment_number(experiment_id)

        def op(conn: Connection) -> list[ReviewQueue]:
            query = sa.select(_Q).where(self._scope.owns_experiment(_Q.c.experiment_id))
            if number is not None:
                self._scope.experiment_row(conn, number)
                query = query.where(_Q.c.experiment_id == number)
            else:  # of live experiments only (a deleted one's queues come back with it)
                ex = self._scope.experiments
                live = sa.select(ex.c.experiment_id).where(ex.c.lifecycle_stage == "active")
                query = query.where(_Q.c.experiment_id.in_(live))
                readable = visibility_condition("experiment", _Q.c.experiment_id, as_text=True)
                if readable is not None:
                    query = query.where(readable)
            found = conn.execute(query.order_by(_Q.c.name, _Q.c.queue_id))
            return [rows.queue_of(r) for r in found]

        return self._db.read(op)

    def get_queue(self, queue_id: str) -> ReviewQueue:
        """One queue."""
        return self._db.read(lambda conn: rows.queue_of(self._queue_row(conn, queue_id)))

    def experiment_of_item(self, item_id: str) -> str:
        """The experiment of the item's queue."""
        return self._db.read(lambda conn: str(self._item_row(conn, item_id)[1].experiment_id))

    def delete_queue(self, queue_id: str) -> None:
        """Delete a queue with its items."""

        def op(conn: Connection) -> None:
            self._queue_row(conn, queue_id)
            items = sa.select(_I.c.item_id).where(_I.c.queue_id == queue_id)
            conn.execute(_L.delete().where(_L.c.item_id.in_(items)))
            conn.execute(_I.delete().where(_I.c.queue_id == queue_id))
            conn.execute(_Q.delete().where(_Q.c.queue_id == queue_id))

        self._db.write(op)

    # -- adding items ------------------------------------------------------------------------

    def _insert(
        self,
        conn: Connection,
        queue: Any,
        pairs: Sequence[tuple[str | None, str | None]],
        source: str,
    ) -> list[ReviewItem]:
        """Append ``(trace_id, session_id)`` pairs not in the queue yet (queue row locked)."""
        there = conn.execute(
            sa.select(_I.c.trace_id, _I.c.session_id).where(_I.c.queue_id == queue.queue_id)
        ).all()
        traces_in = {r.trace_id for r in there if r.session_id is None}
        sessions_in = {r.session_id for r in there if r.session_id is not None}
        last = conn.execute(
            sa.select(sa.func.max(_I.c.position)).where(_I.c.queue_id == queue.queue_id)
        ).scalar_one_or_none()
        position, now, made = int(last or 0), now_ms(), []
        for trace_id, session_id in pairs:
            if (session_id is None and trace_id in traces_in) or session_id in sessions_in:
                continue
            position += 1
            values = {
                "item_id": str(uuid.uuid4()),
                "queue_id": queue.queue_id,
                "trace_id": trace_id,
                "session_id": session_id,
                "state": "pending",
                "assignee": None,
                "position": position,
                "source": source,
                "reviewed_by": None,
                "creation_time": now,
                "completed_time": None,
            }
            made.append(values)
        if made:
            conn.execute(_I.insert(), made)
            conn.execute(
                _Q.update().where(_Q.c.queue_id == queue.queue_id).values(last_update_time=now)
            )
        return [rows.item_of(rows_obj(v)) for v in made]

    def add_items(
        self,
        queue_id: str,
        trace_ids: Sequence[str] = (),
        session_ids: Sequence[str] = (),
    ) -> list[ReviewItem]:
        """Add traces and sessions of the queue's experiment by hand."""
        tids = rows.check_ids(trace_ids, "trace_ids")
        sids = rows.check_ids(session_ids, "session_ids", 250)
        if not tids and not sids:
            raise InvalidArgumentError("Give 'trace_ids' or 'session_ids' to add")

        def op(conn: Connection) -> list[ReviewItem]:
            queue = self._queue_row(conn, queue_id, lock=True)
            exp = queue.experiment_id
            known = set(
                conn.execute(
                    sa.select(traces.c.trace_id).where(
                        traces.c.trace_id.in_(tids), traces.c.experiment_id == exp
                    )
                ).scalars()
            )
            missing = [t for t in tids if t not in known]
            firsts = _labels.first_traces(conn, exp, sids)
            missing += [f"session {s}" for s in sids if s not in firsts]
            if missing:
                raise InvalidArgumentError(
                    f"Not in experiment {exp}: {', '.join(missing[:10])}"
                    + (f" (and {len(missing) - 10} more)" if len(missing) > 10 else "")
                )
            pairs = [(t, None) for t in tids] + [(firsts[s], s) for s in sids]
            return self._insert(conn, queue, pairs, "manual")

        return self._db.write(op)

    def add_items_by_filter(
        self, queue_id: str, filter_string: str | None, max_items: int = 100
    ) -> list[ReviewItem]:
        """Add the newest traces of the experiment matching a trace search filter."""
        rows.check_count(max_items)
        if filter_string is not None and not isinstance(filter_string, str):
            raise InvalidArgumentError("'filter_string' must be a string")
        queue = self.get_queue(queue_id)
        found: list[str] = []
        token: str | None = None
        while len(found) < max_items:
            page = self._traces.search_traces(
                [queue.experiment_id],
                filter_string or None,
                max_results=min(500, max_items - len(found)),
                page_token=token,
            )
            found += [t.trace_id for t in page]
            token = page.token
            if not token or not page:
                break
        return self._add_found(queue_id, found, "filter")

    def add_items_by_judge(
        self, queue_id: str, judge_name: str, max_items: int = 100
    ) -> list[ReviewItem]:
        """Add traces where the judge ``judge_name`` said no."""
        rows.check_name(judge_name, "Judge name")
        rows.check_count(max_items)

        def op(conn: Connection) -> list[str]:
            queue = self._queue_row(conn, queue_id)
            query = (
                sa.select(assessments.c.trace_id, assessments.c.value)
                .join(traces, traces.c.trace_id == assessments.c.trace_id)
                .where(
                    traces.c.experiment_id == queue.experiment_id,
                    assessments.c.name == judge_name,
                    assessments.c.kind == "feedback",
                    assessments.c.source_type == "LLM_JUDGE",
                    assessments.c.valid.is_(True),
                )
                .order_by(traces.c.request_time.desc(), traces.c.trace_id)
            )
            out: list[str] = []
            for row in conn.execute(query):
                if _said_no(row.value) and row.trace_id not in out:
                    out.append(row.trace_id)
                    if len(out) >= max_items:
                        break
            return out

        return self._add_found(queue_id, self._db.read(op), "judge")

    def _add_found(self, queue_id: str, trace_ids: list[str], source: str) -> list[ReviewItem]:
        def op(conn: Connection) -> list[ReviewItem]:
            queue = self._queue_row(conn, queue_id, lock=True)
            return self._insert(conn, queue, [(t, None) for t in trace_ids], source)

        return self._db.write(op)

    # -- items -------------------------------------------------------------------------------

    def list_items(
        self,
        queue_id: str,
        state: str | None = None,
        assignee: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> PagedList[ReviewItem]:
        """A queue's items by position."""
        wanted = rows.check_state(state)
        limit = rows.check_count(max_results, "max_results") if max_results else 100
        limit = min(limit, ITEMS_MAX_RESULTS)
        after = _token(page_token)

        def op(conn: Connection) -> PagedList[ReviewItem]:
            self._queue_row(conn, queue_id)
            query = sa.select(_I).where(_I.c.queue_id == queue_id, _I.c.position > after)
            if wanted is not None:
                query = query.where(_I.c.state == wanted)
            if assignee is not None:
                query = query.where(
                    _I.c.assignee.is_(None) if assignee == "" else _I.c.assignee == assignee
                )
            found = list(conn.execute(query.order_by(_I.c.position).limit(limit + 1)))
            more = len(found) > limit
            found = found[:limit]
            token = str(found[-1].position) if more else None
            return PagedList(self._items(conn, found), token)

        return self._db.read(op)

    def get_item(self, item_id: str) -> ReviewItem:
        """One item."""
        return self._db.read(lambda conn: self._items(conn, [self._item_row(conn, item_id)[0]])[0])

    def assign_items(
        self, queue_id: str, reviewers: Sequence[str], item_ids: Sequence[str] | None = None
    ) -> list[ReviewItem]:
        """Assign items round-robin to ``reviewers`` (an empty list unassigns them)."""
        if isinstance(reviewers, str) or not isinstance(reviewers, Sequence):
            raise InvalidArgumentError("'reviewers' must be a list of usernames")
        names = list(dict.fromkeys(rows.check_user(r) for r in reviewers))
        ids = None if item_ids is None else rows.check_ids(item_ids, "item_ids", 36)

        def op(conn: Connection) -> list[ReviewItem]:
            self._queue_row(conn, queue_id, lock=True)
            query = sa.select(_I).where(_I.c.queue_id == queue_id)
            if ids is None:
                query = query.where(_I.c.state == "pending", _I.c.assignee.is_(None))
            else:
                query = query.where(_I.c.item_id.in_(ids))
            found = list(conn.execute(query.order_by(_I.c.position)))
            if ids is not None and len(found) != len(ids):
                unknown = sorted(set(ids) - {r.item_id for r in found})
                raise InvalidArgumentError(f"Not items of queue {queue_id}: {unknown[:10]}")
            for i, row in enumerate(found):
                who = names[i % len(names)] if names else None
                conn.execute(_I.update().where(_I.c.item_id == row.item_id).values(assignee=who))
            changed = conn.execute(
                sa.select(_I).where(_I.c.item_id.in_([r.item_id for r in found]))
            )
            return self._items(conn, sorted(changed, key=lambda r: r.position))

        return self._db.write(op)

    def next_item(
        self, queue_id: str, reviewer: str, after_position: int | None = None
    ) -> ReviewItem | None:
        """The reviewer's next pending item (an unassigned one becomes theirs)."""
        rows.check_user(reviewer)
        if after_position is not None and (
            isinstance(after_position, bool) or not isinstance(after_position, int)
        ):
            raise InvalidArgumentError("'after_position' must be an integer")
        after = after_position or 0

        def op(conn: Connection) -> ReviewItem | None:
            self._queue_row(conn, queue_id, lock=True)
            base = sa.select(_I).where(
                _I.c.queue_id == queue_id, _I.c.state == "pending", _I.c.position > after
            )
            row = conn.execute(
                base.where(_I.c.assignee == reviewer).order_by(_I.c.position).limit(1)
            ).first()
            if row is None:
                row = conn.execute(
                    base.where(_I.c.assignee.is_(None)).order_by(_I.c.position).limit(1)
                ).first()
                if row is None:
                    return None
                conn.execute(
                    _I.update()
                    .where(_I.c.item_id == row.item_id, _I.c.assignee.is_(None))
                    .values(assignee=reviewer)
                )
                row = conn.execute(sa.select(_I).where(_I.c.item_id == row.item_id)).first()
            return self._items(conn, [row])[0]

        return self._db.write(op)

    def submit_labels(
        self,
        item_id: str,
        reviewer: str,
        labels: Mapping[str, Any],
        comment: str | None = None,
        as_admin: bool = False,
    ) -> ReviewItem:
        """Store the labels as HUMAN assessments and mark the item done."""
        return _labels.submit(self, item_id, reviewer, labels, comment, as_admin)

    def skip_item(self, item_id: str, reviewer: str, as_admin: bool = False) -> ReviewItem:
        """Mark a pending item skipped."""
        return _labels.skip(self, item_id, reviewer, as_admin)

    def progress(self, queue_id: str) -> QueueProgress:
        """Counts per state, in all and per assignee."""

        def op(conn: Connection) -> QueueProgress:
            self._queue_row(conn, queue_id)
            return _progress_of(conn, [queue_id])[0]

        return self._db.read(op)

    def progress_of(self, queue_ids: Sequence[str]) -> list[QueueProgress]:
        """The progress of several queues (of this workspace) in one grouped query."""
        ids = [str(q) for q in dict.fromkeys(queue_ids)]
        if not ids:
            return []

        def op(conn: Connection) -> list[QueueProgress]:
            seen = sa.select(_Q.c.queue_id).where(
                _Q.c.queue_id.in_(ids), self._scope.owns_experiment(_Q.c.experiment_id)
            )
            visible = set(conn.execute(seen).scalars())
            return _progress_of(conn, [q for q in ids if q in visible])

        return self._db.read(op)

    def to_dataset(
        self, queue_id: str, dataset_id: str, item_ids: Sequence[str] | None = None
    ) -> int:
        """Make the labels of done items a dataset's expectations."""
        return _labels.to_dataset(self, queue_id, dataset_id, item_ids)


def _progress_of(conn: Connection, queue_ids: Sequence[str]) -> list[QueueProgress]:
    """Counts per state and assignee of each queue (in ``queue_ids`` order)."""
    query = (
        sa.select(_I.c.queue_id, _I.c.assignee, _I.c.state, sa.func.count().label("n"))
        .where(_I.c.queue_id.in_(list(queue_ids)))
        .group_by(_I.c.queue_id, _I.c.assignee, _I.c.state)
    )
    per: dict[str, dict[str | None, dict[str, int]]] = {q: {} for q in queue_ids}
    for row in conn.execute(query):
        per[row.queue_id].setdefault(row.assignee, {})[row.state] = int(row.n)
    out = []
    for queue_id in queue_ids:
        people = [
            ReviewerProgress(who, c.get("pending", 0), c.get("done", 0), c.get("skipped", 0))
            for who, c in sorted(per[queue_id].items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
        ]
        out.append(
            QueueProgress(
                queue_id,
                sum(p.pending for p in people),
                sum(p.done for p in people),
                sum(p.skipped for p in people),
                people,
            )
        )
    return out


def _token(page_token: str | None) -> int:
    if not page_token:
        return 0
    if not isinstance(page_token, str) or not page_token.isdigit() or len(page_token) > 10:
        raise InvalidArgumentError("Invalid page token")
    return int(page_token)


class rows_obj:
    """Attribute access over a dict (a just-written row)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
