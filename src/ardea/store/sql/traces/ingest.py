"""The span hot path: spans -> rows, one transaction per batch, aggregates by delta.

Everything that does not need the database (validation, JSON encoding, token and cost
extraction, root-span facts) happens in :func:`prepare_spans`, outside the write lock. The
write (:func:`write_spans`) then runs a fixed number of statements per batch whatever the
batch size: read which traces and spans already exist, insert the new trace rows complete,
upsert the spans (``INSERT .. ON CONFLICT DO UPDATE``), and update existing trace rows with
the per-trace deltas of span count, tokens and cost plus the root span's facts.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import Span, TraceState
from ardea.entities.span_attributes import span_model, span_usage
from ardea.store.sql._db.common import chunked, insert_ignore
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.traces import tables as t
from ardea.store.sql.traces.statements import (
    SPAN_TOTALS,
    TRACES_INSERT,
    execute_rows,
    insert_ignore_stmt,
    traces_by_ids,
    upsert_stmt,
)

__all__ = [
    "PREVIEW_CHARS",
    "SPANS_LOCATION_TAG",
    "TRACE_NAME_TAG",
    "PreparedSpans",
    "clean_text",
    "dump_json",
    "prepare_spans",
    "preview",
    "value_preview",
    "write_spans",
]

PREVIEW_CHARS = 1000
SPANS_LOCATION_TAG = "mlflow.trace.spansLocation"
TRACE_NAME_TAG = "mlflow.traceName"
_SPAN_UPDATE = [
    c.name for c in t.spans.columns if c.name not in ("trace_id", "span_id")
]  # a re-sent span replaces every column


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities replaced by their names (strict JSON for JSONB)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def dump_json(value: Any) -> str:
    """Strict, compact JSON text: no NaN/Infinity, other objects as ``str``, NUL as U+FFFD.

    PostgreSQL's JSONB (used by ``span.attributes`` filters) rejects all three. ``orjson``
    does the work (several times faster than ``json``, and this runs twice per span); as it
    writes NaN and infinities as ``null``, an answer containing ``null`` is redone by
    :func:`_json_text`, which names them instead, as is anything ``orjson`` refuses (big
    integers, lone surrogates).
    """
    try:
        raw = orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        return _json_text(value, (",", ":"))
    if b"null" in raw:
        return _json_text(value, (",", ":"))
    text = raw.decode()
    return text.replace("\\u0000", "\\ufffd") if "\\u0000" in text else text


def _json_text(value: Any, separators: tuple[str, str] = (", ", ": ")) -> str:
    """:func:`dump_json` with :mod:`json` (MLflow's spacing by default, as previews show)."""
    kw: dict[str, Any] = {"ensure_ascii": False, "default": str, "separators": separators}
    try:
        text = json.dumps(value, allow_nan=False, **kw)
    except ValueError:
        text = json.dumps(_finite(value), allow_nan=False, **kw)
    return text.replace("\\u0000", "\\ufffd") if "\\u0000" in text else text


def clean_text(text: str) -> str:
    """``text`` with NUL characters replaced by U+FFFD (PostgreSQL text rejects NUL)."""
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def preview(value: Any) -> str | None:
    """A given request/response preview: strings as they are, else JSON; at most 1000 chars."""
    if value is None:
        return None
    text = clean_text(value) if isinstance(value, str) else _json_text(value)
    return text[:PREVIEW_CHARS]


def value_preview(value: Any) -> str | None:
    """The preview of a root span's inputs or outputs: their JSON text, strings included.

    As MLflow: the input ``"Hello"`` previews as ``'"Hello"'``, a dict as ``'{"q": "hi"}'``.
    """
    return None if value is None else preview(_json_text(value))


def _state(span: Span) -> str:
    if span.status_code == "ERROR":
        return TraceState.ERROR.value
    if span.end_time_ns is None:
        return TraceState.IN_PROGRESS.value
    return TraceState.OK.value


_MAX_NS = 2**63 - 1  # the time columns are signed 64-bit integers


def _check(span: Span) -> None:
    if (
        not isinstance(span.trace_id, str)
        or not 0 < len(span.trace_id) <= 64
        or "\x00" in span.trace_id
    ):
        raise InvalidArgumentError(f"Invalid trace id {span.trace_id!r} on span {span.span_id!r}")
    if (
        not isinstance(span.span_id, str)
        or not 0 < len(span.span_id) <= 16
        or "\x00" in span.span_id
    ):
        raise InvalidArgumentError(f"Invalid span id {span.span_id!r}: expected 16 hex characters")
    parent = span.parent_span_id
    if parent is not None and (not isinstance(parent, str) or len(parent) > 16 or "\x00" in parent):
        raise InvalidArgumentError(f"Invalid parent span id {parent!r}")
    start = span.start_time_ns
    if isinstance(start, bool) or not isinstance(start, int) or not 0 <= start <= _MAX_NS:
        raise InvalidArgumentError(f"Invalid start time {start!r} of span {span.span_id!r}")
    end = span.end_time_ns
    if end is not None and (
        isinstance(end, bool) or not isinstance(end, int) or not 0 <= end <= _MAX_NS
    ):
        raise InvalidArgumentError(f"Invalid end time {end!r} of span {span.span_id!r}")


@dataclass
class PreparedSpans:
    """A validated, encoded batch: span rows and per-trace facts.

    Attributes:
        rows: One ``spans`` row per distinct (trace_id, span_id); the last copy wins.
        roots: Per trace, the values its root span (if in the batch) sets on the trace row.
        first_start_ms: Per trace, the earliest span start in the batch (ms).
        people: Per trace, the session and user that a non-root span names (``session.id``
            / ``user.id``): they fill the trace's when its root names none.
    """

    rows: list[dict[str, Any]]
    roots: dict[str, dict[str, Any]] = field(default_factory=dict)
    first_start_ms: dict[str, int] = field(default_factory=dict)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)


