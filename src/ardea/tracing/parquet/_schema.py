"""The Parquet schemas of traces and spans, and the conversions between rows and entities.

Values of any JSON type (span, event and link attributes, assessment values) are stored as
JSON text, so that they read back exactly; tags and metadata are ``map<string, string>``.
Columns derived from span attributes (tokens, cost, model) are for queries only: reading a
trace back uses the attributes themselves. ``pyarrow`` is imported by the functions that need
it, never at module import.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from ardea.entities import Span, SpanEvent, SpanLink, TokenUsage, TraceInfo
from ardea.entities.assessment import AssessmentError
from ardea.entities.feedback import make_assessment
from ardea.entities.span_attributes import json_loads, span_model, span_usage
from ardea.tracing._serialize import dumps

if TYPE_CHECKING:
    import pyarrow as pa

FORMAT_VERSION = "1"
"""The layout version, written in every file's key-value metadata (``ardea.traces.format``)."""

FORMAT_KEY = b"ardea.traces.format"
TABLE_KEY = b"ardea.traces.table"


@cache
def traces_schema() -> pa.Schema:
    """The schema of the ``traces`` table: one row per trace."""
    import pyarrow as pa

    strmap = pa.map_(pa.string(), pa.string())
    error = pa.struct(
        [("error_code", pa.string()), ("error_message", pa.string()), ("stack_trace", pa.string())]
    )
    assessment = pa.struct(
        [
            ("assessment_id", pa.string()),
            ("name", pa.string()),
            ("kind", pa.string()),
            ("value", pa.string()),
            ("source_type", pa.string()),
            ("source_id", pa.string()),
            ("create_time_ms", pa.int64()),
            ("last_update_time_ms", pa.int64()),
            ("rationale", pa.string()),
            ("error", error),
            ("metadata", strmap),
            ("span_id", pa.string()),
            ("overrides", pa.string()),
            ("valid", pa.bool_()),
        ]
    )
    return pa.schema(
        [
            pa.field("trace_id", pa.string(), nullable=False),
            pa.field("experiment_id", pa.string(), nullable=False),
            ("request_time_ms", pa.int64()),
            ("execution_duration_ms", pa.int64()),
            ("state", pa.string()),
            ("name", pa.string()),
            ("request_preview", pa.string()),
            ("response_preview", pa.string()),
            ("client_request_id", pa.string()),
            ("session_id", pa.string()),
            ("user_id", pa.string()),
            ("run_id", pa.string()),
            ("span_count", pa.int64()),
            ("input_tokens", pa.int64()),
            ("output_tokens", pa.int64()),
            ("total_tokens", pa.int64()),
            ("cached_input_tokens", pa.int64()),
            ("cost", pa.float64()),
            ("tags", strmap),
            ("metadata", strmap),
            ("assessments", pa.list_(assessment)),
        ],
        metadata={FORMAT_KEY: FORMAT_VERSION.encode(), TABLE_KEY: b"traces"},
    )


@cache
def spans_schema() -> pa.Schema:
    """The schema of the ``spans`` table: one row per span, in the order of their traces."""
    import pyarrow as pa

    event = pa.struct([("name", pa.string()), ("time_ns", pa.int64()), ("attributes", pa.string())])
    link = pa.struct(
        [("trace_id", pa.string()), ("span_id", pa.string()), ("attributes", pa.string())]
    )
    return pa.schema(
        [
            pa.field("trace_id", pa.string(), nullable=False),
            pa.field("span_id", pa.string(), nullable=False),
            ("parent_span_id", pa.string()),
            ("experiment_id", pa.string()),
            ("name", pa.string()),
            ("span_type", pa.string()),
            ("kind", pa.string()),
            ("status_code", pa.string()),
            ("status_message", pa.string()),
            ("start_time_ns", pa.int64()),
            ("end_time_ns", pa.int64()),
            ("model", pa.string()),
            ("input_tokens", pa.int64()),
            ("output_tokens", pa.int64()),
            ("total_tokens", pa.int64()),
            ("cost", pa.float64()),
            ("attributes", pa.string()),
            ("events", pa.list_(event)),
            ("links", pa.list_(link)),
        ],
        metadata={FORMAT_KEY: FORMAT_VERSION.encode(), TABLE_KEY: b"spans"},
    )


