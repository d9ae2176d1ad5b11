"""``ardea agents serve`` as a real process, with the ``openai`` SDK as the client.

Responses (plain and streamed), chat completions (plain and streamed), tool calls,
``previous_response_id`` continuity, sessions and users in the traces (read back from the
SQLite store), span nesting under a served agent that itself calls the fake provider, the
OpenAI Agents SDK, LangGraph and MLflow ResponsesAgent adapters, and bad inputs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from click.testing import CliRunner

import ardea
from fixtures.fake_llm_server import FakeLLMServer
from fixtures.server_process import ChildServer, free_port

AGENTS = Path(__file__).resolve().parents[1] / "fixtures" / "serving_agents.py"


class AgentServer(ChildServer):
    """``ardea agents serve --agent serving_agents.py:<attr>``, healthy on construction."""

    def __init__(self, attr: str, log_dir: Path, *args: str, env: dict[str, str]) -> None:
        port = free_port()
        argv = [
            sys.executable, "-m", "ardea.cli.main", "agents", "serve",
            "--agent", f"{AGENTS}:{attr}", "--port", str(port), *args,
        ]  # fmt: skip
        log_path = log_dir / f"agent-{attr}-{port}.log"
        super().__init__(argv, port, log_path, env=env, health_path="/ping")

    def client(self) -> openai.OpenAI:
        """The ``openai`` SDK pointed at this server."""
        return openai.OpenAI(base_url=f"{self.url}/v1", api_key="unused", max_retries=0)


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as fake:
        yield fake


@pytest.fixture(scope="module")
def env(provider: FakeLLMServer) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": provider.openai_base_url,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_AGENTS_DISABLE_TRACING": "1",
    }


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Iterator[Any]:
    """Start a traced server for an agent; read its traces back after stopping it."""
    root = tmp_path_factory.mktemp("traced")
    started: list[AgentServer] = []

    class Traced:
        store = root / "store"

        def start(self, attr: str) -> AgentServer:
            server = AgentServer(
                attr,
                root,
                "--trace-experiment",
                attr,
                env={**env, "ARDEA_TRACKING_URI": str(self.store)},
            )
            started.append(server)
            return server

        def traces(self, server: AgentServer, experiment: str) -> list[Any]:
            server.stop()
            ardea.set_tracking_uri(str(self.store))
            try:
                found = ardea.get_experiment_by_name(experiment)
                assert found is not None, server.log_text()
                ids = [found.experiment_id]
                return list(ardea.search_traces(experiment_ids=ids, return_type="list"))
            finally:
                ardea.set_tracking_uri(None)

    yield Traced()
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def echo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Iterator[AgentServer]:
    server = AgentServer("echo", tmp_path_factory.mktemp("echo"), "--name", "echo-bot", env=env)
    yield server
    server.stop()


def _events(stream: Any) -> list[Any]:
    return list(stream)


def test_responses_create_and_stream(echo: AgentServer) -> None:
    client = echo.client()
    answer = client.responses.create(model="echo-bot", input="hi there", instructions="Be brief.")
    # the instructions reach the agent as a system message: 2 messages
    assert answer.output_text == "echo (2 messages): hi there"
    assert answer.model == "echo-bot" and answer.status == "completed"
    assert answer.id.startswith("resp_")

    events = _events(client.responses.create(model="echo-bot", input="one two", stream=True))
    kinds = [e.type for e in events]
    assert kinds[:2] == ["response.created", "response.in_progress"]
    assert kinds[-1] == "response.completed"
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert len(deltas) == 5  # word by word, as the agent yields them
    done = events[-1].response
    assert "".join(deltas) == done.output_text == "echo (1 messages): one two"
    assert [e.sequence_number for e in events] == list(range(len(events)))


def test_async_generator_agent(
    tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]
) -> None:
    server = AgentServer("async_echo", tmp_path_factory.mktemp("async"), env=env)
    try:
        client = server.client()
        assert client.responses.create(model="x", input="yo").output_text == "async yo"
        events = _events(client.responses.create(model="x", input="yo", stream=True))
        assert [e.delta for e in events if e.type == "response.output_text.delta"] == [
            "async ",
            "yo",
        ]
    finally:
        server.stop()


def test_previous_response_id_continues_the_conversation(echo: AgentServer) -> None:
    client = echo.client()
    first = client.responses.create(model="echo-bot", input="first")
    second = client.responses.create(
        model="echo-bot", input="second", previous_response_id=first.id
    )
    # user, assistant, user
    assert second.output_text == "echo (3 messages): second"
    assert second.previous_response_id == first.id
    streamed = _events(
        client.responses.create(
            model="echo-bot", input="third", previous_response_id=second.id, stream=True
        )
    )
    assert streamed[-1].response.output_text == "echo (5 messages): third"
    with pytest.raises(openai.BadRequestError) as info:
        client.responses.create(model="echo-bot", input="x", previous_response_id="resp_nope")
    assert info.value.code == "previous_response_not_found"
    assert info.value.param == "previous_response_id"


def test_tool_calls_round_trip(echo: AgentServer) -> None:
    client = echo.client()
    tools = [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}]
    asked = client.responses.create(model="echo-bot", input="tool:get_weather", tools=tools)  # type: ignore[arg-type]
    call = asked.output[0]
    assert call.type == "function_call"
    assert call.name == "get_weather" and json.loads(call.arguments) == {"city": "Paris"}
    answered = client.responses.create(
        model="echo-bot",
        previous_response_id=asked.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}],
    )
    assert answered.output_text == "tool said sunny"

    events = _events(client.responses.create(model="echo-bot", input="tool:lookup", stream=True))
    kinds = [e.type for e in events]
    assert "response.function_call_arguments.delta" in kinds
    added = next(e for e in events if e.type == "response.output_item.added")
    assert added.item.type == "function_call" and added.item.name == "lookup"
    assert events[-1].response.output[0].name == "lookup"

    who = client.responses.create(model="echo-bot", input="whoami", tools=tools)  # type: ignore[arg-type]
    assert json.loads(who.output_text)["tools"] == ["get_weather"]  # tools passed through


def test_chat_completions(echo: AgentServer) -> None:
    client = echo.client()
    messages: Any = [{"role": "user", "content": "hello"}]
    answer = client.chat.completions.create(model="echo-bot", messages=messages)
    assert answer.choices[0].message.content == "echo (1 messages): hello"
    assert answer.choices[0].finish_reason == "stop"
    chunks = list(client.chat.completions.create(model="echo-bot", messages=messages, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == "echo (1 messages): hello"
    assert chunks[-1].choices[0].finish_reason == "stop"
    tool: Any = [{"role": "user", "content": "tool:search"}]
    chunks = list(client.chat.completions.create(model="echo-bot", messages=tool, stream=True))
    calls = [c.choices[0].delta.tool_calls for c in chunks if c.choices[0].delta.tool_calls]
    assert calls[0][0].function.name == "search"  # type: ignore[union-attr]
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_models_ping_and_health(echo: AgentServer) -> None:
    assert [m.id for m in echo.client().models.list()] == ["echo-bot"]
    for path in ("/ping", "/health"):
        assert httpx.get(echo.url + path).status_code == 200


def test_bad_inputs_get_openai_errors(echo: AgentServer) -> None:
    url = f"{echo.url}/v1/responses"
    cases: list[tuple[Any, str | None]] = [
        (b"{not json", None),
        (b"[1, 2]", None),
        (json.dumps({"model": "echo-bot"}).encode(), "input"),
        (json.dumps({"input": ""}).encode(), "input"),
        (json.dumps({"input": [{"type": "image_gen"}]}).encode(), "input[0]"),
        (json.dumps({"input": "x", "stream": "yes"}).encode(), "stream"),
        (json.dumps({"input": "x", "metadata": {"a": 1}}).encode(), "metadata"),
    ]
    for body, param in cases:
        response = httpx.post(url, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, (body, response.text)
        error = response.json()["error"]
        assert set(error) == {"message", "type", "param", "code"}
        assert error["type"] == "invalid_request_error" and error["param"] == param
        assert error["message"]
    chat = httpx.post(f"{echo.url}/v1/chat/completions", json={"model": "x"})
    assert chat.status_code == 400 and chat.json()["error"]["param"] == "messages"


def test_agent_failures(echo: AgentServer) -> None:
    client = echo.client()
    with pytest.raises(openai.InternalServerError) as info:
        client.responses.create(model="echo-bot", input="boom")
    assert "RuntimeError" in str(info.value)
    raw = httpx.post(f"{echo.url}/v1/responses", json={"input": "boom"})
    assert raw.status_code == 500 and "Traceback" not in raw.text
    assert raw.json()["error"]["code"] == "agent_error"
    # the exception's text stays in the server's log, under the id the client got
    assert "the agent broke" not in raw.text
    error_id = raw.json()["error"]["message"].split("error id ")[1].split(";")[0]
    assert f"error id {error_id}" in echo.log_text() and "the agent broke" in echo.log_text()
    # mid-stream: an `error` event, which the SDK raises
    seen: list[str] = []
    with pytest.raises(openai.APIError, match="RuntimeError"):
        for event in client.responses.create(model="echo-bot", input="late boom", stream=True):
            seen.append(event.type)
    assert "response.output_text.delta" in seen and "response.completed" not in seen
    with httpx.stream("POST", f"{echo.url}/v1/responses",
                      json={"input": "late boom", "stream": True}) as stream:  # fmt: skip
        body = stream.read().decode()
    assert "event: error\n" in body and "Traceback" not in body and "broke" not in body
    with pytest.raises(openai.APIError, match="RuntimeError"):
        list(
            client.chat.completions.create(
                model="echo-bot", messages=[{"role": "user", "content": "boom"}], stream=True
            )
        )


def test_mlflow_responses_agent_protocol(echo: AgentServer) -> None:
    from mlflow.types.responses import (
        ResponsesAgentRequest,
        ResponsesAgentResponse,
        ResponsesAgentStreamEvent,
    )

    request = ResponsesAgentRequest(
        input=[{"role": "user", "content": "over mlflow"}],  # type: ignore[list-item]
        context={"conversation_id": "c-1", "user_id": "u-1"},  # type: ignore[arg-type]
    ).model_dump(exclude_none=True)
    answer = httpx.post(
        f"{echo.url}/invocations", json=request, headers={"x-mlflow-return-trace-id": "true"}
    )
    assert answer.status_code == 200, answer.text
    parsed = ResponsesAgentResponse(**answer.json())
    assert parsed.output[0].content[0]["text"] == "echo (1 messages): over mlflow"
    with httpx.stream("POST", f"{echo.url}/invocations", json={**request, "stream": True}) as s:
        lines = [line[6:] for line in s.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    events = [ResponsesAgentStreamEvent(**json.loads(line)) for line in lines[:-1]]
    assert {e.type for e in events} == {"response.output_text.delta", "response.output_item.done"}
    assert events[-1].item["content"][0]["text"] == "echo (1 messages): over mlflow"


def test_sessions_and_users_are_traced(traced: Any) -> None:
    server = traced.start("echo")
    client = server.client()
    first = client.responses.create(
        model="echo", input="a", metadata={"session_id": "s-1", "user_id": "ada"}
    )
    client.responses.create(model="echo", input="b", previous_response_id=first.id)
    _events(client.responses.create(model="echo", input="c", stream=True,
                                    extra_headers={"X-Session-Id": "s-2"}))  # fmt: skip
    lone = client.responses.create(model="echo", input="d")
    with pytest.raises(openai.InternalServerError):
        client.responses.create(model="echo", input="boom", metadata={"session_id": "s-3"})
    client.chat.completions.create(
        model="echo", messages=[{"role": "user", "content": "e"}], user="grace",
        extra_headers={"X-Session-Id": "s-4"},
    )  # fmt: skip
    mlflow_style = httpx.post(
        f"{server.url}/invocations",
        json={"input": [{"role": "user", "content": "f"}], "context": {"conversation_id": "s-5"}},
        headers={"x-mlflow-return-trace-id": "true"},
    ).json()
    traces = traced.traces(server, "echo")
    assert len(traces) == 7, server.log_text()
    by_session: dict[str, list[Any]] = {}
    for trace in traces:
        root = next(s for s in trace.spans if s.parent_span_id is None)
        assert root.name == "echo" and root.span_type == "AGENT"
        by_session.setdefault(trace.info.trace_metadata["mlflow.trace.session"], []).append(trace)
    # the follow-up by previous_response_id stays in the session of the response it continues
    assert len(by_session["s-1"]) == 2
    assert {t.info.trace_metadata.get("mlflow.trace.user") for t in by_session["s-1"]} == {"ada"}
    assert len(by_session["s-2"]) == 1 and by_session[lone.id]  # a new conversation: its own
    assert by_session["s-3"][0].info.state == "ERROR"
    assert by_session["s-4"][0].info.trace_metadata["mlflow.trace.user"] == "grace"
    streamed = by_session["s-2"][0].spans[0]
    assert streamed.outputs["output"][0]["content"][0]["text"] == "echo (1 messages): c"
    assert streamed.outputs["output"][0]["status"] == "completed"
    assert by_session["s-5"][0].info.trace_id == mlflow_style["metadata"]["trace_id"]
    assert streamed.inputs["input"] == [{"role": "user", "content": "c"}]


def test_agent_spans_nest_under_the_request(traced: Any, provider: FakeLLMServer) -> None:
    server = traced.start("llm")
    client = server.client()
    answer = client.responses.create(model="llm", input="nested?")
    assert answer.output_text == "echo: nested?"
    events = _events(client.responses.create(model="llm", input="streamed", stream=True))
    assert events[-1].response.output_text == "echo: streamed"
    traces = traced.traces(server, "llm")
    assert len(traces) == 2
    for trace in traces:
        root = next(s for s in trace.spans if s.parent_span_id is None)
        children = [s for s in trace.spans if s.parent_span_id == root.span_id]
        assert root.span_type == "AGENT"
        assert [c.span_type for c in children] == ["CHAT_MODEL"], trace.spans


@pytest.mark.parametrize("attr", ["sdk_agent", "graph"])
def test_framework_adapters(
    attr: str, tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]
) -> None:
    server = AgentServer(attr, tmp_path_factory.mktemp(attr), env=env)
    try:
        client = server.client()
        answer = client.responses.create(model=attr, input="hello framework")
        assert answer.output_text == "echo: hello framework", server.log_text()
        events = _events(client.responses.create(model=attr, input="stream it", stream=True))
        deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
        assert len(deltas) > 1 and "".join(deltas) == "echo: stream it"
        follow = client.responses.create(
            model=attr, input="and then", previous_response_id=answer.id
        )
        assert follow.output_text == "echo: and then"
        chat = client.chat.completions.create(
            model=attr, messages=[{"role": "user", "content": "chat"}]
        )
        assert chat.choices[0].message.content == "echo: chat"
    finally:
        server.stop()


def test_mlflow_responses_agent_adapter(
    tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]
) -> None:
    server = AgentServer("shouter", tmp_path_factory.mktemp("shouter"), env=env)
    try:
        client = server.client()
        assert client.responses.create(model="s", input="quiet please").output_text == (
            "QUIET PLEASE"
        )
        events = _events(client.responses.create(model="s", input="quiet please", stream=True))
        deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
        assert deltas == ["QUIET", " PLEASE"]
        assert events[-1].response.output_text == "QUIET PLEASE"
    finally:
        server.stop()


def test_workers(tmp_path: Path, env: dict[str, str]) -> None:
    server = AgentServer("echo", tmp_path, "--workers", "2", env=env)
    try:
        client = server.client()
        answers = {client.responses.create(model="echo", input="w").output_text for _ in range(4)}
        assert answers == {"echo (1 messages): w"}
    finally:
        server.stop()


def test_cli_refuses_a_bad_agent(tmp_path: Path) -> None:
    from ardea.cli.main import cli

    runner = CliRunner()
    missing = runner.invoke(cli, ["agents", "serve", "--agent", f"{AGENTS}:nothing"])
    assert missing.exit_code == 2 and "has no agent 'nothing'" in missing.output
    malformed = runner.invoke(cli, ["agents", "serve", "--agent", "no-colon"])
    assert malformed.exit_code == 2 and "MODULE:AGENT" in malformed.output
    (tmp_path / "numbers.py").write_text("answer = 42\n")
    wrong = runner.invoke(cli, ["agents", "serve", "--agent", f"{tmp_path / 'numbers.py'}:answer"])
    assert wrong.exit_code == 2 and "cannot serve a int" in wrong.output
