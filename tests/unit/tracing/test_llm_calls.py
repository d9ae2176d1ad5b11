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
