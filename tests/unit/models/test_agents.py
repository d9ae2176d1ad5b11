"""The agent server's app in process (starlette's TestClient): histories, adapters, input items.

The full server, the ``openai`` SDK and the frameworks are in
tests/integration/test_agent_server.py.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from ardea.models.agents import Adapter, AgentCall, ToolCall, create_app
from ardea.models.agents._history import Histories, History
from ardea.models.agents._messages import BadInput, items_to_messages


def _count(messages: list[dict[str, Any]]) -> str:
    return f"{len(messages)}: {messages[-1]['content']}"


def _text(answer: Any) -> str:
    return str(answer.json()["output"][0]["content"][0]["text"])


def test_histories_drop_the_least_recently_used() -> None:
    histories = Histories(capacity=2)
    for key in ("a", "b"):
        histories.put(key, History(({"role": "user", "content": key},), None))
    assert histories.get("a") is not None  # a is now the most recent
    histories.put("c", History((), None))
    assert histories.get("b") is None and histories.get("a") is not None and len(histories) == 2
    none = Histories(capacity=0)
    none.put("a", History((), None))
    assert none.get("a") is None


def test_the_server_forgets_beyond_its_cap_and_when_not_stored() -> None:
    http = TestClient(create_app(_count, max_histories=1))
    first = http.post("/v1/responses", json={"input": "one"}).json()["id"]
    second = http.post("/v1/responses", json={"input": "two"}).json()["id"]
    gone = http.post("/v1/responses", json={"input": "x", "previous_response_id": first})
    assert gone.status_code == 400
    assert gone.json()["error"]["code"] == "previous_response_not_found"
    kept = http.post("/v1/responses", json={"input": "x", "previous_response_id": second})
    assert _text(kept) == "3: x"
    unstored = http.post("/v1/responses", json={"input": "y", "store": False}).json()["id"]
    refused = http.post("/v1/responses", json={"input": "z", "previous_response_id": unstored})
    assert refused.status_code == 400


def test_instructions_are_not_carried_over() -> None:
    seen: list[list[dict[str, Any]]] = []

    def agent(messages: list[dict[str, Any]]) -> str:
        seen.append(messages)
        return "ok"

    http = TestClient(create_app(agent))
    first = http.post("/v1/responses", json={"input": "a", "instructions": "Be kind."}).json()
    http.post("/v1/responses", json={"input": "b", "previous_response_id": first["id"]})
    assert seen[0] == [
        {"role": "system", "content": "Be kind."},
        {"role": "user", "content": "a"},
    ]
    assert seen[1] == [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "b"},
    ]


def test_input_items_become_chat_messages() -> None:
    messages = items_to_messages(
        [
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
            {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
            {"type": "function_call", "call_id": "c2", "name": "g", "arguments": {"x": 1}},
            {"type": "function_call_output", "call_id": "c1", "output": "done"},
        ]
    )
    assert messages[0] == {"role": "user", "content": "hi"}
    assert [c["id"] for c in messages[1]["tool_calls"]] == ["c1", "c2"]  # parallel calls merged
    assert messages[1]["tool_calls"][1]["function"]["arguments"] == '{"x": 1}'
    assert messages[2] == {"role": "tool", "tool_call_id": "c1", "content": "done"}
    bad: list[Any] = [
        ([{"role": "robot", "content": "x"}], "input[0]"),
        ([{"role": "user", "content": [{"type": "input_image", "url": "u"}]}], "input[0]"),
        ([{"type": "function_call_output", "output": "x"}], "input[0]"),
        ([], "input"),
        (3, "input"),
    ]
    for value, param in bad:
        with pytest.raises(BadInput) as info:
            items_to_messages(value)
        assert info.value.param == param


def test_returned_lists_and_async_tool_calls() -> None:
    def listing(messages: list[dict[str, Any]]) -> list[Any]:
        return ["Let me look. ", {"function": {"name": "look", "arguments": {"q": 1}}, "id": "c9"}]

    answer = TestClient(create_app(listing)).post("/v1/responses", json={"input": "x"}).json()
    assert [item["type"] for item in answer["output"]] == ["message", "function_call"]
    assert answer["output"][1]["call_id"] == "c9"
    assert json.loads(answer["output"][1]["arguments"]) == {"q": 1}

    async def asking(messages: list[dict[str, Any]]) -> dict[str, Any]:
        return {"name": "search", "arguments": "{}"}

    chat = TestClient(create_app(asking)).post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": "x"}]}
    )
    choice = chat.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["tool_calls"][0]["function"]["name"] == "search"


def test_a_plain_predict_object() -> None:
    class Upper:
        def predict(self, request: dict[str, Any]) -> dict[str, Any]:
            text = request["input"][-1]["content"].upper()
            assert request["context"] == {"conversation_id": "s-9"}
            return {"output": [{"type": "message", "content": [{"text": text}]}]}

    http = TestClient(create_app(Upper()))
    body = {"input": "quiet", "metadata": {"session_id": "s-9"}, "stream": True}
    with http.stream("POST", "/v1/responses", json=body) as stream:
        text = stream.read().decode()
    assert '"delta":"QUIET"' in text and "event: response.completed" in text


def test_what_cannot_be_served() -> None:
    class Agent:
        def predict(self, request: Any) -> str:
            return ""

    with pytest.raises(TypeError, match="is a class"):
        create_app(Agent)
    with pytest.raises(TypeError, match="cannot serve a int"):
        create_app(42)

    def odd(messages: list[dict[str, Any]]) -> Any:
        return {"unexpected": True}

    answer = TestClient(create_app(odd)).post("/v1/responses", json={"input": "x"})
    assert answer.status_code == 500
    assert "dict of unknown shape" in answer.json()["error"]["message"]


def test_an_empty_answer_is_a_valid_response() -> None:
    async def silent(messages: list[dict[str, Any]]) -> AsyncIterator[str]:
        for _ in ():
            yield ""

    http = TestClient(create_app(silent))
    assert http.post("/v1/responses", json={"input": "x"}).json()["output"] == []
    chat = http.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": "x"}]}
    ).json()
    assert chat["choices"][0]["message"]["content"] is None


def test_a_custom_adapter() -> None:
    class Mine(Adapter):
        async def events(self, call: AgentCall) -> AsyncIterator[str | ToolCall]:
            yield f"{call.session_id}/{call.user_id}: "
            yield ToolCall(name="f", arguments="{}", call_id="c1")

    http = TestClient(create_app(Mine()))
    body = {"input": "x", "user": "ada"}
    answer = http.post("/v1/responses", json=body, headers={"X-Session-Id": "s"}).json()
    assert answer["output"][0]["content"][0]["text"] == "s/ada: "
    assert answer["output"][1]["call_id"] == "c1"
