"""LangGraph autologging: real graphs with langchain-openai's ChatOpenAI on the fake provider."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Iterator
from typing import Any, TypedDict

import pytest
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

import ardea
from ardea.autolog import langchain as langchain_autolog
from ardea.autolog import langgraph as langgraph_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.usefixtures("no_genai_patches")

_PLUMBING = ("ChannelWrite", "__start__", "RunnableSequence", "call_model", "RunnableParallel")


class _State(TypedDict):
    question: str
    answer: str


@pytest.fixture
def chat(fake_llm: FakeLLMServer) -> ChatOpenAI:
    fake_llm.reset()
    return ChatOpenAI(model="gpt-4o-mini", base_url=fake_llm.openai_base_url, api_key="sk-x",
                      max_retries=0, stream_usage=True)  # fmt: skip


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    langgraph_autolog.autolog()
    with capture_traces() as cap:
        yield cap


@tool
def get_weather(city: str) -> str:
    """Weather of a city."""
    return f"sunny in {city}"


def _qa_graph(chat: ChatOpenAI) -> CompiledStateGraph[Any, Any, Any, Any]:
    def answer(state: _State) -> dict[str, Any]:
        return {"answer": str(chat.invoke(state["question"]).content)}

    def polish(state: _State) -> dict[str, Any]:
        return {"answer": state["answer"].upper()}

    def route(state: _State) -> str:
        return "polish" if state["answer"].startswith("echo") else END

    graph = StateGraph(_State)
    graph.add_node("answer", answer)
    graph.add_node("polish", polish)
    graph.add_edge(START, "answer")
    graph.add_conditional_edges("answer", route, ["polish", END])
    graph.add_edge("polish", END)
    return graph.compile()


def _react(chat: ChatOpenAI) -> CompiledStateGraph[Any, Any, Any, Any]:
    from langgraph.prebuilt import create_react_agent

    with warnings.catch_warnings():  # moved to langchain.agents (not installed here)
        warnings.simplefilter("ignore")
        return create_react_agent(chat, [get_weather])


def _children(spans: list[Span], parent: Span) -> list[str]:
    return sorted(s.name for s in spans if s.parent_span_id == parent.span_id)


def _one(spans: list[Span], name: str) -> Span:
    (span,) = [s for s in spans if s.name == name]
    return span


def test_state_graph_nodes_and_conditional_edge(chat: ChatOpenAI, captured: CapturedTraces) -> None:
    assert _qa_graph(chat).invoke({"question": "why herons"})["answer"] == "ECHO: WHY HERONS"
    spans = captured.spans()
    assert sorted(s.name for s in spans) == ["ChatOpenAI", "LangGraph", "answer", "polish", "route"]
    root = _one(spans, "LangGraph")
    assert (root.parent_span_id, root.span_type) == (None, "CHAIN")
    assert root.outputs == {"question": "why herons", "answer": "ECHO: WHY HERONS"}
    assert _children(spans, root) == ["answer", "polish"]
    answer, polish = _one(spans, "answer"), _one(spans, "polish")
    assert answer.attributes["langgraph.node"] == "answer"
    assert answer.attributes["langgraph.step"] == 1
    assert answer.attributes["langgraph.triggers"] == ["branch:to:answer"]
    assert (polish.attributes["langgraph.node"], polish.attributes["langgraph.step"]) == (
        "polish",
        2,
    )
    assert answer.inputs == {"question": "why herons"}
    assert _children(spans, answer) == ["ChatOpenAI", "route"]
    assert _one(spans, "route").outputs == "polish"
    model = _one(spans, "ChatOpenAI")
    assert model.span_type == "CHAT_MODEL"
    assert model.attributes["mlflow.chat.tokenUsage"]["total_tokens"] == 5
    assert model.attributes["mlflow.llm.cost"]["total_cost"] == pytest.approx(
        (2 * 0.15 + 3 * 0.6) / 1e6
    )
    assert len({s.trace_id for s in spans}) == 1


def test_conditional_edge_to_the_end(
    fake_llm: FakeLLMServer, chat: ChatOpenAI, captured: CapturedTraces
) -> None:
    fake_llm.queue_chat("plain answer")
    assert _qa_graph(chat).invoke({"question": "q"})["answer"] == "plain answer"
    spans = captured.spans()
    assert sorted(s.name for s in spans) == ["ChatOpenAI", "LangGraph", "answer", "route"]
    assert _one(spans, "route").outputs == "__end__"


def test_prebuilt_react_agent_is_an_agent_span(
    fake_llm: FakeLLMServer, chat: ChatOpenAI, captured: CapturedTraces
) -> None:
    fake_llm.queue_chat(tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"}}])
    out = _react(chat).invoke({"messages": [("user", "weather in Oslo?")]})
    assert out["messages"][-1].content == "echo: weather in Oslo?"
    spans = captured.spans()
    root = next(s for s in spans if s.parent_span_id is None)
    assert (root.name, root.span_type) == ("LangGraph", "AGENT")
    assert _children(spans, root) == ["agent", "agent", "tools"]
    assert not [s.name for s in spans if s.name.startswith(_PLUMBING)]
    tools = _one(spans, "tools")
    assert tools.attributes["langgraph.node"] == "tools"
    weather = _one(spans, "get_weather")
    assert (weather.span_type, weather.parent_span_id) == ("TOOL", tools.span_id)
    assert (weather.inputs, weather.outputs["content"]) == ({"city": "Oslo"}, "sunny in Oslo")
    models = [s for s in spans if s.span_type == "CHAT_MODEL"]
    assert len(models) == 2
    for model in models:
        parent = next(s for s in spans if s.span_id == model.parent_span_id)
        assert parent.attributes["langgraph.node"] == "agent"
        assert model.attributes["mlflow.chat.tokenUsage"]["input_tokens"] > 0
        assert "mlflow.llm.cost" in model.attributes
    assert models[0].attributes["mlflow.chat.tools"][0]["function"]["name"] == "get_weather"
    from ardea.autolog._langchain_handler import handler

    assert handler._graph_nodes == {} and handler._node_runs == set() and handler._hidden == {}


def test_async_invoke_and_stream(chat: ChatOpenAI, captured: CapturedTraces) -> None:
    graph = _qa_graph(chat)

    async def go() -> tuple[Any, list[Any]]:
        done = await graph.ainvoke({"question": "async one"})
        steps = [s async for s in graph.astream({"question": "async two"})]
        return done, steps

    done, steps = asyncio.run(go())
    assert done["answer"] == "ECHO: ASYNC ONE" and len(steps) == 2
    spans = captured.spans()
    roots = [s for s in spans if s.parent_span_id is None]
    assert len(roots) == 2
    for root in roots:
        assert root.span_type == "CHAIN" and root.end_time_ns
        assert _children(spans, root) == ["answer", "polish"]
    assert all(s.status_code == "OK" for s in spans)


def test_a_chain_inside_a_node_hangs_from_the_node(
    chat: ChatOpenAI, captured: CapturedTraces
) -> None:
    chain = ChatPromptTemplate.from_messages([("user", "sum up {question}")]) | chat
    graph = StateGraph(_State)
    graph.add_node("summarize", chain | StrOutputParser() | (lambda text: {"answer": text}))
    graph.add_edge(START, "summarize")
    result = graph.compile().invoke({"question": "herons"})
    assert result["answer"] == "echo: sum up herons"
    spans = captured.spans()
    node = _one(spans, "summarize")
    assert node.attributes["langgraph.node"] == "summarize"
    # The node's runnable is a RunnableSequence: the node span is it, its steps hang below.
    steps = ["ChatOpenAI", "ChatPromptTemplate", "RunnableLambda", "StrOutputParser"]
    assert _children(spans, node) == steps
    assert not [s.name for s in spans if s.name.startswith(_PLUMBING)]


def test_errors_end_node_and_graph_spans_as_error(captured: CapturedTraces) -> None:
    def boom(state: _State) -> dict[str, Any]:
        raise ValueError("node failed")

    graph = StateGraph(_State)
    graph.add_node("boom", boom)
    graph.add_edge(START, "boom")
    with pytest.raises(ValueError, match="node failed"):
        graph.compile().invoke({"question": "x"})
    spans = captured.spans()
    assert {(s.name, s.status_code) for s in spans} == {("LangGraph", "ERROR"), ("boom", "ERROR")}
    assert _one(spans, "boom").attributes["langgraph.node"] == "boom"


def test_revert_leaves_plain_langchain_runs(chat: ChatOpenAI, captured: CapturedTraces) -> None:
    assert langgraph_autolog.is_enabled()
    langgraph_autolog.revert()
    assert not langgraph_autolog.is_enabled()
    assert not langchain_autolog.is_enabled()  # langgraph turned it on, so it turns it off
    _react(chat).invoke({"messages": [("user", "quiet")]})
    assert captured.spans() == []

    langchain_autolog.autolog()  # LangChain alone: graphs are plain chains
    _react(chat).invoke({"messages": [("user", "plain")]})
    names = {s.name for s in captured.spans()}
    assert "call_model" in names
    assert next(s for s in captured.spans() if s.name == "LangGraph").span_type == "CHAIN"
    langgraph_autolog.autolog()
    langgraph_autolog.revert()
    assert langchain_autolog.is_enabled()  # it did not turn LangChain on this time


def test_missing_langchain_hook_warns_once_and_the_graph_still_runs(
    chat: ChatOpenAI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import langchain_core.tracers.context as lc_context

    monkeypatch.setenv("ARDEA_STRICT", "0")
    monkeypatch.delattr(lc_context, "register_configure_hook")  # the library "changed shape"
    with caplog.at_level(logging.WARNING, logger="ardea"):
        langgraph_autolog.autolog()
        langgraph_autolog.autolog()
        result = _qa_graph(chat).invoke({"question": "still works"})
    assert result["answer"] == "ECHO: STILL WORKS"
    warned = [r for r in caplog.records if "langgraph autolog" in r.getMessage()]
    assert len(warned) == 1


def test_facade_and_registry_name() -> None:
    assert ardea.langgraph is langgraph_autolog
    assert ardea.autolog.integrations()["langgraph.graph"] == "ardea.autolog.langgraph"