def _root_facts(span: Span) -> dict[str, Any]:
    attrs = span.attributes
    end_ms = None if span.end_time_ns is None else span.end_time_ns // 1_000_000
    start_ms = span.start_time_ns // 1_000_000
    session, user = attrs.get("session.id"), attrs.get("user.id")
    return {
        "name": clean_text(span.name)[:500],
        "root_span_id": span.span_id,
        "state": _state(span),
        "request_time": start_ms,
        "end_time": end_ms,
        "execution_duration": None if end_ms is None else end_ms - start_ms,
        "request_preview": value_preview(attrs.get("mlflow.spanInputs")),
        "response_preview": value_preview(attrs.get("mlflow.spanOutputs")),
        "session_id": clean_text(str(session))[:250] if session is not None else None,
        "user_id": clean_text(str(user))[:250] if user is not None else None,
    }


def _note_people(people: dict[str, dict[str, Any]], trace_id: str, attrs: Any) -> None:
    """Note the first session and user that a trace's non-root spans name.

    Instrumented LLM spans under an application's own root span: OpenInference's
    ``using_session`` sets them only there.
    """
    found = people.setdefault(trace_id, {"session_id": None, "user_id": None})
    for column, key in (("session_id", "session.id"), ("user_id", "user.id")):
        value = attrs.get(key)
        if found[column] is None and value is not None and value != "":
            found[column] = clean_text(str(value))[:250]


