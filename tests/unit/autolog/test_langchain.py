"""LangChain autologging with real langchain-core / langchain-openai / LangGraph runs."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any, TypedDict

import openai
import pytest
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from langgraph.graph import END, START, StateGraph

import ardea
from ardea.autolog import langchain as langchain_autolog
from ardea.autolog import openai as openai_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.usefixtures("no_genai_patches")


@pytest.fixture
def chat(fake_llm: FakeLLMServer) -> ChatOpenAI:
    fake_llm.reset()
    return ChatOpenAI(model="gpt-4o-mini", base_url=fake_llm.openai_base_url, api_key="sk-x",
                      max_retries=0, stream_usage=True)  # fmt: skip


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    langchain_autolog.autolog()
    with capture_traces() as cap:
        yield cap


def _by_name(captured: CapturedTraces) -> dict[str, Span]:
    spans = captured.spans()
    named = {s.name: s for s in spans}
    assert len(named) == len(spans), [s.name for s in spans]
    return named


def _children(spans: dict[str, Span], parent: Span) -> list[str]:
    return sorted(s.name for s in spans.values() if s.parent_span_id == parent.span_id)


class _Docs(BaseRetriever):
    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [Document(page_content=f"about {query}", metadata={"source": "kb"})]


def test_chat_model_span(chat: ChatOpenAI, captured: CapturedTraces) -> None:
    assert chat.invoke("hello langchain").content == "echo: hello langchain"
    (span,) = captured.spans()
    assert (span.name, span.span_type, span.status_code) == ("ChatOpenAI", "CHAT_MODEL", "OK")
    assert span.inputs[0]["content"] == "hello langchain"
    assert span.outputs["generations"][0][0]["message"]["content"] == "echo: hello langchain"
    attrs = span.attributes
    assert attrs["mlflow.llm.model"] == "gpt-4o-mini"
    assert attrs["mlflow.llm.provider"] == "openai"
    assert attrs["mlflow.chat.tokenUsage"] == {
        "input_tokens": 2,
        "output_tokens": 3,
        "total_tokens": 5,
    }
    assert attrs["mlflow.llm.cost"]["total_cost"] == pytest.approx((2 * 0.15 + 3 * 0.6) / 1e6)


def test_chain_nests_prompt_model_and_parser(chat: ChatOpenAI, captured: CapturedTraces) -> None:
    prompt = ChatPromptTemplate.from_messages([("user", "tell me about {topic}")])
    chain = prompt | chat | StrOutputParser()
    assert chain.invoke({"topic": "herons"}) == "echo: tell me about herons"
    spans = _by_name(captured)
    root = spans["RunnableSequence"]
    assert root.parent_span_id is None and root.span_type == "CHAIN"
    assert root.inputs == {"topic": "herons"}
    assert root.outputs == "echo: tell me about herons"
    assert _children(spans, root) == ["ChatOpenAI", "ChatPromptTemplate", "StrOutputParser"]
    assert spans["ChatOpenAI"].span_type == "CHAT_MODEL"
    assert len({s.trace_id for s in spans.values()}) == 1


def test_streaming_chat_model_has_the_assembled_output_and_usage(
    chat: ChatOpenAI, captured: CapturedTraces
) -> None:
    chunks = list(chat.stream("stream this please"))
    assert len(chunks) > 2
    (span,) = captured.spans()
    assert span.outputs["generations"][0][0]["text"] == "echo: stream this please"
    assert span.attributes["mlflow.chat.tokenUsage"]["output_tokens"] == 4


def test_tools_and_tool_calls(
    fake_llm: FakeLLMServer, chat: ChatOpenAI, captured: CapturedTraces
) -> None:
    @tool
    def get_weather(city: str) -> str:
        """Weather of a city."""
        return f"sunny in {city}"

    fake_llm.queue_chat(tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"}}])
    message = chat.bind_tools([get_weather]).invoke("weather in Oslo?")
    assert get_weather.invoke(message.tool_calls[0]["args"]) == "sunny in Oslo"
    spans = _by_name(captured)
    model = spans["ChatOpenAI"]
    assert model.attributes["mlflow.chat.tools"][0]["function"]["name"] == "get_weather"
    out_message = model.outputs["generations"][0][0]["message"]
    assert out_message["tool_calls"][0]["args"] == {"city": "Oslo"}
    weather = spans["get_weather"]
    assert (weather.span_type, weather.inputs, weather.outputs) == (
        "TOOL",
        {"city": "Oslo"},
        "sunny in Oslo",
    )


def test_retriever_span(captured: CapturedTraces) -> None:
    docs = _Docs().invoke("herons")
    assert docs[0].page_content == "about herons"
    (span,) = captured.spans()
    assert (span.name, span.span_type) == ("_Docs", "RETRIEVER")
    assert span.inputs == {"query": "herons"}
    assert span.outputs == [
        {"page_content": "about herons", "metadata": {"source": "kb"}, "id": None}
    ]


class _State(TypedDict):
    question: str
    answer: str


def test_langgraph_graph_nests_nodes_and_model(chat: ChatOpenAI, captured: CapturedTraces) -> None:
    def answer(state: _State) -> dict[str, Any]:
        return {"answer": str(chat.invoke(state["question"]).content)}

    def polish(state: _State) -> dict[str, Any]:
        return {"answer": state["answer"].upper()}

    graph = StateGraph(_State)
    graph.add_node("answer", answer)
    graph.add_node("polish", polish)
    graph.add_edge(START, "answer")
    graph.add_edge("answer", "polish")
    graph.add_edge("polish", END)
    result = graph.compile().invoke({"question": "why herons"})
    assert result["answer"] == "ECHO: WHY HERONS"
    spans = {s.name: s for s in captured.spans()}
    root = spans["LangGraph"]
    assert root.parent_span_id is None and root.span_type == "CHAIN"
    assert root.outputs["answer"] == "ECHO: WHY HERONS"
    assert {"answer", "polish"} <= set(_children(spans, root))
    assert spans["ChatOpenAI"].parent_span_id == spans["answer"].span_id
    assert len({s.trace_id for s in spans.values()}) == 1


def test_traced_function_in_a_chain_nests_under_it(captured: CapturedTraces) -> None:
    @ardea.trace
    def shout(text: str) -> str:
        return text.upper()

    chain = RunnableLambda(lambda x: shout(x), name="shouter")
    assert chain.invoke("hi") == "HI"
    spans = _by_name(captured)
    assert spans["shout"].parent_span_id == spans["shouter"].span_id


def test_errors_mark_spans_and_propagate(
    fake_llm: FakeLLMServer, chat: ChatOpenAI, captured: CapturedTraces
) -> None:
    fake_llm.queue_error(400, "bad prompt")
    chain = RunnableLambda(lambda x: x, name="pre") | chat
    with pytest.raises(openai.BadRequestError, match="bad prompt"):
        chain.invoke("x")
    spans = _by_name(captured)
    assert spans["RunnableSequence"].status_code == "ERROR"
    assert spans["ChatOpenAI"].status_code == "ERROR"
    assert [e.name for e in spans["ChatOpenAI"].events] == ["exception"]
    assert spans["pre"].status_code == "OK"


def test_async_chain_and_stream(chat: ChatOpenAI, captured: CapturedTraces) -> None:
    chain = ChatPromptTemplate.from_messages([("user", "{q}")]) | chat | StrOutputParser()

    async def go() -> tuple[str, str]:
        full = await chain.ainvoke({"q": "async call"})
        text = "".join([c async for c in chain.astream({"q": "async stream"})])
        with ardea.start_span("after"):  # LangChain ended the runs from shielded tasks
            pass
        return full, text

    assert asyncio.run(go()) == ("echo: async call", "echo: async stream")
    spans = captured.spans()
    roots = [s for s in spans if s.parent_span_id is None]
    assert [r.name for r in roots] == ["RunnableSequence", "RunnableSequence", "after"]
    roots.pop()
    for root in roots:
        kids = sorted(s.name for s in spans if s.parent_span_id == root.span_id)
        assert kids == ["ChatOpenAI", "ChatPromptTemplate", "StrOutputParser"]
    assert all(s.end_time_ns and s.status_code == "OK" for s in spans if s.name != "after")


def test_openai_autolog_adds_no_duplicate_span_inside_a_chat_model(
    chat: ChatOpenAI, captured: CapturedTraces
) -> None:
    openai_autolog.autolog()
    chat.invoke("one call")
    with ardea.start_span("outside"):
        chat.root_client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "direct"}]
        )
    names = sorted(s.name for s in captured.spans())
    assert names == ["ChatOpenAI", "Completions", "outside"]


def test_revert_stops_tracing(chat: ChatOpenAI, captured: CapturedTraces) -> None:
    langchain_autolog.revert()
    assert not langchain_autolog.is_enabled()
    chat.invoke("quiet")
    assert captured.spans() == []
    langchain_autolog.autolog()
    langchain_autolog.autolog()  # idempotent
    chat.invoke("loud")
    assert len(captured.spans()) == 1


def test_llm_span_and_batch_in_threads(captured: CapturedTraces) -> None:
    from langchain_core.language_models.fake import FakeListLLM

    llm = FakeListLLM(responses=["first", "second"])
    chain = RunnableLambda(lambda x: x + "!", name="bang") | llm
    assert sorted(chain.batch(["a", "b"])) == ["first", "second"]
    spans = captured.spans()
    roots = [s for s in spans if s.parent_span_id is None]
    assert len(roots) == 2 and len({r.trace_id for r in roots}) == 2
    llm_spans = [s for s in spans if s.span_type == "LLM"]
    assert sorted(s.inputs["prompts"][0] for s in llm_spans) == ["a!", "b!"]
    for span in llm_spans:
        parent = next(s for s in spans if s.span_id == span.parent_span_id)
        assert parent.name == "RunnableSequence" and parent.trace_id == span.trace_id
        assert span.outputs["generations"][0][0]["text"] in ("first", "second")


def test_stream_abandoned_midway_ends_ok_and_leaves_no_current_span(
    chat: ChatOpenAI, captured: CapturedTraces
) -> None:
    for _chunk in chat.stream("one two three four five six"):
        break  # the generator is closed: LangChain reports GeneratorExit
    with ardea.start_span("after"):
        pass
    spans = _by_name(captured)
    assert spans["ChatOpenAI"].status_code == "OK" and spans["ChatOpenAI"].end_time_ns
    assert spans["after"].parent_span_id is None
