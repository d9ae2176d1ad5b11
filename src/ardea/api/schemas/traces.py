"""MLflow v3 trace answers (``/mlflow/traces*``), as ``mlflow_trace_json``.

``request_time`` is an RFC 3339 string and ``execution_duration`` a protobuf Duration
(``"0.077s"``).
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.assessments import Assessment
from ardea.api.schemas.common import Int64, KeyValue
from ardea.api.schemas.spans import OtelSpan

__all__ = [
    "BatchGetTraceInfosResponse",
    "BatchGetTracesResponse",
    "DeleteTracesResponse",
    "ExperimentLocation",
    "GetTraceInfoResponse",
    "GetTraceResponse",
    "SearchTracesResponse",
    "Trace",
    "TraceInfo",
    "TraceInfoOnly",
    "TraceLocation",
    "TraceState",
    "TraceInfoV2",
    "TraceInfoV2Response",
    "SearchTracesV2Response",
    "TraceStatusV2",
]

TraceState = Literal["STATE_UNSPECIFIED", "OK", "ERROR", "IN_PROGRESS"]
"""The outcome of a trace."""


class ExperimentLocation(TypedDict):
    """The experiment a trace belongs to."""

    experiment_id: str


class TraceLocation(TypedDict):
    """Where a trace lives (always an experiment on this server)."""

    type: Literal["MLFLOW_EXPERIMENT"]
    mlflow_experiment: ExperimentLocation


class TraceInfo(TypedDict):
    """MLflow's ``TraceInfoV3``, with the trace's assessments.

    ``trace_metadata`` also carries the token usage, cost, session and user the server added
    up from the spans (``mlflow.trace.tokenUsage``, ``mlflow.trace.cost``,
    ``mlflow.trace.session``, ``mlflow.trace.user``).
    """

    trace_id: str
    client_request_id: NotRequired[str]
    trace_location: TraceLocation
    request_time: str
    execution_duration: NotRequired[str]
    state: TraceState
    request_preview: NotRequired[str]
    response_preview: NotRequired[str]
    trace_metadata: dict[str, str]
    tags: dict[str, str]
    assessments: list[Assessment]


class TraceInfoOnly(TypedDict):
    """A trace without its spans."""

    trace_info: TraceInfo


class Trace(TypedDict):
    """A trace with all its spans."""

    trace_info: TraceInfo
    spans: list[OtelSpan]


class GetTraceInfoResponse(TypedDict):
    """GetTraceInfoV3 and StartTraceV3."""

    trace: TraceInfoOnly


class GetTraceResponse(TypedDict):
    """GetTrace: the trace and every span."""

    trace: Trace


class BatchGetTracesResponse(TypedDict):
    """BatchGetTraces: the traces found (unknown ids are left out)."""

    traces: list[Trace]


class BatchGetTraceInfosResponse(TypedDict):
    """BatchGetTraceInfos: the infos found (unknown ids are left out)."""

    trace_infos: list[TraceInfo]


class SearchTracesResponse(TypedDict):
    """SearchTracesV3: one page; ``next_page_token`` only when more follow."""

    traces: list[TraceInfo]
    next_page_token: NotRequired[str]


class DeleteTracesResponse(TypedDict):
    """DeleteTraces: how many traces were deleted."""

    traces_deleted: Int64


TraceStatusV2 = Literal["TRACE_STATUS_UNSPECIFIED", "OK", "ERROR", "IN_PROGRESS"]
"""The outcome of a trace, in MLflow's legacy v2 names."""


class TraceInfoV2(TypedDict):
    """MLflow's legacy v2 ``TraceInfo``: times in epoch milliseconds, key-value lists.

    ``execution_time_ms`` is 0 while the trace is in progress.
    """

    request_id: str
    experiment_id: str
    timestamp_ms: Int64
    execution_time_ms: Int64
    status: TraceStatusV2
    request_metadata: list[KeyValue]
    tags: list[KeyValue]


class TraceInfoV2Response(TypedDict):
    """StartTrace, EndTrace and GetTraceInfo (v2)."""

    trace_info: TraceInfoV2


class SearchTracesV2Response(TypedDict):
    """SearchTraces (v2): one page; ``next_page_token`` only when more follow."""

    traces: list[TraceInfoV2]
    next_page_token: NotRequired[str]
