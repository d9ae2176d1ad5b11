"""Traces and spans of LLM applications and agents (OpenTelemetry-shaped)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ardea.entities.assessment import Assessment


class TraceState(str, Enum):
    """Outcome of a trace, with MLflow's v3 names."""

    STATE_UNSPECIFIED = "STATE_UNSPECIFIED"
    OK = "OK"
    ERROR = "ERROR"
    IN_PROGRESS = "IN_PROGRESS"


class SpanType(str, Enum):
    """Well-known span types; any other string is allowed too."""

    LLM = "LLM"
    CHAT_MODEL = "CHAT_MODEL"
    EMBEDDING = "EMBEDDING"
    RETRIEVER = "RETRIEVER"
    RERANKER = "RERANKER"
    TOOL = "TOOL"
    AGENT = "AGENT"
    CHAIN = "CHAIN"
    PARSER = "PARSER"
    MEMORY = "MEMORY"
    WORKFLOW = "WORKFLOW"
    TASK = "TASK"
    GUARDRAIL = "GUARDRAIL"
    EVALUATOR = "EVALUATOR"
    UNKNOWN = "UNKNOWN"


@dataclass(slots=True)
class SpanEvent:
    """A point-in-time event in a span (an exception, a streamed chunk, ...)."""

    name: str
    time_ns: int
    attributes: dict[str, Any] = field(default_factory=dict)


SPAN_KINDS = ("INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER")
"""OpenTelemetry span kinds (OTLP's ``SPAN_KIND_<name>``; unspecified counts as INTERNAL)."""


@dataclass(slots=True)
class SpanLink:
    """A link from a span to another span, of this trace or another (OpenTelemetry links).

    Attributes:
        trace_id: The linked trace, ``tr-`` + 32 hex.
        span_id: The linked span, 16 lowercase hex.
        attributes: What the link means (decoded values).
    """

    trace_id: str
    span_id: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Span:
    """One span.

    Attributes:
        trace_id: Ardea/MLflow trace id, ``tr-`` + 32 hex (the OTel trace id).
        span_id: 16 lowercase hex.
        parent_span_id: Parent's span id; None for the root span.
        name: Span name.
        span_type: A :class:`SpanType` value or any string.
        status_code: ``OK``, ``ERROR`` or ``UNSET``.
        status_message: Error description for ERROR spans.
        start_time_ns: Epoch nanoseconds.
        end_time_ns: Epoch nanoseconds; None while the span is open.
        attributes: Attribute values, decoded (not JSON strings).
        events: Span events.
        kind: The OpenTelemetry span kind, one of :data:`SPAN_KINDS`.
        links: Links to other spans.
    """

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    span_type: str = SpanType.UNKNOWN.value
    status_code: str = "UNSET"
    status_message: str = ""
    start_time_ns: int = 0
    end_time_ns: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    events: list[SpanEvent] = field(default_factory=list)
    kind: str = "INTERNAL"
    links: list[SpanLink] = field(default_factory=list)

    @property
    def inputs(self) -> Any:
        """The span's inputs (attribute ``mlflow.spanInputs``)."""
        return self.attributes.get("mlflow.spanInputs")

    @property
    def outputs(self) -> Any:
        """The span's outputs (attribute ``mlflow.spanOutputs``)."""
        return self.attributes.get("mlflow.spanOutputs")


@dataclass(slots=True)
class TokenUsage:
    """Token counts of a span or a whole trace."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cached_input_tokens: int = 0


@dataclass(slots=True)
class TraceInfo:
    """Everything about a trace except its spans.

    The fields after ``tags`` are denormalized from spans and metadata so that lists and
    filters never read spans.
    """

    trace_id: str
    experiment_id: str
    request_time: int
    execution_duration: int | None = None
    state: str = TraceState.IN_PROGRESS.value
    request_preview: str | None = None
    response_preview: str | None = None
    client_request_id: str | None = None
    trace_metadata: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    assessments: list[Assessment] = field(default_factory=list)
    name: str | None = None
    session_id: str | None = None
    user_id: str | None = None
    run_id: str | None = None
    span_count: int = 0
    token_usage: TokenUsage | None = None
    cost: float | None = None


@dataclass(frozen=True, slots=True)
class TraceData:
    """A trace's spans as MLflow's ``trace.data`` holds them (``trace.data.spans``).

    Attributes:
        spans: The spans (the same list as :attr:`Trace.spans`).
    """

    spans: list[Span]

    @property
    def request(self) -> str | None:
        """The root span's inputs as JSON, as MLflow's ``TraceData.request``."""
        root = self._root()
        return None if root is None or root.inputs is None else _json(root.inputs)

    @property
    def response(self) -> str | None:
        """The root span's outputs as JSON, as MLflow's ``TraceData.response``."""
        root = self._root()
        return None if root is None or root.outputs is None else _json(root.outputs)

    def _root(self) -> Span | None:
        return next((s for s in self.spans if s.parent_span_id is None), None)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, default=str)


@dataclass(slots=True)
class Trace:
    """A trace: its info and (some or all of) its spans.

    ``trace.data.spans`` (MLflow's spelling) reads the same spans as ``trace.spans``.
    """

    info: TraceInfo
    spans: list[Span] = field(default_factory=list)

    @property
    def data(self) -> TraceData:
        """The spans as MLflow's ``trace.data`` (``.spans``, ``.request``, ``.response``)."""
        return TraceData(self.spans)
