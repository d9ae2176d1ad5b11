"""The spans of one OTLP export request, and how each becomes an Ardea span.

Shared by the protobuf parser (:mod:`ardea.services.ingest_otlp`) and the JSON one
(:mod:`ardea.services.otlp_json`); see :mod:`ardea.services.ingest_otlp` for the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import SPAN_KINDS, Span, SpanEvent, SpanLink, SpanType
from ardea.llm.semconv import normalize_attributes

__all__ = [
    "KNOWN_SERVICE_NAMES",
    "MAX_TIME_NS",
    "SERVER_MANAGED_TRACE_TAGS",
    "STATUS_NAMES",
    "TRACE_ID_PREFIX",
    "OtlpExport",
    "SpanConversionError",
    "id_hex",
    "kind_name",
    "make_span",
]

MAX_TIME_NS = 2**63 - 1
"""Latest span or event time accepted, in ns since the epoch (the year 2262): stores keep
times as signed 64-bit integers, while OTLP's ``fixed64`` would allow twice as much."""

TRACE_ID_PREFIX = "tr-"
STATUS_NAMES = {0: "UNSET", 1: "OK", 2: "ERROR"}
"""OTLP status code numbers -> Ardea status codes."""
_REQUEST_ID_KEY = "mlflow.traceRequestId"
KNOWN_SERVICE_NAMES = frozenset(
    {"claude-code", "codex_cli_rs", "codex_vscode", "gemini-cli", "qwen-code"}
)
"""Resource ``service.name`` values copied onto root spans (MLflow 3.18's allow-list of known
OpenTelemetry clients: Claude Code, Codex CLI and its VS Code extension, Gemini CLI, Qwen Code)."""
SERVER_MANAGED_TRACE_TAGS = frozenset(
    {
        "mlflow.artifactLocation",
        "mlflow.trace.spansLocation",
        "mlflow.trace.archiveLocation",
        "mlflow.trace.archivalFailure",
    }
)
"""Trace tags only the server sets: root-span ``mlflow.traceTag.<key>`` attributes for these are
dropped on ingest (as MLflow 3.18 does), so a client cannot point a trace elsewhere."""
_TRACE_TAG_PREFIX = "mlflow.traceTag."


class SpanConversionError(InvalidArgumentError):
    """A well-formed request whose span cannot become an Ardea span (HTTP 422 on the wire).

    MLflow answers 422 "Cannot convert OpenTelemetry span to MLflow span" here, and 400 only
    for bodies that are no OTLP request at all; the OTLP route keeps that split.
    """


@dataclass(slots=True)
class OtlpExport:
    """The spans of one export request, grouped by trace.

    Attributes:
        traces: Spans by Ardea trace id (``tr-`` + 32 hex), in arrival order.
        resource_attributes: Attributes of the request's resources (the first resource wins
            when several set the same key).
        trace_resources: Per trace id, the attributes of the resource whose spans first
            carried it (a collector may batch several services into one request).
    """

    traces: dict[str, list[Span]] = field(default_factory=dict)
    resource_attributes: dict[str, Any] = field(default_factory=dict)
    trace_resources: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def spans(self) -> list[Span]:
        """Every span of the request."""
        return [s for spans in self.traces.values() for s in spans]

    def add(self, span: Span, resource: dict[str, Any] | None = None) -> None:
        """Append ``span`` to its trace's list; ``resource`` is its resource's attributes.

        A root span also gets the resource's known service name and loses server-managed
        trace tags (see the module docstring).
        """
        if not span.parent_span_id:
            _touch_root(span, resource or {})
        spans = self.traces.get(span.trace_id)
        if spans is None:
            self.traces[span.trace_id] = spans = []
            if resource is not None:
                self.trace_resources[span.trace_id] = resource
        spans.append(span)


def _touch_root(span: Span, resource: Mapping[str, Any]) -> None:
    service = resource.get("service.name")
    if isinstance(service, str) and service in KNOWN_SERVICE_NAMES:
        span.attributes["service.name"] = service
    for key in SERVER_MANAGED_TRACE_TAGS:
        span.attributes.pop(_TRACE_TAG_PREFIX + key, None)


def id_hex(raw: bytes, size: int, what: str, span_name: str) -> str:
    """``raw`` as hex; a missing or wrong-sized id cannot be converted (all zero is fine)."""
    if len(raw) != size:
        problem = "is required but was empty" if not raw else f"has {len(raw)} bytes"
        raise SpanConversionError(
            f"Cannot convert OpenTelemetry span {span_name!r} to an MLflow span: "
            f"its {what} {problem} (expected {size} bytes)."
        )
    return raw.hex()


def kind_name(code: int) -> str:
    """OTLP's ``SpanKind`` number as a kind name (0, unspecified, and unknown: INTERNAL)."""
    return SPAN_KINDS[code - 1] if 1 <= code <= len(SPAN_KINDS) else "INTERNAL"


def make_span(
    trace_hex: str,
    span_hex: str,
    parent: str | None,
    name: str,
    status_code: str,
    status_message: str,
    start_ns: int,
    end_ns: int,
    attributes: dict[str, Any],
    events: list[SpanEvent],
    kind: str = "INTERNAL",
    links: list[SpanLink] | None = None,
) -> Span:
    """A checked, normalized :class:`Span` (attributes decoded and mapped by semconv).

    Raises:
        SpanConversionError: A time outside ``0..MAX_TIME_NS``.
    """
    _check_time(start_ns, "startTimeUnixNano", span_hex)
    _check_time(end_ns, "endTimeUnixNano", span_hex)
    for event in events:
        _check_time(event.time_ns, "events.timeUnixNano", span_hex)
    trace_id = TRACE_ID_PREFIX + trace_hex
    normalize_attributes(attributes, events)  # also takes the JSON layer off the values
    attributes[_REQUEST_ID_KEY] = trace_id  # recomputed: a client's own value is not trusted
    span_type = attributes.get("mlflow.spanType")
    return Span(
        trace_id=trace_id,
        span_id=span_hex,
        parent_span_id=parent,
        name=name,
        span_type=span_type if isinstance(span_type, str) and span_type else SpanType.UNKNOWN.value,
        status_code=status_code,
        status_message=status_message,
        start_time_ns=start_ns,
        end_time_ns=end_ns or None,
        attributes=attributes,
        events=events,
        kind=kind,
        links=links or [],
    )


def _check_time(ns: int, what: str, span_hex: str) -> None:
    if not 0 <= ns <= MAX_TIME_NS:
        raise SpanConversionError(
            f"Invalid OTLP {what} {ns} of span {span_hex}: times must be from 0 to "
            f"{MAX_TIME_NS} ns since the epoch."
        )
