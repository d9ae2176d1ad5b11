"""Spans as OpenTelemetry proto-JSON (``mlflow_trace_json.span_to_otel_json``).

Ids are base64 (a span id is 8 bytes, a trace id 16); times are integer nanoseconds since the
epoch; attribute values are typed ``AnyValue`` objects.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64

__all__ = [
    "OtelAnyValue",
    "OtelArrayValue",
    "OtelKeyValue",
    "OtelKeyValueList",
    "OtelSpan",
    "OtelSpanEvent",
    "OtelSpanStatus",
]


class OtelAnyValue(TypedDict):
    """An attribute value: one of the keys below (none for a null value)."""

    string_value: NotRequired[str]
    int_value: NotRequired[Int64]
    double_value: NotRequired[float]
    bool_value: NotRequired[bool]
    array_value: NotRequired[OtelArrayValue]
    kvlist_value: NotRequired[OtelKeyValueList]


class OtelArrayValue(TypedDict):
    """A list of values."""

    values: list[OtelAnyValue]


class OtelKeyValue(TypedDict):
    """An attribute: a key and its typed value."""

    key: str
    value: OtelAnyValue


class OtelKeyValueList(TypedDict):
    """A map of values, as a list of key-value pairs."""

    values: list[OtelKeyValue]


class OtelSpanEvent(TypedDict):
    """A span event (exceptions are events named ``exception``)."""

    time_unix_nano: Int64
    name: str
    attributes: list[OtelKeyValue]


class OtelSpanStatus(TypedDict):
    """A span's status code and message."""

    code: Literal["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"]
    message: str


class OtelSpan(TypedDict):
    """A span; ``parent_span_id`` is absent on root spans, ``end_time_unix_nano`` on open ones."""

    trace_id: str
    span_id: str
    parent_span_id: NotRequired[str]
    name: str
    kind: str
    start_time_unix_nano: Int64
    end_time_unix_nano: NotRequired[Int64]
    attributes: list[OtelKeyValue]
    events: list[OtelSpanEvent]
    status: OtelSpanStatus
