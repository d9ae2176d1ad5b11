"""CrewAI autologging with the real ``crewai`` (native OpenAI provider) and the fake provider."""

from __future__ import annotations

import asyncio
import logging
import os
import warnings
from collections.abc import Iterator

import pytest

# CrewAI's anonymous telemetry and its hosted tracing must stay off (no network in tests).
os.environ["CREWAI_DISABLE_TELEMETRY"] = "true"
os.environ["CREWAI_TRACING_ENABLED"] = "false"

with warnings.catch_warnings():  # crewai.rag's import warns about its own lazy module
    warnings.simplefilter("ignore", ImportWarning)
    import crewai
    from crewai.tools import tool

from ardea.autolog import crewai as crewai_autolog
from ardea.autolog import openai as openai_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.usefixtures("no_genai_patches")


@tool("add")
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@pytest.fixture
def captured(fake_llm: FakeLLMServer) -> Iterator[CapturedTraces]:
    fake_llm.reset()
    crewai_autolog.autolog()
    openai_autolog.autolog()  # the OpenAI SDK call under a CrewAI LLM span adds no span
    try:
        with capture_traces() as cap:
            yield cap
    finally:
        crewai_autolog.revert()


def _llm(fake_llm: FakeLLMServer, **kw: object) -> crewai.LLM:
    return crewai.LLM(
        model="gpt-4o-mini", base_url=fake_llm.openai_base_url, api_key="sk-secret", **kw
    )


def _crew(fake_llm: FakeLLMServer, crew_stream: bool = False, **llm_kw: object) -> crewai.Crew:
    agent = crewai.Agent(
        role="calculator", goal="add numbers", backstory="good at sums",
        llm=_llm(fake_llm, **llm_kw), tools=[add], verbose=False,
    )  # fmt: skip
    task = crewai.Task(description="add 2 and 3", expected_output="a number", agent=agent)
    return crewai.Crew(agents=[agent], tasks=[task], verbose=False, stream=crew_stream)


def _script(fake_llm: FakeLLMServer) -> None:
    fake_llm.queue_chat(tool_calls=[{"name": "add", "arguments": {"a": 2, "b": 3}}])
    fake_llm.queue_chat("The sum is 5", input_tokens=40, output_tokens=4)


def _by_name(spans: list[Span]) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = {}
    for span in spans:
        out.setdefault(span.name, []).append(span)
    return out


def _check_tree(spans: list[Span], parent: str | None = None) -> None:
    names = _by_name(spans)
    assert sorted(names) == ["Crew.kickoff", "OpenAICompletion.call", "Task", "add", "calculator"]
    (crew,) = names["Crew.kickoff"]
    (task,) = names["Task"]
    (agent,) = names["calculator"]
    (tool_span,) = names["add"]
    first, second = sorted(names["OpenAICompletion.call"], key=lambda s: s.start_time_ns)
    assert crew.parent_span_id == parent and crew.span_type == "CHAIN"
    assert task.parent_span_id == crew.span_id and task.span_type == "CHAIN"
    assert agent.parent_span_id == task.span_id and agent.span_type == "AGENT"
    for child in (first, second, tool_span):
        assert child.parent_span_id == agent.span_id
    assert tool_span.span_type == "TOOL"
    assert tool_span.inputs == {"a": 2, "b": 3} and tool_span.outputs == 5
    assert task.inputs == {"description": "add 2 and 3", "expected_output": "a number"}
    assert agent.inputs == {"task": "add 2 and 3", "tools": ["add"]}
    assert crew.outputs == agent.outputs == task.outputs == "The sum is 5"
    assert first.span_type == second.span_type == "CHAT_MODEL"
    assert first.outputs[0]["function"]["name"] == "add"  # the model asked for the tool
    assert second.outputs == "The sum is 5"
    assert second.inputs["messages"][0]["role"] == "system"
    attrs = second.attributes
    assert attrs["mlflow.llm.model"] == "gpt-4o-mini"
    assert attrs["mlflow.llm.provider"] == "openai"
    assert attrs["mlflow.chat.tokenUsage"] == {
        "input_tokens": 40,
        "output_tokens": 4,
        "total_tokens": 44,
    }
    assert attrs["mlflow.llm.cost"]["total_cost"] == pytest.approx((40 * 0.15 + 4 * 0.6) / 1e6)
    assert first.attributes["mlflow.chat.tools"][0]["function"]["name"] == "add"
    assert "sk-secret" not in str([s.attributes for s in spans])
    assert all(s.status_code == "OK" for s in spans)


