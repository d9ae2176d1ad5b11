"""smolagents autologging with the real ``smolagents`` (``OpenAIModel``) and the fake provider."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import smolagents
from smolagents import tool

from ardea.autolog import openai as openai_autolog
from ardea.autolog import smolagents as smol_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.usefixtures("no_genai_patches")


@tool
def add(a: int, b: int) -> int:
    """Add two numbers.

    Args:
        a: The first number.
        b: The second number.
    """
    return a + b


@pytest.fixture
def captured(fake_llm: FakeLLMServer) -> Iterator[CapturedTraces]:
    fake_llm.reset()
    smol_autolog.autolog()
    openai_autolog.autolog()  # the OpenAI SDK call under a model span adds no span
    try:
        with capture_traces() as cap:
            yield cap
    finally:
        smol_autolog.revert()


def _model(fake_llm: FakeLLMServer) -> smolagents.OpenAIModel:
    return smolagents.OpenAIModel(
        model_id="gpt-4o-mini", api_base=fake_llm.openai_base_url, api_key="sk-secret",
        client_kwargs={"max_retries": 0},
    )  # fmt: skip


def _tool_agent(fake_llm: FakeLLMServer, **kw: object) -> smolagents.ToolCallingAgent:
    return smolagents.ToolCallingAgent(
        tools=[add], model=_model(fake_llm), max_steps=3, verbosity_level=0, **kw
    )


def _script_tool_agent(fake_llm: FakeLLMServer) -> None:
    fake_llm.queue_chat(tool_calls=[{"name": "add", "arguments": {"a": 2, "b": 3}}],
                        input_tokens=100, output_tokens=10)  # fmt: skip
    fake_llm.queue_chat(tool_calls=[{"name": "final_answer", "arguments": {"answer": "5"}}],
                        input_tokens=120, output_tokens=12)  # fmt: skip


def _children(spans: list[Span], parent: Span) -> list[Span]:
    return sorted(
        (s for s in spans if s.parent_span_id == parent.span_id), key=lambda s: s.start_time_ns
    )


def _check_tool_agent_tree(spans: list[Span], generate: str = "generate") -> None:
    (root,) = [s for s in spans if s.parent_span_id is None]
    assert root.name == "ToolCallingAgent" and root.span_type == "AGENT"
    assert root.inputs == {"task": "add 2 and 3"}
    assert root.outputs == "5"
    step1, step2 = _children(spans, root)
    assert (step1.name, step2.name) == ("Step 1", "Step 2")
    assert step1.span_type == step2.span_type == "CHAIN"
    model1, tool1 = _children(spans, step1)
    model2, tool2 = _children(spans, step2)
    assert [s.span_type for s in (model1, tool1, model2, tool2)] == [
        "CHAT_MODEL", "TOOL", "CHAT_MODEL", "TOOL"]  # fmt: skip
    assert tool1.name == "add" and tool1.inputs == {"a": 2, "b": 3} and tool1.outputs == 5
    assert tool2.name == "final_answer" and tool2.outputs == "5"
    assert step1.outputs["observations"] == "5"
    assert step2.outputs["is_final_answer"] is True
    assert model1.name == model2.name == f"OpenAIModel.{generate}"
    assert model1.inputs["messages"][-1]["role"] == "user"
    assert model1.outputs["tool_calls"][0]["function"]["name"] == "add"
    attrs = model2.attributes
    assert attrs["mlflow.llm.model"] == "gpt-4o-mini"
    assert attrs["mlflow.llm.provider"] == "openai"
    assert attrs["mlflow.chat.tokenUsage"] == {
        "input_tokens": 120,
        "output_tokens": 12,
        "total_tokens": 132,
    }
    assert attrs["mlflow.llm.cost"]["total_cost"] == pytest.approx((120 * 0.15 + 12 * 0.6) / 1e6)
    assert {t["function"]["name"] for t in attrs["mlflow.chat.tools"]} == {"add", "final_answer"}
    assert not [s for s in spans if s.name == "Completions"]  # no second span from the SDK
    assert "sk-secret" not in str([s.attributes for s in spans])


def test_tool_calling_agent_run_makes_the_span_tree(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    _script_tool_agent(fake_llm)
    assert _tool_agent(fake_llm).run("add 2 and 3") == "5"
    _check_tool_agent_tree(captured.spans())


def test_streamed_run_and_streamed_generation(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    _script_tool_agent(fake_llm)
    agent = _tool_agent(fake_llm, stream_outputs=True)  # the model streams too
    steps = agent.run("add 2 and 3", stream=True)
    first = next(steps)
    assert first is not None
    assert [s.name for s in captured.spans() if s.span_type == "AGENT"] == []  # still open
    list(steps)
    assert all(r.body.get("stream") is True for r in fake_llm.requests_to("/chat/completions"))
    _check_tool_agent_tree(captured.spans(), "generate_stream")


def test_a_step_stream_closed_early_ends_the_spans(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    _script_tool_agent(fake_llm)
    steps = _tool_agent(fake_llm).run("add 2 and 3", stream=True)
    for item in steps:
        if type(item).__name__ == "ToolOutput":  # the add tool ran: stop reading
            break
    # smolagents' own step generator yields from a finally block: closing it early raises,
    # with or without Ardea. The spans end all the same.
    with pytest.raises(RuntimeError, match="ignored GeneratorExit"):
        steps.close()
    spans = {s.name: s for s in captured.spans()}
    assert spans["ToolCallingAgent"].status_code == "OK"
    assert spans["Step 1"].parent_span_id == spans["ToolCallingAgent"].span_id
    assert "Step 2" not in spans
    captured.clear()
    unread = _tool_agent(fake_llm).run("add 2 and 3", stream=True)
    del unread  # never read: no run happened, no span either
    assert captured.spans() == []


def test_code_agent_tools_nest_under_the_step(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    fake_llm.queue_chat("Thought: easy\n<code>\nfinal_answer(add(2, 3))\n</code>",
                        input_tokens=50, output_tokens=5)  # fmt: skip
    agent = smolagents.CodeAgent(tools=[add], model=_model(fake_llm), max_steps=2,
                                 verbosity_level=0)  # fmt: skip
    assert agent.run("add 2 and 3") == 5
    spans = captured.spans()
    (root,) = [s for s in spans if s.parent_span_id is None]
    assert root.name == "CodeAgent" and root.span_type == "AGENT"
    (step,) = _children(spans, root)
    model, tool_add, tool_final = _children(spans, step)
    assert model.span_type == "CHAT_MODEL"
    assert model.attributes["mlflow.chat.tokenUsage"]["input_tokens"] == 50
    assert (tool_add.name, tool_add.inputs, tool_add.outputs) == ("add", {"a": 2, "b": 3}, 5)
    assert (tool_final.name, tool_final.inputs) == ("final_answer", {"answer": 5})
    assert step.outputs["code_action"] == "final_answer(add(2, 3))"


def test_model_error_ends_the_spans_as_error(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    fake_llm.queue_error(400, "bad request from the fake")
    with pytest.raises(smolagents.utils.AgentGenerationError):
        _tool_agent(fake_llm).run("add 2 and 3")
    spans = {s.span_type: s for s in captured.spans()}
    assert spans["CHAT_MODEL"].status_code == "ERROR"
    assert "bad request from the fake" in str(spans["CHAT_MODEL"].events)
    assert spans["AGENT"].status_code == "ERROR"


def test_revert_stops_tracing(fake_llm: FakeLLMServer, captured: CapturedTraces) -> None:
    smol_autolog.revert()
    openai_autolog.revert()
    assert not smol_autolog.is_enabled()
    _script_tool_agent(fake_llm)
    assert _tool_agent(fake_llm).run("add 2 and 3") == "5"
    assert captured.spans() == []


def test_a_renamed_function_warns_once_and_the_users_call_still_works(
    fake_llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fake_llm.reset()
    monkeypatch.setenv("ARDEA_STRICT", "0")
    # smolagents "changes shape": MultiStepAgent.run is now MultiStepAgent.run_v2.
    agents = smolagents.agents
    monkeypatch.setattr(agents.MultiStepAgent, "run_v2", agents.MultiStepAgent.run, raising=False)
    monkeypatch.delattr(agents.MultiStepAgent, "run")
    caplog.set_level(logging.WARNING, logger="ardea")
    try:
        with capture_traces() as cap:
            smol_autolog.autolog()
            smol_autolog.autolog()  # a second call warns no more
            _script_tool_agent(fake_llm)
            assert _tool_agent(fake_llm).run_v2("add 2 and 3") == "5"
            types = {s.span_type for s in cap.spans()}
    finally:
        smol_autolog.revert()
    warnings = [r for r in caplog.records if "MultiStepAgent.run" in r.getMessage()]
    assert len(warnings) == 1
    assert "smolagents autolog" in warnings[0].getMessage()
    assert types == {"CHAIN", "CHAT_MODEL", "TOOL"}  # the rest still works
