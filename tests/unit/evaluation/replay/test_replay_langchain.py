"""Replay of an agent recorded through real LangChain (``ChatOpenAI`` and a ``@tool``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("langchain_openai")

from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

from ardea.autolog import langchain as langchain_autolog
from ardea.evaluation.replay import ReplayResult, replay
from ardea.tracing.testing import CapturedTraces
from fixtures.fake_llm_server import FakeLLMServer

from . import agent as a

RAN: list[str] = []


@tool
def lookup(city: str) -> str:
    """The weather in a city."""
    RAN.append(city)
    return f"{city}: 21C"


@pytest.fixture
def lc(captured: CapturedTraces) -> Iterator[CapturedTraces]:
    langchain_autolog.autolog()
    yield captured
    langchain_autolog.revert()


def make_agent(
    provider: FakeLLMServer, override: dict[str, Any] | None = None, streaming: bool = False
) -> Any:
    model = ChatOpenAI(
        model="gpt-4o-mini",
        base_url=provider.openai_base_url,
        api_key="sk-x",
        max_retries=0,
        streaming=streaming,
    ).bind_tools([lookup])

    def agent(question: str) -> str:
        messages: list[BaseMessage] = [HumanMessage(question)]
        for _ in range(4):
            ai = model.invoke(messages)
            messages.append(ai)
            if not ai.tool_calls:
                return str(ai.content)
            for call in ai.tool_calls:
                call = {**call, "args": {**call["args"], **(override or {})}}
                messages.append(lookup.invoke(call))
        return "gave up"

    return agent


def _record(provider: FakeLLMServer, lc: CapturedTraces, streaming: bool = False) -> a.Trace:
    provider.queue_chat(tool_calls=[{"name": "lookup", "arguments": {"city": "Paris"}}])
    provider.queue_chat("Sunny in Paris.")
    import ardea

    traced = ardea.trace(name="agent", span_type="AGENT")(make_agent(provider, None, streaming))
    assert traced(question="Weather?") == "Sunny in Paris."
    return a.recorded(lc)


@pytest.mark.parametrize("streaming", [False, True], ids=["invoke", "streaming-model"])
def test_langchain_agent_replays_without_the_provider(
    provider: FakeLLMServer, lc: CapturedTraces, streaming: bool
) -> None:
    trace = _record(provider, lc, streaming)
    kinds = [(s.span_type, s.name) for s in sorted(trace.spans, key=lambda s: s.start_time_ns)]
    assert ("TOOL", "lookup") in kinds and ("CHAT_MODEL", "ChatOpenAI") in kinds
    if streaming:  # the model really streamed from the provider while recording
        assert any(isinstance(r.body, dict) and r.body.get("stream") for r in provider.requests)
    agent = make_agent(provider, streaming=streaming)
    provider.stop()
    RAN.clear()

    result = replay(trace, agent)

    assert isinstance(result, ReplayResult)
    assert result.passed, result.summary()
    assert [(s.kind, s.name, s.served) for s in result.steps] == [
        ("llm", "ChatOpenAI", True), ("tool", "lookup", True), ("llm", "ChatOpenAI", True),
    ]  # fmt: skip
    assert result.outputs == "Sunny in Paris."
    assert RAN == []


def test_langchain_changed_tool_argument_is_a_divergence(
    provider: FakeLLMServer, lc: CapturedTraces
) -> None:
    trace = _record(provider, lc)
    agent = make_agent(provider, override={"city": "Rome"})
    provider.stop()

    result = replay(trace, agent)

    assert result.divergence is not None
    assert (result.divergence.step, result.divergence.span_name) == (1, "lookup")
    assert result.divergence.got["inputs"] == {"city": "Rome"}