def prepare_spans(spans: Sequence[Span]) -> PreparedSpans:
    """Validate and encode a batch (no database access).

    Raises:
        InvalidArgumentError: A span has a malformed id or time.
    """
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    prepared = PreparedSpans([])
    for span in spans:
        _check(span)
        attrs = span.attributes or {}
        tokens_in, tokens_out, _total, cost = span_usage(attrs)
        model = span_model(attrs)
        events = (
            dump_json(
                [
                    {"name": e.name, "time_ns": e.time_ns, "attributes": e.attributes}
                    for e in span.events
                ]
            )
            if span.events
            else "[]"
        )
        links = (
            dump_json(
                [
                    {"trace_id": k.trace_id, "span_id": k.span_id, "attributes": k.attributes}
                    for k in span.links
                ]
            )
            if span.links
            else None
        )
        by_key[(span.trace_id, span.span_id)] = {
            "trace_id": span.trace_id,
            "span_id": span.span_id,
            "parent_span_id": span.parent_span_id or None,
            "name": clean_text(span.name or ""),
            "span_type": clean_text(span.span_type or "UNKNOWN")[:64],
            "status_code": (span.status_code or "UNSET")[:16],
            "status_message": clean_text(span.status_message) if span.status_message else None,
            "start_time_ns": span.start_time_ns,
            "end_time_ns": span.end_time_ns,
            "attributes": dump_json(attrs),
            "events": events,
            "input_tokens": tokens_in,
            "output_tokens": tokens_out,
            "cost": cost,
            "model": model[:250] if model else None,
            "kind": None if span.kind == "INTERNAL" else clean_text(span.kind)[:16],
            "links": links,
        }
        start_ms = span.start_time_ns // 1_000_000
        first = prepared.first_start_ms.get(span.trace_id)
        if first is None or start_ms < first:
            prepared.first_start_ms[span.trace_id] = start_ms
        if not span.parent_span_id:
            prepared.roots[span.trace_id] = _root_facts(span)
        elif "session.id" in attrs or "user.id" in attrs:
            _note_people(prepared.people, span.trace_id, attrs)
    prepared.rows = [by_key[key] for key in sorted(by_key)]  # one lock order for all writers
    return prepared


def _existing(
    conn: Connection, scope: WorkspaceScope, prepared: PreparedSpans
) -> tuple[dict[str, Any], dict[Any, Any]]:
    """Existing trace rows (id -> row) and existing copies of the batch's spans.

    Raises:
        NotFoundError: A trace of the batch exists in another workspace (its id is taken: the
            batch is refused as a whole, and nothing of that trace is read or changed).
    """
    trace_ids = list(prepared.first_start_ms)
    traces: dict[str, Any] = {}
    old_spans: dict[tuple[str, str], Any] = {}
    wanted = {(r["trace_id"], r["span_id"]) for r in prepared.rows}
    by_ids = traces_by_ids(scope)
    for chunk in chunked(trace_ids):
        traces.update({row.trace_id: row for row in conn.execute(by_ids, {"trace_ids": chunk})})
    for trace_id, row in traces.items():
        if not row.visible:
            raise NotFoundError(f"Trace with ID {trace_id} is not found.")
    known = [i for i in trace_ids if i in traces]
    span_ids = sorted({key[1] for key in wanted if key[0] in traces})
    for chunk in chunked(known):
        for ids in chunked(span_ids):
            for row in conn.execute(SPAN_TOTALS, {"trace_ids": chunk, "span_ids": ids}):
                if (row.trace_id, row.span_id) in wanted:
                    old_spans[(row.trace_id, row.span_id)] = row
    return traces, old_spans


