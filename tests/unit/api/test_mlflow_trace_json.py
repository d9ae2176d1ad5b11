"""MLflow v3 trace JSON shapes, checked against the ``mlflow`` client's own parsers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.api.mlflow_trace_json import (
    assessment_from_json,
    assessment_to_json,
    duration_to_json,
    parse_duration_ms,
    parse_timestamp_ms,
    span_from_traces_json,
    span_to_traces_json,
    timestamp_to_json,
    trace_info_from_json,
    trace_info_to_json,
    trace_to_json,
)
from ardea.entities import Span, SpanEvent, TraceInfo
from ardea.entities.assessment import Assessment

T = "0af7651916cd43dd8448eb211c80319c"
TR = "tr-" + T

SPAN = Span(
    trace_id=TR,
    span_id="00f067aa0ba902b7",
    parent_span_id="b7ad6b7169203331",
    name="llm",
    span_type="CHAT_MODEL",
    status_code="ERROR",
    status_message="boom",
    start_time_ns=1_700_000_000_000_000_000,
    end_time_ns=1_700_000_000_250_000_000,
    attributes={
        "mlflow.spanType": "CHAT_MODEL",
        "mlflow.spanInputs": {"messages": [{"role": "user", "content": "hi"}], "n": 2},
        "mlflow.spanOutputs": "hello",
        "mlflow.traceRequestId": TR,
        "flag": True,
        "ratio": 0.5,
        "tags": ["a", "b"],
        "none": None,
    },
    events=[SpanEvent("exception", 1_700_000_000_100_000_000, {"exception.type": "E"})],
)
INFO = TraceInfo(
    trace_id=TR,
    experiment_id="7",
    request_time=1_764_128_322_662,
    execution_duration=77,
    state="ERROR",
    request_preview='{"q": 1}',
    response_preview="ok",
    client_request_id="client-1",
    trace_metadata={"mlflow.user": "bob"},
    tags={"env": "test"},
    assessments=[
        Assessment(
            assessment_id="a-" + "1" * 32,
            trace_id=TR,
            name="correctness",
            kind="feedback",
            value=True,
            create_time=1_764_128_322_662,
            last_update_time=1_764_128_322_700,
        )
    ],
)

mlflow = pytest.importorskip("mlflow")


def test_time_and_duration_formats() -> None:
    assert timestamp_to_json(1_764_128_322_662) == "2025-11-26T03:38:42.662Z"
    assert parse_timestamp_ms("2025-11-26T03:38:42.662Z", "t") == 1_764_128_322_662
    assert parse_timestamp_ms("2025-11-26T03:38:42.662123456Z", "t") == 1_764_128_322_662
    assert parse_timestamp_ms("2025-11-26T04:38:42+01:00", "t") == 1_764_128_322_000
    assert parse_timestamp_ms(5, "t") == 5
    assert duration_to_json(77) == "0.077s"
    assert duration_to_json(12_345) == "12.345s"
    assert parse_duration_ms("0.077s", "d") == 77
    assert parse_duration_ms("3s", "d") == 3000
    for bad in ("tomorrow", "2025-13-45T00:00:00Z", True, None):
        with pytest.raises(InvalidArgumentError):
            parse_timestamp_ms(bad, "t")
    with pytest.raises(InvalidArgumentError):
        parse_duration_ms("77ms", "d")


def test_trace_info_round_trips_and_parses_in_mlflow() -> None:
    from google.protobuf.json_format import ParseDict
    from mlflow.entities import TraceInfo as MlflowTraceInfo
    from mlflow.protos.service_pb2 import TraceInfoV3

    doc = trace_info_to_json(INFO)
    back = trace_info_from_json(doc)
    assert back.trace_id == TR and back.experiment_id == "7"
    assert (back.request_time, back.execution_duration, back.state) == (
        INFO.request_time,
        77,
        "ERROR",
    )
    assert back.tags == INFO.tags and back.trace_metadata == INFO.trace_metadata
    assert back.client_request_id == "client-1"
    assert [(a.assessment_id, a.trace_id, a.value) for a in back.assessments] == [
        (a.assessment_id, TR, a.value) for a in INFO.assessments
    ]

    parsed = MlflowTraceInfo.from_proto(ParseDict(json.loads(json.dumps(doc)), TraceInfoV3()))
    assert parsed.trace_id == TR
    assert parsed.experiment_id == "7"
    assert parsed.request_time == INFO.request_time
    assert parsed.execution_duration == 77
    assert parsed.state.value == "ERROR"
    assert parsed.assessments[0].value is True


def test_spans_parse_in_mlflow_from_otel_proto_json() -> None:
    from google.protobuf.json_format import ParseDict
    from mlflow.entities import Trace as MlflowTrace
    from mlflow.protos.service_pb2 import Trace as ProtoTrace

    doc = trace_to_json(INFO, [SPAN])
    trace = MlflowTrace.from_proto(ParseDict(json.loads(json.dumps(doc)), ProtoTrace()))
    (span,) = trace.data.spans
    assert span.trace_id == TR
    assert (span.span_id, span.parent_id) == (SPAN.span_id, SPAN.parent_span_id)
    assert span.span_type == "CHAT_MODEL"
    assert span.inputs == SPAN.attributes["mlflow.spanInputs"]
    assert span.outputs == "hello"
    assert span.get_attribute("flag") is True
    assert span.get_attribute("ratio") == 0.5
    assert span.get_attribute("tags") == ["a", "b"]
    assert span.status.status_code.value == "ERROR"
    assert span.status.description == "boom"
    assert (span.start_time_ns, span.end_time_ns) == (SPAN.start_time_ns, SPAN.end_time_ns)
    assert span.events[0].attributes == {"exception.type": "E"}


def test_traces_json_round_trips_and_parses_in_mlflow() -> None:
    from mlflow.entities import Span as MlflowSpan

    doc = span_to_traces_json(SPAN)
    assert doc["attributes"]["mlflow.spanType"] == '"CHAT_MODEL"'
    parsed = MlflowSpan.from_dict(json.loads(json.dumps(doc)))
    assert parsed.inputs == SPAN.attributes["mlflow.spanInputs"]
    assert parsed.parent_id == SPAN.parent_span_id
    back = span_from_traces_json(doc)
    assert back.attributes == SPAN.attributes
    assert (back.span_id, back.parent_span_id, back.status_code) == (
        SPAN.span_id,
        SPAN.parent_span_id,
        "ERROR",
    )
    assert back.span_type == "CHAT_MODEL"
    mlflow_dict = MlflowSpan.from_dict(doc).to_dict()
    assert span_from_traces_json(mlflow_dict).inputs == SPAN.attributes["mlflow.spanInputs"]


@pytest.mark.parametrize(
    "bad",
    [
        "x",
        {"trace_id": "nope", "span_id": "t61rcWkgMzE=", "start_time_unix_nano": 1},
        {"trace_id": "CvdlGRbNQ92ESOshHIAxnA==", "span_id": "x", "start_time_unix_nano": 1},
        {"trace_id": "CvdlGRbNQ92ESOshHIAxnA==", "span_id": "t61rcWkgMzE="},
    ],
)
def test_bad_traces_json_spans_are_invalid(bad: Any) -> None:
    with pytest.raises(InvalidArgumentError):
        span_from_traces_json(bad)


def test_assessments_parse_in_mlflow() -> None:
    from google.protobuf.json_format import ParseDict
    from mlflow.entities import Assessment as MlflowAssessment
    from mlflow.protos.assessments_pb2 import Assessment as ProtoAssessment

    expectation = Assessment(
        assessment_id="a-" + "2" * 32,
        trace_id=TR,
        name="expected",
        kind="expectation",
        value={"answer": [1, 2]},
        source_type="HUMAN",
        source_id="bob",
        create_time=1000,
        last_update_time=2000,
        metadata={"k": "v"},
        span_id="00f067aa0ba902b7",
    )
    for a in (expectation, INFO.assessments[0]):
        doc = assessment_to_json(a)
        parsed = MlflowAssessment.from_proto(ParseDict(doc, ProtoAssessment()))
        assert parsed.name == a.name
        assert parsed.value == a.value
        back = assessment_from_json(doc)
        assert (back.kind, back.value, back.create_time) == (a.kind, a.value, a.create_time)
        assert back.metadata == a.metadata and back.span_id == a.span_id


def test_trace_info_from_json_reads_name_session_user_and_run_where_mlflow_keeps_them() -> None:
    info = trace_info_from_json(
        {
            "trace_id": "tr-" + "a" * 32,
            "trace_location": {"mlflow_experiment": {"experiment_id": "3"}},
            "state": "OK",
            "tags": {"mlflow.traceName": "agent", "env": "prod"},
            "trace_metadata": {
                "mlflow.trace.session": "s-1",
                "mlflow.trace.user": "alice",
                "mlflow.sourceRun": "r1",
            },
        }
    )
    assert (info.name, info.session_id, info.user_id, info.run_id) == (
        "agent",
        "s-1",
        "alice",
        "r1",
    )
    bare = trace_info_from_json(
        {"trace_id": "tr-" + "b" * 32, "trace_location": {}}, default_experiment_id="0"
    )
    assert (bare.name, bare.session_id, bare.user_id, bare.run_id) == (None, None, None, None)


def test_session_and_user_from_span_attributes_are_reported_as_metadata() -> None:
    info = TraceInfo(
        trace_id="tr-" + "c" * 32,
        experiment_id="0",
        request_time=1,
        session_id="s-9",
        user_id="bob",
        trace_metadata={"mlflow.trace.user": "alice"},  # what the client sent wins
    )
    meta = trace_info_to_json(info)["trace_metadata"]
    assert meta["mlflow.trace.session"] == "s-9"
    assert meta["mlflow.trace.user"] == "alice"


def test_embedded_assessments_belong_to_the_trace() -> None:
    doc = trace_info_to_json(INFO)
    doc["assessments"] = [dict(doc["assessments"][0], trace_id="tr-other")]
    doc["assessments"][0].pop("assessment_id")
    (a,) = trace_info_from_json(doc).assessments
    assert (a.trace_id, a.assessment_id) == (TR, "")
    with pytest.raises(InvalidArgumentError, match="assessments"):
        trace_info_from_json({**doc, "assessments": {"a": 1}})
