"""ardea.llm calls inside a trace become CHAT_MODEL/EMBEDDING spans; outside, none."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_TESTS = str(Path(__file__).resolve().parents[2])
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from ardea.llm import get_client, hooks  # noqa: E402
from ardea.llm.errors import ProviderError  # noqa: E402
from ardea.tracing import start_span  # noqa: E402
from ardea.tracing.exporters import InMemoryExporter  # noqa: E402
from fixtures.fake_llm_server import FakeLLMServer, fake_llm  # noqa: E402, F401


@pytest.fixture
def llm(fake_llm: FakeLLMServer) -> FakeLLMServer:  # noqa: F811
    fake_llm.reset()
    return fake_llm


def _spans(exporter: InMemoryExporter) -> dict[str, object]:
    from ardea.tracing import provider

    provider.flush()
    return {s.name: s for s in exporter.entity_spans()}


def test_a_chat_inside_a_trace_is_a_child_span(
    exporter: InMemoryExporter, llm: FakeLLMServer
) -> None:
    llm.queue_chat("fine", input_tokens=1000, output_tokens=100)
    client = get_client("openai:/gpt-4o-mini", base_url=llm.openai_base_url, api_key="k")
    with start_span("agent"):
        client.chat([{"role": "user", "content": "how are you"}], temperature=0)
    spans = _spans(exporter)
    span = spans["openai.chat"]
    assert span.parent_span_id == spans["agent"].span_id  # type: ignore[attr-defined]
    attrs = span.attributes  # type: ignore[attr-defined]
    assert attrs["mlflow.spanType"] == "CHAT_MODEL"
    assert attrs["mlflow.llm.model"] == "gpt-4o-mini" and attrs["mlflow.llm.provider"] == "openai"
    assert attrs["mlflow.chat.tokenUsage"] == {"input_tokens": 1000, "output_tokens": 100,
                                               "total_tokens": 1100}  # fmt: skip
    assert attrs["mlflow.llm.cost"]["total_cost"] == pytest.approx((1000 * 0.15 + 100 * 0.6) / 1e6)
    assert attrs["mlflow.spanInputs"]["messages"] == [{"role": "user", "content": "how are you"}]
    assert attrs["mlflow.spanOutputs"]["choices"][0]["message"]["content"] == "fine"
    assert attrs["gen_ai.usage.input_tokens"] == 1000
    assert attrs["gen_ai.operation.name"] == "chat"
    assert span.status_code == "OK"  # type: ignore[attr-defined]


def test_embeddings_and_errors_are_spans_too(
    exporter: InMemoryExporter, llm: FakeLLMServer
) -> None:
    client = get_client("openai:/text-embedding-3-small", base_url=llm.openai_base_url,
                        api_key="k2", max_retries=0)  # fmt: skip
    llm.queue_error(400, "bad request")
    with start_span("rag"):
        client.embed(["a", "b"])
        with pytest.raises(ProviderError):
            client.chat("x")
    spans = _spans(exporter)
    assert spans["openai.embeddings"].attributes["mlflow.spanType"] == "EMBEDDING"  # type: ignore[attr-defined]
    assert spans["openai.chat"].status_code == "ERROR"  # type: ignore[attr-defined]


def test_no_span_outside_a_trace(exporter: InMemoryExporter, llm: FakeLLMServer) -> None:
    get_client("openai:/gpt-4o", base_url=llm.openai_base_url, api_key="k").chat("hi")
    assert _spans(exporter) == {}


def test_a_failing_observer_never_breaks_the_call(
    llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")

    def broken(info: hooks.CallInfo) -> None:
        raise RuntimeError("telemetry is down")

    hooks.add_observer(broken)
    try:
        result = get_client("openai:/gpt-4o", base_url=llm.openai_base_url, api_key="k").chat("hi")
    finally:
        hooks.remove_observer(broken)
    assert result.text == "echo: hi"


def test_a_stream_is_one_span_with_its_usage_when_it_ends(
    exporter: InMemoryExporter, llm: FakeLLMServer
) -> None:
    client = get_client("openai:/gpt-4o-mini", base_url=llm.openai_base_url, api_key="k3")
    llm.queue_chat("a streamed answer", input_tokens=40, output_tokens=3)
    with start_span("agent"), client.stream("hi") as stream:
        text = "".join(c.text for c in stream)
    span = _spans(exporter)["openai.chat"]
    attrs = span.attributes  # type: ignore[attr-defined]
    assert text == "a streamed answer" and span.status_code == "OK"  # type: ignore[attr-defined]
    assert attrs["mlflow.chat.tokenUsage"]["input_tokens"] == 40
    assert attrs["mlflow.spanInputs"]["stream"] is True
    assert attrs["mlflow.spanOutputs"]["choices"][0]["message"]["content"] == text
    assert attrs["ardea.llm.stream"] is True and attrs["ardea.llm.stream.partial"] is False
    assert attrs["ardea.llm.stream.time_to_first_chunk_s"] >= 0


def test_an_abandoned_or_failed_stream_records_its_partial_usage(
    exporter: InMemoryExporter, llm: FakeLLMServer
) -> None:
    from ardea.llm.errors import StreamError

    client = get_client("anthropic:/claude-3-5-haiku-20241022", base_url=llm.anthropic_base_url,
                        api_key="k4")  # fmt: skip
    with start_span("abandoned"):
        stream = client.stream("one two three four")
        next(stream)
        del stream
    llm.queue_stream_fault("error", after=4)
    with start_span("failed"), pytest.raises(StreamError):
        client.stream("one two three four").read_all()
    _spans(exporter)  # flushed
    spans = [s for s in exporter.entity_spans() if s.name == "anthropic.chat"]
    assert len(spans) == 2
    for span in spans:
        attrs = span.attributes  # type: ignore[attr-defined]
        assert attrs["ardea.llm.stream.partial"] is True
        assert attrs["mlflow.chat.tokenUsage"]["input_tokens"] == 4
    assert sorted(s.status_code for s in spans) == ["ERROR", "OK"]  # type: ignore[attr-defined]


def test_a_stream_without_usage_records_no_token_counts(
    exporter: InMemoryExporter, llm: FakeLLMServer
) -> None:
    client = get_client("openai:/gpt-4o-mini", base_url=llm.openai_base_url, api_key="k5")
    llm.queue_stream_fault("no_usage")
    with start_span("agent"):
        client.stream("hi").read_all()
    attrs = _spans(exporter)["openai.chat"].attributes  # type: ignore[attr-defined]
    assert attrs["ardea.llm.stream.usage_reported"] is False
    assert "mlflow.chat.tokenUsage" not in attrs and "mlflow.llm.cost" not in attrs