def _deltas(prepared: PreparedSpans, old: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    deltas: dict[str, dict[str, Any]] = {}
    for row in prepared.rows:
        key = (row["trace_id"], row["span_id"])
        d = deltas.setdefault(row["trace_id"], {"count": 0, "in": None, "out": None, "cost": None})
        before = old.get(key)
        if before is None:
            d["count"] += 1
        pairs = (
            ("in", row["input_tokens"], before.input_tokens if before is not None else None),
            ("out", row["output_tokens"], before.output_tokens if before is not None else None),
            ("cost", row["cost"], before.cost if before is not None else None),
        )
        for name, new, previous in pairs:
            if new is None and previous is None:
                continue
            d[name] = (d[name] or 0) + (new or 0) - (previous or 0)
    return deltas


def _new_trace_row(
    experiment_id: int, trace_id: str, prepared: PreparedSpans, d: dict[str, Any]
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "trace_id": trace_id,
        "experiment_id": experiment_id,
        "request_time": prepared.first_start_ms[trace_id],
        "execution_duration": None,
        "end_time": None,
        "state": TraceState.IN_PROGRESS.value,
        "name": None,
        "session_id": None,
        "user_id": None,
        "run_id": None,
        "client_request_id": None,
        "request_preview": None,
        "response_preview": None,
        "span_count": d["count"],
        "input_tokens": d["in"],
        "output_tokens": d["out"],
        "total_tokens": None,
        "cost": d["cost"],
        "root_span_id": None,
        "info_finalized": False,
    }
    if d["in"] is not None or d["out"] is not None:
        row["total_tokens"] = (d["in"] or 0) + (d["out"] or 0)
    row.update(prepared.roots.get(trace_id, {}))
    for column, value in prepared.people.get(trace_id, {}).items():
        if row[column] is None:
            row[column] = value
    return row


def _update_aggregates(conn: Connection, deltas: list[dict[str, Any]]) -> None:
    if deltas:
        conn.execute(_aggregates_stmt(), deltas)


@functools.cache
def _aggregates_stmt() -> Any:
    tr = t.traces.c

    def add(column: Any, name: str) -> Any:
        param = sa.cast(sa.bindparam(name, type_=column.type), column.type)
        return sa.case((param.is_(None), column), else_=sa.func.coalesce(column, 0) + param)

    total = sa.bindparam("d_total", type_=sa.BigInteger)
    stmt = (
        t.traces.update()
        .where(tr.trace_id == sa.bindparam("b_trace_id"))
        .values(
            span_count=tr.span_count + sa.bindparam("d_count", type_=sa.Integer),
            input_tokens=add(tr.input_tokens, "d_in"),
            output_tokens=add(tr.output_tokens, "d_out"),
            total_tokens=sa.case(
                (total.is_(None), tr.total_tokens),
                else_=sa.func.coalesce(tr.total_tokens, 0) + total,
            ),
            cost=add(tr.cost, "d_cost"),
        )
    )
    return stmt


def _update_roots(conn: Connection, roots: list[dict[str, Any]]) -> None:
    """Root facts: overwrite on unfinalized traces; on finalized ones only fill gaps."""
    if roots:
        conn.execute(_roots_stmt(), roots)


@functools.cache
def _roots_stmt() -> Any:
    tr = t.traces.c
    values: dict[str, Any] = {}
    for name in ("name", "request_preview", "response_preview", "session_id", "user_id"):
        column = tr[name]
        param = sa.cast(sa.bindparam(f"r_{name}", type_=column.type), column.type)
        values[name] = (
            sa.func.coalesce(param, column)
            if name in ("session_id", "user_id")
            else sa.case(
                (tr.info_finalized.is_(True), sa.func.coalesce(column, param)), else_=param
            )
        )
    for name in ("state", "request_time", "end_time", "execution_duration"):
        column = tr[name]
        param = sa.cast(sa.bindparam(f"r_{name}", type_=column.type), column.type)
        values[name] = sa.case((tr.info_finalized.is_(True), column), else_=param)
    values["root_span_id"] = sa.bindparam("r_root_span_id", type_=tr.root_span_id.type)
    return t.traces.update().where(tr.trace_id == sa.bindparam("b_trace_id")).values(**values)


@functools.cache
def _people_stmt() -> Any:
    """Fill a trace's missing session and user from its non-root spans (never overwrite)."""
    tr = t.traces.c
    values = {
        name: sa.func.coalesce(tr[name], sa.bindparam(f"p_{name}", type_=tr[name].type))
        for name in ("session_id", "user_id")
    }
    return t.traces.update().where(tr.trace_id == sa.bindparam("b_trace_id")).values(**values)


def _lock_traces(conn: Connection, experiment_id: int, prepared: PreparedSpans) -> None:
    """Create missing trace rows, then lock all touched ones in id order (servers only).

    PostgreSQL and MySQL run writers concurrently: the lock makes batches of one trace apply
    their deltas one after the other. SQLite has a single writer and needs neither.
    """
    trace_ids = sorted(prepared.first_start_ms)
    empty = {"count": 0, "in": None, "out": None, "cost": None}
    insert_ignore(
        conn, t.traces, [_new_trace_row(experiment_id, i, prepared, empty) for i in trace_ids]
    )
    tr = t.traces.c
    for chunk in chunked(trace_ids):
        conn.execute(
            sa.select(tr.trace_id)
            .where(tr.trace_id.in_(chunk))
            .order_by(tr.trace_id)
            .with_for_update()
        ).all()


def write_spans(
    conn: Connection, scope: WorkspaceScope, experiment_id: int, prepared: PreparedSpans
) -> list[str]:
    """Store a prepared batch inside the caller's transaction (see the module docstring).

    Returns:
        The ids of the trace rows this batch created, on SQLite (on servers the rows are
        created by :func:`_lock_traces` first, and the list is empty).

    Raises:
        NotFoundError: The experiment does not exist in ``scope``, or a trace of the batch
            belongs to another workspace.
    """
    scope.experiment_row(conn, experiment_id)
    if conn.dialect.name != "sqlite":
        _lock_traces(conn, experiment_id, prepared)
    traces, old_spans = _existing(conn, scope, prepared)
    deltas = _deltas(prepared, old_spans)
    new_rows = [
        _new_trace_row(experiment_id, trace_id, prepared, d)
        for trace_id, d in deltas.items()
        if trace_id not in traces
    ]
    execute_rows(conn, TRACES_INSERT, new_rows)
    execute_rows(
        conn, upsert_stmt(conn, t.spans, ["trace_id", "span_id"], _SPAN_UPDATE), prepared.rows
    )
    updates = []
    for trace_id, d in deltas.items():
        if trace_id in traces:
            total = None
            if d["in"] is not None or d["out"] is not None:
                total = (d["in"] or 0) + (d["out"] or 0)
            updates.append(
                {
                    "b_trace_id": trace_id,
                    "d_count": d["count"],
                    "d_in": d["in"],
                    "d_out": d["out"],
                    "d_total": total,
                    "d_cost": d["cost"],
                }
            )
    _update_aggregates(conn, updates)
    roots = [
        {"b_trace_id": trace_id, **{f"r_{k}": v for k, v in facts.items()}}
        for trace_id, facts in prepared.roots.items()
        if trace_id in traces
    ]
    _update_roots(conn, roots)
    people = [
        {"b_trace_id": trace_id, "p_session_id": p["session_id"], "p_user_id": p["user_id"]}
        for trace_id, p in prepared.people.items()
        if trace_id in traces
    ]
    if people:
        conn.execute(_people_stmt(), people)
    tag_rows = [
        {"trace_id": i, "key": SPANS_LOCATION_TAG, "value": "TRACKING_STORE"} for i in deltas
    ]
    if tag_rows:
        conn.execute(insert_ignore_stmt(conn, t.trace_tags), tag_rows)
    name_rows = [
        {"trace_id": i, "key": TRACE_NAME_TAG, "value": facts["name"]}
        for i, facts in prepared.roots.items()
        if i not in traces or not traces[i].info_finalized
    ]
    if name_rows:
        conn.execute(upsert_stmt(conn, t.trace_tags, ["trace_id", "key"], ["value"]), name_rows)
    finalized_names = [
        {"trace_id": i, "key": TRACE_NAME_TAG, "value": facts["name"]}
        for i, facts in prepared.roots.items()
        if i in traces and traces[i].info_finalized
    ]
    if finalized_names:
        conn.execute(insert_ignore_stmt(conn, t.trace_tags), finalized_names)
    return [row["trace_id"] for row in new_rows]
