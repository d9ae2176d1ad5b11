"""Whole new traces (record and every span at once) in a few plain multi-row inserts.

The general paths (:func:`~ardea.store.sql.traces.ingest.write_spans`, then
:func:`~ardea.store.sql.traces.start.start_trace_op` per record) read what exists, merge, and
read the record back: about a dozen statements per trace. A producer that writes each trace
once, complete, under a fresh id (the AI gateway) needs none of that: this write builds the
final rows in Python (the same columns, tags and metadata the general paths end with) and
runs one ``INSERT`` per table per batch. A trace id that already exists makes the insert
fail (an integrity error, the whole transaction rolled back); the caller then falls back to
the general path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Span, TraceInfo, TraceState
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.traces import tables as t
from ardea.store.sql.traces.info import ARTIFACT_LOCATION_TAG, SOURCE_RUN_KEY, check_info, trace_row
from ardea.store.sql.traces.ingest import (
    SPANS_LOCATION_TAG,
    TRACE_NAME_TAG,
    PreparedSpans,
    prepare_spans,
)
from ardea.store.sql.traces.links import claim_pending_links
from ardea.store.sql.traces.statements import TRACES_INSERT, execute_rows

__all__ = ["new_traces_op"]

_SPANS_INSERT = t.spans.insert()
_TAGS_INSERT = t.trace_tags.insert()
_META_INSERT = t.trace_metadata.insert()
_COALESCED = (
    "name",
    "session_id",
    "user_id",
    "run_id",
    "client_request_id",
    "request_preview",
    "response_preview",
)


def _row(
    info: TraceInfo, exp: int, prepared: PreparedSpans, span_rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """The ``traces`` row the general paths leave: span facts, then the record merged in."""
    trace_id = info.trace_id
    values = trace_row(info, exp)
    count = tokens_in = tokens_out = cost = None
    for span_row in span_rows:
        count = (count or 0) + 1
        if span_row["input_tokens"] is not None:
            tokens_in = (tokens_in or 0) + span_row["input_tokens"]
        if span_row["output_tokens"] is not None:
            tokens_out = (tokens_out or 0) + span_row["output_tokens"]
        if span_row["cost"] is not None:
            cost = (cost or 0) + span_row["cost"]
    root = prepared.roots.get(trace_id, {})
    row = {
        "trace_id": trace_id,
        "experiment_id": exp,
        "request_time": values["request_time"],
        "execution_duration": values["execution_duration"],
        "end_time": values["end_time"],
        "state": (
            values["state"]
            if values["state"] != TraceState.STATE_UNSPECIFIED.value
            else root.get("state", TraceState.IN_PROGRESS.value)
        ),
        "span_count": count or 0,
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "total_tokens": (
            None
            if tokens_in is None and tokens_out is None
            else (tokens_in or 0) + (tokens_out or 0)
        ),
        "cost": cost,
        "root_span_id": root.get("root_span_id"),
        "info_finalized": True,
    }
    for name in _COALESCED:
        row[name] = values[name] if values[name] is not None else root.get(name)
    return row


def new_traces_op(
    scope: WorkspaceScope, experiment_id: int, spans: Sequence[Span], infos: Sequence[TraceInfo]
) -> Callable[[Connection], list[str]]:
    """Check and encode whole new traces; return the write that inserts them (their ids).

    ``infos`` are the records (one per trace, no assessments) and ``spans`` all their spans.
    The result reads back, through every read path, as the same traces
    ``log_spans_with_records`` would store. A record for which no span is given is stored
    with a span count of 0.

    Raises:
        InvalidArgumentError: A record or span is malformed, a record has assessments, or a
            record is given twice (nothing is written).
    """
    prepared = prepare_spans(spans)
    by_trace: dict[str, list[dict[str, Any]]] = {}
    for span_row in prepared.rows:
        by_trace.setdefault(span_row["trace_id"], []).append(span_row)
    trace_rows: list[dict[str, Any]] = []
    tag_rows: list[dict[str, Any]] = []
    meta_rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for info in infos:
        check_info(info)
        if info.assessments:
            raise InvalidArgumentError("Whole new traces are written without assessments")
        if info.trace_id in seen:
            raise InvalidArgumentError(f"Trace {info.trace_id} is given twice")
        seen.add(info.trace_id)
        row = _row(info, experiment_id, prepared, by_trace.get(info.trace_id, []))
        trace_rows.append(row)
        trace_id = info.trace_id
        tags = dict(info.tags)
        tags.pop(ARTIFACT_LOCATION_TAG, None)
        tags.pop(SPANS_LOCATION_TAG, None)
        if row["span_count"]:
            tags[SPANS_LOCATION_TAG] = "TRACKING_STORE"
        root_name = prepared.roots.get(trace_id, {}).get("name")
        if root_name is not None:
            tags.setdefault(TRACE_NAME_TAG, root_name)
        tag_rows.extend({"trace_id": trace_id, "key": k, "value": v} for k, v in tags.items())
        meta = info.trace_metadata
        if row["run_id"] and SOURCE_RUN_KEY not in meta:
            meta = {**meta, SOURCE_RUN_KEY: row["run_id"]}
        meta_rows.extend({"trace_id": trace_id, "key": k, "value": v} for k, v in meta.items())
    unknown = set(by_trace) - seen
    if unknown:
        raise InvalidArgumentError(f"Spans of trace {sorted(unknown)[0]} come without its record")
    trace_rows.sort(key=lambda r: r["trace_id"])  # one lock order for all writers

    def op(conn: Connection) -> list[str]:
        experiment = scope.experiment_row(conn, experiment_id)
        location = str(experiment.artifact_location).rstrip("/")
        execute_rows(conn, TRACES_INSERT, trace_rows)
        execute_rows(conn, _SPANS_INSERT, prepared.rows)
        tags = tag_rows + [
            {
                "trace_id": r["trace_id"],
                "key": ARTIFACT_LOCATION_TAG,
                "value": f"{location}/traces/{r['trace_id']}/artifacts",
            }
            for r in trace_rows
        ]
        execute_rows(conn, _TAGS_INSERT, tags)
        execute_rows(conn, _META_INSERT, meta_rows)
        ids = [r["trace_id"] for r in trace_rows]
        if conn.dialect.name == "sqlite":
            claim_pending_links(conn, ids, scope)
        return ids

    return op
