"""OpenAI Agents SDK autologging: real ``agents`` runs against the fake provider over HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import agents
import openai
import pytest
from agents import (
    Agent,
    GuardrailFunctionOutput,
    InputGuardrailTripwireTriggered,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Runner,
    function_tool,
    input_guardrail,
)
from agents.tracing import TracingProcessor, get_trace_provider, set_trace_processors

import ardea
from ardea.autolog import openai as openai_autolog
from ardea.autolog import openai_agents as agents_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.usefixtures("no_genai_patches")

_PRICE = {"in": 0.15 / 1e6, "out": 0.6 / 1e6}  # gpt-4o-mini, per token


class _Recorder(TracingProcessor):
    """The user's own processor: it must keep receiving everything."""

    def __init__(self) -> None:
        self.ended: list[str] = []

    def on_trace_start(self, trace: Any) -> None:
        pass

    def on_trace_end(self, trace: Any) -> None:
        self.ended.append("trace")

    def on_span_start(self, span: Any) -> None:
        pass

    def on_span_end(self, span: Any) -> None:
        self.ended.append(span.span_data.type)

    def shutdown(self) -> None:
        pass

    def force_flush(self) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[_Recorder]:
    """Replace the SDK's processors (its exporter to OpenAI) by a recorder, then restore."""
    provider: Any = get_trace_provider()
    saved = list(provider._multi_processor._processors)
    rec = _Recorder()
    set_trace_processors([rec])
    yield rec
    agents_autolog.revert()
    set_trace_processors(saved)


@pytest.fixture
def captured(recorder: _Recorder) -> Iterator[CapturedTraces]:
    agents_autolog.autolog()
    with capture_traces() as cap:
        yield cap


@pytest.fixture
def client(fake_llm: FakeLLMServer) -> openai.AsyncOpenAI:
    fake_llm.reset()
    return openai.AsyncOpenAI(base_url=fake_llm.openai_base_url, api_key="sk-x", max_retries=0)


@function_tool
def get_weather(city: str) -> str:
    """Weather of a city."""
    return f"sunny in {city}"


def _agent(client: openai.AsyncOpenAI, chat: bool = False, **kw: Any) -> Agent[Any]:
    model: Any = (
        OpenAIChatCompletionsModel(model="gpt-4o-mini", openai_client=client)
        if chat
        else OpenAIResponsesModel(model="gpt-4o-mini", openai_client=client)
    )
    kw.setdefault("tools", [get_weather])
    return Agent(name="helper", instructions="be brief", model=model, **kw)


def _parent(spans: list[Span], span: Span) -> Span:
    return next(s for s in spans if s.span_id == span.parent_span_id)


def _cost(inp: int, out: int) -> float:
    return inp * _PRICE["in"] + out * _PRICE["out"]


