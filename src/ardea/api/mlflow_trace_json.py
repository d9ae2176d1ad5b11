"""Traces, spans and assessments <-> MLflow's v3 JSON wire shapes.

* ``TraceInfoV3``: RFC 3339 ``request_time``, ``execution_duration`` as ``"0.077s"``, state
  names, ``trace_location`` of type ``MLFLOW_EXPERIMENT``, assessments embedded.
* Spans in responses are OpenTelemetry proto-JSON spans (ids base64, attribute values typed
  ``AnyValue`` objects), which the ``mlflow`` client parses with ``Span.from_otel_proto``.
* ``traces.json`` (the artifact the client uploads, and ``get-trace-artifact`` serves) holds
  spans with base64 ids and JSON-dumped attribute strings.

Parsing functions raise :class:`InvalidArgumentError` on malformed input. Pure: no web framework.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

import orjson

from ardea._core.errors import InvalidArgumentError
from ardea.api.mlflow_assessment_json import assessment_from_json, assessment_to_json
from ardea.api.mlflow_v3_common import (
    check_trace_id,
    duration_to_json,
    opt_str,
    parse_duration_ms,
    parse_timestamp_ms,
    str_map,
    timestamp_to_json,
)
from ardea.entities import Span, SpanEvent, TokenUsage, TraceInfo, TraceState

__all__ = [
    "assessment_from_json",
    "assessment_to_json",
    "any_value",
    "check_trace_id",
    "duration_to_json",
    "parse_duration_ms",
    "parse_timestamp_ms",
    "span_from_traces_json",
    "span_id_to_json",
    "span_to_otel_json",
    "span_to_traces_json",
    "timestamp_to_json",
    "trace_info_from_json",
    "trace_info_to_json",
    "trace_to_json",
]

TRACE_ID_PREFIX = "tr-"
_STATES = {s.value for s in TraceState}
_STATE_NUMBERS = {0: "STATE_UNSPECIFIED", 1: "OK", 2: "ERROR", 3: "IN_PROGRESS"}
_OTEL_STATUS = {"OK": "STATUS_CODE_OK", "ERROR": "STATUS_CODE_ERROR", "UNSET": "STATUS_CODE_UNSET"}
_OTEL_STATUS_BACK = {v: k for k, v in _OTEL_STATUS.items()}


# ---------------------------------------------------------------------------------------------
# Trace info
# ---------------------------------------------------------------------------------------------


TOKEN_USAGE_KEY = "mlflow.trace.tokenUsage"
COST_KEY = "mlflow.trace.cost"
TRACE_NAME_TAG = "mlflow.traceName"
SESSION_KEY = "mlflow.trace.session"
USER_KEY = "mlflow.trace.user"
SOURCE_RUN_KEY = "mlflow.sourceRun"


def _metadata(info: TraceInfo) -> dict[str, str]:
    meta = dict(info.trace_metadata)
    # Session and user that came only from span attributes (``session.id`` / ``user.id``)
    # are reported where MLflow clients and the UI read them.
    if info.session_id and SESSION_KEY not in meta:
        meta[SESSION_KEY] = info.session_id
    if info.user_id and USER_KEY not in meta:
        meta[USER_KEY] = info.user_id
    usage = info.token_usage
    if usage is not None and TOKEN_USAGE_KEY not in meta and usage.total_tokens:
        meta[TOKEN_USAGE_KEY] = orjson.dumps(
            {
                "input_tokens": usage.input_tokens,
                "output_tokens": usage.output_tokens,
                "total_tokens": usage.total_tokens,
            }
        ).decode()
    if info.cost is not None and COST_KEY not in meta:
        meta[COST_KEY] = orjson.dumps({"total_cost": info.cost}).decode()
    return meta


def trace_info_to_json(info: TraceInfo) -> dict[str, Any]:
    """A :class:`TraceInfo` as MLflow's ``TraceInfoV3`` JSON.

    Token totals and cost the store added up from spans appear as ``mlflow.trace.tokenUsage``
    and ``mlflow.trace.cost`` metadata (as MLflow writes them) when the client did not send
    those keys itself; so do the session and user as ``mlflow.trace.session`` /
    ``mlflow.trace.user``.
    """
    out: dict[str, Any] = {
        "trace_id": info.trace_id,
        "trace_location": {
            "type": "MLFLOW_EXPERIMENT",
            "mlflow_experiment": {"experiment_id": info.experiment_id},
        },
        "request_time": timestamp_to_json(info.request_time),
        "state": info.state,
        "trace_metadata": _metadata(info),
        "tags": dict(info.tags),
        "assessments": [assessment_to_json(a) for a in info.assessments],
    }
    if info.client_request_id is not None:
        out["client_request_id"] = info.client_request_id
    if info.request_preview is not None:
        out["request_preview"] = info.request_preview
    if info.response_preview is not None:
        out["response_preview"] = info.response_preview
    if info.execution_duration is not None:
        out["execution_duration"] = duration_to_json(info.execution_duration)
    return out


def trace_info_from_json(d: Any, default_experiment_id: str | None = None) -> TraceInfo:
    """A ``TraceInfoV3`` JSON object as a :class:`TraceInfo`.

    ``name``, ``session_id``, ``user_id`` and ``run_id`` come from where MLflow keeps them:
    the ``mlflow.traceName`` tag and the ``mlflow.trace.session``, ``mlflow.trace.user`` and
    ``mlflow.sourceRun`` metadata. Embedded ``assessments`` belong to this trace whatever
    ``trace_id`` they name (MLflow backfills it the same way).

    Raises:
        InvalidArgumentError: Missing trace id or location, or wrongly typed fields.
    """
    if not isinstance(d, dict):
        raise InvalidArgumentError("'trace_info' must be an object.")
    trace_id = check_trace_id(d.get("trace_id"))
    location = d.get("trace_location") or {}
    experiment = location.get("mlflow_experiment") if isinstance(location, dict) else None
    experiment_id = experiment.get("experiment_id") if isinstance(experiment, dict) else None
    experiment_id = experiment_id or default_experiment_id
    if not isinstance(experiment_id, str) or not experiment_id:
        raise InvalidArgumentError(
            "'trace_info.trace_location.mlflow_experiment.experiment_id' is required."
        )
    state = d.get("state", TraceState.STATE_UNSPECIFIED.value)
    if isinstance(state, int) and not isinstance(state, bool):
        state = _STATE_NUMBERS.get(state, "")
    if state not in _STATES:
        raise InvalidArgumentError(f"Invalid trace state {state!r}.")
    request_time = d.get("request_time")
    duration = d.get("execution_duration")
    metadata = str_map(d.get("trace_metadata"), "trace_metadata")
    tags = str_map(d.get("tags"), "tags")
    assessments = d.get("assessments") or []
    if not isinstance(assessments, list):
        raise InvalidArgumentError("'trace_info.assessments' must be a list.")
    return TraceInfo(
        trace_id=trace_id,
        experiment_id=experiment_id,
        request_time=parse_timestamp_ms(request_time, "request_time") if request_time else 0,
        execution_duration=(
            parse_duration_ms(duration, "execution_duration") if duration is not None else None
        ),
        state=state,
        request_preview=opt_str(d, "request_preview"),
        response_preview=opt_str(d, "response_preview"),
        client_request_id=opt_str(d, "client_request_id"),
        trace_metadata=metadata,
        tags=tags,
        assessments=[assessment_from_json(a, trace_id) for a in assessments],
        name=tags.get(TRACE_NAME_TAG) or None,
        session_id=metadata.get(SESSION_KEY) or None,
        user_id=metadata.get(USER_KEY) or None,
        run_id=metadata.get(SOURCE_RUN_KEY) or None,
        token_usage=_usage_from_metadata(metadata.get(TOKEN_USAGE_KEY)),
        cost=_cost_from_metadata(metadata.get(COST_KEY)),
    )


def _json_object(raw: str | None) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _count(doc: dict[str, Any], key: str) -> int:
    value = doc.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _usage_from_metadata(raw: str | None) -> TokenUsage | None:
    """The ``mlflow.trace.tokenUsage`` metadata as :class:`TokenUsage` (None when absent)."""
    doc = _json_object(raw)
    if doc is None:
        return None
    return TokenUsage(
        input_tokens=_count(doc, "input_tokens"),
        output_tokens=_count(doc, "output_tokens"),
        total_tokens=_count(doc, "total_tokens"),
    )


def _cost_from_metadata(raw: str | None) -> float | None:
    """The ``total_cost`` of the ``mlflow.trace.cost`` metadata (None when absent)."""
    doc = _json_object(raw)
    total = doc.get("total_cost") if doc is not None else None
    return float(total) if isinstance(total, (int, float)) and not isinstance(total, bool) else None


# ---------------------------------------------------------------------------------------------
# Spans
# ---------------------------------------------------------------------------------------------


def _b64_id(hex_id: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_id)).decode("ascii")


def span_id_to_json(span_id: str) -> str:
    """A span id (16 hex characters) as OpenTelemetry proto-JSON writes it (base64)."""
    return _b64_id(span_id)


def _otel_trace_hex(trace_id: str) -> str:
    return trace_id.removeprefix(TRACE_ID_PREFIX)


def any_value(value: Any) -> dict[str, Any]:
    """A Python value as an OTLP proto-JSON ``AnyValue`` object."""
    if value is None:
        return {}
    if isinstance(value, bool):
        return {"bool_value": value}
    if isinstance(value, str):
        return {"string_value": value}
    if isinstance(value, int):
        if -(2**63) <= value < 2**63:
            return {"int_value": value}
        return {"string_value": str(value)}
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return {"string_value": str(value)}
        return {"double_value": value}
    if isinstance(value, (list, tuple)):
        return {"array_value": {"values": [any_value(v) for v in value]}}
    if isinstance(value, dict):
        return {
            "kvlist_value": {
                "values": [{"key": str(k), "value": any_value(v)} for k, v in value.items()]
            }
        }
    return {"string_value": str(value)}


def _kvs(attributes: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": any_value(v)} for k, v in attributes.items()]


def span_to_otel_json(span: Span) -> dict[str, Any]:
    """A span as OpenTelemetry proto-JSON (base64 ids, typed attribute values)."""
    out: dict[str, Any] = {
        "trace_id": _b64_id(_otel_trace_hex(span.trace_id)),
        "span_id": _b64_id(span.span_id),
        "name": span.name,
        "kind": "SPAN_KIND_INTERNAL",
        "start_time_unix_nano": span.start_time_ns,
        "attributes": _kvs(span.attributes),
        "events": [
            {"time_unix_nano": e.time_ns, "name": e.name, "attributes": _kvs(e.attributes)}
            for e in span.events
        ],
        "status": {
            "code": _OTEL_STATUS.get(span.status_code, "STATUS_CODE_UNSET"),
            "message": span.status_message or "",
        },
    }
    if span.parent_span_id:
        out["parent_span_id"] = _b64_id(span.parent_span_id)
    if span.end_time_ns is not None:
        out["end_time_unix_nano"] = span.end_time_ns
    return out


def _dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def span_to_traces_json(span: Span) -> dict[str, Any]:
    """A span in ``traces.json`` form (base64 ids, JSON-dumped attribute values)."""
    return {
        "trace_id": _b64_id(_otel_trace_hex(span.trace_id)),
        "span_id": _b64_id(span.span_id),
        "parent_span_id": _b64_id(span.parent_span_id) if span.parent_span_id else None,
        "name": span.name,
        "start_time_unix_nano": span.start_time_ns,
        "end_time_unix_nano": span.end_time_ns,
        "events": [
            {"name": e.name, "time_unix_nano": e.time_ns, "attributes": dict(e.attributes)}
            for e in span.events
        ],
        "status": {
            "code": _OTEL_STATUS.get(span.status_code, "STATUS_CODE_UNSET"),
            "message": span.status_message or "",
        },
        "attributes": {k: _dumps(v) for k, v in span.attributes.items()},
        "links": [],
    }


def _hex_id(value: Any, size: int, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentError(f"traces.json span {what} must be a string.")
    raw = b""
    if len(value) == size * 2:
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raw = b""
    if not raw:
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
    if len(raw) != size:
        raise InvalidArgumentError(f"Invalid traces.json span {what} {value!r}.")
    return raw.hex()


def _loads_attr(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value


def _event_time(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise InvalidArgumentError("traces.json event times must be integers.")


def _event_attributes(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidArgumentError("traces.json event attributes must be an object.")
    return dict(value)


def span_from_traces_json(d: Any) -> Span:
    """A ``traces.json`` span (MLflow's ``Span.to_dict`` form) as a :class:`Span`."""
    if not isinstance(d, dict):
        raise InvalidArgumentError("A traces.json span must be an object.")
    trace_id = TRACE_ID_PREFIX + _hex_id(d.get("trace_id"), 16, "trace_id")
    parent = d.get("parent_span_id")
    attrs_raw = d.get("attributes") or {}
    if not isinstance(attrs_raw, dict):
        raise InvalidArgumentError("traces.json span attributes must be an object.")
    attributes = {str(k): _loads_attr(v) for k, v in attrs_raw.items()}
    attributes["mlflow.traceRequestId"] = trace_id
    status = d.get("status") or {}
    code = status.get("code", "STATUS_CODE_UNSET") if isinstance(status, dict) else ""
    span_type = attributes.get("mlflow.spanType")
    raw_events = d.get("events")
    events = [
        SpanEvent(
            name=str(e.get("name", "")),
            time_ns=_event_time(e.get("time_unix_nano")),
            attributes=_event_attributes(e.get("attributes")),
        )
        for e in (raw_events if isinstance(raw_events, list) else ())
        if isinstance(e, dict)
    ]
    start, end = d.get("start_time_unix_nano"), d.get("end_time_unix_nano")
    if not isinstance(start, int) or not isinstance(end, (int, type(None))):
        raise InvalidArgumentError("traces.json span times must be integers.")
    return Span(
        trace_id=trace_id,
        span_id=_hex_id(d.get("span_id"), 8, "span_id"),
        parent_span_id=_hex_id(parent, 8, "parent_span_id") if parent else None,
        name=str(d.get("name", "")),
        span_type=span_type if isinstance(span_type, str) and span_type else "UNKNOWN",
        status_code=_OTEL_STATUS_BACK.get(code, "UNSET"),
        status_message=str(status.get("message") or "") if isinstance(status, dict) else "",
        start_time_ns=start,
        end_time_ns=end,
        attributes=attributes,
        events=events,
    )


def trace_to_json(info: TraceInfo, spans: list[Span]) -> dict[str, Any]:
    """A ``Trace`` message: ``{trace_info, spans}`` with OTel proto-JSON spans."""
    return {"trace_info": trace_info_to_json(info), "spans": [span_to_otel_json(s) for s in spans]}
