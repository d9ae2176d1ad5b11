"""Gemini autologging with the real ``google-genai`` SDK against the fake provider on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from google import genai
from google.genai import models as genai_models
from google.genai import types

import ardea
from ardea.autolog import gemini as gemini_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

MODEL = "gemini-2.5-flash"


@pytest.fixture(autouse=True)
def _reverted(no_genai_patches: None) -> Iterator[None]:
    gemini_autolog.revert()
    yield
    gemini_autolog.revert()


@pytest.fixture
def client(fake_llm: FakeLLMServer) -> genai.Client:
    fake_llm.reset()
    options = types.HttpOptions(base_url=fake_llm.base_url)
    return genai.Client(api_key="gem-secret-key", http_options=options)


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    gemini_autolog.autolog()
    with capture_traces() as cap:
        yield cap


def _only(captured: CapturedTraces) -> Span:
    spans = captured.spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def test_generate_content_span(client: genai.Client, captured: CapturedTraces) -> None:
    with ardea.start_span("app"):
        response = client.models.generate_content(model=MODEL, contents="hello gemini")
    assert response.text == "echo: hello gemini"
    spans = {s.name: s for s in captured.spans()}
    span = spans["Models.generate_content"]
    assert span.parent_span_id == spans["app"].span_id
    assert (span.span_type, span.status_code) == ("CHAT_MODEL", "OK")
    assert span.inputs == {"model": MODEL, "contents": "hello gemini"}
    parts = span.outputs["candidates"][0]["content"]["parts"]
    assert parts == [{"text": "echo: hello gemini"}]
    assert "sdk_http_response" not in span.outputs
    attrs = span.attributes
    assert attrs["mlflow.llm.provider"] == "gemini"
    assert attrs["mlflow.llm.model"] == MODEL
    assert attrs["mlflow.chat.tokenUsage"] == {
        "input_tokens": 2,
        "output_tokens": 3,
        "total_tokens": 5,
    }
    # gemini-2.5-flash: $0.30 in / $2.50 out per million tokens
    assert attrs["mlflow.llm.cost"]["total_cost"] == pytest.approx((2 * 0.3 + 3 * 2.5) / 1e6)
    assert "gem-secret-key" not in str(attrs) + str(span.inputs)


def test_function_declarations_and_calls(
    fake_llm: FakeLLMServer, client: genai.Client, captured: CapturedTraces
) -> None:
    decl = types.FunctionDeclaration(
        name="get_weather",
        description="Weather of a city.",
        parameters_json_schema={"type": "object", "properties": {"city": {"type": "string"}}},
    )
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[decl])],
        http_options=types.HttpOptions(headers={"x-secret-header": "hidden"}),
    )
    fake_llm.queue_chat(tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"}}])
    response = client.models.generate_content(model=MODEL, contents="weather?", config=config)
    assert response.function_calls[0].name == "get_weather"
    span = _only(captured)
    assert span.attributes["mlflow.chat.tools"] == [{"type": "function", "function": {
        "name": "get_weather", "description": "Weather of a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    }}]  # fmt: skip
    assert "http_options" not in span.inputs["config"]
    assert "hidden" not in str(span.inputs)
    (part,) = span.outputs["candidates"][0]["content"]["parts"]
    assert part["function_call"] == {"name": "get_weather", "args": {"city": "Oslo"}}


def test_a_dict_config_is_recorded_without_its_http_options_and_left_intact(
    client: genai.Client, captured: CapturedTraces
) -> None:
    config = {"temperature": 0.2, "http_options": {"headers": {"x-secret-header": "hidden"}}}
    client.models.generate_content(model=MODEL, contents="dict config", config=config)
    assert _only(captured).inputs["config"] == {"temperature": 0.2}
    assert config["http_options"] == {"headers": {"x-secret-header": "hidden"}}


def test_stream_keeps_the_span_open_and_assembles_the_text(
    client: genai.Client, captured: CapturedTraces
) -> None:
    stream = client.models.generate_content_stream(model=MODEL, contents="hello there gemini")
    assert captured.spans() == []  # still open
    text = "".join(chunk.text or "" for chunk in stream)
    assert text == "echo: hello there gemini"
    span = _only(captured)
    assert span.name == "Models.generate_content_stream"
    candidate = span.outputs["candidates"][0]
    assert candidate["content"]["parts"] == [{"text": text}]
    assert candidate["finish_reason"] == "STOP"
    assert span.attributes["mlflow.chat.tokenUsage"]["output_tokens"] == 4
    assert "mlflow.llm.cost" in span.attributes


def test_chat_turns_are_spans(client: genai.Client, captured: CapturedTraces) -> None:
    chat = client.chats.create(model=MODEL)
    assert chat.send_message("first turn").text == "echo: first turn"
    assert chat.send_message("second turn").text == "echo: second turn"
    spans = captured.spans()
    assert [s.name for s in spans] == ["Models.generate_content"] * 2
    assert len(spans[1].inputs["contents"]) == 3  # the history is sent again


def test_embed_content(client: genai.Client, captured: CapturedTraces) -> None:
    result = client.models.embed_content(model="text-embedding-004", contents=["a b", "c"])
    assert len(result.embeddings) == 2
    span = _only(captured)
    assert (span.name, span.span_type) == ("Models.embed_content", "EMBEDDING")
    assert span.outputs == {"embeddings": [{"dimensions": 8}, {"dimensions": 8}]}


def test_async_generate_and_stream(client: genai.Client, captured: CapturedTraces) -> None:
    async def main() -> str:
        response = await client.aio.models.generate_content(model=MODEL, contents="hi async")
        pieces = [
            chunk.text or ""
            async for chunk in await client.aio.models.generate_content_stream(
                model=MODEL, contents="async stream"
            )
        ]
        return (response.text or "") + "|" + "".join(pieces)

    with ardea.start_span("app"):
        assert asyncio.run(main()) == "echo: hi async|echo: async stream"
    spans = {s.name: s for s in captured.spans()}
    root = spans["app"]
    for name in ("AsyncModels.generate_content", "AsyncModels.generate_content_stream"):
        assert spans[name].parent_span_id == root.span_id
        assert spans[name].attributes["mlflow.chat.tokenUsage"]["output_tokens"] > 0
    streamed = spans["AsyncModels.generate_content_stream"].outputs
    assert streamed["candidates"][0]["content"]["parts"] == [{"text": "echo: async stream"}]


def test_api_error_propagates_and_marks_the_span(
    fake_llm: FakeLLMServer, client: genai.Client, captured: CapturedTraces
) -> None:
    fake_llm.queue_error(400, "bad request")
    with pytest.raises(genai.errors.ClientError):
        client.models.generate_content(model=MODEL, contents="x")
    span = _only(captured)
    assert span.status_code == "ERROR"


def test_disable_and_log_traces_false(client: genai.Client, captured: CapturedTraces) -> None:
    gemini_autolog.autolog(log_traces=False)
    client.models.generate_content(model=MODEL, contents="quiet")
    gemini_autolog.autolog(disable=True)
    assert not gemini_autolog.is_enabled()
    client.models.generate_content(model=MODEL, contents="quiet")
    assert captured.spans() == []


def test_broken_library_shape_warns_once_and_the_call_succeeds(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    client: genai.Client,
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    monkeypatch.delattr(genai_models.Models, "embed_content")
    gemini_autolog.autolog()
    warnings = [r for r in caplog.records if "gemini autolog (patching Models.embed_content" in
                r.getMessage()]  # fmt: skip
    assert len(warnings) == 1
    with capture_traces() as cap:
        response = client.models.generate_content(model=MODEL, contents="still works")
    assert response.text == "echo: still works"
    assert [s.name for s in cap.spans()] == ["Models.generate_content"]
