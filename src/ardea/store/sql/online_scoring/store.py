"""The SQL online scoring work store: :class:`SqlOnlineScoringStore` on a tracking database.

Claims lock the rows they take with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL and MySQL 8 /
MariaDB 10.6+ (a concurrent claimer skips them and takes others); on SQLite every write runs
on the database's one writer, so a claim is atomic by construction. A completion locks its
row, checks the claim is still the caller's, inserts the assessments (ids derived from the
row's key, inserted with "ignore duplicates") and marks the row done, all in one transaction.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea._core.ids import now_ms
from ardea.entities import Assessment
from ardea.entities.online_scoring import (
    KIND_CODE,
    KIND_JUDGE,
    STATES,
    ActiveScorer,
    ClaimedWork,
    WorkItem,
    WorkKey,
)
from ardea.store.online_scoring import MAX_ATTEMPTS, OnlineScoringStore
from ardea.store.sql._db.common import insert_ignore
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql.online_scoring.tables import online_scoring_work as _W
from ardea.store.sql.scorers.tables import online_scoring_configs as _C
from ardea.store.sql.scorers.tables import scorer_versions as _V
from ardea.store.sql.scorers.tables import scorers as _S
from ardea.store.sql.traces import tables as t
from ardea.store.sql.traces.assessments import prepare_assessment

__all__ = [
    "SqlOnlineScoringStore",
    "count_backlog",
    "enqueue_rows",
    "read_active_scorers",
    "scorer_kind",
    "session_level",
    "work_assessment_id",
]

WORKER_ID_MAX = 128
"""Longest worker id (characters)."""


def scorer_kind(serialized_scorer: str) -> str:
    """``code``: user ``@scorer`` code or an unknown format; else ``judge``."""
    try:
        data = orjson.loads(serialized_scorer)
    except orjson.JSONDecodeError:
        return KIND_CODE
    if not isinstance(data, dict) or data.get("call_source") is not None:
        return KIND_CODE
    if data.get("builtin_scorer_class") or isinstance(
        data.get("instructions_judge_pydantic_data"), dict
    ):
        return KIND_JUDGE
    return KIND_CODE


_CONVERSATION = re.compile(r"\{\{\s*conversation\s*\}\}")


def session_level(serialized_scorer: str) -> bool:
    """Whether the scorer judges sessions (MLflow's flag, or a judge reading the conversation)."""
    try:
        data = orjson.loads(serialized_scorer)
    except orjson.JSONDecodeError:
        return False
    if not isinstance(data, dict):
        return False
    if data.get("is_session_level_scorer") is True:
        return True
    judge = data.get("instructions_judge_pydantic_data")
    text = judge.get("instructions") if isinstance(judge, dict) else None
    return isinstance(text, str) and _CONVERSATION.search(text) is not None


def work_assessment_id(key: WorkKey, index: int) -> str:
    """The id of the ``index``-th assessment a work row writes (``a-`` and 32 hex)."""
    text = f"{key.trace_id}\0{key.scorer_id}\0{key.scorer_version}\0{index}"
    return "a-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _worker(worker_id: object) -> str:
    if not isinstance(worker_id, str) or not worker_id or len(worker_id) > WORKER_ID_MAX:
        raise InvalidArgumentError(f"A worker id is 1 to {WORKER_ID_MAX} characters")
    return worker_id


def _experiment_number(experiment_id: object) -> int:
    text = str(experiment_id)
    if not text.isdigit() or len(text) > 10:
        raise InvalidArgumentError(f"Invalid experiment id {text[:80]!r}")
    return int(text)


def _key_of(row: Any) -> WorkKey:
    return WorkKey(row.trace_id, row.scorer_id, int(row.scorer_version))


def _keys_in(keys: Sequence[WorkKey]) -> sa.ColumnElement[bool]:
    columns = sa.tuple_(_W.c.trace_id, _W.c.scorer_id, _W.c.scorer_version)
    return columns.in_([(k.trace_id, k.scorer_id, k.scorer_version) for k in keys])


def _pk(key: WorkKey) -> sa.ColumnElement[bool]:
    return sa.and_(
        _W.c.trace_id == key.trace_id,
        _W.c.scorer_id == key.scorer_id,
        _W.c.scorer_version == key.scorer_version,
    )


def read_active_scorers(
    conn: Connection, scope: WorkspaceScope, experiment_id: int
) -> list[ActiveScorer]:
    """The experiment's active scorers (online config with a rate above 0), read on ``conn``."""
    newer = _V.alias("newer")
    latest = (
        sa.select(sa.func.max(newer.c.version))
        .where(newer.c.scorer_id == _C.c.scorer_id)
        .correlate(_C)
        .scalar_subquery()
    )
    query = (
        sa.select(
            _C.c.scorer_id,
            _C.c.sample_rate,
            _C.c.filter_string,
            _S.c.name,
            _V.c.version,
            _V.c.serialized_scorer,
        )
        .join(_S, _S.c.scorer_id == _C.c.scorer_id)
        .join(_V, sa.and_(_V.c.scorer_id == _C.c.scorer_id, _V.c.version == latest))
        .where(
            _C.c.experiment_id == experiment_id,
            _C.c.sample_rate > 0,
            scope.owns_experiment(_C.c.experiment_id),
        )
        .order_by(_S.c.name)
    )
    return [
        ActiveScorer(
            scorer_id=r.scorer_id,
            experiment_id=str(experiment_id),
            name=r.name,
            version=int(r.version),
            kind=scorer_kind(r.serialized_scorer),
            sample_rate=float(r.sample_rate),
            filter_string=r.filter_string,
            session_level=session_level(r.serialized_scorer),
        )
        for r in conn.execute(query)
    ]


def _count_keys(conn: Connection, items: Sequence[WorkItem]) -> int:
    traces = sorted({i.trace_id for i in items})
    found = conn.execute(
        sa.select(_W.c.trace_id, _W.c.scorer_id, _W.c.scorer_version).where(
            _W.c.trace_id.in_(traces)
        )
    )
    wanted = {(i.trace_id, i.scorer_id, int(i.scorer_version)) for i in items}
    return sum(1 for r in found if (r.trace_id, r.scorer_id, r.scorer_version) in wanted)


def _prepared(key: WorkKey, assessments: Sequence[Assessment]) -> list[dict[str, Any]]:
    """The assessment rows of a completion, with ids derived from the row's key."""
    return [
        prepare_assessment(
            replace(a, trace_id=key.trace_id, assessment_id=work_assessment_id(key, i))
        )[1]
        for i, a in enumerate(assessments)
    ]


@functools.cache
def _sqlite_insert(columns: tuple[str, ...]) -> str:
    """``INSERT ... ON CONFLICT DO NOTHING`` into the work table, as SQL for the driver.

    It runs in every ingest write that samples a trace: SQLAlchemy's statement compilation and
    parameter processing cost more than SQLite's insert itself there.
    """
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {_W.name} ({', '.join(columns)}) VALUES ({marks}) ON CONFLICT DO NOTHING"


def enqueue_rows(
    conn: Connection,
    workspace: str,
    items: Sequence[WorkItem],
    *,
    not_before: int | None = None,
    count: bool = True,
) -> int:
    """Insert pending rows on ``conn``; one already there is left alone.

    With ``not_before`` a pending row already there is pushed back to it. Returns the rows
    inserted, or with ``count=False`` (cheaper on PostgreSQL and MySQL) the rows given.
    """
    if not items:
        return 0
    now = now_ms()
    due = now if not_before is None else int(not_before)
    rows = [
        {
            "trace_id": i.trace_id,
            "scorer_id": i.scorer_id,
            "scorer_version": int(i.scorer_version),
            "experiment_id": int(i.experiment_id),
            "workspace": workspace,
            "kind": i.kind,
            "state": "pending",
            "claimed_by": None,
            "lease_until": None,
            "not_before": due,
            "attempts": 0,
            "error": None,
            "enqueued_time": now,
            "done_time": None,
        }
        for i in items
    ]
    if not_before is not None:
        keys = [WorkKey(i.trace_id, i.scorer_id, int(i.scorer_version)) for i in items]
        conn.execute(
            _W.update().where(_keys_in(keys), _W.c.state == "pending").values(not_before=due)
        )
    if conn.dialect.name == "sqlite":  # its rowcount counts the rows really inserted
        columns = tuple(rows[0])
        values = [tuple(row.values()) for row in rows]  # every row has these keys, in order
        return max(0, int(conn.exec_driver_sql(_sqlite_insert(columns), values).rowcount))
    if not count:
        insert_ignore(conn, _W, rows)
        return len(rows)
    before = _count_keys(conn, items)
    insert_ignore(conn, _W, rows)
    return _count_keys(conn, items) - before


def count_backlog(conn: Connection) -> int:
    """Pending and claimed rows of every workspace, counted on ``conn``."""
    query = sa.select(sa.func.count()).where(_W.c.state.in_(("pending", "claimed")))
    return int(conn.execute(query).scalar_one())


class SqlOnlineScoringStore(OnlineScoringStore):
    """Online scoring work rows in a SQL database.

    Args:
        database: An open database at the current schema (shared; the backend closes it).
        scope: The workspace whose rows the store reads and writes (``default`` if omitted).
    """

    def __init__(self, database: Database, scope: WorkspaceScope = DEFAULT_SCOPE) -> None:
        self._db = database
        self._scope = scope

    @property
    def workspace(self) -> str:
        """The workspace this store's rows belong to."""
        return self._scope.name

    def active_scorers(self, experiment_id: str) -> list[ActiveScorer]:
        """Scorers whose online config samples the experiment's traces (rate above 0)."""
        text = str(experiment_id)
        if not text.isdigit() or len(text) > 10:
            return []
        return self._db.read(lambda conn: read_active_scorers(conn, self._scope, int(text)))

    def enqueue(self, items: Sequence[WorkItem], *, not_before: int | None = None) -> int:
        """Store pending rows; one already there is left alone (see the contract)."""
        if not items:
            return 0
        return self._db.write(
            lambda conn: enqueue_rows(conn, self._scope.name, items, not_before=not_before)
        )

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
        """Claim up to ``limit`` runnable rows (see the contract)."""
        _worker(worker_id)
        numbers = [_experiment_number(e) for e in experiment_ids or ()]
        if limit < 1 or (experiment_ids is not None and not numbers):
            return []
        w = _W.c

        def op(conn: Connection) -> list[ClaimedWork]:
            now = now_ms()
            runnable = sa.or_(
                sa.and_(w.state == "pending", w.not_before <= now),
                sa.and_(w.state == "claimed", w.lease_until < now),
            )
            query = sa.select(w.trace_id, w.scorer_id, w.scorer_version, w.attempts).where(
                runnable, w.kind.in_(list(kinds))
            )
            if not all_workspaces:
                query = query.where(w.workspace == self._scope.name)
            if experiment_ids is not None:
                query = query.where(w.experiment_id.in_(numbers))
            query = query.order_by(w.not_before).limit(limit).with_for_update(skip_locked=True)
            lease = now + int(lease_seconds * 1000)
            found = list(conn.execute(query))
            spent = [_key_of(r) for r in found if int(r.attempts) >= MAX_ATTEMPTS]
            taken = [_key_of(r) for r in found if int(r.attempts) < MAX_ATTEMPTS]
            if spent:
                conn.execute(
                    _W.update()
                    .where(_keys_in(spent))
                    .values(
                        state="failed",
                        claimed_by=None,
                        lease_until=None,
                        done_time=now,
                        error=f"Gave up after {MAX_ATTEMPTS} attempts (last lease lapsed)",
                    )
                )
            if not taken:
                return []
            conn.execute(
                _W.update()
                .where(_keys_in(taken))
                .values(
                    state="claimed",
                    claimed_by=worker_id,
                    lease_until=lease,
                    attempts=w.attempts + 1,
                )
            )
            return self._claimed(conn, taken)

        return self._db.write(op)

    @staticmethod
    def _claimed(conn: Connection, keys: list[WorkKey]) -> list[ClaimedWork]:
        rows = conn.execute(
            sa.select(_W, _S.c.name, _V.c.serialized_scorer)
            .join(_S, _S.c.scorer_id == _W.c.scorer_id)
            .join(
                _V,
                sa.and_(_V.c.scorer_id == _W.c.scorer_id, _V.c.version == _W.c.scorer_version),
                isouter=True,
            )
            .where(_keys_in(keys))
        )
        by_key = {_key_of(r): r for r in rows}
        return [
            ClaimedWork(
                key=key,
                experiment_id=str(row.experiment_id),
                workspace=row.workspace,
                name=row.name,
                serialized_scorer=row.serialized_scorer or "{}",
                kind=row.kind,
                attempts=int(row.attempts),
                enqueued_time=int(row.enqueued_time),
                lease_until=int(row.lease_until),
            )
            for key in keys
            if (row := by_key.get(key)) is not None
        ]

    def _held(self, conn: Connection, key: WorkKey, worker_id: str) -> Any:
        row = conn.execute(
            sa.select(_W.c.state, _W.c.claimed_by, _W.c.attempts, _W.c.workspace)
            .where(_pk(key))
            .with_for_update()
        ).first()
        if row is None or row.state != "claimed" or row.claimed_by != worker_id:
            return None
        return row

    def complete(self, key: WorkKey, worker_id: str, assessments: Sequence[Assessment]) -> bool:
        """Write the assessments and mark the row done (one transaction; see the contract)."""
        _worker(worker_id)
        prepared = _prepared(key, assessments)
        return self._db.write(lambda conn: self._complete(conn, key, worker_id, prepared))

    def complete_many(
        self, worker_id: str, done: Sequence[tuple[WorkKey, Sequence[Assessment]]]
    ) -> list[bool]:
        """Every completion of ``done`` in one transaction.

        If that transaction fails, they are done one at a time: one bad row never costs the
        others.
        """
        _worker(worker_id)
        if len(done) < 2:
            return [self.complete(key, worker_id, found) for key, found in done]
        prepared = [(key, _prepared(key, found)) for key, found in done]

        def op(conn: Connection) -> list[bool]:
            return [self._complete(conn, key, worker_id, rows) for key, rows in prepared]

        try:
            return self._db.write(op)
        except Exception:
            return [self.complete(key, worker_id, found) for key, found in done]

    def _complete(
        self, conn: Connection, key: WorkKey, worker_id: str, prepared: list[dict[str, Any]]
    ) -> bool:
        if self._held(conn, key, worker_id) is None:
            return False
        insert_ignore(conn, t.assessments, prepared)
        conn.execute(
            _W.update()
            .where(_pk(key))
            .values(state="done", lease_until=None, done_time=now_ms(), error=None)
        )
        return True

    def fail(
        self, key: WorkKey, worker_id: str, error: str, *, retry_in: float | None = None
    ) -> bool:
        """Give the row back (pending after ``retry_in`` seconds) or fail it."""
        _worker(worker_id)
        message = str(error)[:4000]

        def op(conn: Connection) -> bool:
            row = self._held(conn, key, worker_id)
            if row is None:
                return False
            now = now_ms()
            if retry_in is not None and int(row.attempts) < MAX_ATTEMPTS:
                values: dict[str, Any] = {
                    "state": "pending",
                    "not_before": now + int(retry_in * 1000),
                }
            else:
                values = {"state": "failed", "done_time": now}
            conn.execute(
                _W.update()
                .where(_pk(key))
                .values(claimed_by=None, lease_until=None, error=message, **values)
            )
            return True

        return self._db.write(op)

    def get_work(self, key: WorkKey) -> dict[str, Any]:
        """One row as a dict; NotFoundError when absent (or in another workspace)."""

        def op(conn: Connection) -> dict[str, Any]:
            row = conn.execute(
                sa.select(_W).where(_pk(key), _W.c.workspace == self._scope.name)
            ).first()
            if row is None:
                raise NotFoundError(f"No online scoring work for {key}")
            return dict(row._mapping)

        return self._db.read(op)

    def counts(self, experiment_id: str | None = None) -> dict[str, int]:
        """Rows by state, of one experiment (or every experiment of the workspace)."""
        query = (
            sa.select(_W.c.state, sa.func.count())
            .where(_W.c.workspace == self._scope.name)
            .group_by(_W.c.state)
        )
        if experiment_id is not None:
            query = query.where(_W.c.experiment_id == _experiment_number(experiment_id))
        found = dict.fromkeys(STATES, 0)
        for state, count in self._db.read(lambda conn: list(conn.execute(query))):
            found[state] = int(count)
        return found

    def backlog(self) -> int:
        """Pending and claimed rows of every workspace."""
        return self._db.read(count_backlog)

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Hear of rows the trace stores of this database store for traces they ended."""
        hook = self._db.trace_end_hook
        return hook.listen(listener) if hook is not None else (lambda: None)
