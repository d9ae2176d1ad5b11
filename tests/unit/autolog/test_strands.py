"""Strands autologging with the real ``strands-agents`` (its OpenAI model) and the fake provider."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest
import strands
from strands.models.openai import OpenAIModel

import ardea
from ardea.autolog import openai as openai_autolog
from ardea.autolog import strands as strands_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.usefixtures("no_genai_patches")


@pytest.fixture(autouse=True, scope="module")
def _undo_thread_propagation() -> Iterator[None]:
    """Strands' tracer turns on OTel's ThreadingInstrumentor process-wide (new threads inherit
    the starting thread's span); later test modules in this worker must not inherit that."""
    from opentelemetry.instrumentation.threading import ThreadingInstrumentor

    was_on = ThreadingInstrumentor().is_instrumented_by_opentelemetry
    yield
    if not was_on and ThreadingInstrumentor().is_instrumented_by_opentelemetry:
        ThreadingInstrumentor().uninstrument()


@strands.tool
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
    strands_autolog.autolog()
    openai_autolog.autolog()  # the OpenAI SDK call under Strands' chat span adds no span
    try:
        with capture_traces() as cap:
            yield cap
    finally:
        strands_autolog.revert()


def _agent(
    fake_llm: FakeLLMServer, name: str = "calculator", tools: list[object] | None = None
) -> strands.Agent:
    model = OpenAIModel(
        client_args={"base_url": fake_llm.openai_base_url, "api_key": "sk-secret",
                     "max_retries": 0},
        model_id="gpt-4o-mini",
    )  # fmt: skip
    tools = [add] if tools is None else tools
    return strands.Agent(model=model, tools=tools, callback_handler=None, name=name)


def _script(fake_llm: FakeLLMServer) -> None:
    fake_llm.queue_chat(tool_calls=[{"name": "add", "arguments": {"a": 2, "b": 3}}],
                        input_tokens=100, output_tokens=10)  # fmt: skip
    fake_llm.queue_chat("The sum is 5", input_tokens=120, output_tokens=4)


def _children(spans: list[Span], parent: Span) -> list[Span]:
    return sorted(
        (s for s in spans if s.parent_span_id == parent.span_id), key=lambda s: s.start_time_ns
    )


def _check_tree(spans: list[Span], outer: Span | None) -> None:
    (agent,) = [s for s in spans if s.span_type == "AGENT"]
    assert agent.parent_span_id == (outer.span_id if outer else None)
    assert agent.name == "invoke_agent calculator"
    assert agent.inputs == [{"role": "user", "content": [{"text": "add 2 and 3"}]}]
    assert agent.outputs == {"role": "assistant", "content": [{"text": "The sum is 5"}]}
    # The invocation's totals are kept aside, not counted as one more LLM call.
    assert "mlflow.chat.tokenUsage" not in agent.attributes
    assert agent.attributes["strands.accumulated_usage.input_tokens"] == 220
    cycle1, cycle2 = _children(spans, agent)
    assert cycle1.span_type == cycle2.span_type == "CHAIN"
    assert cycle1.name == "execute_event_loop_cycle"
    chat1, tool = _children(spans, cycle1)
    (chat2,) = _children(spans, cycle2)
    types = (chat1.span_type, tool.span_type, chat2.span_type)
    assert types == ("CHAT_MODEL", "TOOL", "CHAT_MODEL")
    assert cycle1.outputs["tool_result_message"]["content"][0]["toolResult"]["status"] == "success"
    assert tool.name == "execute_tool add"
    assert tool.inputs == {"a": 2, "b": 3} and tool.outputs == [{"text": "5"}]
    assert chat1.outputs["message"]["content"][0]["toolUse"]["name"] == "add"
    assert chat1.outputs["stop_reason"] == "tool_use"
    assert chat2.outputs == {
        "message": {"role": "assistant", "content": [{"text": "The sum is 5"}]},
        "stop_reason": "end_turn",
    }
    assert chat2.inputs["messages"][0]["content"][0]["text"] == "add 2 and 3"
    attrs = chat2.attributes
    assert attrs["mlflow.llm.model"] == "gpt-4o-mini"
    assert attrs["mlflow.llm.provider"] == "openai"
    assert attrs["mlflow.chat.tokenUsage"] == {
        "input_tokens": 120,
        "output_tokens": 4,
        "total_tokens": 124,
    }
    assert attrs["mlflow.llm.cost"]["total_cost"] == pytest.approx((120 * 0.15 + 4 * 0.6) / 1e6)
    assert chat1.attributes["mlflow.chat.tokenUsage"]["input_tokens"] == 100
    assert not [s for s in spans if s.name == "Completions"]  # no second span from the SDK
    assert "sk-secret" not in str([s.attributes for s in spans])
    assert all(s.status_code == "OK" for s in spans)


def test_agent_call_makes_the_span_tree_under_the_callers_span(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    _script(fake_llm)
    with ardea.start_span("outer") as outer:
        result = _agent(fake_llm)("add 2 and 3")
    assert str(result).strip() == "The sum is 5"
    assert all(r.body.get("stream") is True for r in fake_llm.requests_to("/chat/completions"))
    spans = captured.spans()
    (root,) = [s for s in spans if s.parent_span_id is None]
    assert root.span_id == outer.span_id
    _check_tree(spans, root)


def test_async_invocation(fake_llm: FakeLLMServer, captured: CapturedTraces) -> None:
    _script(fake_llm)
    result = asyncio.run(_agent(fake_llm).invoke_async("add 2 and 3"))
    assert str(result).strip() == "The sum is 5"
    _check_tree(captured.spans(), None)


def test_graph_of_agents_is_one_trace(fake_llm: FakeLLMServer, captured: CapturedTraces) -> None:
    from strands.multiagent import GraphBuilder

    builder = GraphBuilder()
    builder.add_node(_agent(fake_llm, "first", tools=[]), "first")
    builder.add_node(_agent(fake_llm, "second", tools=[]), "second")
    builder.add_edge("first", "second")
    builder.set_entry_point("first")
    builder.set_max_node_executions(2)
    graph = builder.build()
    graph("hello graph")
    spans = captured.spans()
    (root,) = [s for s in spans if s.parent_span_id is None]
    assert (root.name, root.span_type) == ("invoke_graph", "CHAIN")
    assert root.inputs == {"task": "hello graph"}
    agents = sorted((s for s in spans if s.span_type == "AGENT"), key=lambda s: s.start_time_ns)
    assert [a.name for a in agents] == ["invoke_agent first", "invoke_agent second"]
    assert all(a.parent_span_id == root.span_id for a in agents)
    assert len([s for s in spans if s.span_type == "CHAT_MODEL"]) == 2


def test_model_error_ends_the_spans_as_error(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    fake_llm.queue_error(400, "bad request from the fake")
    with pytest.raises(Exception, match="bad request from the fake"):
        _agent(fake_llm)("add 2 and 3")
    spans = {s.span_type: s for s in captured.spans()}
    assert spans["CHAT_MODEL"].status_code == "ERROR"
    assert spans["AGENT"].status_code == "ERROR"


def test_revert_gives_strands_spans_back_to_its_provider(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    strands_autolog.revert()
    openai_autolog.revert()
    assert not strands_autolog.is_enabled()
    _script(fake_llm)
    assert str(_agent(fake_llm)("add 2 and 3")).strip() == "The sum is 5"
    assert captured.spans() == []  # the global provider is OTel's no-op one here


def test_a_missing_tracer_method_warns_once_and_the_users_call_still_works(
    fake_llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from strands.telemetry.tracer import Tracer

    fake_llm.reset()
    monkeypatch.setenv("ARDEA_STRICT", "0")
    # Strands "changes shape": end_span_with_cancellation is gone.
    monkeypatch.delattr(Tracer, "end_span_with_cancellation")
    caplog.set_level(logging.WARNING, logger="ardea")
    try:
        with capture_traces() as cap:
            strands_autolog.autolog()
            strands_autolog.autolog()  # a second call warns no more
            _script(fake_llm)
            assert str(_agent(fake_llm)("add 2 and 3")).strip() == "The sum is 5"
            types = sorted(s.span_type for s in cap.spans())
    finally:
        strands_autolog.revert()
    warnings = [r for r in caplog.records if "end_span_with_cancellation" in r.getMessage()]
    assert len(warnings) == 1
    assert "strands autolog" in warnings[0].getMessage()
    assert types == ["AGENT", "CHAIN", "CHAIN", "CHAT_MODEL", "CHAT_MODEL", "TOOL"]
