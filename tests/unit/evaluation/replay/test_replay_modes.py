"""Replay modes, divergence kinds, sessions, async apps and bad recordings."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import openai
import pytest

import ardea
from ardea import InvalidArgumentError
from ardea.evaluation.replay import (
    ReplayResult,
    SessionReplayResult,
    replay,
    trace_to_doc,
)
from ardea.tracing.testing import CapturedTraces
from fixtures.fake_llm_server import FakeLLMServer

from . import agent as a


def _client(provider: FakeLLMServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=provider.openai_base_url, api_key="sk-test", max_retries=0)


def _record(provider: FakeLLMServer, captured: CapturedTraces, question: str = "Paris?") -> a.Trace:
    a.script(provider)
    a.make_agent(_client(provider))(question=question)
    return a.recorded(captured)


def test_tools_mode_calls_the_model_live_and_serves_tools(
    provider: FakeLLMServer, captured: CapturedTraces
) -> None:
    trace = _record(provider, captured)
    provider.reset()
    a.script(provider)
    a.CALLS.clear()

    result = replay(trace, a.make_agent(_client(provider)), mode="tools")

    assert isinstance(result, ReplayResult) and result.passed, result.summary()
    assert len(provider.requests) == 2  # the model answered live
    assert a.CALLS == []  # the tool was served
    assert [s.served for s in result.steps] == [False, True, False]
    assert all(s.matched for s in result.steps)


def test_tools_mode_reports_a_live_model_that_asks_for_another_tool_call(
    provider: FakeLLMServer, captured: CapturedTraces
) -> None:
    trace = _record(provider, captured)
    provider.reset()
    a.script(provider, cities=("Oslo",))  # the new model version picks another city

    result = replay(trace, a.make_agent(_client(provider)), mode="tools")

    assert result.divergence is not None
    assert (result.divergence.kind, result.divergence.step) == ("different_call", 1)
    assert result.divergence.got["inputs"] == {"city": "Oslo"}


def test_model_mode_serves_the_model_and_runs_tools(
    provider: FakeLLMServer, captured: CapturedTraces
) -> None:
    trace = _record(provider, captured)
    client = _client(provider)
    provider.stop()
    a.CALLS.clear()

    result = replay(trace, a.make_agent(client), mode="model")

    assert isinstance(result, ReplayResult) and result.passed, result.summary()
    assert a.CALLS == ["Paris"]
    assert [s.served for s in result.steps] == [True, False, True]


def test_an_extra_call_a_missing_call_and_a_different_output(
    provider: FakeLLMServer, captured: CapturedTraces
) -> None:
    trace = _record(provider, captured)
    client = _client(provider)
    provider.stop()

    def extra(question: str) -> str:
        out = a.make_agent(client)(question=question)
        a.get_weather(city="Rome")
        return out

    def short(question: str) -> str:
        client.chat.completions.create(
            model=a.MODEL, messages=[{"role": "user", "content": question}], tools=a.TOOLS
        )
        return "It is sunny."

    def other(question: str) -> str:
        a.make_agent(client)(question=question)
        return "It rains."

    new = replay(trace, extra)
    assert new.divergence is not None
    assert (new.divergence.kind, new.divergence.step) == ("new_call", 3)
    missing = replay(trace, short)
    assert missing.divergence is not None
    assert (missing.divergence.kind, missing.divergence.step) == ("missing_call", 1)
    assert missing.divergence.expected["name"] == "get_weather"
    changed = replay(trace, other)
    assert changed.divergence is not None
    assert changed.divergence.kind == "different_output"
    assert (changed.divergence.expected, changed.divergence.got) == ("It is sunny.", "It rains.")
    assert replay(trace, other, compare_outputs=False).passed


def test_an_error_of_the_app_is_a_divergence(
    provider: FakeLLMServer, captured: CapturedTraces
) -> None:
    trace = _record(provider, captured)

    def broken(question: str) -> str:
        raise KeyError("boom")

    result = replay(trace, broken)
    assert result.divergence is not None
    assert result.divergence.kind == "error"
    assert "KeyError" in result.divergence.message


def test_a_session_replays_turn_by_turn_and_from_files(
    provider: FakeLLMServer, captured: CapturedTraces, tmp_path: Path
) -> None:
    first = _record(provider, captured, "Paris?")
    second = _record(provider, captured, "And now?")
    client = _client(provider)
    provider.stop()
    path = tmp_path / "session.json"
    path.write_text(json.dumps([trace_to_doc(first), trace_to_doc(second)]))

    result = replay([first, second], a.make_agent(client))
    from_file = ardea.replay(path, a.make_agent(client))

    for res in (result, from_file):
        assert isinstance(res, SessionReplayResult)
        assert res.passed and len(res.results) == 2
        assert [r.source_trace_id for r in res.results] == [
            first.info.trace_id,
            second.info.trace_id,
        ]


def test_async_app_with_an_async_stream(provider: FakeLLMServer, captured: CapturedTraces) -> None:
    aclient = openai.AsyncOpenAI(
        base_url=provider.openai_base_url, api_key="sk-test", max_retries=0
    )

    @ardea.trace(name="chat")
    async def chat(text: str) -> str:
        stream = await aclient.chat.completions.create(
            model=a.MODEL,
            messages=[{"role": "user", "content": text}],
            stream=True,
            stream_options={"include_usage": True},
        )
        return "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])

    import asyncio

    assert asyncio.run(chat(text="hi")) == "echo: hi"
    trace = a.recorded(captured)
    provider.stop()

    result = replay(trace, chat)

    assert isinstance(result, ReplayResult) and result.passed, result.summary()
    assert result.outputs == "echo: hi"
    llm = [s for s in captured.spans() if s.span_type == "CHAT_MODEL"]
    assert llm[0].attributes["mlflow.chat.tokenUsage"]["output_tokens"] == 2


def _without(trace: a.Trace, **changes: Any) -> a.Trace:
    return dataclasses.replace(trace, **changes)


def test_bad_recordings_get_clear_errors(provider: FakeLLMServer, captured: CapturedTraces) -> None:
    trace = _record(provider, captured)
    agent = a.make_agent(_client(provider))
    root = next(s for s in trace.spans if s.parent_span_id is None)
    tool = next(s for s in trace.spans if s.span_type == "TOOL")
    llm = next(s for s in trace.spans if s.span_type == "CHAT_MODEL")

    with pytest.raises(InvalidArgumentError, match="has no spans"):
        replay(_without(trace, spans=[]), agent)
    with pytest.raises(InvalidArgumentError, match=r"missing spans.*'get_weather'"):
        replay(_without(trace, spans=[s for s in trace.spans if s is not root]), agent)
    no_output = copy.deepcopy(trace)
    for span in no_output.spans:
        if span.span_id == tool.span_id:
            del span.attributes["mlflow.spanOutputs"]
    with pytest.raises(
        InvalidArgumentError, match=r"step 1 \(tool span 'get_weather'.*no recorded"
    ):
        replay(no_output, agent)
    replay(no_output, agent, mode="model")  # tools run live there: no recorded output needed
    unfinished = copy.deepcopy(trace)
    for span in unfinished.spans:
        if span.span_id == root.span_id:
            del span.attributes["mlflow.spanOutputs"]
    with pytest.raises(InvalidArgumentError, match="root span 'agent' has no recorded output"):
        replay(unfinished, agent)
    assert llm.span_id  # the model span is on the tape too
    with pytest.raises(InvalidArgumentError, match="mode must be one of"):
        replay(trace, agent, mode="everything")
    with pytest.raises(InvalidArgumentError, match="no trace file"):
        replay("no/such/file.json", agent)
    with pytest.raises(InvalidArgumentError, match="not a trace"):
        replay({"spans": []}, agent)
    with pytest.raises(InvalidArgumentError, match="replay needs a Trace"):
        replay(42, agent)


def test_model_calls_inside_a_live_tool_belong_to_the_tool(
    provider: FakeLLMServer, captured: CapturedTraces
) -> None:
    client = _client(provider)

    @ardea.trace(span_type="TOOL")
    def summarize(text: str) -> str:
        reply = client.chat.completions.create(
            model=a.MODEL, messages=[{"role": "user", "content": text}]
        )
        return str(reply.choices[0].message.content)

    @ardea.trace(name="outer", span_type="AGENT")
    def outer(text: str) -> str:
        first = summarize(text=text)
        return first + " / " + summarize(text=text + "!")

    assert outer(text="hi") == "echo: hi / echo: hi!"
    trace = a.recorded(captured)

    live = replay(trace, outer, mode="model")  # tools (and the calls inside them) run live
    served = replay(trace, outer)  # the tools are served: their model calls never happen

    assert isinstance(live, ReplayResult) and live.passed, live.summary()
    assert [(s.kind, s.served) for s in live.steps] == [("tool", False), ("tool", False)]
    assert isinstance(served, ReplayResult) and served.passed, served.summary()
    assert len(provider.requests) == 4  # 2 recorded + 2 live in "model" mode, none served
