"""Trace records carried on root spans (``mlflow.traceTag.*``, ``mlflow.traceMetadata.*``)."""

from __future__ import annotations

import json

from ardea.services.ingest_otlp import parse_otlp_protobuf
from ardea.services.trace_records import trace_records
from fixtures.otlp_payloads import protobuf_request, span

T1 = "0af7651916cd43dd8448eb211c80319c"
T2 = "4bf92f3577b34da6a3ce929d0e0e4736"
ROOT, CHILD = "b7ad6b7169203331", "00f067aa0ba902b7"


def test_root_attributes_become_a_trace_record_and_plain_traces_none() -> None:
    root_attrs = {
        "mlflow.traceTag.env": json.dumps("123"),
        "mlflow.traceMetadata.mlflow.trace.user": json.dumps("u1"),
        "mlflow.traceRequestPreview": json.dumps("asked"),
        "session.id": "s1",
        "user.id": "u1",
    }
    export = parse_otlp_protobuf(
        protobuf_request(
            [
                span(T1, ROOT, "agent", attributes=root_attrs, status=2),
                span(T1, CHILD, "tool", parent_hex=ROOT, attributes={"mlflow.traceTag.x": "1"}),
                span(T2, ROOT, "plain"),
            ]
        )
    )
    (info,) = trace_records(export, "5")
    assert info.trace_id == "tr-" + T1
    assert info.experiment_id == "5"
    assert info.tags == {"env": "123"}  # a string, though it looks like a number
    assert info.trace_metadata == {"mlflow.trace.user": "u1"}
    assert (info.name, info.state, info.request_preview) == ("agent", "ERROR", "asked")
    assert info.response_preview is None
    assert (info.session_id, info.user_id) == ("s1", "u1")
    assert (info.request_time, info.execution_duration) == (1_700_000_000_000, 500)


def test_each_trace_gets_the_service_of_its_own_resource() -> None:
    # Two serialized requests concatenated parse as one with two resource_spans (protobuf
    # merges repeated fields): what a collector batching two services sends.
    body = protobuf_request(
        [span(T1, ROOT, "checkout")], resource={"service.name": "checkout"}
    ) + protobuf_request([span(T2, ROOT, "search")], resource={"service.name": "search"})
    export = parse_otlp_protobuf(body)
    assert export.resource_attributes["service.name"] == "checkout"  # first one wins here
    by_trace = {i.trace_id: i.trace_metadata for i in trace_records(export, "0")}
    assert by_trace["tr-" + T1]["ardea.service.name"] == "checkout"
    assert by_trace["tr-" + T2]["ardea.service.name"] == "search"
