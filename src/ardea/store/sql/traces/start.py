"""StartTraceV3 in SQL: create (or complete) a trace record in a few set-based statements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
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
    complete_trace_params,
    complete_trace_stmt,
    trace_existing,
    upsert_stmt,
)
from ardea.store.sql.tracking.common import parse_experiment_id

__all__ = ["start_trace_op"]

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
