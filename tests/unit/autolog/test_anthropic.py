"""Anthropic autologging with the real ``anthropic`` SDK against the fake provider on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import anthropic
import pytest

from ardea.autolog import anthropic as anthropic_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.usefixtures("no_genai_patches")

MODEL = "claude-3-5-sonnet-20241022"
HELLO = [{"role": "user", "content": "hello claude"}]


@pytest.fixture
def client(fake_llm: FakeLLMServer) -> Iterator[anthropic.Anthropic]:
    fake_llm.reset()
    c = anthropic.Anthropic(base_url=fake_llm.anthropic_base_url, api_key="sk-ant-secret",
                            max_retries=0)  # fmt: skip
    yield c
    c.close()


@pytest.fixture
def aclient(fake_llm: FakeLLMServer) -> anthropic.AsyncAnthropic:
    fake_llm.reset()
    return anthropic.AsyncAnthropic(base_url=fake_llm.anthropic_base_url, api_key="k",
                                    max_retries=0)  # fmt: skip


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    anthropic_autolog.autolog()
    with capture_traces() as cap:
        yield cap


def _only(captured: CapturedTraces) -> Span:
    spans = captured.spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def test_message_span(client: anthropic.Anthropic, captured: CapturedTraces) -> None:
    message = client.messages.create(model=MODEL, max_tokens=50, messages=HELLO, system="be nice")
    assert message.content[0].text == "echo: hello claude"
    span = _only(captured)
    assert (span.name, span.span_type, span.status_code) == ("Messages", "CHAT_MODEL", "OK")
    assert span.inputs == {"model": MODEL, "max_tokens": 50, "messages": HELLO, "system": "be nice"}
    assert span.outputs["content"] == [
        {"type": "text", "text": "echo: hello claude", "citations": None}
    ]
    attrs = span.attributes
    assert attrs["mlflow.llm.provider"] == "anthropic"
    assert attrs["mlflow.llm.model"] == MODEL
    assert attrs["mlflow.chat.tokenUsage"] == {
        "input_tokens": 4,  # the fake counts the words of the system prompt too
        "output_tokens": 3,
        "total_tokens": 7,
    }
    assert attrs["mlflow.llm.cost"]["total_cost"] == pytest.approx((4 * 3 + 3 * 15) / 1e6)
    assert "sk-ant-secret" not in str(attrs)


def test_cache_tokens_count_in_the_prompt_and_the_cost(
    fake_llm: FakeLLMServer, client: anthropic.Anthropic, captured: CapturedTraces
) -> None:
    fake_llm.queue_chat("cached", input_tokens=1000, output_tokens=10, cached_input_tokens=600,
                        cache_creation_input_tokens=300)  # fmt: skip
    message = client.messages.create(model=MODEL, max_tokens=50, messages=HELLO)
    assert message.usage.cache_read_input_tokens == 600
    attrs = _only(captured).attributes
    assert attrs["mlflow.chat.tokenUsage"] == {
        "input_tokens": 400 + 600 + 300,  # Anthropic's uncached input + reads + writes
        "output_tokens": 10,
        "total_tokens": 1310,
        "cached_input_tokens": 600,
        "cache_write_input_tokens": 300,
    }
    from ardea.llm.pricing import compute_cost

    assert attrs["mlflow.llm.cost"] == compute_cost(
        MODEL, 1300, 10, 600, provider="anthropic", cache_write_input_tokens=300
    )


def test_tool_use_blocks_and_tools(
    fake_llm: FakeLLMServer, client: anthropic.Anthropic, captured: CapturedTraces
) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    tools = [{"name": "get_weather", "description": "Weather.", "input_schema": schema}]
    fake_llm.queue_chat(tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"},
                                     "id": "toolu_1"}])  # fmt: skip
    client.messages.create(model=MODEL, max_tokens=50, messages=HELLO, tools=tools)
    span = _only(captured)
    assert span.attributes["mlflow.chat.tools"] == [{"type": "function", "function": {
        "name": "get_weather", "description": "Weather.", "parameters": tools[0]["input_schema"],
    }}]  # fmt: skip
    (block,) = span.outputs["content"]
    assert (block["type"], block["name"], block["input"]) == (
        "tool_use",
        "get_weather",
        {"city": "Oslo"},
    )
    assert span.outputs["stop_reason"] == "tool_use"


def test_stream_true_assembles_text_and_tool_use(
    fake_llm: FakeLLMServer, client: anthropic.Anthropic, captured: CapturedTraces
) -> None:
    fake_llm.queue_chat(
        "let me check", tool_calls=[{"name": "lookup", "arguments": {"q": "long query"}}]
    )
    stream = client.messages.create(model=MODEL, max_tokens=50, messages=HELLO, stream=True)
    events = iter(stream)
    assert next(events).type == "message_start"
    assert captured.spans() == []  # open while the caller reads
    rest = list(events)
    assert rest[-1].type == "message_stop"
    span = _only(captured)
    text, tool = span.outputs["content"]
    assert text == {"type": "text", "text": "let me check", "citations": None}
    assert (tool["type"], tool["name"], tool["input"]) == (
        "tool_use",
        "lookup",
        {"q": "long query"},
    )
    assert span.outputs["stop_reason"] == "tool_use"
    usage = span.attributes["mlflow.chat.tokenUsage"]
    assert usage["input_tokens"] == 2 and usage["output_tokens"] > 1  # final count, not start's 1
    assert "mlflow.llm.cost" in span.attributes


def test_messages_stream_context_manager(
    client: anthropic.Anthropic, captured: CapturedTraces
) -> None:
    with client.messages.stream(model=MODEL, max_tokens=50, messages=HELLO) as stream:
        text = "".join(stream.text_stream)
        assert captured.spans() == []
    assert text == "echo: hello claude"
    span = _only(captured)
    assert span.outputs["content"][0]["text"] == "echo: hello claude"
    assert span.attributes["mlflow.chat.tokenUsage"]["output_tokens"] == 3


def test_api_error_propagates_and_marks_the_span(
    fake_llm: FakeLLMServer, client: anthropic.Anthropic, captured: CapturedTraces
) -> None:
    fake_llm.queue_error(429, "slow down")
    with pytest.raises(anthropic.RateLimitError, match="slow down") as info:
        client.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
    assert type(info.value) is anthropic.RateLimitError
    span = _only(captured)
    assert span.status_code == "ERROR"
    assert [e.name for e in span.events] == ["exception"]


def test_stream_manager_error(
    fake_llm: FakeLLMServer, client: anthropic.Anthropic, captured: CapturedTraces
) -> None:
    fake_llm.queue_error(400, "bad")
    manager = client.messages.stream(model=MODEL, max_tokens=5, messages=HELLO)
    with pytest.raises(anthropic.BadRequestError), manager as stream:
        stream.until_done()
    assert _only(captured).status_code == "ERROR"


def test_async_create_stream_and_manager(
    aclient: anthropic.AsyncAnthropic, captured: CapturedTraces
) -> None:
    async def go() -> list[str]:
        first = await aclient.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
        stream = await aclient.messages.create(
            model=MODEL, max_tokens=5, messages=[{"role": "user", "content": "two"}], stream=True
        )
        async for _ in stream:
            pass
        async with aclient.messages.stream(
            model=MODEL, max_tokens=5, messages=[{"role": "user", "content": "three"}]
        ) as s:
            final = await s.get_final_message()
        await aclient.close()
        return [first.content[0].text, final.content[0].text]

    assert asyncio.run(go()) == ["echo: hello claude", "echo: three"]
    spans = captured.spans()
    assert [s.name for s in spans] == ["AsyncMessages"] * 3
    assert [s.outputs["content"][0]["text"] for s in spans] == [
        "echo: hello claude",
        "echo: two",
        "echo: three",
    ]
    assert all(s.status_code == "OK" for s in spans)


def test_revert_stops_tracing(client: anthropic.Anthropic, captured: CapturedTraces) -> None:
    anthropic_autolog.revert()
    assert not anthropic_autolog.is_enabled()
    client.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
    with client.messages.stream(model=MODEL, max_tokens=5, messages=HELLO) as stream:
        stream.until_done()
    assert captured.spans() == []
