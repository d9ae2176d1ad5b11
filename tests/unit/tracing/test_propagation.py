"""W3C ``traceparent`` round trip between two "services"."""

from __future__ import annotations

from ardea.tracing import extract, flush, inject_traceparent, start_span
from ardea.tracing.exporters import InMemoryExporter


def test_traceparent_round_trip(exporter: InMemoryExporter) -> None:
    with start_span("client-call") as client:
        headers = inject_traceparent({"Accept": "x"})
    assert headers["Accept"] == "x"
    version, trace_hex, span_hex, flags = headers["traceparent"].split("-")
    assert version == "00" and int(flags, 16) & 1  # sampled
    assert f"tr-{trace_hex}" == client.trace_id and span_hex == client.span_id

    incoming = {"TraceParent": headers["traceparent"]}  # header names are case-insensitive
    with extract(incoming), start_span("server-handler") as server:
        pass
    assert server.trace_id == client.trace_id
    flush()
    handler = next(s for s in exporter.spans if s.name == "server-handler")
    assert f"{handler.parent.span_id:016x}" == client.span_id
    assert handler.parent.is_remote


def test_inject_outside_a_span_adds_nothing(exporter: InMemoryExporter) -> None:
    assert inject_traceparent() == {}


def test_extract_without_header_starts_a_new_trace(exporter: InMemoryExporter) -> None:
    with extract({"traceparent": "garbage"}), start_span("alone"):
        pass
    flush()
    (span,) = exporter.spans
    assert span.parent is None
    assert len(exporter.trace_infos) == 1
