"""Google ADK autologging: a real LlmAgent with a function tool, Gemini API on the fake provider."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from google.adk.agents import LlmAgent
from google.adk.agents.run_config import RunConfig, StreamingMode
from google.adk.models.google_llm import Gemini
from google.adk.runners import InMemoryRunner
from google.genai import types

from ardea.autolog import google_adk as adk_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.usefixtures("no_genai_patches")


@pytest.fixture(autouse=True)
def _adk_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("GOOGLE_API_KEY", "test-key")
    monkeypatch.delenv("GOOGLE_GENAI_USE_VERTEXAI", raising=False)
    adk_autolog.revert()
    yield
    adk_autolog.revert()


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    adk_autolog.autolog()
    with capture_traces() as cap:
        yield cap


def _weather(city: str) -> str:
    """Weather of a city."""
    return f"sunny in {city}"


def _agent(fake_llm: FakeLLMServer, name: str = "weather_agent") -> LlmAgent:
    model = Gemini(model="gemini-2.0-flash", base_url=fake_llm.base_url)
    return LlmAgent(name=name, model=model, instruction="Answer about weather.",
                    tools=[_weather])  # fmt: skip


def _run(agent: LlmAgent, text: str, run_config: RunConfig | None = None) -> list[Any]:
    runner = InMemoryRunner(agent=agent, app_name="app")

    async def go() -> list[Any]:
        session = await runner.session_service.create_session(app_name="app", user_id="u")
        message = types.Content(role="user", parts=[types.Part(text=text)])
        events = runner.run_async(user_id="u", session_id=session.id, new_message=message,
                                  run_config=run_config)  # fmt: skip
        return [ev async for ev in events]

    return asyncio.run(go())


def _queue_tool_turn(fake_llm: FakeLLMServer) -> None:
    fake_llm.reset()
    fake_llm.queue_chat(tool_calls=[{"name": "_weather", "arguments": {"city": "Oslo"}}])
    fake_llm.queue_chat("It is sunny in Oslo.")


def _check_tree(spans: list[Span]) -> None:
    assert len({s.trace_id for s in spans}) == 1 and all(s.status_code == "OK" for s in spans)
    (app,) = [s for s in spans if s.parent_span_id is None]
    assert (app.name, app.span_type) == ("app", "CHAIN")
    (root,) = [s for s in spans if s.parent_span_id == app.span_id]
    assert (root.name, root.span_type) == ("weather_agent", "AGENT")
    assert app.inputs == root.inputs == {"parts": [{"text": "weather in Oslo?"}], "role": "user"}
    assert app.outputs == root.outputs
    assert root.outputs["parts"][0]["text"] == "It is sunny in Oslo."
    (tool,) = [s for s in spans if s.span_type == "TOOL"]
    assert (tool.name, tool.inputs, tool.outputs) == ("_weather", {"city": "Oslo"},
                                                      "sunny in Oslo")  # fmt: skip
    assert tool.parent_span_id == root.span_id
    models = sorted(
        (s for s in spans if s.span_type == "CHAT_MODEL"), key=lambda s: s.start_time_ns
    )
    assert len(models) == 2 and all(m.parent_span_id == root.span_id for m in models)
    first, second = models
    assert first.inputs["contents"][0]["parts"][0]["text"] == "weather in Oslo?"
    assert "Answer about weather." in first.inputs["system_instruction"]
    call = first.outputs["content"]["parts"][0]["function_call"]
    assert (call["name"], call["args"]) == ("_weather", {"city": "Oslo"})
    attrs = first.attributes
    assert (attrs["mlflow.llm.model"], attrs["mlflow.llm.provider"]) == ("gemini-2.0-flash",
                                                                         "gemini")  # fmt: skip
    assert attrs["mlflow.chat.tools"][0]["function"]["name"] == "_weather"
    usage = attrs["mlflow.chat.tokenUsage"]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    assert attrs["mlflow.llm.cost"]["total_cost"] > 0
    assert second.attributes["mlflow.chat.tokenUsage"]["output_tokens"] == 5  # "It is sunny ..."


def test_agent_tool_and_model_spans(fake_llm: FakeLLMServer, captured: CapturedTraces) -> None:
    _queue_tool_turn(fake_llm)
    events = _run(_agent(fake_llm), "weather in Oslo?")
    assert events[-1].content.parts[0].text == "It is sunny in Oslo."
    _check_tree(captured.spans())


def test_streaming_mode(fake_llm: FakeLLMServer, captured: CapturedTraces) -> None:
    _queue_tool_turn(fake_llm)
    config = RunConfig(streaming_mode=StreamingMode.SSE)
    events = _run(_agent(fake_llm), "weather in Oslo?", config)
    assert any(getattr(e, "partial", False) for e in events)
    spans = captured.spans()
    _check_tree(spans)


def test_sync_runner_and_sub_agent(fake_llm: FakeLLMServer, captured: CapturedTraces) -> None:
    fake_llm.reset()
    fake_llm.queue_chat(tool_calls=[{"name": "transfer_to_agent",
                                     "arguments": {"agent_name": "weather_agent"}}])  # fmt: skip
    fake_llm.queue_chat(tool_calls=[{"name": "_weather", "arguments": {"city": "Oslo"}}])
    fake_llm.queue_chat("It is sunny in Oslo.")
    model = Gemini(model="gemini-2.0-flash", base_url=fake_llm.base_url)
    root = LlmAgent(name="router", model=model, instruction="Route.",
                    sub_agents=[_agent(fake_llm)])  # fmt: skip
    runner = InMemoryRunner(agent=root, app_name="app")
    session = asyncio.run(runner.session_service.create_session(app_name="app", user_id="u"))
    message = types.Content(role="user", parts=[types.Part(text="weather in Oslo?")])
    events = list(runner.run(user_id="u", session_id=session.id, new_message=message))
    assert events[-1].content.parts[0].text == "It is sunny in Oslo."
    spans = captured.spans()
    assert len({s.trace_id for s in spans}) == 1
    by_name: dict[str, list[Span]] = {}
    for span in spans:
        by_name.setdefault(span.name, []).append(span)
    (app,) = by_name["app"]
    (router,) = by_name["router"]
    (weather,) = by_name["weather_agent"]
    assert app.parent_span_id is None and weather.span_type == router.span_type == "AGENT"
    assert router.parent_span_id == weather.parent_span_id == app.span_id  # ADK 2: siblings
    assert by_name["transfer_to_agent"][0].parent_span_id == router.span_id
    (tool,) = by_name["_weather"]
    assert tool.parent_span_id == weather.span_id


def test_model_calls_are_framework_llm_spans(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    # The gemini SDK integration makes no span of its own inside one (no duplicate).
    from ardea.autolog._llm_call import inside_framework_llm_span

    seen: list[bool] = []
    _queue_tool_turn(fake_llm)
    agent = _agent(fake_llm)
    agent.before_model_callback = lambda callback_context, llm_request: seen.append(
        inside_framework_llm_span()
    )
    _run(agent, "weather in Oslo?")
    assert seen == [True, True]
    assert not inside_framework_llm_span()


@pytest.mark.parametrize("streaming", [False, True])
def test_gemini_autolog_adds_no_duplicate_model_span(
    fake_llm: FakeLLMServer, captured: CapturedTraces, streaming: bool
) -> None:
    from ardea.autolog import gemini as gemini_autolog

    gemini_autolog.autolog()
    try:
        _queue_tool_turn(fake_llm)
        mode = StreamingMode.SSE if streaming else StreamingMode.NONE
        _run(_agent(fake_llm), "weather in Oslo?", RunConfig(streaming_mode=mode))
    finally:
        gemini_autolog.revert()
    spans = captured.spans()
    _check_tree(spans)
    assert sorted(s.span_type for s in spans) == ["AGENT", "CHAIN", "CHAT_MODEL", "CHAT_MODEL",
                                                  "TOOL"]  # fmt: skip


def test_model_errors_end_the_spans_as_error(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    fake_llm.reset()
    fake_llm.queue_error(400, "bad request")
    with pytest.raises(Exception, match="bad request"):
        _run(_agent(fake_llm), "weather in Oslo?")
    spans = {s.span_type: s for s in captured.spans()}
    assert spans["CHAT_MODEL"].status_code == "ERROR" and spans["AGENT"].status_code == "ERROR"
    assert [e.name for e in spans["CHAT_MODEL"].events] == ["exception"]
    from ardea.autolog._llm_call import framework_llm_spans

    assert not framework_llm_spans


def test_adk_own_spans_are_silenced_while_on_and_restored(fake_llm: FakeLLMServer) -> None:
    from opentelemetry import trace

    tracing = sys.modules["google.adk.telemetry.tracing"]
    original = tracing.tracer
    adk_autolog.autolog()
    assert isinstance(tracing.tracer, trace.NoOpTracer)
    assert isinstance(sys.modules["google.adk.runners"].tracer, trace.NoOpTracer)
    adk_autolog.revert()
    assert tracing.tracer is original and not adk_autolog.is_enabled()
    with capture_traces() as cap:
        _queue_tool_turn(fake_llm)
        _run(_agent(fake_llm), "weather in Oslo?")
    assert cap.spans() == []


def test_a_renamed_method_warns_once_and_the_agent_runs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fake_llm: FakeLLMServer
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    renamed = ("google.adk.flows.llm_flows.base_llm_flow", "BaseLlmFlow", "_call_llm_v9", "llm")
    targets = tuple(renamed if t[3] == "llm" else t for t in adk_autolog._TARGETS)
    monkeypatch.setattr(adk_autolog, "_TARGETS", targets)
    _queue_tool_turn(fake_llm)
    with caplog.at_level(logging.WARNING, logger="ardea"), capture_traces() as cap:
        adk_autolog.autolog()
        events = _run(_agent(fake_llm), "weather in Oslo?")
    assert events[-1].content.parts[0].text == "It is sunny in Oslo."
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "BaseLlmFlow._call_llm_v9" in warnings[0].getMessage()
    assert sorted(s.span_type for s in cap.spans()) == ["AGENT", "CHAIN", "TOOL"]
