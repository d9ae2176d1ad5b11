"""StartTraceV3 in SQL: create (or complete) a trace record in a few set-based statements."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import Assessment, TraceInfo, TraceState
from ardea.store.sql._db.common import chunked
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.traces import tables as t
from ardea.store.sql.traces.assessments import prepare_assessment
from ardea.store.sql.traces.info import ARTIFACT_LOCATION_TAG, SOURCE_RUN_KEY, check_info, trace_row
from ardea.store.sql.traces.ingest import SPANS_LOCATION_TAG
from ardea.store.sql.traces.links import claim_pending_links
from ardea.store.sql.traces.load import load_assessments, trace_info_from_row
from ardea.store.sql.traces.statements import (
    TRACE_META,
    TRACE_ROW,
    TRACE_TAGS,
    TRACES_INSERT,
    complete_trace_params,
    complete_trace_stmt,
    execute_rows,
    trace_existing,
    traces_existing,
    upsert_stmt,
)
from ardea.store.sql.tracking.common import parse_experiment_id

__all__ = ["BulkStart", "start_trace_op", "start_traces_op"]

_SERVER_TAGS = frozenset({SPANS_LOCATION_TAG, ARTIFACT_LOCATION_TAG})
_KEY_VALUE = (["trace_id", "key"], ["value"])
_ASSESSMENT_UPDATE = [c.name for c in t.assessments.columns if c.name != "assessment_id"]


def _prepare_assessments(info: TraceInfo) -> tuple[list[Assessment], list[dict[str, Any]]]:
    """The record's assessments, on its trace, checked; ids and times set where empty."""
    stored: list[Assessment] = []
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for assessment in info.assessments:
        a, row = prepare_assessment(replace(assessment, trace_id=info.trace_id))
        if a.assessment_id in seen:
            raise InvalidArgumentError(f"Assessment id {a.assessment_id!r} is given twice")
        seen.add(a.assessment_id)
        stored.append(a)
        rows.append(row)
    return stored, rows


def _store_assessments(conn: Connection, trace_id: str, rows: list[dict[str, Any]]) -> None:
    """Upsert by id: a retried record rewrites its assessments instead of adding copies.

    Raises:
        InvalidArgumentError: An id belongs to an assessment of another trace.
    """
    if not rows:
        return
    a = t.assessments.c
    ids = [r["assessment_id"] for r in rows]
    for chunk in chunked(ids):
        foreign = conn.execute(
            sa.select(a.assessment_id).where(a.assessment_id.in_(chunk), a.trace_id != trace_id)
        ).first()
        if foreign is not None:
            raise InvalidArgumentError(
                f"Assessment with ID '{foreign.assessment_id}' belongs to another trace."
            )
    conn.execute(upsert_stmt(conn, t.assessments, ["assessment_id"], _ASSESSMENT_UPDATE), rows)


def _new_info(values: dict[str, Any], tags: dict[str, str], meta: dict[str, str]) -> TraceInfo:
    """The TraceInfo a freshly inserted row reads back as (what ``load_trace_infos`` gives)."""
    return TraceInfo(
        trace_id=values["trace_id"],
        experiment_id=str(values["experiment_id"]),
        request_time=values["request_time"],
        execution_duration=values["execution_duration"],
        state=values["state"],
        request_preview=values["request_preview"],
        response_preview=values["response_preview"],
        client_request_id=values["client_request_id"],
        trace_metadata=meta,
        tags=tags,
        assessments=[],
        name=values["name"],
        session_id=values["session_id"],
        user_id=values["user_id"],
        run_id=values["run_id"],
        span_count=0,
        token_usage=None,
        cost=None,
    )


def start_trace_op(scope: WorkspaceScope, info: TraceInfo) -> Callable[[Connection], TraceInfo]:
    """Check ``info`` (InvalidArgumentError) and return the write that stores it in ``scope``.

    The write raises NotFoundError when the experiment does not exist in ``scope``, or the
    trace exists in another workspace. A new trace costs
    four statements (experiment, existing row, insert, tags) plus one for metadata and two
    for assessments. The record's assessments are stored by id (a retry rewrites them, see
    :func:`_store_assessments`). On SQLite a new trace also takes its pending run link
    (``links.py``); on servers :class:`SqlTraceStore` looks after the commit.
    """
    check_info(info)
    assessments, assessment_rows = _prepare_assessments(info)
    exp = parse_experiment_id(info.experiment_id)
    values = trace_row(info, exp)
    tags = {k: v for k, v in info.tags.items() if k not in _SERVER_TAGS}
    meta = dict(info.trace_metadata)
    if values["run_id"]:
        meta.setdefault(SOURCE_RUN_KEY, values["run_id"])
    trace_id = info.trace_id

    def op(conn: Connection) -> TraceInfo:
        experiment = scope.experiment_row(conn, exp)
        location = str(experiment.artifact_location).rstrip("/")
        existing = conn.execute(trace_existing(scope), {"trace_id": trace_id}).first()
        if existing is not None and not existing.visible:
            raise NotFoundError(f"Trace with ID {trace_id} is not found.")
        if existing is None:
            conn.execute(t.traces.insert(), [{**values, "span_count": 0, "info_finalized": True}])
        else:
            _complete(conn, info, values)
        server = {ARTIFACT_LOCATION_TAG: f"{location}/traces/{trace_id}/artifacts"}
        if existing is not None and existing.span_count > 0:
            server[SPANS_LOCATION_TAG] = "TRACKING_STORE"
        all_tags = {**tags, **server}
        tag_rows = [{"trace_id": trace_id, "key": k, "value": v} for k, v in all_tags.items()]
        conn.execute(upsert_stmt(conn, t.trace_tags, *_KEY_VALUE), tag_rows)
        if meta:
            meta_rows = [{"trace_id": trace_id, "key": k, "value": v} for k, v in meta.items()]
            conn.execute(upsert_stmt(conn, t.trace_metadata, *_KEY_VALUE), meta_rows)
        _store_assessments(conn, trace_id, assessment_rows)
        if existing is None:
            if conn.dialect.name == "sqlite" and claim_pending_links(conn, [trace_id], scope):
                return _load_one(conn, trace_id)
            new = _new_info(values, all_tags, meta)
            new.assessments = list(assessments)
            return new
        return _load_one(conn, trace_id)

    return op