def trace_row(info: TraceInfo) -> dict[str, Any]:
    """The ``traces`` row of a trace record."""
    usage = info.token_usage
    return {
        "trace_id": info.trace_id,
        "experiment_id": info.experiment_id,
        "request_time_ms": info.request_time,
        "execution_duration_ms": info.execution_duration,
        "state": info.state,
        "name": info.name,
        "request_preview": info.request_preview,
        "response_preview": info.response_preview,
        "client_request_id": info.client_request_id,
        "session_id": info.session_id,
        "user_id": info.user_id,
        "run_id": info.run_id,
        "span_count": info.span_count,
        "input_tokens": None if usage is None else usage.input_tokens,
        "output_tokens": None if usage is None else usage.output_tokens,
        "total_tokens": None if usage is None else usage.total_tokens,
        "cached_input_tokens": None if usage is None else usage.cached_input_tokens,
        "cost": info.cost,
        "tags": list(info.tags.items()),
        "metadata": list(info.trace_metadata.items()),
        "assessments": [
            {
                "assessment_id": a.assessment_id,
                "name": a.name,
                "kind": a.kind,
                "value": dumps(a.value),
                "source_type": a.source_type,
                "source_id": a.source_id,
                "create_time_ms": a.create_time,
                "last_update_time_ms": a.last_update_time,
                "rationale": a.rationale,
                "error": None if a.error is None else a.error.to_dictionary(),
                "metadata": list((a.metadata or {}).items()),
                "span_id": a.span_id,
                "overrides": a.overrides,
                "valid": a.valid,
            }
            for a in info.assessments
        ],
    }


def span_row(span: Span, experiment_id: str) -> dict[str, Any]:
    """The ``spans`` row of a span."""
    tokens_in, tokens_out, total, cost = span_usage(span.attributes)
    return {
        "trace_id": span.trace_id,
        "span_id": span.span_id,
        "parent_span_id": span.parent_span_id,
        "experiment_id": experiment_id,
        "name": span.name,
        "span_type": span.span_type,
        "kind": span.kind,
        "status_code": span.status_code,
        "status_message": span.status_message,
        "start_time_ns": span.start_time_ns,
        "end_time_ns": span.end_time_ns,
        "model": span_model(span.attributes),
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "total_tokens": total,
        "cost": cost,
        "attributes": dumps(span.attributes),
        "events": [
            {"name": e.name, "time_ns": e.time_ns, "attributes": dumps(e.attributes)}
            for e in span.events
        ],
        "links": [
            {
                "trace_id": link.trace_id,
                "span_id": link.span_id,
                "attributes": dumps(link.attributes),
            }
            for link in span.links
        ],
    }


def info_from_row(row: dict[str, Any]) -> TraceInfo:
    """The trace record of a ``traces`` row (as ``pyarrow``'s ``to_pylist`` gives it)."""
    trace_id = row["trace_id"]
    usage = None
    if row["input_tokens"] is not None:
        usage = TokenUsage(
            input_tokens=row["input_tokens"],
            output_tokens=row["output_tokens"] or 0,
            total_tokens=row["total_tokens"] or 0,
            cached_input_tokens=row["cached_input_tokens"] or 0,
        )
    assessments = [
        make_assessment(
            assessment_id=a["assessment_id"],
            trace_id=trace_id,
            name=a["name"],
            kind=a["kind"],
            value=json_loads(a["value"]),
            source_type=a["source_type"],
            source_id=a["source_id"],
            create_time=a["create_time_ms"],
            last_update_time=a["last_update_time_ms"],
            rationale=a["rationale"],
            error=None if a["error"] is None else AssessmentError(**a["error"]),
            metadata=dict(a["metadata"] or ()),
            span_id=a["span_id"],
            overrides=a["overrides"],
            valid=a["valid"],
        )
        for a in row["assessments"] or ()
    ]
    return TraceInfo(
        trace_id=trace_id,
        experiment_id=row["experiment_id"],
        request_time=row["request_time_ms"],
        execution_duration=row["execution_duration_ms"],
        state=row["state"],
        request_preview=row["request_preview"],
        response_preview=row["response_preview"],
        client_request_id=row["client_request_id"],
        trace_metadata=dict(row["metadata"] or ()),
        tags=dict(row["tags"] or ()),
        assessments=assessments,
        name=row["name"],
        session_id=row["session_id"],
        user_id=row["user_id"],
        run_id=row["run_id"],
        span_count=row["span_count"],
        token_usage=usage,
        cost=row["cost"],
    )


def span_from_row(row: dict[str, Any]) -> Span:
    """The span of a ``spans`` row."""
    return Span(
        trace_id=row["trace_id"],
        span_id=row["span_id"],
        parent_span_id=row["parent_span_id"],
        name=row["name"],
        span_type=row["span_type"],
        status_code=row["status_code"],
        status_message=row["status_message"],
        start_time_ns=row["start_time_ns"],
        end_time_ns=row["end_time_ns"],
        attributes=json_loads(row["attributes"]) or {},
        events=[
            SpanEvent(e["name"], e["time_ns"], json_loads(e["attributes"]) or {})
            for e in row["events"] or ()
        ],
        kind=row["kind"],
        links=[
            SpanLink(link["trace_id"], link["span_id"], json_loads(link["attributes"]) or {})
            for link in row["links"] or ()
        ],
    )
