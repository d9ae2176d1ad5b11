"""Finished OTel spans -> Ardea spans on the SDK's embedded path: the same normalization,
kinds and links as OTLP ingest."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, SpanKind

from ardea.tracing.context import TraceMeta
from ardea.tracing.convert import to_span


@pytest.fixture
def finished() -> Iterator[dict[str, ReadableSpan]]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("upstream") as upstream:
        upstream.set_attribute("mlflow.spanType", json.dumps("AGENT"))
    with tracer.start_as_current_span(
        "consumer",
        kind=SpanKind.CONSUMER,
        links=[Link(upstream.get_span_context(), {"tags": ("a", "b")})],
    ) as consumer:
        consumer.set_attribute("traceloop.span.kind", json.dumps("tool"))
        consumer.set_attribute("traceloop.entity.input", json.dumps("Hello"))
        consumer.set_attribute("count", "5")
    yield {s.name: s for s in memory.get_finished_spans()}
    provider.shutdown()


def _meta(span: ReadableSpan) -> TraceMeta:
    assert span.context is not None
    return TraceMeta(f"tr-{span.context.trace_id:032x}", "0", None)


def test_attributes_are_decoded_and_mapped_as_on_otlp_ingest(
    finished: dict[str, ReadableSpan],
) -> None:
    span = to_span(finished["consumer"], _meta(finished["consumer"]))
    assert span.span_type == "TOOL"
    assert span.inputs == "Hello"
    assert span.attributes["count"] == "5"  # not a JSON string, object or array: kept
    assert to_span(finished["upstream"], _meta(finished["upstream"])).span_type == "AGENT"


def test_kind_and_links_are_kept(finished: dict[str, ReadableSpan]) -> None:
    upstream = finished["upstream"].context
    assert upstream is not None
    span = to_span(finished["consumer"], _meta(finished["consumer"]))
    assert span.kind == "CONSUMER"
    (link,) = span.links
    assert (link.trace_id, link.span_id) == (
        f"tr-{upstream.trace_id:032x}",
        f"{upstream.span_id:016x}",
    )
    assert link.attributes == {"tags": ["a", "b"]}
    assert to_span(finished["upstream"], _meta(finished["upstream"])).kind == "INTERNAL"