def _complete(conn: Connection, info: TraceInfo, values: dict[str, Any]) -> None:
    """Merge a TraceInfo into a row its spans created first (their facts win where unset)."""
    with_state = info.state != TraceState.STATE_UNSPECIFIED.value
    conn.execute(complete_trace_stmt(with_state), complete_trace_params(values, with_state))


def _load_one(conn: Connection, trace_id: str) -> TraceInfo:
    """``load_trace_infos(conn, [trace_id])[0]`` with prebuilt single-trace statements."""
    row = conn.execute(TRACE_ROW, {"trace_id": trace_id}).one()
    tags = {r.key: r.value for r in conn.execute(TRACE_TAGS, {"trace_id": trace_id})}
    meta = {r.key: r.value for r in conn.execute(TRACE_META, {"trace_id": trace_id})}
    found = load_assessments(conn, [trace_id]).get(trace_id, [])
    return trace_info_from_row(row, tags, meta, found)


@dataclass
class _Prepared:
    """One checked record of a bulk start, with the rows it writes."""

    info: TraceInfo
    experiment_id: int
    values: dict[str, Any]
    tags: dict[str, str]
    meta: dict[str, str]
    assessment_rows: list[dict[str, Any]]


@dataclass
class BulkStart:
    """What a bulk start did: the traces it created and the records it refused.

    Attributes:
        created: Ids of the trace rows the write inserted (their pending run links are
            claimed inside the write on SQLite, after the commit on servers).
        stored: Ids of every record stored (created or completed).
        errors: ``(trace_id, error)`` of each record refused (nothing of it was written).
    """

    created: list[str] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)
    errors: list[tuple[str, Exception]] = field(default_factory=list)


def _prepare_bulk(infos: Sequence[TraceInfo], out: BulkStart) -> list[_Prepared]:
    """Check each record; a malformed one goes to ``out.errors``, the rest are prepared."""
    prepared: list[_Prepared] = []
    for info in infos:
        try:
            check_info(info)
            _, assessment_rows = _prepare_assessments(info)
            exp = parse_experiment_id(info.experiment_id)
        except InvalidArgumentError as exc:
            out.errors.append((str(info.trace_id), exc))
            continue
        values = trace_row(info, exp)
        meta = dict(info.trace_metadata)
        if values["run_id"]:
            meta.setdefault(SOURCE_RUN_KEY, values["run_id"])
        tags = {k: v for k, v in info.tags.items() if k not in _SERVER_TAGS}
        prepared.append(_Prepared(info, exp, values, tags, meta, assessment_rows))
    return prepared


def _without_foreign_assessments(
    conn: Connection, records: list[_Prepared], out: BulkStart
) -> list[_Prepared]:
    """``records`` less those giving an assessment id another trace holds (to ``out.errors``).

    An id held by another stored trace, or by an earlier record of the batch, is refused as
    :func:`_store_assessments` refuses it, before anything of that record is written.
    """
    owner: dict[str, str] = {}
    ids = [r["assessment_id"] for p in records for r in p.assessment_rows]
    if not ids:
        return records
    a = t.assessments.c
    for chunk in chunked(ids):
        query = sa.select(a.assessment_id, a.trace_id).where(a.assessment_id.in_(chunk))
        owner.update({row.assessment_id: row.trace_id for row in conn.execute(query)})
    kept: list[_Prepared] = []
    for p in records:
        trace_id = p.info.trace_id
        taken = [
            r["assessment_id"]
            for r in p.assessment_rows
            if owner.setdefault(r["assessment_id"], trace_id) != trace_id
        ]
        if taken:
            out.errors.append(
                (
                    trace_id,
                    InvalidArgumentError(
                        f"Assessment with ID '{taken[0]}' belongs to another trace."
                    ),
                )
            )
        else:
            kept.append(p)
    return kept


