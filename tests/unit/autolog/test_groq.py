"""Groq autologging with the real ``groq`` SDK against the fake provider on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import groq
import pytest
from groq.resources.chat import completions as groq_completions

import ardea
from ardea.autolog import groq as groq_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

MODEL = "llama-3.1-8b-instant"
HELLO = [{"role": "user", "content": "hello groq"}]


@pytest.fixture(autouse=True)
def _reverted(no_genai_patches: None) -> Iterator[None]:
    groq_autolog.revert()
    yield
    groq_autolog.revert()


@pytest.fixture
def client(fake_llm: FakeLLMServer) -> Iterator[groq.Groq]:
    fake_llm.reset()
    c = groq.Groq(base_url=fake_llm.base_url, api_key="gsk-secret-key", max_retries=0)
    yield c
    c.close()


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    groq_autolog.autolog()
    with capture_traces() as cap:
        yield cap


def _only(captured: CapturedTraces) -> Span:
    spans = captured.spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def test_chat_completion_span(
    fake_llm: FakeLLMServer, client: groq.Groq, captured: CapturedTraces
) -> None:
    with ardea.start_span("app"):
        response = client.chat.completions.create(model=MODEL, messages=HELLO, temperature=0)
    assert response.choices[0].message.content == "echo: hello groq"
    assert fake_llm.requests[0].path == "/openai/v1/chat/completions"
    spans = {s.name: s for s in captured.spans()}
    span = spans["Completions"]
    assert span.parent_span_id == spans["app"].span_id
    assert (span.span_type, span.status_code) == ("CHAT_MODEL", "OK")
    assert span.inputs == {"model": MODEL, "messages": HELLO, "temperature": 0}
    assert span.outputs["choices"][0]["message"]["content"] == "echo: hello groq"
    attrs = span.attributes
    assert (attrs["mlflow.llm.provider"], attrs["mlflow.llm.model"]) == ("groq", MODEL)
    assert attrs["mlflow.chat.tokenUsage"] == {
        "input_tokens": 2,
        "output_tokens": 3,
        "total_tokens": 5,
    }
    # llama-3.1-8b-instant on Groq: $0.05 in / $0.08 out per million tokens
    assert attrs["mlflow.llm.cost"]["total_cost"] == pytest.approx((2 * 0.05 + 3 * 0.08) / 1e6)
    assert "gsk-secret-key" not in str(attrs) + str(span.inputs)


def test_tools_and_tool_calls(
    fake_llm: FakeLLMServer, client: groq.Groq, captured: CapturedTraces
) -> None:
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {
        "type": "object", "properties": {"q": {"type": "string"}}}}}]  # fmt: skip
    fake_llm.queue_chat(tool_calls=[{"name": "lookup", "arguments": {"q": "x"}}])
    client.chat.completions.create(model=MODEL, messages=HELLO, tools=tools)
    span = _only(captured)
    assert span.attributes["mlflow.chat.tools"] == tools
    call = span.outputs["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["name"] == "lookup"


def test_stream_reads_the_usage_from_x_groq(client: groq.Groq, captured: CapturedTraces) -> None:
    stream = client.chat.completions.create(model=MODEL, messages=HELLO, stream=True)
    assert captured.spans() == []  # still open
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == "echo: hello groq"
    span = _only(captured)
    assert span.outputs["choices"][0]["message"]["content"] == text
    assert span.attributes["mlflow.chat.tokenUsage"]["total_tokens"] == 5
    assert span.attributes["mlflow.llm.cost"]["total_cost"] > 0


def test_async_create_and_stream(fake_llm: FakeLLMServer, captured: CapturedTraces) -> None:
    fake_llm.reset()

    async def main() -> str:
        async with groq.AsyncGroq(base_url=fake_llm.base_url, api_key="k", max_retries=0) as c:
            r = await c.chat.completions.create(model=MODEL, messages=HELLO)
            stream = await c.chat.completions.create(model=MODEL, messages=HELLO, stream=True)
            pieces = [ch.choices[0].delta.content or "" async for ch in stream if ch.choices]
            return (r.choices[0].message.content or "") + "|" + "".join(pieces)

    assert asyncio.run(main()) == "echo: hello groq|echo: hello groq"
    spans = captured.spans()
    assert [s.name for s in spans] == ["AsyncCompletions", "AsyncCompletions"]
    assert all(s.attributes["mlflow.chat.tokenUsage"]["total_tokens"] == 5 for s in spans)


def test_embeddings(client: groq.Groq, captured: CapturedTraces) -> None:
    result = client.embeddings.create(model="nomic-embed-text-v1_5", input=["a b", "c"])
    assert len(result.data) == 2
    span = _only(captured)
    assert (span.name, span.span_type) == ("Embeddings", "EMBEDDING")
    assert [d["dimensions"] for d in span.outputs["data"]] == [8, 8]
    assert span.attributes["mlflow.chat.tokenUsage"]["input_tokens"] == 3


def test_api_error_propagates_and_marks_the_span(
    fake_llm: FakeLLMServer, client: groq.Groq, captured: CapturedTraces
) -> None:
    fake_llm.queue_error(400, "bad request")
    with pytest.raises(groq.BadRequestError):
        client.chat.completions.create(model=MODEL, messages=HELLO)
    assert _only(captured).status_code == "ERROR"


def test_disable_stops_tracing(client: groq.Groq, captured: CapturedTraces) -> None:
    groq_autolog.autolog(disable=True)
    assert not groq_autolog.is_enabled()
    client.chat.completions.create(model=MODEL, messages=HELLO)
    assert captured.spans() == []


def test_broken_library_shape_warns_once_and_the_call_succeeds(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, client: groq.Groq
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    monkeypatch.delattr(groq_completions.Completions, "create")
    groq_autolog.autolog()
    text = "groq autolog (patching Completions.create"
    assert len([r for r in caplog.records if text in r.getMessage()]) == 1
    monkeypatch.undo()  # the library is back, unpatched: the call runs untraced
    with capture_traces() as cap:
        response = client.chat.completions.create(model=MODEL, messages=HELLO)
    assert response.choices[0].message.content == "echo: hello groq"
    assert cap.spans() == []
