"""Streams across APIs through ``ardea server``'s gateway to the fake provider, with the real
SDKs: the ``openai`` SDK streaming a chat from an Anthropic target and a Gemini target (usage
in the final chunk when asked), the ``anthropic`` SDK streaming from an OpenAI target
(text and tool use), a provider's mid-stream error in the caller's shape, and the trace's
usage taken from the stream."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import anthropic
import openai
import pytest

from ardea.gateway.config import ModelTarget
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from fixtures.fake_llm_server import FakeLLMServer, ToolCall, fake_llm
from fixtures.gateway_server import GatewayServer, endpoint, source, target

__all__ = ["fake_llm"]

USER = [{"role": "user", "content": "hello stream"}]


@pytest.fixture
def fake(fake_llm: FakeLLMServer) -> Iterator[FakeLLMServer]:
    fake_llm.reset()
    yield fake_llm
    fake_llm.reset()


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    b = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}", artifacts_destination=str(tmp_path / "a")
    )
    yield b
    b.close()


@pytest.fixture
def server(fake: FakeLLMServer, backend: Backend) -> Iterator[GatewayServer]:
    experiment_id = backend.tracking.create_experiment("gateway")
    gemini = ModelTarget("d-gem", "gem", "gemini", "m-gem", "s-1", base_url=fake.base_url)
    src = source(
        endpoint("chat", (target(fake, "gpt"),), experiment_id=experiment_id),
        endpoint("claude", (target(fake, "claude", "anthropic"),), experiment_id=experiment_id),
        endpoint("gem", (gemini,), experiment_id=experiment_id),
    )
    with GatewayServer(src, backend) as s:
        s.experiment_id = experiment_id  # type: ignore[attr-defined]
        yield s


def _openai(server: GatewayServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url + "/gateway/v1", api_key="k", max_retries=0)


def _anthropic(server: GatewayServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        base_url=server.base_url + "/gateway/anthropic", api_key="k", max_retries=0
    )


@pytest.mark.parametrize("model", ["claude", "gem"])
def test_openai_sdk_streams_from_an_anthropic_and_a_gemini_target(
    server: GatewayServer, fake: FakeLLMServer, model: str
) -> None:
    client = _openai(server)
    chunks = list(
        client.chat.completions.create(
            model=model, messages=USER, stream=True, stream_options={"include_usage": True}
        )
    )
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "echo: hello stream"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None
    assert last.usage.prompt_tokens > 0 and last.usage.completion_tokens > 0
    assert last.usage.total_tokens == last.usage.prompt_tokens + last.usage.completion_tokens
    sent = fake.requests[-1]
    assert sent.body.get("stream") is True or "streamGenerateContent" in sent.path
    # Without include_usage, no usage chunk (as OpenAI does).
    plain = list(client.chat.completions.create(model=model, messages=USER, stream=True))
    assert all(c.usage is None for c in plain) and plain[-1].choices


def test_openai_sdk_streams_tool_calls_from_an_anthropic_target(
    server: GatewayServer, fake: FakeLLMServer
) -> None:
    fake.queue_chat(None, [ToolCall("get_weather", {"city": "Oslo"})])
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            },
        }
    ]
    stream = _openai(server).chat.completions.create(
        model="claude",
        messages=USER,
        tools=tools,  # type: ignore[arg-type]
        stream=True,
    )
    name, arguments, finish = "", "", None
    for chunk in stream:
        for choice in chunk.choices:
            for call in choice.delta.tool_calls or []:
                name += call.function.name or "" if call.function else ""
                arguments += call.function.arguments or "" if call.function else ""
            finish = choice.finish_reason or finish
    assert name == "get_weather" and finish == "tool_calls"
    assert arguments.replace(" ", "") == '{"city":"Oslo"}'


def test_anthropic_sdk_streams_from_an_openai_target(
    server: GatewayServer, fake: FakeLLMServer
) -> None:
    client = _anthropic(server)
    with client.messages.stream(model="chat", max_tokens=20, messages=USER) as stream:  # type: ignore[arg-type]
        assert "".join(stream.text_stream) == "echo: hello stream"
        final = stream.get_final_message()
    assert final.stop_reason == "end_turn"
    assert final.usage.input_tokens > 0 and final.usage.output_tokens > 0
    assert fake.requests[-1].body["stream"] is True
    assert fake.requests[-1].path.endswith("/chat/completions")

    fake.queue_chat(None, [ToolCall("lookup", {"q": "x"})])
    with client.messages.stream(
        model="chat",
        max_tokens=20,
        messages=USER,  # type: ignore[arg-type]
        tools=[{"name": "lookup", "input_schema": {"type": "object"}}],
    ) as stream:
        message = stream.get_final_message()
    assert message.stop_reason == "tool_use"
    block = message.content[0]
    assert block.type == "tool_use" and block.name == "lookup" and block.input == {"q": "x"}

    async def go() -> str:
        aclient = anthropic.AsyncAnthropic(
            base_url=server.base_url + "/gateway/anthropic", api_key="k", max_retries=0
        )
        async with aclient.messages.stream(model="chat", max_tokens=20, messages=USER) as s:  # type: ignore[arg-type]
            text = "".join([t async for t in s.text_stream])
        await aclient.close()
        return text

    assert asyncio.run(go()) == "echo: hello stream"


def test_a_provider_error_mid_stream_reaches_the_caller_in_its_shape(
    server: GatewayServer, fake: FakeLLMServer
) -> None:
    fake.queue_stream_fault("error", after=3)
    with pytest.raises(openai.APIError) as caught:
        list(_openai(server).chat.completions.create(model="claude", messages=USER, stream=True))
    assert "Overloaded" in str(caught.value.message)
    fake.queue_stream_fault("error", after=3)
    client = _anthropic(server)
    with (
        pytest.raises(anthropic.APIStatusError),
        client.messages.stream(model="chat", max_tokens=20, messages=USER) as stream,  # type: ignore[arg-type]
    ):
        list(stream.text_stream)


def test_the_trace_has_the_streams_usage(
    fake: FakeLLMServer, backend: Backend, server: GatewayServer
) -> None:
    list(_openai(server).chat.completions.create(model="claude", messages=USER, stream=True))
    with _anthropic(server).messages.stream(model="chat", max_tokens=20, messages=USER) as s:  # type: ignore[arg-type]
        s.get_final_message()
    server.stop()
    experiment_id = server.experiment_id  # type: ignore[attr-defined]
    traces = backend.traces.search_traces([experiment_id])
    assert len(traces) == 2
    for info in traces:
        assert info.token_usage is not None and info.token_usage.total_tokens > 0
        assert "ardea.gateway.ttftMs" in info.trace_metadata
