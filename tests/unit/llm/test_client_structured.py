"""Structured output through the prompt: extraction, validation, one repair, then an error."""

from __future__ import annotations

import json
import uuid

import pytest

from ardea.llm import get_client
from ardea.llm.client import LLMClient
from ardea.llm.errors import StructuredOutputError
from fixtures.fake_llm_server import FakeLLMServer

SCHEMA = {
    "type": "object",
    "properties": {"result": {"type": "integer", "minimum": 1, "maximum": 5}},
    "required": ["result"],
}


def _client(llm: FakeLLMServer, **kw: object) -> LLMClient:
    return get_client("openai:/gpt-4o-mini", base_url=llm.openai_base_url,
                      api_key=f"sk-{uuid.uuid4().hex}", **kw)  # type: ignore[arg-type]  # fmt: skip


def test_prompt_mode_puts_the_schema_in_a_system_turn(llm: FakeLLMServer) -> None:
    llm.queue_chat('Sure!\n```json\n{"result": 4}\n```')
    result = _client(llm, structured_output="prompt").chat("Rate it", response_schema=SCHEMA)
    assert result.parsed == {"result": 4}
    body = llm.requests[-1].body
    assert "response_format" not in body
    assert body["messages"][0]["role"] == "system"
    assert json.dumps(SCHEMA) in body["messages"][0]["content"]


def test_an_invalid_answer_gets_one_repair_turn(llm: FakeLLMServer) -> None:
    llm.queue_chat('{"result": 9}', input_tokens=10, output_tokens=5)
    llm.queue_chat('{"result": 5}', input_tokens=20, output_tokens=5)
    result = _client(llm).chat("Rate it", response_schema=SCHEMA)
    assert result.parsed == {"result": 5} and result.attempts == 2
    assert (result.usage.input_tokens, result.usage.output_tokens) == (30, 10)
    repair = llm.requests[-1].body["messages"]
    assert repair[-2] == {"role": "assistant", "content": '{"result": 9}'}
    assert "result: 9 is greater than the maximum of 5" in repair[-1]["content"]


def test_a_second_invalid_answer_is_an_error_on_that_call(llm: FakeLLMServer) -> None:
    llm.queue_chat("I would rather not say.")
    llm.queue_chat('{"verdict": "good"}')
    with pytest.raises(StructuredOutputError) as err:
        _client(llm).chat("Rate it", response_schema=SCHEMA)
    assert err.value.errors == ["(root): 'result' is a required property"]
    assert err.value.text == '{"verdict": "good"}'
    assert len(llm.requests) == 2


def test_anthropic_answers_through_the_forced_tool(llm: FakeLLMServer) -> None:
    llm.queue_json({"result": 3})
    client = get_client("anthropic:/claude-3-5-haiku-20241022", base_url=llm.anthropic_base_url,
                        api_key="ak")  # fmt: skip
    result = client.chat("Rate it", response_schema=SCHEMA, schema_name="rating")
    assert result.parsed == {"result": 3} and result.finish_reason == "stop"
    assert result.tool_calls == ()  # the forced tool is the answer, not a tool call
    tools = llm.requests[-1].body["tools"]
    assert tools[-1]["name"] == "rating" and tools[-1]["input_schema"] == SCHEMA
