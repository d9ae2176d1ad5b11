"""Legacy v2 trace messages: ``TraceInfo`` as the ``mlflow`` client reads it, status names."""

from __future__ import annotations

from google.protobuf.json_format import ParseDict

from ardea.api.mlflow_trace_v2_json import key_values, state_from_status, trace_info_v2_to_json
from ardea.entities import TraceInfo


def test_trace_info_v2_parses_in_mlflow() -> None:
    from mlflow.entities.trace_info_v2 import TraceInfoV2
    from mlflow.protos.service_pb2 import TraceInfo as ProtoTraceInfo

    info = TraceInfo(
        "abc", "3", 1000, None, "IN_PROGRESS", trace_metadata={"m": "1"}, tags={"t": "2"}
    )
    doc = trace_info_v2_to_json(info)
    parsed = TraceInfoV2.from_proto(ParseDict(doc, ProtoTraceInfo()))
    assert (parsed.request_id, parsed.experiment_id, parsed.timestamp_ms) == ("abc", "3", 1000)
    assert (parsed.execution_time_ms, parsed.status.value) == (0, "IN_PROGRESS")
    assert (parsed.request_metadata, parsed.tags) == ({"m": "1"}, {"t": "2"})
    unspecified = trace_info_v2_to_json(TraceInfo("abc", "3", 1, 5, "STATE_UNSPECIFIED"))
    assert unspecified["status"] == "TRACE_STATUS_UNSPECIFIED"


def test_statuses_and_key_values() -> None:
    assert state_from_status("TRACE_STATUS_UNSPECIFIED") == "STATE_UNSPECIFIED"
    assert state_from_status(None) == "STATE_UNSPECIFIED"
    assert state_from_status("ERROR") == "ERROR"
    assert key_values([{"key": "a", "value": None}, {"key": "b", "value": "1"}]) == {
        "a": "",
        "b": "1",
    }
