"""Ollama autologging with the real ``ollama`` client against the fake provider's native API."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from importlib import import_module

import ollama
import pytest

import ardea
from ardea.autolog import ollama as ollama_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

MODEL = "llama3.2"
HELLO = [{"role": "user", "content": "hello ollama"}]


@pytest.fixture(autouse=True)
def _reverted(no_genai_patches: None) -> Iterator[None]:
    ollama_autolog.revert()
    yield
    ollama_autolog.revert()


@pytest.fixture
def client(fake_llm: FakeLLMServer) -> ollama.Client:
    fake_llm.reset()
    return ollama.Client(host=fake_llm.base_url)


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    ollama_autolog.autolog()
    with capture_traces() as cap:
        yield cap


def _only(captured: CapturedTraces) -> Span:
    spans = captured.spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def test_chat_span(client: ollama.Client, captured: CapturedTraces) -> None:
    with ardea.start_span("app"):
        response = client.chat(MODEL, HELLO, options={"temperature": 0})
    assert response.message.content == "echo: hello ollama"
    spans = {s.name: s for s in captured.spans()}
    span = spans["Client.chat"]
    assert span.parent_span_id == spans["app"].span_id
    assert (span.span_type, span.status_code) == ("CHAT_MODEL", "OK")
    assert span.inputs == {"model": MODEL, "messages": HELLO, "options": {"temperature": 0}}
    assert span.outputs["message"] == {"role": "assistant", "content": "echo: hello ollama"}
    attrs = span.attributes
    assert (attrs["mlflow.llm.provider"], attrs["mlflow.llm.model"]) == ("ollama", MODEL)
    assert attrs["mlflow.chat.tokenUsage"] == {
        "input_tokens": 2,
        "output_tokens": 3,
        "total_tokens": 5,
    }
    assert "mlflow.llm.cost" not in attrs  # a local model


def test_python_function_tools_and_tool_calls(
    fake_llm: FakeLLMServer, client: ollama.Client, captured: CapturedTraces
) -> None:
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    fake_llm.queue_chat(tool_calls=[{"name": "add", "arguments": {"a": 1, "b": 2}}])
    response = client.chat(model=MODEL, messages=HELLO, tools=[add])
    assert response.message.tool_calls[0].function.name == "add"
    span = _only(captured)
    tool = {"type": "function", "function": {"name": "add", "description": "Add two numbers."}}
    assert span.attributes["mlflow.chat.tools"] == [tool]
    assert span.inputs["tools"] == [tool]
    call = span.outputs["message"]["tool_calls"][0]
    assert call["function"] == {"name": "add", "arguments": {"a": 1, "b": 2}}


def test_chat_stream_assembles_the_message(client: ollama.Client, captured: CapturedTraces) -> None:
    stream = client.chat(model=MODEL, messages=HELLO, stream=True)
    assert captured.spans() == []  # still open
    text = "".join(part.message.content or "" for part in stream)
    assert text == "echo: hello ollama"
    span = _only(captured)
    assert span.outputs["message"]["content"] == text
    assert span.outputs["done"] is True
    assert span.attributes["mlflow.chat.tokenUsage"]["total_tokens"] == 5


def test_generate_and_embed(client: ollama.Client, captured: CapturedTraces) -> None:
    assert client.generate(MODEL, "hi there").response == "echo: hi there"
    assert len(client.embed(model="nomic-embed-text", input=["a", "b c"]).embeddings) == 2
    gen, emb = captured.spans()
    assert (gen.name, gen.span_type) == ("Client.generate", "LLM")
    assert gen.inputs == {"model": MODEL, "prompt": "hi there"}
    assert gen.outputs["response"] == "echo: hi there"
    assert gen.attributes["mlflow.chat.tokenUsage"]["output_tokens"] == 3
    assert (emb.name, emb.span_type) == ("Client.embed", "EMBEDDING")
    assert emb.outputs["embeddings"] == [{"dimensions": 8}, {"dimensions": 8}]
    assert emb.attributes["mlflow.chat.tokenUsage"]["input_tokens"] == 3


def test_async_chat_and_generate_stream(fake_llm: FakeLLMServer, captured: CapturedTraces) -> None:
    fake_llm.reset()

    async def main() -> str:
        aclient = ollama.AsyncClient(host=fake_llm.base_url)
        response = await aclient.chat(model=MODEL, messages=HELLO)
        stream = await aclient.generate(model=MODEL, prompt="async gen", stream=True)
        pieces = [part.response async for part in stream]
        return str(response.message.content) + "|" + "".join(pieces)

    assert asyncio.run(main()) == "echo: hello ollama|echo: async gen"
    chat, gen = captured.spans()
    assert (chat.name, gen.name) == ("AsyncClient.chat", "AsyncClient.generate")
    assert gen.outputs["response"] == "echo: async gen"
    assert gen.attributes["mlflow.chat.tokenUsage"]["total_tokens"] == 5


def test_error_propagates_and_marks_the_span(
    fake_llm: FakeLLMServer, client: ollama.Client, captured: CapturedTraces
) -> None:
    fake_llm.queue_error(404, "model 'nope' not found")
    with pytest.raises(ollama.ResponseError, match="not found"):
        client.chat(model="nope", messages=HELLO)
    assert _only(captured).status_code == "ERROR"


def test_disable_stops_tracing(client: ollama.Client, captured: CapturedTraces) -> None:
    ollama_autolog.autolog(disable=True)
    assert not ollama_autolog.is_enabled()
    client.chat(model=MODEL, messages=HELLO)
    assert captured.spans() == []


def test_broken_library_shape_warns_once_and_the_call_succeeds(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, client: ollama.Client
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    monkeypatch.delattr(import_module("ollama._client").Client, "embed")
    ollama_autolog.autolog()
    text = "ollama autolog (patching Client.embed)"
    assert len([r for r in caplog.records if text in r.getMessage()]) == 1
    with capture_traces() as cap:
        assert client.chat(model=MODEL, messages=HELLO).message.content == "echo: hello ollama"
    assert [s.name for s in cap.spans()] == ["Client.chat"]
