"""OpenAI autologging with the real ``openai`` SDK against the fake provider on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import openai
import pytest

from ardea._core.errors import UnavailableError
from ardea.autolog import openai as openai_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.usefixtures("no_genai_patches")


@pytest.fixture
def client(fake_llm: FakeLLMServer) -> Iterator[openai.OpenAI]:
    fake_llm.reset()
    c = openai.OpenAI(base_url=fake_llm.openai_base_url, api_key="sk-secret", max_retries=0)
    yield c
    c.close()


@pytest.fixture
def aclient(fake_llm: FakeLLMServer) -> openai.AsyncOpenAI:
    fake_llm.reset()
    return openai.AsyncOpenAI(base_url=fake_llm.openai_base_url, api_key="sk-secret", max_retries=0)


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    openai_autolog.autolog()
    with capture_traces() as cap:
        yield cap


def _only(captured: CapturedTraces) -> Span:
    spans = captured.spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def test_chat_completion_span(client: openai.OpenAI, captured: CapturedTraces) -> None:
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "hello there"}],
        temperature=0,
        extra_headers={"X-Secret": "hush"},
    )
    assert reply.choices[0].message.content == "echo: hello there"
    span = _only(captured)
    assert span.name == "Completions"
    assert span.span_type == "CHAT_MODEL"
    assert span.status_code == "OK"
    assert span.inputs == {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "hello there"}],
        "temperature": 0,
    }
    assert span.outputs["choices"][0]["message"]["content"] == "echo: hello there"
    attrs = span.attributes
    assert attrs["mlflow.llm.model"] == "gpt-4o-mini"
    assert attrs["mlflow.llm.provider"] == "openai"
    assert attrs["mlflow.chat.tokenUsage"] == {
        "input_tokens": 2,
        "output_tokens": 3,
        "total_tokens": 5,
    }
    assert attrs["mlflow.llm.cost"]["total_cost"] == pytest.approx((2 * 0.15 + 3 * 0.6) / 1e6)
    assert "sk-secret" not in str(attrs) and "hush" not in str(attrs)


def test_span_nests_under_the_callers_span(client: openai.OpenAI, captured: CapturedTraces) -> None:
    import ardea

    with ardea.start_span("agent", span_type="AGENT"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    spans = {s.name: s for s in captured.spans()}
    assert spans["Completions"].parent_span_id == spans["agent"].span_id
    assert spans["Completions"].trace_id == spans["agent"].trace_id


def test_unknown_model_has_usage_but_no_cost(
    client: openai.OpenAI, captured: CapturedTraces
) -> None:
    client.chat.completions.create(
        model="my-local-llm", messages=[{"role": "user", "content": "a b"}]
    )
    attrs = _only(captured).attributes
    assert attrs["mlflow.chat.tokenUsage"]["input_tokens"] == 2
    assert "mlflow.llm.cost" not in attrs


def test_tool_calls_and_tools(
    fake_llm: FakeLLMServer, client: openai.OpenAI, captured: CapturedTraces
) -> None:
    tools = [{"type": "function", "function": {
        "name": "get_weather", "parameters": {"type": "object", "properties": {}},
    }}]  # fmt: skip
    fake_llm.queue_chat(tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"}}])
    client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "weather?"}], tools=tools
    )
    span = _only(captured)
    assert span.attributes["mlflow.chat.tools"] == tools
    (call,) = span.outputs["choices"][0]["message"]["tool_calls"]
    assert call["function"] == {"name": "get_weather", "arguments": '{"city":"Oslo"}'}


def test_streaming_keeps_the_span_open_and_assembles_the_message(
    fake_llm: FakeLLMServer, client: openai.OpenAI, captured: CapturedTraces
) -> None:
    stream = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "stream me please"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    first = next(iter(stream))
    assert first.choices[0].delta.role == "assistant"
    assert captured.spans() == []  # still open while the caller reads
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text.endswith("stream me please")
    span = _only(captured)
    assert span.status_code == "OK"
    message = span.outputs["choices"][0]["message"]
    assert message == {"role": "assistant", "content": "echo: stream me please"}
    assert span.outputs["choices"][0]["finish_reason"] == "stop"
    assert span.attributes["mlflow.chat.tokenUsage"] == {
        "input_tokens": 3,
        "output_tokens": 4,
        "total_tokens": 7,
    }
    assert "mlflow.llm.cost" in span.attributes


def test_streamed_tool_calls_are_assembled(
    fake_llm: FakeLLMServer, client: openai.OpenAI, captured: CapturedTraces
) -> None:
    fake_llm.queue_chat(tool_calls=[{"name": "lookup", "arguments": {"q": "a long query text"}}])
    with client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "go"}], stream=True
    ) as stream:
        chunks = list(stream)
    assert len(chunks) > 3
    span = _only(captured)
    (call,) = span.outputs["choices"][0]["message"]["tool_calls"]
    assert call["function"]["name"] == "lookup"
    assert call["function"]["arguments"] == '{"q":"a long query text"}'
    assert call["id"]
    assert "mlflow.chat.tokenUsage" not in span.attributes  # no usage chunk was asked for


def test_raw_response_and_stream_helper(client: openai.OpenAI, captured: CapturedTraces) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o", messages=[{"role": "user", "content": "raw call"}]
    )
    assert raw.parse().choices[0].message.content == "echo: raw call"
    with client.chat.completions.stream(
        model="gpt-4o", messages=[{"role": "user", "content": "helper"}]
    ) as stream:
        final = stream.get_final_completion()
    assert final.choices[0].message.content == "echo: helper"
    raw_span, helper_span = captured.spans()
    assert raw_span.outputs["choices"][0]["message"]["content"] == "echo: raw call"
    assert raw_span.attributes["mlflow.chat.tokenUsage"]["total_tokens"] == 5
    assert helper_span.outputs["choices"][0]["message"]["content"] == "echo: helper"


def test_stream_closed_early_ends_the_span(client: openai.OpenAI, captured: CapturedTraces) -> None:
    stream = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "one two three four"}], stream=True
    )
    next(iter(stream))
    stream.close()
    span = _only(captured)
    assert span.status_code == "OK"
    assert span.outputs["choices"][0]["message"]["role"] == "assistant"


def test_stream_dropped_unread_ends_the_span(
    client: openai.OpenAI, captured: CapturedTraces
) -> None:
    import gc

    stream = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "never read"}], stream=True
    )
    assert captured.spans() == []
    response = stream.response
    del stream  # never read nor closed: garbage collection ends the span
    gc.collect()
    response.close()
    (span,) = captured.spans()
    assert span.end_time_ns is not None and span.outputs["choices"] == []


def test_api_error_propagates_and_marks_the_span(
    fake_llm: FakeLLMServer, client: openai.OpenAI, captured: CapturedTraces
) -> None:
    fake_llm.queue_error(400, "bad request from the fake")
    with pytest.raises(openai.BadRequestError, match="bad request from the fake") as info:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert type(info.value) is openai.BadRequestError
    span = _only(captured)
    assert span.status_code == "ERROR"
    assert "BadRequestError" in span.status_message
    (event,) = [e for e in span.events if e.name == "exception"]
    assert event.attributes["exception.type"].endswith("BadRequestError")


def test_legacy_completions_error_span_is_llm(
    client: openai.OpenAI, captured: CapturedTraces
) -> None:
    with pytest.raises(openai.NotFoundError):  # the fake has no /completions route
        client.completions.create(model="gpt-3.5-turbo-instruct", prompt="hi")
    span = _only(captured)
    assert (span.span_type, span.status_code) == ("LLM", "ERROR")
    assert span.inputs == {"model": "gpt-3.5-turbo-instruct", "prompt": "hi"}


def test_responses_api(
    fake_llm: FakeLLMServer, client: openai.OpenAI, captured: CapturedTraces
) -> None:
    tools = [{"type": "function", "name": "f", "parameters": {"type": "object"}}]
    response = client.responses.create(model="gpt-4o-mini", input="hi responses", tools=tools)
    assert response.output_text == "echo: hi responses"
    span = _only(captured)
    assert (span.name, span.span_type) == ("Responses", "CHAT_MODEL")
    assert span.inputs["input"] == "hi responses"
    assert span.outputs["output"][0]["content"][0]["text"] == "echo: hi responses"
    assert span.attributes["mlflow.chat.tools"] == [
        {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    ]
    usage = span.attributes["mlflow.chat.tokenUsage"]
    assert usage["input_tokens"] == 2 and usage["output_tokens"] == 3


def test_responses_api_streaming(client: openai.OpenAI, captured: CapturedTraces) -> None:
    events = list(client.responses.create(model="gpt-4o-mini", input="stream it", stream=True))
    assert events[-1].type == "response.completed"
    span = _only(captured)
    assert span.outputs["output"][0]["content"][0]["text"] == "echo: stream it"
    assert span.attributes["mlflow.chat.tokenUsage"]["total_tokens"] == 5


def test_embeddings(client: openai.OpenAI, captured: CapturedTraces) -> None:
    result = client.embeddings.create(model="text-embedding-3-small", input=["a b", "c"])
    assert len(result.data) == 2
    span = _only(captured)
    assert (span.name, span.span_type) == ("Embeddings", "EMBEDDING")
    assert span.inputs == {"model": "text-embedding-3-small", "input": ["a b", "c"]}
    assert span.outputs["data"][0]["dimensions"] == len(result.data[0].embedding)
    usage = span.attributes["mlflow.chat.tokenUsage"]
    assert usage["output_tokens"] == 0 and usage["input_tokens"] == usage["total_tokens"] > 0
    assert "mlflow.llm.cost" in span.attributes


def test_async_create_and_stream(aclient: openai.AsyncOpenAI, captured: CapturedTraces) -> None:
    async def go() -> str:
        await aclient.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "async one"}]
        )
        stream = await aclient.chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "user", "content": "async two"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        parts = [c.choices[0].delta.content or "" async for c in stream if c.choices]
        await aclient.close()
        return "".join(parts)

    assert asyncio.run(go()) == "echo: async two"
    spans = captured.spans()
    assert [s.name for s in spans] == ["AsyncCompletions", "AsyncCompletions"]
    assert spans[0].outputs["choices"][0]["message"]["content"] == "echo: async one"
    assert spans[1].outputs["choices"][0]["message"]["content"] == "echo: async two"
    assert spans[1].attributes["mlflow.chat.tokenUsage"]["output_tokens"] == 3
    assert spans[0].parent_span_id is None and spans[0].trace_id != spans[1].trace_id


def test_async_error(
    fake_llm: FakeLLMServer, aclient: openai.AsyncOpenAI, captured: CapturedTraces
) -> None:
    fake_llm.queue_error(401, "nope")

    async def go() -> None:
        try:
            await aclient.embeddings.create(model="m", input="x")
            await aclient.chat.completions.create(model="m", messages=[])
        finally:
            await aclient.close()

    with pytest.raises(openai.AuthenticationError):
        asyncio.run(go())
    spans = captured.spans()
    assert [(s.name, s.status_code) for s in spans] == [
        ("AsyncEmbeddings", "OK"),
        ("AsyncCompletions", "ERROR"),
    ]


def test_revert_and_disable_stop_tracing(client: openai.OpenAI, captured: CapturedTraces) -> None:
    openai_autolog.revert()
    assert not openai_autolog.is_enabled()
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert captured.spans() == []
    assert not hasattr(openai.resources.chat.completions.Completions.create, "__ardea_original__")
    openai_autolog.autolog()
    openai_autolog.autolog()  # idempotent: one span per call
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert len(captured.spans()) == 1
    openai_autolog.autolog(disable=True)
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert len(captured.spans()) == 1


def test_log_traces_false_makes_no_spans(client: openai.OpenAI, captured: CapturedTraces) -> None:
    openai_autolog.autolog(log_traces=False)
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert captured.spans() == []


def test_tracing_failure_is_swallowed_outside_strict_mode(
    client: openai.OpenAI, captured: CapturedTraces, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ardea.autolog import _openai_parse

    def broken(*args: object) -> None:
        raise RuntimeError("broken tracing code")

    monkeypatch.setattr(_openai_parse, "result_attributes", broken)
    # The usage is read where the span is built (the export thread): the call succeeds, and
    # under ARDEA_STRICT=1 (the tests' default) the failure surfaces at the next flush.
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "x"}]
    )
    assert reply.choices[0].message.content == "echo: x"
    with pytest.raises(UnavailableError, match="broken tracing code"):
        captured.spans()
    monkeypatch.setenv("ARDEA_STRICT", "0")
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "still works"}]
    )
    assert reply.choices[0].message.content == "echo: still works"
    spans = captured.spans()
    assert len(spans) == 2 and all(s.end_time_ns for s in spans)
