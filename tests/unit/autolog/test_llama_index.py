"""LlamaIndex autologging: a real VectorStoreIndex, OpenAI LLM and embeddings, fake provider."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from llama_index.core import Document, VectorStoreIndex
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.llms import ChatMessage
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.schema import NodeWithScore, QueryBundle
from llama_index.core.tools import FunctionTool
from llama_index.embeddings.openai import OpenAIEmbedding
from llama_index.llms.openai import OpenAI

from ardea.autolog import llama_index as llama_autolog
from ardea.autolog import openai as openai_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.usefixtures("no_genai_patches")

_TEXTS = ("herons fish in water", "eagles soar", "owls hunt")


@pytest.fixture(autouse=True)
def _revert_llama_index() -> Iterator[None]:
    llama_autolog.revert()
    yield
    llama_autolog.revert()


@pytest.fixture  # per test: the embedding model's async client is bound to one event loop
def index(fake_llm: FakeLLMServer) -> VectorStoreIndex:
    embed = OpenAIEmbedding(model="text-embedding-3-small", api_base=fake_llm.openai_base_url,
                            api_key="sk-x", max_retries=0)  # fmt: skip
    docs = [Document(text=t) for t in _TEXTS]
    return VectorStoreIndex.from_documents(docs, embed_model=embed)


@pytest.fixture
def llm(fake_llm: FakeLLMServer) -> OpenAI:
    fake_llm.reset()
    return OpenAI(model="gpt-4o-mini", api_base=fake_llm.openai_base_url, api_key="sk-x",
                  max_retries=0)  # fmt: skip


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    llama_autolog.autolog()
    openai_autolog.autolog()  # provider SDK calls inside LLM spans make no second span
    with capture_traces() as cap:
        yield cap


def _one(spans: list[Span], name: str) -> Span:
    found = [s for s in spans if s.name == name]
    assert len(found) == 1, [s.name for s in spans]
    return found[0]


def _ancestors(spans: list[Span], span: Span) -> list[str]:
    by_id = {s.span_id: s for s in spans}
    names = []
    while span.parent_span_id is not None:
        span = by_id[span.parent_span_id]
        names.append(span.name)
    return names


def _check_query_tree(spans: list[Span], a: str = "") -> None:
    assert len({s.trace_id for s in spans}) == 1
    assert all(s.end_time_ns and s.status_code == "OK" for s in spans)
    (root,) = [s for s in spans if s.parent_span_id is None]
    assert root.span_type == "CHAIN"
    assert root.name == f"RetrieverQueryEngine.{a}query"
    retriever = _one(spans, f"VectorIndexRetriever.{a}retrieve")
    assert retriever.span_type == "RETRIEVER"
    assert retriever.outputs[0]["page_content"] in (
        "herons fish in water",
        "eagles soar",
        "owls hunt",
    )
    assert "score" in retriever.outputs[0]["metadata"]
    embedding = _one(spans, f"OpenAIEmbedding.{a}get_query_embedding")
    assert embedding.span_type == "EMBEDDING"
    assert embedding.attributes["mlflow.llm.model"] == "text-embedding-3-small"
    assert "Completions" not in {s.name for s in spans}


def test_query_engine_tree_with_tokens_and_cost(
    index: VectorStoreIndex, llm: OpenAI, captured: CapturedTraces
) -> None:
    answer = index.as_query_engine(llm=llm, similarity_top_k=1).query("what do herons do?")
    spans = captured.spans()
    _check_query_tree(spans)
    retrieved = _one(spans, "VectorIndexRetriever.retrieve").outputs[0]["page_content"]
    assert retrieved in str(answer)
    chat = _one(spans, "OpenAI.chat")
    assert chat.span_type == "CHAT_MODEL"
    assert "RetrieverQueryEngine.query" in _ancestors(spans, chat)
    assert chat.inputs["messages"][0]["role"] == "system"
    assert retrieved in str(chat.outputs["message"])
    attrs = chat.attributes
    assert (attrs["mlflow.llm.model"], attrs["mlflow.llm.provider"]) == ("gpt-4o-mini", "openai")
    usage = attrs["mlflow.chat.tokenUsage"]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    expected = (usage["input_tokens"] * 0.15 + usage["output_tokens"] * 0.6) / 1e6
    assert attrs["mlflow.llm.cost"]["total_cost"] == pytest.approx(expected)
    root = next(s for s in spans if s.parent_span_id is None)
    assert root.outputs["response"] == str(answer)


def test_streaming_query_keeps_spans_open_until_read(
    index: VectorStoreIndex, llm: OpenAI, captured: CapturedTraces
) -> None:
    engine = index.as_query_engine(llm=llm, similarity_top_k=1, streaming=True)
    response = engine.query("stream about herons")
    assert not [s for s in captured.spans() if s.parent_span_id is None]  # nothing read yet
    text = "".join(response.response_gen)
    assert text.startswith("echo: ")
    spans = captured.spans()
    _check_query_tree(spans)
    stream = _one(spans, "OpenAI.stream_chat")
    assert stream.span_type == "CHAT_MODEL"
    assert "RetrieverQueryEngine.query" in _ancestors(spans, stream)
    root = next(s for s in spans if s.parent_span_id is None)
    assert root.outputs["response"] == text


def test_async_streaming_query(
    index: VectorStoreIndex, llm: OpenAI, captured: CapturedTraces
) -> None:
    engine = index.as_query_engine(llm=llm, similarity_top_k=1, streaming=True)

    async def go() -> str:
        response = await engine.aquery("async stream about herons")
        return "".join([piece async for piece in response.async_response_gen()])

    text = asyncio.run(go())
    assert text.startswith("echo: ")
    spans = captured.spans()
    _check_query_tree(spans, "a")
    stream = _one(spans, "OpenAI.astream_chat")
    assert "RetrieverQueryEngine.aquery" in _ancestors(spans, stream)
    root = next(s for s in spans if s.parent_span_id is None)
    assert root.outputs["response"] == text


def test_unread_streaming_response_ends_its_span_when_dropped(
    index: VectorStoreIndex, llm: OpenAI, captured: CapturedTraces
) -> None:
    engine = index.as_query_engine(llm=llm, similarity_top_k=1, streaming=True)
    response = engine.query("never read")
    del response
    (root,) = [s for s in captured.spans() if s.parent_span_id is None]
    assert root.name == "RetrieverQueryEngine.query" and root.status_code == "OK"


def test_streamed_chat_usage_and_no_sdk_duplicate(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    llm = OpenAI(model="gpt-4o-mini", api_base=fake_llm.openai_base_url, api_key="sk-x",
                 additional_kwargs={"stream_options": {"include_usage": True}})  # fmt: skip
    chunks = list(llm.stream_chat([ChatMessage(role="user", content="count these words")]))
    assert chunks[-1].message.content == "echo: count these words"
    (span,) = captured.spans()
    assert (span.name, span.span_type, span.status_code) == ("OpenAI.stream_chat", "CHAT_MODEL",
                                                             "OK")  # fmt: skip
    assert span.attributes["mlflow.chat.tokenUsage"]["output_tokens"] == 4
    assert span.attributes["mlflow.llm.cost"]["total_cost"] > 0


def test_abandoned_stream_ends_its_span_and_leaves_no_current_span(
    llm: OpenAI, captured: CapturedTraces
) -> None:
    import ardea

    stream = llm.stream_chat([ChatMessage(role="user", content="one two three four five")])
    next(stream)
    next(stream)
    del stream  # dropped half-read: no end event will come
    with ardea.start_span("after"):
        pass
    spans = {s.name: s for s in captured.spans()}
    assert spans["OpenAI.stream_chat"].status_code == "OK"
    assert spans["OpenAI.stream_chat"].outputs["message"]["blocks"][0]["text"].startswith("echo")
    assert spans["after"].parent_span_id is None


def test_async_stream_chat(llm: OpenAI, captured: CapturedTraces) -> None:
    async def go() -> str:
        stream = await llm.astream_chat([ChatMessage(role="user", content="async stream")])
        text = ""
        async for chunk in stream:
            text = str(chunk.message.content)
        return text

    assert asyncio.run(go()) == "echo: async stream"
    (span,) = captured.spans()
    assert (span.name, span.span_type, span.status_code) == ("OpenAI.astream_chat",
                                                             "CHAT_MODEL", "OK")  # fmt: skip
    assert span.outputs["message"]["blocks"][0]["text"] == "echo: async stream"


def test_async_query(index: VectorStoreIndex, llm: OpenAI, captured: CapturedTraces) -> None:
    engine = index.as_query_engine(llm=llm, similarity_top_k=1)
    answer = asyncio.run(engine.aquery("async herons?"))
    assert "echo:" in str(answer)
    spans = captured.spans()
    _check_query_tree(spans, "a")
    chat = _one(spans, "OpenAI.achat")
    assert chat.span_type == "CHAT_MODEL" and chat.attributes["mlflow.chat.tokenUsage"]


class _Reverse(BaseNodePostprocessor):
    def _postprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
    ) -> list[NodeWithScore]:
        return list(reversed(nodes))


def test_reranker_span(index: VectorStoreIndex, llm: OpenAI, captured: CapturedTraces) -> None:
    engine = index.as_query_engine(llm=llm, similarity_top_k=2, node_postprocessors=[_Reverse()])
    engine.query("herons")
    spans = captured.spans()
    rerank = _one(spans, "_Reverse._postprocess_nodes")
    assert rerank.span_type == "RERANKER"
    assert rerank.inputs["query_bundle"]["query_str"] == "herons"
    before = [n["node"]["text"] for n in rerank.inputs["nodes"]]
    assert [d["page_content"] for d in rerank.outputs] == before[::-1]
    assert "RetrieverQueryEngine.query" in _ancestors(spans, rerank)


def _weather(city: str) -> str:
    """Weather of a city."""
    return f"sunny in {city}"


def test_function_agent_with_a_tool(fake_llm: FakeLLMServer, captured: CapturedTraces) -> None:
    fake_llm.reset()
    llm = OpenAI(model="gpt-4o-mini", api_base=fake_llm.openai_base_url, api_key="sk-x",
                 additional_kwargs={"stream_options": {"include_usage": True}})  # fmt: skip
    fake_llm.queue_chat(tool_calls=[{"name": "_weather", "arguments": {"city": "Oslo"}}])
    fake_llm.queue_chat("It is sunny in Oslo.")
    agent = FunctionAgent(tools=[FunctionTool.from_defaults(_weather)], llm=llm)

    async def go() -> Any:
        return await agent.run("weather in Oslo?")

    result = asyncio.run(go())
    assert "sunny" in str(result)
    spans = captured.spans()
    assert len({s.trace_id for s in spans}) == 1
    (root,) = [s for s in spans if s.parent_span_id is None]
    assert (root.name, root.span_type, root.status_code) == ("FunctionAgent.run", "AGENT", "OK")
    tool = _one(spans, "_weather")
    assert (tool.span_type, tool.inputs, tool.outputs) == ("TOOL", {"city": "Oslo"},
                                                          "sunny in Oslo")  # fmt: skip
    assert "FunctionAgent.run" in _ancestors(spans, tool)
    models = [s for s in spans if s.span_type == "CHAT_MODEL"]
    assert len(models) == 2
    assert all("FunctionAgent.run" in _ancestors(spans, m) for m in models)
    assert all(m.attributes["mlflow.chat.tokenUsage"]["total_tokens"] > 0 for m in models)
    assert "Completions" not in {s.name for s in spans}


def test_a_chat_made_of_a_completion_counts_tokens_once(captured: CapturedTraces) -> None:
    from llama_index.core.llms import CompletionResponse, CustomLLM, LLMMetadata
    from llama_index.core.llms.callbacks import llm_completion_callback

    class Tiny(CustomLLM):
        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(model_name="gpt-4o-mini")

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kw: Any) -> CompletionResponse:
            usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
            return CompletionResponse(text="ok", raw={"model": "gpt-4o-mini", "usage": usage})

        def stream_complete(self, prompt: str, formatted: bool = False, **kw: Any) -> Any:
            raise NotImplementedError

    Tiny().chat([ChatMessage(role="user", content="hi")])
    spans = {s.name: s for s in captured.spans()}
    assert (
        spans["Tiny.chat"].span_type == "CHAT_MODEL" and spans["Tiny.complete"].span_type == "LLM"
    )
    assert spans["Tiny.complete"].parent_span_id == spans["Tiny.chat"].span_id
    assert spans["Tiny.complete"].attributes["mlflow.chat.tokenUsage"]["total_tokens"] == 5
    assert spans["Tiny.complete"].attributes["mlflow.llm.cost"]["total_cost"] > 0
    assert "mlflow.chat.tokenUsage" not in spans["Tiny.chat"].attributes


def test_errors_end_spans_as_error(
    fake_llm: FakeLLMServer, llm: OpenAI, captured: CapturedTraces
) -> None:
    import openai

    fake_llm.queue_error(400, "bad prompt")
    with pytest.raises(openai.BadRequestError, match="bad prompt"):
        llm.chat([ChatMessage(role="user", content="x")])
    (span,) = captured.spans()
    assert (span.name, span.status_code) == ("OpenAI.chat", "ERROR")
    assert [e.name for e in span.events] == ["exception"]


def test_revert_stops_tracing(llm: OpenAI, captured: CapturedTraces) -> None:
    llama_autolog.revert()
    assert not llama_autolog.is_enabled()
    llm.chat([ChatMessage(role="user", content="quiet")])
    assert [s.name for s in captured.spans()] == ["Completions"]  # OpenAI autolog only
    captured.clear()
    llama_autolog.autolog()
    llama_autolog.autolog()  # idempotent
    llm.chat([ChatMessage(role="user", content="loud")])
    assert [s.name for s in captured.spans()] == ["OpenAI.chat"]


def test_a_renamed_dispatcher_method_warns_once_and_the_call_works(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from llama_index.core.instrumentation import Dispatcher

    monkeypatch.setenv("ARDEA_STRICT", "0")
    monkeypatch.setattr(llama_autolog, "_handlers", [])
    monkeypatch.delattr(Dispatcher, "add_span_handler")
    tool = FunctionTool.from_defaults(_weather)
    with caplog.at_level(logging.WARNING, logger="ardea"), capture_traces() as cap:
        llama_autolog.autolog()
        llama_autolog.autolog()
        assert tool.call(city="Rome").content == "sunny in Rome"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "dispatcher handlers" in warnings[0].getMessage()
    assert not llama_autolog.is_enabled()
    assert cap.spans() == []
