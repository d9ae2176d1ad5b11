"""Bedrock autologging with the real ``boto3`` client against the fake provider (SigV4 signed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.client
import pytest
from botocore.exceptions import ClientError

import ardea
from ardea.autolog import bedrock as bedrock_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_bedrock import ACCESS_KEY, SECRET_KEY
from fixtures.fake_llm_server import FakeLLMServer

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
HELLO = [{"role": "user", "content": [{"text": "hello bedrock"}]}]
# claude-3-haiku: $0.25 in / $1.25 out per million tokens
HAIKU_COST = (2 * 0.25 + 3 * 1.25) / 1e6


@pytest.fixture(autouse=True)
def _reverted(no_genai_patches: None) -> Iterator[None]:
    bedrock_autolog.revert()
    yield
    bedrock_autolog.revert()


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    bedrock_autolog.autolog()
    with capture_traces() as cap:
        yield cap


def _client(fake_llm: FakeLLMServer) -> Any:
    return boto3.client(
        "bedrock-runtime", region_name="us-east-1", endpoint_url=fake_llm.base_url,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
    )  # fmt: skip


@pytest.fixture
def client(fake_llm: FakeLLMServer, captured: CapturedTraces) -> Any:
    fake_llm.reset()
    return _client(fake_llm)


def _only(captured: CapturedTraces) -> Span:
    spans = captured.spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def test_converse_span(client: Any, captured: CapturedTraces) -> None:
    with ardea.start_span("app"):
        response = client.converse(modelId=MODEL, messages=HELLO, inferenceConfig={"maxTokens": 50})
    assert response["output"]["message"]["content"][0]["text"] == "echo: hello bedrock"
    spans = {s.name: s for s in captured.spans()}
    span = spans["BedrockRuntime.converse"]
    assert span.parent_span_id == spans["app"].span_id
    assert (span.span_type, span.status_code) == ("CHAT_MODEL", "OK")
    assert span.inputs == {
        "modelId": MODEL,
        "messages": HELLO,
        "inferenceConfig": {"maxTokens": 50},
    }
    assert span.outputs["output"]["message"]["content"] == [{"text": "echo: hello bedrock"}]
    assert "ResponseMetadata" not in span.outputs
    attrs = span.attributes
    assert (attrs["mlflow.llm.provider"], attrs["mlflow.llm.model"]) == ("bedrock", MODEL)
    assert attrs["mlflow.chat.tokenUsage"] == {
        "input_tokens": 2,
        "output_tokens": 3,
        "total_tokens": 5,
    }
    assert attrs["mlflow.llm.cost"]["total_cost"] == pytest.approx(HAIKU_COST)
    everything = json.dumps([attrs, span.inputs, span.outputs], default=str)
    assert SECRET_KEY not in everything and ACCESS_KEY not in everything
    assert "Signature" not in everything and "Authorization" not in everything


def test_converse_tools_and_cache_tokens(
    fake_llm: FakeLLMServer, client: Any, captured: CapturedTraces
) -> None:
    spec = {
        "name": "lookup",
        "description": "Look up.",
        "inputSchema": {"json": {"type": "object", "properties": {"q": {"type": "string"}}}},
    }
    fake_llm.queue_chat(tool_calls=[{"name": "lookup", "arguments": {"q": "x"}}],
                        input_tokens=100, output_tokens=5, cached_input_tokens=60)  # fmt: skip
    response = client.converse(
        modelId=MODEL, messages=HELLO, toolConfig={"tools": [{"toolSpec": spec}]}
    )
    assert response["stopReason"] == "tool_use"
    span = _only(captured)
    assert span.attributes["mlflow.chat.tools"] == [{"type": "function", "function": {
        "name": "lookup", "description": "Look up.", "parameters": spec["inputSchema"]["json"],
    }}]  # fmt: skip
    usage = span.attributes["mlflow.chat.tokenUsage"]
    assert (usage["input_tokens"], usage["cached_input_tokens"]) == (100, 60)


def test_converse_stream_assembles_the_message(
    fake_llm: FakeLLMServer, client: Any, captured: CapturedTraces
) -> None:
    fake_llm.queue_chat("let me look", tool_calls=[{"name": "lookup", "arguments": {"q": "x"}}])
    response = client.converse_stream(modelId=MODEL, messages=HELLO)
    assert captured.spans() == []  # still open
    events = list(response["stream"])
    assert any("messageStop" in e for e in events)
    span = _only(captured)
    assert span.name == "BedrockRuntime.converse_stream"
    content = span.outputs["output"]["message"]["content"]
    assert content[0] == {"text": "let me look"}
    assert content[1]["toolUse"]["name"] == "lookup"
    assert content[1]["toolUse"]["input"] == {"q": "x"}
    assert span.outputs["stopReason"] == "tool_use"
    assert span.attributes["mlflow.chat.tokenUsage"]["output_tokens"] > 0
    assert "mlflow.llm.cost" in span.attributes


def test_invoke_model_with_an_anthropic_body(client: Any, captured: CapturedTraces) -> None:
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
            "messages": [{"role": "user", "content": "hi claude"}]}  # fmt: skip
    response = client.invoke_model(modelId=MODEL, body=json.dumps(body))
    answer = json.loads(response["body"].read())  # the caller still reads the whole body
    assert answer["content"][0]["text"] == "echo: hi claude"
    span = _only(captured)
    assert (span.name, span.span_type) == ("BedrockRuntime.invoke_model", "CHAT_MODEL")
    assert span.inputs == {"modelId": MODEL, "body": body}
    assert span.outputs["content"] == answer["content"]
    assert span.attributes["mlflow.chat.tokenUsage"]["total_tokens"] == 5
    assert span.attributes["mlflow.llm.cost"]["total_cost"] == pytest.approx(HAIKU_COST)


def test_invoke_model_embeddings(client: Any, captured: CapturedTraces) -> None:
    model = "amazon.titan-embed-text-v2:0"
    response = client.invoke_model(modelId=model, body=json.dumps({"inputText": "hi there"}))
    assert len(json.loads(response["body"].read())["embedding"]) == 8
    span = _only(captured)
    assert span.span_type == "EMBEDDING"
    assert span.outputs["embedding"] == {"dimensions": 8}
    assert span.attributes["mlflow.chat.tokenUsage"]["input_tokens"] == 2
    assert "mlflow.llm.cost" not in span.attributes  # Titan is not in the price table


def test_api_error_propagates_and_marks_the_span(
    fake_llm: FakeLLMServer, client: Any, captured: CapturedTraces
) -> None:
    fake_llm.queue_error(400, "bad request")
    with pytest.raises(ClientError):
        client.converse(modelId=MODEL, messages=HELLO)
    assert _only(captured).status_code == "ERROR"


def test_other_services_and_earlier_clients_are_untouched(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="a",
                      aws_secret_access_key="b")  # fmt: skip
    assert "list_buckets" not in vars(s3)
    bedrock_autolog.revert()
    before = _client(fake_llm)
    bedrock_autolog.autolog()
    before.converse(modelId=MODEL, messages=HELLO)
    assert captured.spans() == []


def test_disable_stops_tracing(client: Any, captured: CapturedTraces) -> None:
    bedrock_autolog.autolog(disable=True)
    assert not bedrock_autolog.is_enabled()
    client.converse(modelId=MODEL, messages=HELLO)
    assert captured.spans() == []


def test_broken_library_shape_warns_once_and_the_call_succeeds(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fake_llm: FakeLLMServer
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    monkeypatch.delattr(botocore.client.ClientCreator, "create_client")
    bedrock_autolog.autolog()
    text = "bedrock autolog (patching ClientCreator.create_client)"
    assert len([r for r in caplog.records if text in r.getMessage()]) == 1
    monkeypatch.undo()  # botocore is back, unpatched: calls run untraced
    with capture_traces() as cap:
        response = _client(fake_llm).converse(modelId=MODEL, messages=HELLO)
    assert response["stopReason"] == "end_turn"
    assert cap.spans() == []


def test_invoke_model_with_response_stream(client: Any, captured: CapturedTraces) -> None:
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
            "messages": [{"role": "user", "content": "stream claude"}]}  # fmt: skip
    response = client.invoke_model_with_response_stream(modelId=MODEL, body=json.dumps(body))
    assert captured.spans() == []  # still open
    events = [json.loads(e["chunk"]["bytes"]) for e in response["body"]]
    text = "".join(e["delta"].get("text", "") for e in events if e["type"] == "content_block_delta")
    assert text == "echo: stream claude"
    span = _only(captured)
    assert span.span_type == "CHAT_MODEL"
    assert span.outputs["content"][0]["text"] == text
    assert span.attributes["mlflow.chat.tokenUsage"]["input_tokens"] == 2
    assert "mlflow.llm.cost" in span.attributes
