"""Haystack autologging: real pipelines, retrievers, OpenAI generators, agents; fake provider."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest
from haystack import Document, Pipeline
from haystack.components.agents import Agent
from haystack.components.builders import ChatPromptBuilder
from haystack.components.embedders import OpenAITextEmbedder
from haystack.components.generators.chat import OpenAIChatGenerator
from haystack.components.retrievers.in_memory import InMemoryBM25Retriever
from haystack.dataclasses import ChatMessage, StreamingChunk
from haystack.document_stores.in_memory import InMemoryDocumentStore
from haystack.tools import Tool
from haystack.utils import Secret

from ardea.autolog import haystack as haystack_autolog
from ardea.autolog import openai as openai_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.usefixtures("no_genai_patches")

_TEMPLATE = "Context: {% for d in documents %}{{ d.content }} {% endfor %}Q: {{ question }}"


@pytest.fixture(autouse=True)
def _revert_haystack() -> Iterator[None]:
    haystack_autolog.revert()
    yield
    haystack_autolog.revert()


@pytest.fixture
def generator(fake_llm: FakeLLMServer) -> OpenAIChatGenerator:
    fake_llm.reset()
    return OpenAIChatGenerator(api_key=Secret.from_token("sk-x"), model="gpt-4o-mini",
                               api_base_url=fake_llm.openai_base_url, max_retries=0)  # fmt: skip


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    haystack_autolog.autolog()
    openai_autolog.autolog()  # the generator's SDK call makes no second span
    with capture_traces() as cap:
        yield cap


def _rag(generator: OpenAIChatGenerator, pipeline: Pipeline) -> None:
    store = InMemoryDocumentStore()
    store.write_documents([Document(content="herons fish in water"),
                           Document(content="eagles soar high")])  # fmt: skip
    pipeline.add_component("retriever", InMemoryBM25Retriever(document_store=store, top_k=1))
    template = [ChatMessage.from_user(_TEMPLATE)]
    pipeline.add_component("prompt", ChatPromptBuilder(template=template, required_variables="*"))
    pipeline.add_component("llm", generator)
    pipeline.connect("retriever.documents", "prompt.documents")
    pipeline.connect("prompt.prompt", "llm.messages")


_INPUTS = {"retriever": {"query": "herons"}, "prompt": {"question": "what do herons do?"}}
_ANSWER = "echo: Context: herons fish in water Q: what do herons do?"


def _by_name(captured: CapturedTraces) -> dict[str, Span]:
    spans = captured.spans()
    named = {s.name: s for s in spans}
    assert len(named) == len(spans), [s.name for s in spans]
    return named


def _check_rag(spans: dict[str, Span], root_name: str) -> None:
    root = spans[root_name]
    assert root.parent_span_id is None and root.span_type == "CHAIN" and root.status_code == "OK"
    assert root.inputs == _INPUTS
    assert root.outputs["llm"]["replies"][0]["content"][0]["text"] == _ANSWER
    for name in ("retriever", "prompt", "llm"):
        assert spans[name].parent_span_id == root.span_id
    retriever = spans["retriever"]
    assert retriever.span_type == "RETRIEVER" and retriever.inputs["query"] == "herons"
    (doc,) = retriever.outputs
    assert doc["page_content"] == "herons fish in water" and doc["metadata"]["score"] > 0
    llm = spans["llm"]
    assert llm.span_type == "CHAT_MODEL"
    assert llm.inputs["messages"][0]["content"][0]["text"] == _ANSWER.removeprefix("echo: ")
    attrs = llm.attributes
    assert (attrs["mlflow.llm.model"], attrs["mlflow.llm.provider"]) == ("gpt-4o-mini", "openai")
    usage = attrs["mlflow.chat.tokenUsage"]
    assert usage == {"input_tokens": 10, "output_tokens": 11, "total_tokens": 21}
    assert attrs["mlflow.llm.cost"]["total_cost"] == pytest.approx((10 * 0.15 + 11 * 0.6) / 1e6)
    assert "Completions" not in spans and "AsyncCompletions" not in spans


def test_pipeline_tree_types_tokens_and_cost(
    generator: OpenAIChatGenerator, captured: CapturedTraces
) -> None:
    pipeline = Pipeline()
    _rag(generator, pipeline)
    assert pipeline.run(_INPUTS)["llm"]["replies"][0].text == _ANSWER
    _check_rag(_by_name(captured), "Pipeline.run")


def test_async_pipeline(generator: OpenAIChatGenerator, captured: CapturedTraces) -> None:
    pipeline = Pipeline()
    _rag(generator, pipeline)
    result = asyncio.run(pipeline.run_async(_INPUTS))
    assert result["llm"]["replies"][0].text == _ANSWER
    _check_rag(_by_name(captured), "Pipeline.run")


def test_streaming_generator(fake_llm: FakeLLMServer, captured: CapturedTraces) -> None:
    fake_llm.reset()
    chunks: list[StreamingChunk] = []
    usage = {"stream_options": {"include_usage": True}}
    generator = OpenAIChatGenerator(api_key=Secret.from_token("sk-x"), model="gpt-4o-mini",
                                    api_base_url=fake_llm.openai_base_url,
                                    streaming_callback=chunks.append,
                                    generation_kwargs=usage)  # fmt: skip
    reply = generator.run([ChatMessage.from_user("stream these four words")])["replies"][0]
    assert reply.text == "echo: stream these four words" and len(chunks) > 2
    # A component run outside a pipeline makes no Haystack span: the SDK call is traced.
    (span,) = captured.spans()
    assert span.name == "Completions"
    captured.clear()
    pipeline = Pipeline()
    pipeline.add_component("llm", generator)
    pipeline.run({"llm": {"messages": [ChatMessage.from_user("stream these four words")]}})
    spans = _by_name(captured)
    llm = spans["llm"]
    assert llm.parent_span_id == spans["Pipeline.run"].span_id
    assert llm.outputs["replies"][0]["content"][0]["text"] == "echo: stream these four words"
    assert llm.attributes["mlflow.chat.tokenUsage"]["output_tokens"] == 5
    assert set(spans) == {"Pipeline.run", "llm"}


def test_embedder_span(fake_llm: FakeLLMServer, captured: CapturedTraces) -> None:
    pipeline = Pipeline()
    embedder = OpenAITextEmbedder(api_key=Secret.from_token("sk-x"), model="text-embedding-3-small",
                                  api_base_url=fake_llm.openai_base_url)  # fmt: skip
    pipeline.add_component("embed", embedder)
    pipeline.run({"embed": {"text": "herons fish"}})
    spans = _by_name(captured)
    embed = spans["embed"]
    assert embed.span_type == "EMBEDDING" and embed.inputs == {"text": "herons fish"}
    assert embed.outputs["embedding"] == {"dimensions": 8}
    assert embed.attributes["mlflow.chat.tokenUsage"]["input_tokens"] == 2


def test_ranker_span(captured: CapturedTraces) -> None:
    from haystack.components.rankers import MetaFieldRanker

    store = InMemoryDocumentStore()
    store.write_documents([Document(content="herons wade", meta={"rating": 1}),
                           Document(content="herons fish", meta={"rating": 5})])  # fmt: skip
    pipeline = Pipeline()
    pipeline.add_component("retriever", InMemoryBM25Retriever(document_store=store, top_k=2))
    pipeline.add_component("ranker", MetaFieldRanker(meta_field="rating"))
    pipeline.connect("retriever.documents", "ranker.documents")
    pipeline.run({"retriever": {"query": "herons"}})
    ranker = _by_name(captured)["ranker"]
    assert ranker.span_type == "RERANKER"
    assert [d["page_content"] for d in ranker.outputs] == ["herons fish", "herons wade"]


def _weather(city: str) -> str:
    return f"sunny in {city}"


def test_agent_with_a_tool(
    fake_llm: FakeLLMServer, generator: OpenAIChatGenerator, captured: CapturedTraces
) -> None:
    tool = Tool(name="weather", description="Weather of a city.", function=_weather,
                parameters={"type": "object", "properties": {"city": {"type": "string"}},
                            "required": ["city"]})  # fmt: skip
    fake_llm.queue_chat(tool_calls=[{"name": "weather", "arguments": {"city": "Oslo"}}])
    fake_llm.queue_chat("It is sunny in Oslo.")
    pipeline = Pipeline()
    pipeline.add_component("agent", Agent(chat_generator=generator, tools=[tool]))
    result = pipeline.run({"agent": {"messages": [ChatMessage.from_user("weather in Oslo?")]}})
    assert result["agent"]["last_message"].text == "It is sunny in Oslo."
    spans = captured.spans()
    assert len({s.trace_id for s in spans}) == 1 and all(s.status_code == "OK" for s in spans)
    by_id = {s.span_id: s for s in spans}

    def chain(span: Span) -> list[str]:
        names = [span.name]
        while span.parent_span_id:
            span = by_id[span.parent_span_id]
            names.append(span.name)
        return names

    (tool_span,) = [s for s in spans if s.span_type == "TOOL"]
    assert tool_span.name == "weather"
    assert (tool_span.inputs, tool_span.outputs) == ({"city": "Oslo"}, "sunny in Oslo")
    assert chain(tool_span)[-3:] == ["Agent", "agent", "Pipeline.run"]
    assert {s.name: s.span_type for s in spans}["agent"] == "AGENT"
    models = [s for s in spans if s.span_type == "CHAT_MODEL"]
    assert len(models) == 2
    assert all(m.attributes["mlflow.chat.tokenUsage"]["total_tokens"] > 0 for m in models)
    assert all(m.attributes["mlflow.llm.cost"]["total_cost"] > 0 for m in models)
    assert not [s for s in spans if s.name in ("Completions", "AsyncCompletions")]


def test_errors_end_spans_as_error(
    fake_llm: FakeLLMServer, generator: OpenAIChatGenerator, captured: CapturedTraces
) -> None:
    import openai

    fake_llm.queue_error(400, "bad prompt")
    pipeline = Pipeline()
    pipeline.add_component("llm", generator)
    with pytest.raises(Exception) as info:
        pipeline.run({"llm": {"messages": [ChatMessage.from_user("x")]}})
    assert isinstance(info.value.__cause__ or info.value, openai.BadRequestError | Exception)
    spans = _by_name(captured)
    assert spans["llm"].status_code == "ERROR" and spans["Pipeline.run"].status_code == "ERROR"
    assert [e.name for e in spans["llm"].events] == ["exception"]


def test_revert_restores_the_previous_tracer(
    generator: OpenAIChatGenerator, captured: CapturedTraces
) -> None:
    from haystack import tracing

    assert haystack_autolog.is_enabled()
    haystack_autolog.revert()
    assert not haystack_autolog.is_enabled() and not tracing.is_tracing_enabled()
    pipeline = Pipeline()
    pipeline.add_component("llm", generator)
    pipeline.run({"llm": {"messages": [ChatMessage.from_user("quiet")]}})
    assert [s.name for s in captured.spans()] == ["Completions"]  # OpenAI autolog only
    captured.clear()
    haystack_autolog.autolog()
    haystack_autolog.autolog()  # idempotent
    pipeline.run({"llm": {"messages": [ChatMessage.from_user("loud")]}})
    assert sorted(s.name for s in captured.spans()) == ["Pipeline.run", "llm"]


def test_a_renamed_tracing_api_warns_once_and_the_pipeline_runs(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    generator: OpenAIChatGenerator,
) -> None:
    import importlib

    monkeypatch.setenv("ARDEA_STRICT", "0")
    monkeypatch.delattr(importlib.import_module("haystack.tracing.tracer"), "enable_tracing")
    pipeline = Pipeline()
    pipeline.add_component("llm", generator)
    with caplog.at_level(logging.WARNING, logger="ardea"), capture_traces() as cap:
        haystack_autolog.autolog()
        haystack_autolog.autolog()
        out = pipeline.run({"llm": {"messages": [ChatMessage.from_user("still works")]}})
    assert out["llm"]["replies"][0].text == "echo: still works"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "installing the tracer" in warnings[0].getMessage()
    assert not haystack_autolog.is_enabled() and cap.spans() == []
