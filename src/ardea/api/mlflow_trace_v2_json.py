"""MLflow's legacy (v2) trace messages: ``TraceInfo`` and the StartTrace / EndTrace requests.

Clients fall back to them when StartTraceV3 answers ``ENDPOINT_NOT_FOUND`` (old servers),
and MLflow's own REST suite still calls them. A v2 ``TraceInfo`` is a flat record: the
``request_id`` (the trace id), ``experiment_id``, ``timestamp_ms`` and ``execution_time_ms``
(epoch milliseconds, numbers), a ``status`` (``TraceStatus`` names) and ``request_metadata``
and ``tags`` as lists of ``{key, value}``. Pure: no web framework.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ardea.api.request_parsing import Field, RequestSpec
from ardea.entities import TraceInfo, TraceState

__all__ = [
    "END_TRACE_V2",
    "GET_TRACE_INFO_V2",
    "SEARCH_TRACES_V2",
    "START_TRACE_V2",
    "TRACE_STATUS",
    "key_values",
    "state_from_status",
    "trace_info_v2_to_json",
]

TRACE_STATUS = {"TRACE_STATUS_UNSPECIFIED": 0, "OK": 1, "ERROR": 2, "IN_PROGRESS": 3}
"""MLflow's v2 ``TraceStatus`` enum: name -> proto number."""

_STATUS_OF_STATE = {TraceState.STATE_UNSPECIFIED.value: "TRACE_STATUS_UNSPECIFIED"}
_STATE_OF_STATUS = {"TRACE_STATUS_UNSPECIFIED": TraceState.STATE_UNSPECIFIED.value}

_S, _SR, _I = Field("string"), Field("string", required=True), Field("int64")
_KV = RequestSpec("KeyValue", {"key": _SR, "value": _S}, {})
_KVS = Field("message", repeated=True, message=_KV)

START_TRACE_V2 = RequestSpec(
    "StartTrace",
    {"experiment_id": _SR, "timestamp_ms": _I, "request_metadata": _KVS, "tags": _KVS},
    {},
)
"""StartTrace (``POST /api/2.0/mlflow/traces``)."""
END_TRACE_V2 = RequestSpec(
    "EndTrace",
    {
        "request_id": _S,
        "timestamp_ms": _I,
        "status": Field("enum", enum=TRACE_STATUS),
        "request_metadata": _KVS,
        "tags": _KVS,
    },
    {},
)
"""EndTrace (``PATCH /api/2.0/mlflow/traces/{request_id}``; the id is in the path)."""
GET_TRACE_INFO_V2 = RequestSpec("GetTraceInfo", {"request_id": _S}, {})
"""GetTraceInfo (``GET /api/2.0/mlflow/traces/{request_id}/info``)."""
SEARCH_TRACES_V2 = RequestSpec(
    "SearchTraces",
    {
        "experiment_ids": Field("string", required=True, repeated=True),
        "filter": _S,
        "max_results": _I,
        "order_by": Field("string", repeated=True),
        "page_token": _S,
    },
    {},
)
"""SearchTraces (``GET /api/2.0/mlflow/traces``)."""


def key_values(items: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Parsed ``[{key, value}]`` as a dict (a missing value is ``""``, the last key wins)."""
    return {str(item["key"]): str(item.get("value") or "") for item in items}


def state_from_status(status: str | None) -> str:
    """A v2 ``TraceStatus`` name as a v3 trace state (None: unspecified)."""
    if status is None:
        return TraceState.STATE_UNSPECIFIED.value
    return _STATE_OF_STATUS.get(status, status)


def trace_info_v2_to_json(info: TraceInfo) -> dict[str, Any]:
    """A stored trace record as MLflow's v2 ``TraceInfo`` JSON (no metadata added)."""
    return {
        "request_id": info.trace_id,
        "experiment_id": info.experiment_id,
        "timestamp_ms": info.request_time,
        "execution_time_ms": info.execution_duration or 0,
        "status": _STATUS_OF_STATE.get(info.state, info.state),
        "request_metadata": [{"key": k, "value": v} for k, v in info.trace_metadata.items()],
        "tags": [{"key": k, "value": v} for k, v in info.tags.items()],
    }
