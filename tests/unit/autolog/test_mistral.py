"""Mistral autologging with the real ``mistralai`` SDK against the fake provider on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from mistralai.client import Mistral
from mistralai.client import chat as mistral_chat
from mistralai.client.errors import MistralError

import ardea
from ardea.autolog import mistral as mistral_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

MODEL = "mistral-small-2503"
HELLO = [{"role": "user", "content": "hello mistral"}]


@pytest.fixture(autouse=True)
def _reverted(no_genai_patches: None) -> Iterator[None]:
    mistral_autolog.revert()
    yield
    mistral_autolog.revert()


@pytest.fixture
def client(fake_llm: FakeLLMServer) -> Mistral:
    fake_llm.reset()
    return Mistral(api_key="mist-secret-key", server_url=fake_llm.base_url)


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    mistral_autolog.autolog()
    with capture_traces() as cap:
        yield cap


def _only(captured: CapturedTraces) -> Span:
    spans = captured.spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def test_complete_span(client: Mistral, captured: CapturedTraces) -> None:
    with ardea.start_span("app"):
        response = client.chat.complete(
            model=MODEL, messages=HELLO, temperature=0.1, http_headers={"x-secret": "hidden"}
        )
    assert response.choices[0].message.content == "echo: hello mistral"
    spans = {s.name: s for s in captured.spans()}
    span = spans["Chat.complete"]
    assert span.parent_span_id == spans["app"].span_id
    assert (span.span_type, span.status_code) == ("CHAT_MODEL", "OK")
    assert span.inputs == {"model": MODEL, "messages": HELLO, "temperature": 0.1}
    assert span.outputs["choices"][0]["message"]["content"] == "echo: hello mistral"
    attrs = span.attributes
    assert (attrs["mlflow.llm.provider"], attrs["mlflow.llm.model"]) == ("mistral", MODEL)
    assert attrs["mlflow.chat.tokenUsage"] == {
        "input_tokens": 2,
        "output_tokens": 3,
        "total_tokens": 5,
    }
    # mistral-small-2503: $0.10 in / $0.30 out per million tokens
    assert attrs["mlflow.llm.cost"]["total_cost"] == pytest.approx((2 * 0.1 + 3 * 0.3) / 1e6)
    assert "mist-secret-key" not in str(attrs) and "hidden" not in str(span.inputs)


def test_tools_and_tool_calls(
    fake_llm: FakeLLMServer, client: Mistral, captured: CapturedTraces
) -> None:
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {
        "type": "object", "properties": {"q": {"type": "string"}}}}}]  # fmt: skip
    fake_llm.queue_chat(tool_calls=[{"name": "lookup", "arguments": {"q": "x"}}])
    response = client.chat.complete(model=MODEL, messages=HELLO, tools=tools)
    assert response.choices[0].message.tool_calls[0].function.name == "lookup"
    span = _only(captured)
    assert span.attributes["mlflow.chat.tools"] == tools
    call = span.outputs["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["name"] == "lookup"


def test_stream_assembles_the_completion(client: Mistral, captured: CapturedTraces) -> None:
    stream = client.chat.stream(model=MODEL, messages=HELLO)
    assert captured.spans() == []  # still open
    with stream as events:
        text = "".join(e.data.choices[0].delta.content or "" for e in events if e.data.choices)
    assert text == "echo: hello mistral"
    span = _only(captured)
    assert span.name == "Chat.stream"
    assert span.outputs["choices"][0]["message"]["content"] == text
    assert span.attributes["mlflow.chat.tokenUsage"]["total_tokens"] == 5
    assert span.attributes["mlflow.llm.cost"]["total_cost"] > 0


def test_async_complete_and_stream(client: Mistral, captured: CapturedTraces) -> None:
    async def main() -> str:
        r = await client.chat.complete_async(model=MODEL, messages=HELLO)
        stream = await client.chat.stream_async(model=MODEL, messages=HELLO)
        pieces = [e.data.choices[0].delta.content or "" async for e in stream if e.data.choices]
        return str(r.choices[0].message.content) + "|" + "".join(pieces)

    assert asyncio.run(main()) == "echo: hello mistral|echo: hello mistral"
    spans = captured.spans()
    assert sorted(s.name for s in spans) == ["Chat.complete_async", "Chat.stream_async"]
    assert all(s.attributes["mlflow.chat.tokenUsage"]["total_tokens"] == 5 for s in spans)


def test_embeddings(client: Mistral, captured: CapturedTraces) -> None:
    result = client.embeddings.create(model="mistral-embed", inputs=["a b", "c"])
    assert len(result.data) == 2
    span = _only(captured)
    assert (span.name, span.span_type) == ("Embeddings.create", "EMBEDDING")
    assert [d["dimensions"] for d in span.outputs["data"]] == [8, 8]
    assert span.attributes["mlflow.chat.tokenUsage"]["input_tokens"] == 3


def test_api_error_propagates_and_marks_the_span(
    fake_llm: FakeLLMServer, client: Mistral, captured: CapturedTraces
) -> None:
    fake_llm.queue_error(400, "bad request")
    with pytest.raises(MistralError):
        client.chat.complete(model=MODEL, messages=HELLO)
    assert _only(captured).status_code == "ERROR"


def test_disable_stops_tracing(client: Mistral, captured: CapturedTraces) -> None:
    mistral_autolog.autolog(disable=True)
    assert not mistral_autolog.is_enabled()
    client.chat.complete(model=MODEL, messages=HELLO)
    assert captured.spans() == []


def test_broken_library_shape_warns_once_and_the_call_succeeds(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, client: Mistral
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    monkeypatch.delattr(mistral_chat.Chat, "stream")
    mistral_autolog.autolog()
    text = "mistral autolog (patching Chat.stream)"
    assert len([r for r in caplog.records if text in r.getMessage()]) == 1
    with capture_traces() as cap:
        response = client.chat.complete(model=MODEL, messages=HELLO)
    assert response.choices[0].message.content == "echo: hello mistral"
    assert [s.name for s in cap.spans()] == ["Chat.complete"]
