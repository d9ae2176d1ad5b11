"""Every ingest path normalizes OpenTelemetry GenAI attributes the same way (a contract).

One chat span with ``gen_ai.*`` attributes reaches Ardea three ways: a plain OpenTelemetry SDK
over OTLP to a server, Ardea's SDK to an embedded store, and Ardea's SDK to a server. Each time
the stored span carries the normalized span type, model, provider, token usage and cost, and
the trace its token totals and cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ardea
from ardea.entities import Trace
from ardea.tracing import provider

pytest.importorskip("opentelemetry.exporter.otlp.proto.http")

pytestmark = pytest.mark.slow

GEN_AI = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.usage.input_tokens": 21,
    "gen_ai.usage.output_tokens": 9,
}
USAGE = {"input_tokens": 21, "output_tokens": 9, "total_tokens": 30}


def _plain_otel(url: str, experiment_id: str) -> str:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    tracer_provider = TracerProvider()
    exporter = OTLPSpanExporter(
        endpoint=f"{url}/v1/traces", headers={"x-mlflow-experiment-id": experiment_id}
    )
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    with tracer_provider.get_tracer("t").start_as_current_span("chat gpt-4o-mini") as span:
        span.set_attributes(GEN_AI)
    tracer_provider.shutdown()
    return "tr-" + format(span.get_span_context().trace_id, "032x")


def _ardea_sdk() -> str:
    with ardea.start_span("chat gpt-4o-mini") as span:
        span.set_attributes(GEN_AI)
    trace_id = ardea.get_last_active_trace_id()
    assert trace_id is not None
    ardea.flush()
    return trace_id


@pytest.fixture(params=["otel-to-server", "ardea-embedded", "ardea-to-server"])
def stored(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Trace]:
    """The trace the chat span became, read back from where it was stored."""
    provider.reset()
    if request.param == "ardea-embedded":
        ardea.set_tracking_uri(str(tmp_path / "data"))
    else:
        ardea.set_tracking_uri(request.getfixturevalue("live_server").url)
    provider.configure(schedule_delay=0.05)
    try:
        experiment_id = ardea.set_experiment("genai-paths").experiment_id
        if request.param == "otel-to-server":
            trace_id = _plain_otel(ardea.get_tracking_uri(), experiment_id)
        else:
            trace_id = _ardea_sdk()
        yield ardea.get_trace(trace_id)
    finally:
        provider.reset()
        ardea.set_tracking_uri(None)


def test_the_chat_span_is_normalized_on_every_path(stored: Trace) -> None:
    (span,) = stored.spans
    attrs: dict[str, Any] = span.attributes
    assert span.span_type == "CHAT_MODEL"
    assert attrs["mlflow.llm.model"] == "gpt-4o-mini"
    assert attrs["mlflow.llm.provider"] == "openai"
    assert attrs["mlflow.chat.tokenUsage"] == USAGE
    assert attrs["mlflow.llm.cost"]["total_cost"] > 0
    info = stored.info
    assert info.token_usage is not None
    assert (info.token_usage.input_tokens, info.token_usage.output_tokens) == (21, 9)
    assert info.cost == pytest.approx(attrs["mlflow.llm.cost"]["total_cost"])