def test_crew_kickoff_makes_the_span_tree(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    _script(fake_llm)
    result = _crew(fake_llm).kickoff()
    assert result.raw == "The sum is 5"
    _check_tree(captured.spans())


def test_streaming_llm_call_span_has_the_whole_answer_and_usage(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    _script(fake_llm)
    result = _crew(fake_llm, stream=True).kickoff()
    assert result.raw == "The sum is 5"
    assert all(r.body.get("stream") is True for r in fake_llm.requests_to("/chat/completions"))
    _check_tree(captured.spans())


def test_streaming_crew_is_one_trace_under_the_readers_span(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    import ardea

    _script(fake_llm)
    streaming = _crew(fake_llm, crew_stream=True, stream=True).kickoff()
    with ardea.start_span("reader") as reader:
        chunks = [chunk.content for chunk in streaming]
    assert "".join(chunks).endswith("The sum is 5")
    assert streaming.result.raw == "The sum is 5"
    spans = captured.spans()
    (root,) = [s for s in spans if s.parent_span_id is None]
    assert root.span_id == reader.span_id
    _check_tree([s for s in spans if s.span_id != reader.span_id], parent=reader.span_id)


def test_async_kickoff(fake_llm: FakeLLMServer, captured: CapturedTraces) -> None:
    _script(fake_llm)
    result = asyncio.run(_crew(fake_llm).akickoff())
    assert result.raw == "The sum is 5"
    _check_tree(captured.spans())


def test_flow_and_its_methods_are_spans(fake_llm: FakeLLMServer, captured: CapturedTraces) -> None:
    from crewai.flow.flow import Flow, listen, start

    llm = _llm(fake_llm)

    class Greeting(Flow):
        @start()
        def ask(self) -> str:
            return str(llm.call("hello flow"))

        @listen(ask)
        def shout(self, text: str) -> str:
            return text.upper()

    assert Greeting().kickoff(inputs={"who": "you"}) == "ECHO: HELLO FLOW"
    spans = {s.name: s for s in captured.spans()}
    assert sorted(spans) == ["Greeting", "OpenAICompletion.call", "ask", "shout"]
    root = spans["Greeting"]
    assert root.parent_span_id is None and root.span_type == "CHAIN"
    assert root.inputs == {"inputs": {"who": "you"}} and root.outputs == "ECHO: HELLO FLOW"
    assert spans["ask"].parent_span_id == spans["shout"].parent_span_id == root.span_id
    assert spans["ask"].outputs == "echo: hello flow"
    assert spans["shout"].inputs == {"_0": "echo: hello flow"}
    assert spans["OpenAICompletion.call"].parent_span_id == spans["ask"].span_id


def test_llm_error_propagates_and_marks_the_span(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    fake_llm.queue_error(400, "bad request from the fake")
    llm = _llm(fake_llm, max_retries=0)
    with pytest.raises(Exception, match="bad request from the fake"):
        llm.call("hello")
    (span,) = captured.spans()
    assert span.span_type == "CHAT_MODEL"
    assert span.status_code == "ERROR"
    assert span.inputs == {"messages": [{"role": "user", "content": "hello"}]}


def test_revert_stops_tracing(fake_llm: FakeLLMServer, captured: CapturedTraces) -> None:
    crewai_autolog.revert()
    openai_autolog.revert()
    assert not crewai_autolog.is_enabled()
    assert _llm(fake_llm).call("hello") == "echo: hello"
    assert captured.spans() == []


def test_a_renamed_function_warns_once_and_the_users_call_still_works(
    fake_llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fake_llm.reset()
    monkeypatch.setenv("ARDEA_STRICT", "0")
    # CrewAI "changes shape": Crew.kickoff is now Crew.kickoff_v2.
    monkeypatch.setattr(crewai.Crew, "kickoff_v2", crewai.Crew.kickoff, raising=False)
    monkeypatch.delattr(crewai.Crew, "kickoff")
    caplog.set_level(logging.WARNING, logger="ardea")
    try:
        with capture_traces() as cap:
            crewai_autolog.autolog()
            crewai_autolog.autolog()  # a second call warns no more
            _script(fake_llm)
            assert _crew(fake_llm).kickoff_v2().raw == "The sum is 5"
            names = {s.name for s in cap.spans()}
    finally:
        crewai_autolog.revert()
    warnings = [r for r in caplog.records if "Crew.kickoff" in r.getMessage()]
    assert len(warnings) == 1
    assert "crewai autolog" in warnings[0].getMessage()
    assert {"Task", "calculator", "add", "OpenAICompletion.call"} <= names  # the rest works
