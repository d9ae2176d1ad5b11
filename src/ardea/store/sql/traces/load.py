"""Rows of the trace tables -> entities, for many ids in a fixed number of queries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.entities import Assessment, Span, SpanEvent, SpanLink, TraceInfo
from ardea.entities.assessment import AssessmentError
from ardea.entities.feedback import make_assessment
from ardea.entities.trace import TokenUsage
from ardea.store.sql._db.common import chunked
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.traces import tables as t

__all__ = [
    "SPAN_COLUMNS",
    "assessment_from_row",
    "load_assessments",
    "load_spans",
    "load_trace_infos",
    "span_from_row",
    "trace_info_from_row",
]

SPAN_COLUMNS = (
    t.spans.c.trace_id,
    t.spans.c.span_id,
    t.spans.c.parent_span_id,
    t.spans.c.name,
    t.spans.c.span_type,
    t.spans.c.status_code,
    t.spans.c.status_message,
    t.spans.c.start_time_ns,
    t.spans.c.end_time_ns,
    t.spans.c.attributes,
    t.spans.c.events,
    t.spans.c.kind,
    t.spans.c.links,
)
"""The span columns :func:`span_from_row` reads."""


def _json(text: str | None, default: Any) -> Any:
    if text is None or text == "":
        return default
    try:
        return orjson.loads(text)  # several times faster; what ingest writes is strict JSON
    except orjson.JSONDecodeError:  # integers past 64 bits, lone surrogates, older NaN rows
        return json.loads(text)


def _events(text: str | None) -> list[SpanEvent]:
    if not text or text == "[]":
        return []
    return [
        SpanEvent(e.get("name", ""), int(e.get("time_ns", 0)), e.get("attributes") or {})
        for e in _json(text, [])
    ]


def _links(text: str | None) -> list[SpanLink]:
    if not text or text == "[]":
        return []
    return [
        SpanLink(k.get("trace_id", ""), k.get("span_id", ""), k.get("attributes") or {})
        for k in _json(text, [])
    ]


def span_from_row(row: Any) -> Span:
    """A :class:`Span` from a row holding :data:`SPAN_COLUMNS`."""
    end = row.end_time_ns
    return Span(
        row.trace_id,
        row.span_id,
        row.parent_span_id,
        row.name,
        row.span_type,
        row.status_code,
        row.status_message or "",
        int(row.start_time_ns),
        None if end is None else int(end),
        _json(row.attributes, {}),
        _events(row.events),
        row.kind or "INTERNAL",
        _links(row.links),
    )


def assessment_from_row(row: Any) -> Assessment:
    """An :class:`Assessment` from an ``assessments`` row."""
    error = _json(row.error, None)
    return make_assessment(
        assessment_id=row.assessment_id,
        trace_id=row.trace_id,
        name=row.name,
        kind=row.kind,
        value=_json(row.value, None),
        source_type=row.source_type,
        source_id=row.source_id,
        create_time=int(row.create_time),
        last_update_time=int(row.last_update_time),
        rationale=row.rationale,
        error=AssessmentError(**error) if isinstance(error, dict) else None,
        metadata=_json(row.metadata, {}),
        span_id=row.span_id,
        overrides=row.overrides,
        valid=bool(row.valid),
    )


def load_assessments(conn: Connection, trace_ids: Sequence[str]) -> dict[str, list[Assessment]]:
    """Assessments per trace id, oldest first.

    Ties (the same ``create_time`` ms) come in creation order, which the time-ordered ids of
    :func:`ardea._core.ids.new_assessment_id` keep.
    """
    result: dict[str, list[Assessment]] = {}
    a = t.assessments.c
    for chunk in chunked(list(trace_ids)):
        query = (
            sa.select(t.assessments)
            .where(a.trace_id.in_(chunk))
            .order_by(a.create_time, a.assessment_id)
        )
        for row in conn.execute(query):
            result.setdefault(row.trace_id, []).append(assessment_from_row(row))
    return result


def _key_values(conn: Connection, table: sa.Table, ids: Sequence[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    query = sa.select(table.c.trace_id, table.c.key, table.c.value).where(table.c.trace_id.in_(ids))
    for row in conn.execute(query):
        out.setdefault(row.trace_id, {})[row.key] = row.value
    return out


def trace_info_from_row(
    row: Any, tags: dict[str, str], meta: dict[str, str], found: list[Assessment]
) -> TraceInfo:
    """A TraceInfo from a ``traces`` row plus its tags, metadata and assessments."""
    usage = None
    if row.input_tokens is not None or row.output_tokens is not None:
        usage = TokenUsage(
            input_tokens=int(row.input_tokens or 0),
            output_tokens=int(row.output_tokens or 0),
            total_tokens=int(row.total_tokens or 0),
        )
    return TraceInfo(
        trace_id=row.trace_id,
        experiment_id=str(row.experiment_id),
        request_time=int(row.request_time),
        execution_duration=None if row.execution_duration is None else int(row.execution_duration),
        state=row.state,
        request_preview=row.request_preview,
        response_preview=row.response_preview,
        client_request_id=row.client_request_id,
        trace_metadata=meta,
        tags=tags,
        assessments=found,
        name=row.name,
        session_id=row.session_id,
        user_id=row.user_id,
        run_id=row.run_id,
        span_count=int(row.span_count),
        token_usage=usage,
        cost=None if row.cost is None else float(row.cost),
    )


def load_trace_infos(
    conn: Connection, scope: WorkspaceScope, trace_ids: Sequence[str]
) -> list[TraceInfo]:
    """TraceInfos (tags, metadata, assessments included) in the order of ``trace_ids``.

    Unknown ids, and ids of traces in another workspace than ``scope``'s, are left out. Four
    queries per 1,000 ids.
    """
    rows: dict[str, Any] = {}
    tags: dict[str, dict[str, str]] = {}
    meta: dict[str, dict[str, str]] = {}
    tr = t.traces.c
    owned = scope.owns_experiment(tr.experiment_id)
    for chunk in chunked(list(trace_ids)):
        hits = []
        for row in conn.execute(sa.select(t.traces).where(tr.trace_id.in_(chunk), owned)):
            rows[row.trace_id] = row
            hits.append(row.trace_id)
        if hits:
            tags.update(_key_values(conn, t.trace_tags, hits))
            meta.update(_key_values(conn, t.trace_metadata, hits))
    found = load_assessments(conn, list(rows))
    return [
        trace_info_from_row(rows[i], tags.get(i, {}), meta.get(i, {}), found.get(i, []))
        for i in trace_ids
        if i in rows
    ]


def load_spans(conn: Connection, trace_ids: Sequence[str]) -> dict[str, list[Span]]:
    """All spans of each trace, in start-time order."""
    out: dict[str, list[Span]] = {}
    s = t.spans.c
    for chunk in chunked(list(trace_ids)):
        query = (
            sa.select(*SPAN_COLUMNS)
            .where(s.trace_id.in_(chunk))
            .order_by(s.trace_id, s.start_time_ns, s.span_id)
        )
        for row in conn.execute(query):
            out.setdefault(row.trace_id, []).append(span_from_row(row))
    return out
