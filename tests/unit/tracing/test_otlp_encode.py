"""The direct OTLP encoder produces what the official OTel encoder produces, byte for byte."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

from ardea.tracing.otlp_encode import encode_request, encode_requests


@pytest.fixture
def spans() -> Iterator[tuple[ReadableSpan, ...]]:
    memory = InMemorySpanExporter()
    tp = TracerProvider(resource=Resource.create({"service.name": "enc", "n": 3}))
    tp.add_span_processor(SimpleSpanProcessor(memory))
    tracer = tp.get_tracer("enc-test", "1.2")
    for i in range(5):
        with tracer.start_as_current_span("root", kind=SpanKind.SERVER) as root:
            root.set_attribute("mlflow.spanType", '"AGENT"')
            root.set_attribute("mlflow.spanInputs", json.dumps({"i": i}))
            root.set_attribute("flag", True)
            root.set_attribute("neg", -5)
            root.set_attribute("ratio", 1.5)
            root.set_attribute("words", ["a", "bé"])
            root.set_attribute("ints", [1, 2**40])
            root.set_attribute("long", "x" * 500)
            for k in range(3):
                link = Link(root.get_span_context(), {"l": 1})
                with tracer.start_as_current_span("tool", links=[link]) as child:
                    child.add_event("ev", {"k": "v", "n": 2})
                    if k == 1:
                        child.set_status(Status(StatusCode.ERROR, "boom"))
    yield memory.get_finished_spans()
    tp.shutdown()


def _by_span_id(request: ExportTraceServiceRequest) -> dict[bytes, tuple[bytes, bytes, bytes]]:
    out = {}
    for rs in request.resource_spans:
        for ss in rs.scope_spans:
            for span in ss.spans:
                out[span.span_id] = (
                    rs.resource.SerializeToString(deterministic=True),
                    ss.scope.SerializeToString(deterministic=True),
                    span.SerializeToString(deterministic=True),
                )
    return out


def test_same_messages_as_the_otel_encoder(spans: tuple[ReadableSpan, ...]) -> None:
    expected = _by_span_id(encode_spans(spans))
    got = _by_span_id(ExportTraceServiceRequest.FromString(encode_request(spans)))
    assert len(expected) == 20
    assert got == expected


def test_extra_attributes_go_on_the_given_span(spans: tuple[ReadableSpan, ...]) -> None:
    root = next(s for s in spans if s.parent is None)
    extra: dict[int, dict[str, Any]] = {root.context.span_id: {"mlflow.traceTag.env": '"x"'}}
    request = ExportTraceServiceRequest.FromString(encode_request(spans, extra))
    tagged = [
        s.span_id
        for rs in request.resource_spans
        for ss in rs.scope_spans
        for s in ss.spans
        if any(kv.key == "mlflow.traceTag.env" for kv in s.attributes)
    ]
    assert tagged == [root.context.span_id.to_bytes(8, "big")]


def test_split_by_size_keeps_every_span_once(spans: tuple[ReadableSpan, ...]) -> None:
    bodies = encode_requests(spans, max_bytes=1500)
    assert len(bodies) > 1
    ids: list[bytes] = []
    for body in bodies:
        ids.extend(_by_span_id(ExportTraceServiceRequest.FromString(body)))
    assert sorted(ids) == sorted(s.context.span_id.to_bytes(8, "big") for s in spans)
    assert encode_requests([]) == []