def test_run_sync_with_a_tool_is_one_tree(
    fake_llm: FakeLLMServer, client: openai.AsyncOpenAI, captured: CapturedTraces,
    recorder: _Recorder,
) -> None:  # fmt: skip
    openai_autolog.autolog()  # the SDK call under each model span must add no span
    fake_llm.queue_chat(tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"}}])
    result = Runner.run_sync(_agent(client), "weather in Oslo?")
    assert result.final_output == "echo: weather in Oslo?"
    spans = captured.spans()
    assert len({s.trace_id for s in spans}) == 1
    names = sorted((s.name, s.span_type) for s in spans)
    assert names == [
        ("Agent workflow", "AGENT"), ("Response", "CHAT_MODEL"), ("Response", "CHAT_MODEL"),
        ("get_weather", "TOOL"), ("helper", "AGENT"), ("turn 1", "CHAIN"), ("turn 2", "CHAIN"),
    ]  # fmt: skip
    (root,) = [s for s in spans if s.parent_span_id is None]
    assert (root.inputs, root.outputs) == ("weather in Oslo?", "echo: weather in Oslo?")
    assert root.attributes["openai_agents.agent"] == "helper"
    agent = next(s for s in spans if s.name == "helper")
    assert _parent(spans, agent) is root
    assert agent.attributes["openai_agents.tools"] == ["get_weather"]
    tool = next(s for s in spans if s.name == "get_weather")
    assert (tool.inputs, tool.outputs) == ({"city": "Oslo"}, "sunny in Oslo")
    assert _parent(spans, tool).name == "turn 1"
    first, second = sorted(
        (s for s in spans if s.span_type == "CHAT_MODEL"), key=lambda s: s.start_time_ns
    )
    assert _parent(spans, first).name == "turn 1" and _parent(spans, second).name == "turn 2"
    assert first.inputs == {
        "instructions": "be brief",
        "input": [{"content": "weather in Oslo?", "role": "user"}],
    }
    assert first.outputs["output"][0]["type"] == "function_call"
    assert second.outputs["output"][0]["content"][0]["text"] == "echo: weather in Oslo?"
    attrs = first.attributes
    assert (attrs["mlflow.llm.model"], attrs["mlflow.llm.provider"]) == ("gpt-4o-mini", "openai")
    assert attrs["mlflow.chat.tools"][0]["function"]["name"] == "get_weather"
    usage = attrs["mlflow.chat.tokenUsage"]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    assert attrs["mlflow.llm.cost"]["total_cost"] == pytest.approx(
        _cost(usage["input_tokens"], usage["output_tokens"])
    )
    assert all(s.status_code == "OK" for s in spans)
    # Only model spans count tokens (the run's and turns' sums are kept apart).
    assert sum("mlflow.chat.tokenUsage" in s.attributes for s in spans) == 2
    assert "function" in recorder.ended and "trace" in recorder.ended  # still fed
    _assert_nothing_left_open()


def _assert_nothing_left_open() -> None:
    from ardea.autolog._llm_call import framework_llm_spans
    from ardea.autolog._openai_agents_processor import processor, run_roots

    assert processor._open == {} and run_roots == set() and framework_llm_spans == set()


def test_chat_completions_model_async(client: openai.AsyncOpenAI, captured: CapturedTraces) -> None:
    async def go() -> Any:
        with ardea.start_span("caller"):
            return await Runner.run(_agent(client, chat=True, tools=[]), "hello agents")

    assert asyncio.run(go()).final_output == "echo: hello agents"
    spans = captured.spans()
    (model,) = [s for s in spans if s.span_type == "CHAT_MODEL"]
    assert model.name == "Generation"
    assert model.inputs["messages"][-1] == {"role": "user", "content": "hello agents"}
    assert model.outputs[0]["content"] == "echo: hello agents"
    assert model.attributes["mlflow.chat.tokenUsage"] == {
        "input_tokens": 4, "output_tokens": 3, "total_tokens": 7,
    }  # fmt: skip
    assert model.attributes["mlflow.llm.cost"]["total_cost"] == pytest.approx(_cost(4, 3))
    root = next(s for s in spans if s.name == "Agent workflow")
    assert _parent(spans, root).name == "caller"
    assert len({s.trace_id for s in spans}) == 1


def test_concurrent_async_runs_are_separate_traces(
    client: openai.AsyncOpenAI, captured: CapturedTraces
) -> None:
    async def go() -> list[Any]:
        runs = [Runner.run(_agent(client, tools=[]), f"question {i}") for i in range(3)]
        return [r.final_output for r in await asyncio.gather(*runs)]

    assert asyncio.run(go()) == [f"echo: question {i}" for i in range(3)]
    spans = captured.spans()
    roots = [s for s in spans if s.parent_span_id is None]
    assert sorted(r.inputs for r in roots) == ["question 0", "question 1", "question 2"]
    assert len({r.trace_id for r in roots}) == 3
    for root in roots:
        mine = [s for s in spans if s.trace_id == root.trace_id]
        (model,) = [s for s in mine if s.span_type == "CHAT_MODEL"]
        assert model.inputs["input"][0]["content"] == root.inputs
        assert len(mine) == 4  # run, agent, turn, model
    _assert_nothing_left_open()


def test_streamed_run_keeps_the_run_span_open_until_the_end(
    client: openai.AsyncOpenAI, captured: CapturedTraces
) -> None:
    openai_autolog.autolog()  # the streamed SDK call must add no span either

    async def go() -> tuple[int, Any]:
        result = Runner.run_streamed(_agent(client), "stream me please")
        events = [e async for e in result.stream_events()]
        with ardea.start_span("after"):  # the run's span is no longer current here
            pass
        return len(events), result.final_output

    count, final = asyncio.run(go())
    assert count > 3 and final == "echo: stream me please"
    spans = captured.spans()
    root = next(s for s in spans if s.name == "Agent workflow")
    assert root.parent_span_id is None and root.end_time_ns
    assert (root.inputs, root.outputs) == ("stream me please", "echo: stream me please")
    (model,) = [s for s in spans if s.span_type == "CHAT_MODEL"]
    assert model.name == "Response" and model.trace_id == root.trace_id
    assert model.outputs["output"][0]["content"][0]["text"] == "echo: stream me please"
    assert model.attributes["mlflow.chat.tokenUsage"]["output_tokens"] > 0
    assert "mlflow.llm.cost" in model.attributes
    after = next(s for s in spans if s.name == "after")
    assert after.parent_span_id is None
    _assert_nothing_left_open()


def test_handoff_and_guardrail_spans(
    fake_llm: FakeLLMServer, client: openai.AsyncOpenAI, captured: CapturedTraces
) -> None:
    @input_guardrail
    def polite(ctx: Any, agent: Any, text: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info="ok", tripwire_triggered="rude" in str(text))

    expert = _agent(client, tools=[])
    expert.name = "expert"
    triage = _agent(client, tools=[], handoffs=[expert], input_guardrails=[polite])
    triage.name = "triage"
    fake_llm.queue_chat(tool_calls=[{"name": "transfer_to_expert", "arguments": {}}])
    result = Runner.run_sync(triage, "please help")
    assert result.final_output == "echo: please help"
    spans = captured.spans()
    by_type = sorted((s.span_type, s.name) for s in spans if s.span_type != "CHAT_MODEL")
    assert ("AGENT", "expert") in by_type and ("AGENT", "triage") in by_type
    guard = next(s for s in spans if s.name == "polite")
    assert (guard.span_type, guard.outputs) == ("GUARDRAIL", {"triggered": False})
    handoff = next(s for s in spans if s.name == "handoff to expert")
    assert (handoff.inputs, handoff.outputs) == ({"from_agent": "triage"}, {"to_agent": "expert"})
    assert len({s.trace_id for s in spans}) == 1

    captured.clear()
    with pytest.raises(InputGuardrailTripwireTriggered):
        Runner.run_sync(triage, "a rude question")
    spans = captured.spans()
    guard = next(s for s in spans if s.name == "polite")
    assert guard.outputs == {"triggered": True}
    root = next(s for s in spans if s.parent_span_id is None)
    assert root.status_code == "ERROR"
    assert root.events[0].attributes["exception.type"].endswith("InputGuardrailTripwireTriggered")


def test_an_agent_used_as_a_tool_nests_its_run_under_the_tool(
    fake_llm: FakeLLMServer, client: openai.AsyncOpenAI, captured: CapturedTraces
) -> None:
    expert = _agent(client, tools=[])
    expert.name = "expert"
    ask = expert.as_tool(tool_name="ask_expert", tool_description="Ask the expert.")
    lead = _agent(client, tools=[ask])
    lead.name = "lead"
    fake_llm.queue_chat(tool_calls=[{"name": "ask_expert", "arguments": {"input": "herons?"}}])
    assert Runner.run_sync(lead, "question").final_output == "echo: question"
    spans = captured.spans()
    tool = next(s for s in spans if s.name == "ask_expert")
    inner = next(s for s in spans if s.parent_span_id == tool.span_id)
    assert (inner.span_type, inner.inputs, inner.outputs) == ("AGENT", "herons?", "echo: herons?")
    assert [s.name for s in spans if s.parent_span_id == inner.span_id] == ["expert"]
    assert len({s.trace_id for s in spans}) == 1 and len(spans) == 11


def test_sdk_trace_block_holds_several_runs(
    client: openai.AsyncOpenAI, captured: CapturedTraces
) -> None:
    with agents.trace("support flow", group_id="thread-7"):
        Runner.run_sync(_agent(client, tools=[]), "one")
        Runner.run_sync(_agent(client, tools=[]), "two")
    spans = captured.spans()
    (root,) = [s for s in spans if s.parent_span_id is None]
    assert (root.name, root.span_type) == ("support flow", "AGENT")
    assert root.attributes["openai_agents.group_id"] == "thread-7"
    runs = [s for s in spans if s.parent_span_id == root.span_id]
    assert [(r.name, r.inputs) for r in runs] == [
        ("Agent workflow", "one"),
        ("Agent workflow", "two"),
    ]
    assert len({s.trace_id for s in spans}) == 1


def test_model_error_ends_spans_as_error_and_propagates(
    fake_llm: FakeLLMServer, client: openai.AsyncOpenAI, captured: CapturedTraces
) -> None:
    fake_llm.queue_error(400, "bad prompt")
    with pytest.raises(openai.BadRequestError, match="bad prompt"):
        Runner.run_sync(_agent(client), "x")
    spans = captured.spans()
    root = next(s for s in spans if s.parent_span_id is None)
    model = next(s for s in spans if s.span_type == "CHAT_MODEL")
    assert root.status_code == "ERROR" and model.status_code == "ERROR"
    assert root.events[0].attributes["exception.type"].endswith("BadRequestError")


def test_revert_stops_tracing_and_autolog_is_idempotent(
    client: openai.AsyncOpenAI, captured: CapturedTraces, recorder: _Recorder
) -> None:
    agents_autolog.revert()
    assert not agents_autolog.is_enabled()
    Runner.run_sync(_agent(client, tools=[]), "quiet")
    assert captured.spans() == []
    assert "trace" in recorder.ended  # the user's processor is unaffected
    agents_autolog.autolog()
    agents_autolog.autolog()
    provider: Any = get_trace_provider()
    ours = [p for p in provider._multi_processor._processors if not isinstance(p, _Recorder)]
    assert len(ours) == 1
    Runner.run_sync(_agent(client, tools=[]), "loud")
    assert len([s for s in captured.spans() if s.parent_span_id is None]) == 1


def test_a_renamed_runner_method_warns_once_and_runs_are_still_traced(
    client: openai.AsyncOpenAI, recorder: _Recorder, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    from agents.run import AgentRunner

    monkeypatch.setenv("ARDEA_STRICT", "0")
    monkeypatch.delattr(AgentRunner, "run_streamed")  # the library "changed shape"
    with caplog.at_level(logging.WARNING, logger="ardea"), capture_traces() as cap:
        agents_autolog.autolog()
        agents_autolog.autolog()
        result = Runner.run_sync(_agent(client, tools=[]), "still works")
    assert result.final_output == "echo: still works"
    warnings = [r for r in caplog.records if "run_streamed" in r.getMessage()]
    assert len(warnings) == 1 and "openai_agents autolog" in warnings[0].getMessage()
    assert {s.span_type for s in cap.spans()} >= {"AGENT", "CHAT_MODEL"}


def test_facade_and_registry_name() -> None:
    assert ardea.openai_agents is agents_autolog
    assert "agents" in ardea.autolog.integrations()


def test_other_span_kinds_map_to_readable_spans() -> None:
    from agents.tracing import (
        CustomSpanData,
        MCPListToolsSpanData,
        SpeechSpanData,
        TranscriptionSpanData,
    )

    from ardea.autolog import _openai_agents_parse as parse

    custom = CustomSpanData(name="lookup", data={"hits": 2})
    assert (parse.span_name(custom), parse.span_type(custom.type)) == ("lookup", "CHAIN")
    assert parse.end_data(custom) == (None, {"hits": 2}, {})
    mcp = MCPListToolsSpanData(server="files", result=["read", "write"])
    assert (parse.span_name(mcp), parse.span_type(mcp.type)) == ("list tools files", "CHAIN")
    assert parse.end_data(mcp) == ({"server": "files"}, ["read", "write"], {})
    speech = SpeechSpanData(input="hello", output="AAAA", output_format="pcm", model="tts-1")
    assert parse.span_type(speech.type) == "LLM"
    inputs, outputs, attrs = parse.end_data(speech)
    assert (inputs, outputs, attrs["mlflow.llm.model"]) == ({"text": "hello"}, None, "tts-1")
    heard = TranscriptionSpanData(input="AAAA", input_format="pcm", output="hi", model="stt")
    assert parse.end_data(heard)[:2] == (None, {"text": "hi"})


def test_a_project_module_named_agents_is_left_alone(tmp_path: Any) -> None:
    import json
    import os
    import subprocess
    import sys
    import textwrap

    (tmp_path / "agents.py").write_text("NAME = 'mine'\n")
    code = """
        import io, json, logging
        stream = io.StringIO()
        logging.getLogger("ardea").addHandler(logging.StreamHandler(stream))
        import ardea
        ardea.autolog()
        import agents
        print(json.dumps({"name": agents.NAME, "log": stream.getvalue(),
                          "on": ardea.openai_agents.is_enabled()}))
    """
    env = {**os.environ, "ARDEA_STRICT": "0"}
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300, env=env)  # fmt: skip
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"name": "mine", "log": "", "on": False}