def _readable(
    conn: Connection, scope: WorkspaceScope, records: list[_Prepared], out: BulkStart
) -> tuple[list[_Prepared], dict[int, str], dict[str, Any]]:
    """The records whose experiment and trace ``scope`` holds (others to ``out.errors``).

    Returns:
        The records kept, each experiment's artifact location, and the existing trace rows
        (id -> row with ``span_count``).
    """
    locations: dict[int, str] = {}
    for exp in sorted({p.experiment_id for p in records}):
        try:
            locations[exp] = str(scope.experiment_row(conn, exp).artifact_location).rstrip("/")
        except NotFoundError:
            continue
    existing: dict[str, Any] = {}
    query = traces_existing(scope)
    for chunk in chunked([p.info.trace_id for p in records]):
        existing.update({r.trace_id: r for r in conn.execute(query, {"trace_ids": chunk})})
    kept: list[_Prepared] = []
    for p in records:
        trace_id, found = p.info.trace_id, existing.get(p.info.trace_id)
        if p.experiment_id not in locations:
            error = NotFoundError(f"No Experiment with id={p.experiment_id} exists")
            out.errors.append((trace_id, error))
        elif found is not None and not found.visible:
            out.errors.append((trace_id, NotFoundError(f"Trace with ID {trace_id} is not found.")))
        else:
            kept.append(p)
    return kept, locations, existing


def _write_bulk(
    conn: Connection,
    records: list[_Prepared],
    locations: dict[int, str],
    existing: dict[str, Any],
) -> list[str]:
    """Insert or complete ``records``' rows, tags, metadata and assessments; the ids created."""
    inserts = [
        {**p.values, "span_count": 0, "info_finalized": True}
        for p in records
        if p.info.trace_id not in existing
    ]
    execute_rows(conn, TRACES_INSERT, inserts)
    for with_state in (True, False):
        updates = [
            complete_trace_params(p.values, with_state)
            for p in records
            if p.info.trace_id in existing
            and (p.info.state != TraceState.STATE_UNSPECIFIED.value) == with_state
        ]
        if updates:
            conn.execute(complete_trace_stmt(with_state), updates)
    tag_rows: list[dict[str, Any]] = []
    meta_rows: list[dict[str, Any]] = []
    for p in records:
        trace_id = p.info.trace_id
        tags = {
            **p.tags,
            ARTIFACT_LOCATION_TAG: f"{locations[p.experiment_id]}/traces/{trace_id}/artifacts",
        }
        found = existing.get(trace_id)
        if found is not None and found.span_count > 0:
            tags[SPANS_LOCATION_TAG] = "TRACKING_STORE"
        tag_rows.extend({"trace_id": trace_id, "key": k, "value": v} for k, v in tags.items())
        meta_rows.extend({"trace_id": trace_id, "key": k, "value": v} for k, v in p.meta.items())
    for table, rows in ((t.trace_tags, tag_rows), (t.trace_metadata, meta_rows)):
        if rows:
            conn.execute(upsert_stmt(conn, table, *_KEY_VALUE), rows)
    assessment_rows = [r for p in records for r in p.assessment_rows]
    if assessment_rows:
        stmt = upsert_stmt(conn, t.assessments, ["assessment_id"], _ASSESSMENT_UPDATE)
        conn.execute(stmt, assessment_rows)
    return [r["trace_id"] for r in inserts]


def start_traces_op(
    scope: WorkspaceScope, infos: Sequence[TraceInfo]
) -> Callable[[Connection], BulkStart]:
    """The write storing many trace records at once, as :func:`start_trace_op` each would.

    Set-based: one read of the experiments and one of the existing rows, then one
    multi-row statement per table (insert, completion, tags, metadata), whatever the number
    of records, and no read-back. A malformed record, one whose experiment is not in
    ``scope``, one whose trace exists in another workspace and one giving an assessment id
    another trace holds are refused alone (listed in :attr:`BulkStart.errors`). A trace id
    given twice is stored once per occurrence, in order (the later record completes the
    earlier one, as two calls would).
    """
    checked = BulkStart()
    prepared = _prepare_bulk(infos, checked)
    first: dict[str, _Prepared] = {}
    again: list[_Prepared] = []
    for p in prepared:
        if p.info.trace_id in first:
            again.append(p)
        else:
            first[p.info.trace_id] = p
    ordered = [first[k] for k in sorted(first)]  # one lock order for all writers

    def op(conn: Connection) -> BulkStart:
        out = BulkStart(errors=list(checked.errors))
        kept, locations, existing = _readable(conn, scope, ordered, out)
        kept = _without_foreign_assessments(conn, kept, out)
        out.created = _write_bulk(conn, kept, locations, existing)
        out.stored = [p.info.trace_id for p in kept]
        if out.created and conn.dialect.name == "sqlite":
            claim_pending_links(conn, out.created, scope)
        for p in again:  # rare: the same trace twice in one batch
            try:
                with conn.begin_nested():
                    start_trace_op(scope, p.info)(conn)
                out.stored.append(p.info.trace_id)
            except (InvalidArgumentError, NotFoundError) as exc:
                out.errors.append((p.info.trace_id, exc))
        return out

    return op
