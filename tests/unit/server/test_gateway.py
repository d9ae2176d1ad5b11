"""The gateway's HTTP surface with the real ``openai`` and ``anthropic`` SDKs (sync, async,
streaming) through ``ardea server``'s app on uvicorn to the fake provider; MLflow's paths,
errors in each API's shape, the timing headers, ``/metrics``, request traces (and the
caller's ``traceparent``), traces dropped while the store is down, and the provider key in no
response, log line or stored byte."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest

from ardea.auth import accounts
from ardea.auth.tokens import issue_token
from ardea.gateway.memory import StaticSource
from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, ServerSettings
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from fixtures.fake_llm_server import FakeLLMServer, fake_llm
from fixtures.gateway_server import SECRET, GatewayServer, endpoint, source, target

from .support import Client

__all__ = ["fake_llm"]

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"


@pytest.fixture
def fake(fake_llm: FakeLLMServer) -> Iterator[FakeLLMServer]:
    fake_llm.reset()
    yield fake_llm
    fake_llm.reset()


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    b = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}",
        artifacts_destination=str(tmp_path / "artifacts"),
        lazy_artifacts=False,
    )
    yield b
    b.close()


def _source(fake: FakeLLMServer, experiment_id: str | None) -> StaticSource:
    return source(
        endpoint("chat", (target(fake, "gpt"),), experiment_id=experiment_id),
        endpoint("claude", (target(fake, "claude", "anthropic"),), experiment_id=experiment_id),
        endpoint(
            "emb",
            (target(fake, "emb"),),
            endpoint_type="llm/v1/embeddings",
            experiment_id=experiment_id,
        ),
    )


@pytest.fixture
def server(fake: FakeLLMServer, backend: Backend) -> Iterator[GatewayServer]:
    experiment_id = backend.tracking.create_experiment("gateway")
    with GatewayServer(_source(fake, experiment_id), backend) as s:
        s.experiment_id = experiment_id  # type: ignore[attr-defined]
        yield s


def _openai(server: GatewayServer, prefix: str = "/gateway/v1") -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url + prefix, api_key="caller-key", max_retries=0)


USER = [{"role": "user", "content": "hello gateway"}]


def test_openai_sdk_sync_chat_stream_embeddings_responses_and_models(
    server: GatewayServer, fake: FakeLLMServer
) -> None:
    client = _openai(server)
    raw = client.chat.completions.with_raw_response.create(model="chat", messages=USER)
    reply = raw.parse()
    assert reply.choices[0].message.content == "echo: hello gateway"
    assert reply.usage is not None and reply.usage.total_tokens > 0
    for header in (
        "x-mlflow-gateway-duration-ms",
        "x-mlflow-gateway-overhead-duration-ms",
        "x-ardea-gateway-overhead-us",
    ):
        assert int(raw.headers[header]) >= 0
    assert fake.requests[-1].body["model"] == "m-gpt"  # only the model was rewritten
    assert fake.requests[-1].body["messages"] == USER

    chunks = list(client.chat.completions.create(model="chat", messages=USER, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "echo: hello gateway"
    assert chunks[-1].usage is not None  # the gateway asked for include_usage
    assert fake.requests[-1].body["stream_options"] == {"include_usage": True}

    vectors = client.embeddings.create(model="emb", input=["a", "b"])
    assert len(vectors.data) == 2
    response = client.responses.create(model="chat", input="hi responses")
    assert "hi responses" in response.output_text
    assert [m.id for m in client.models.list()] == ["chat", "claude", "emb"]


def test_openai_sdk_async_chat_and_stream(server: GatewayServer) -> None:
    async def go() -> tuple[str, str]:
        client = openai.AsyncOpenAI(
            base_url=server.base_url + "/gateway/v1", api_key="k", max_retries=0
        )
        reply = await client.chat.completions.create(model="chat", messages=USER)
        stream = await client.chat.completions.create(model="chat", messages=USER, stream=True)
        parts = [c.choices[0].delta.content or "" async for c in stream if c.choices]
        await client.close()
        return reply.choices[0].message.content or "", "".join(parts)

    assert asyncio.run(go()) == ("echo: hello gateway", "echo: hello gateway")


def test_anthropic_sdk_sync_async_and_stream_and_cross_dialect(server: GatewayServer) -> None:
    client = anthropic.Anthropic(
        base_url=server.base_url + "/gateway/anthropic", api_key="k", max_retries=0
    )
    message = client.messages.create(model="claude", max_tokens=20, messages=USER)
    assert message.content[0].text == "echo: hello gateway"  # type: ignore[union-attr]
    with client.messages.stream(model="claude", max_tokens=20, messages=USER) as stream:
        assert "".join(stream.text_stream) == "echo: hello gateway"
        assert stream.get_final_message().usage.output_tokens > 0
    # An Anthropic caller, an OpenAI-speaking target: translated both ways.
    crossed = client.messages.create(model="chat", max_tokens=20, messages=USER)
    assert crossed.content[0].text == "echo: hello gateway"  # type: ignore[union-attr]
    # An OpenAI caller, an Anthropic target.
    reply = _openai(server).chat.completions.create(model="claude", messages=USER)
    assert reply.choices[0].message.content == "echo: hello gateway"

    async def go() -> str:
        aclient = anthropic.AsyncAnthropic(
            base_url=server.base_url + "/gateway/anthropic", api_key="k", max_retries=0
        )
        m = await aclient.messages.create(model="claude", max_tokens=20, messages=USER)
        await aclient.close()
        return m.content[0].text  # type: ignore[union-attr]

    assert asyncio.run(go()) == "echo: hello gateway"


def test_mlflow_paths(server: GatewayServer) -> None:
    base = server.base_url
    chat = httpx.post(
        f"{base}/gateway/mlflow/v1/chat/completions", json={"model": "chat", "messages": USER}
    )
    assert chat.json()["choices"][0]["message"]["content"] == "echo: hello gateway"
    assert httpx.get(f"{base}/gateway/mlflow/v1/models").json()["data"][0]["id"] == "chat"
    unified = httpx.post(f"{base}/gateway/chat/mlflow/invocations", json={"messages": USER})
    assert unified.json()["choices"][0]["message"]["content"] == "echo: hello gateway"
    vectors = httpx.post(f"{base}/gateway/emb/mlflow/invocations", json={"input": ["x"]})
    assert len(vectors.json()["data"]) == 1
    passthrough = _openai(server, "/gateway/openai/v1")
    assert passthrough.chat.completions.create(model="chat", messages=USER).choices
    missing = httpx.post(f"{base}/gateway/nope/mlflow/invocations", json={"messages": USER})
    assert missing.status_code == 404
    assert missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_errors_in_each_apis_shape(server: GatewayServer, fake: FakeLLMServer) -> None:
    client = _openai(server)
    with pytest.raises(openai.NotFoundError) as unknown:
        client.chat.completions.create(model="nope", messages=USER)
    assert unknown.value.code == "model_not_found"
    fake.queue_error(429, "slow down", retry_after=7)
    with pytest.raises(openai.RateLimitError) as limited:
        client.chat.completions.create(model="chat", messages=USER)
    assert limited.value.response.headers["retry-after"] == "7"
    fake.queue_error(503, "overloaded")
    with pytest.raises(openai.InternalServerError) as down:
        client.chat.completions.create(model="chat", messages=USER)
    assert down.value.status_code == 503

    claude = anthropic.Anthropic(
        base_url=server.base_url + "/gateway/anthropic", api_key="k", max_retries=0
    )
    with pytest.raises(anthropic.NotFoundError) as a_unknown:
        claude.messages.create(model="nope", max_tokens=5, messages=USER)
    assert a_unknown.value.body["error"]["type"] == "not_found_error"  # type: ignore[index]
    fake.queue_error(429, "busy")
    with pytest.raises(anthropic.RateLimitError):
        claude.messages.create(model="claude", max_tokens=5, messages=USER)

    base = server.base_url
    bad = httpx.post(f"{base}/gateway/v1/chat/completions", content=b"{not json")
    assert bad.status_code == 400 and bad.json()["error"]["type"] == "invalid_request_error"
    listed = httpx.post(f"{base}/gateway/v1/chat/completions", json=[1, 2])
    assert listed.status_code == 400
    no_model = httpx.post(f"{base}/gateway/anthropic/v1/messages", json={"messages": USER})
    assert no_model.status_code == 400 and no_model.json()["type"] == "error"
    assert httpx.get(f"{base}/gateway/v1/chat/completions").status_code == 405
    assert httpx.post(f"{base}/gateway/v2/nothing", json={}).status_code == 404


def test_oversized_requests_get_413(
    fake: FakeLLMServer, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_GATEWAY_MAX_BODY_BYTES", "2000")
    with GatewayServer(_source(fake, None), backend) as s:
        big = [{"role": "user", "content": "x" * 5000}]
        r = httpx.post(
            f"{s.base_url}/gateway/v1/chat/completions", json={"model": "chat", "messages": big}
        )
        assert r.status_code == 413 and "larger than 2000 bytes" in r.json()["error"]["message"]
        chunked = httpx.post(
            f"{s.base_url}/gateway/v1/chat/completions",
            content=iter([b'{"model": "chat", "messages": [', b" " * 3000, b"]}"]),
        )
        assert chunked.status_code == 413
    assert fake.requests == []


def test_every_request_is_a_trace_in_the_endpoints_experiment(
    fake: FakeLLMServer, backend: Backend
) -> None:
    experiment_id = backend.tracking.create_experiment("gateway")
    with GatewayServer(_source(fake, experiment_id), backend) as s:
        client = openai.OpenAI(
            base_url=s.base_url + "/gateway/v1",
            api_key="k",
            max_retries=0,
            default_headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"},
        )
        client.chat.completions.create(model="chat", messages=USER)
        list(client.chat.completions.create(model="chat", messages=USER, stream=True))
    traces = backend.traces.search_traces([experiment_id])
    mine = [t for t in traces if t.trace_id != f"tr-{CALLER_TRACE}"]
    assert len(mine) == 2
    for info in mine:
        meta = info.trace_metadata
        assert meta["mlflow.gateway.endpointId"] == "e-chat"
        assert meta["mlflow.gateway.requestType"] == "unified/chat"
        assert meta["mlflow.gateway.caller"] == "OpenAI"
        assert meta["ardea.gateway.model"] == "m-gpt"
        assert meta["ardea.gateway.callerTraceId"] == f"tr-{CALLER_TRACE}"
        assert info.token_usage is not None and info.token_usage.total_tokens > 0
    assert any("ardea.gateway.ttftMs" in t.trace_metadata for t in mine)
    # The caller's trace got a child span under the caller's span, linked to the gateway's.
    spans = backend.traces.get_trace(f"tr-{CALLER_TRACE}").spans
    assert {s.parent_span_id for s in spans} == {CALLER_SPAN}
    linked = {s.attributes["mlflow.gateway.linkedTraceId"] for s in spans}
    assert linked == {t.trace_id for t in mine}


def test_requests_flow_and_traces_are_dropped_while_the_trace_store_is_down(
    fake: FakeLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On the server's own thread: a writer process would open the deleted file afresh.
    monkeypatch.setenv("ARDEA_GATEWAY_TRACE_WRITER", "thread")
    broken = open_sql_backend(
        f"sqlite:///{tmp_path / 'gone.db'}", artifacts_destination=str(tmp_path / "a")
    )
    experiment_id = broken.tracking.create_experiment("gateway")
    with GatewayServer(_source(fake, experiment_id), broken) as s:
        (tmp_path / "gone.db").unlink()
        broken.close()  # the store is gone: every write fails
        client = _openai(s)
        for _ in range(5):
            assert client.chat.completions.create(model="chat", messages=USER).choices
        dropped: dict[str, float] = {}
        for _ in range(200):  # the writer thread gets to them soon
            text = httpx.get(s.base_url + "/metrics").text
            dropped = {
                line.split('reason="')[1].split('"')[0]: float(line.split()[-1])
                for line in text.splitlines()
                if line.startswith("ardea_gateway_traces_dropped_total{")
            }
            if sum(dropped.values()) >= 10:
                break
            time.sleep(0.05)
        # Each request's trace and its usage rollup (counted under the same metric).
        assert dropped == {"store_error": 5, "usage_store_error": 5}
        assert "ardea_gateway_requests_total" in text


def _dropped(base_url: str) -> dict[str, float]:
    text = httpx.get(base_url + "/metrics").text
    return {
        line.split('reason="')[1].split('"')[0]: float(line.split()[-1])
        for line in text.splitlines()
        if line.startswith("ardea_gateway_traces_dropped_total{")
    }


def test_traces_are_written_by_a_writer_process_that_comes_back_after_a_crash(
    fake: FakeLLMServer, tmp_path: Path
) -> None:
    backend = open_sql_backend(
        f"sqlite:///{tmp_path / 'w.db'}", artifacts_destination=str(tmp_path / "a")
    )
    experiment_id = backend.tracking.create_experiment("gateway")
    with GatewayServer(_source(fake, experiment_id), backend) as s:
        client = _openai(s)
        recorder = s.app.state.ardea.gateway.recorder
        assert recorder._sink is not None  # a file database: the writer process
        for _ in range(3):
            client.chat.completions.create(model="chat", messages=USER)
        assert recorder.flush(30)
        assert len(backend.traces.search_traces([experiment_id])) == 3
        child = recorder._sink._proc
        assert child is not None and child.pid != os.getpid()
        child.kill()  # the writer dies; requests keep flowing
        child.wait()
        for _ in range(4):
            assert client.chat.completions.create(model="chat", messages=USER).choices
        assert recorder.flush(30)
        time.sleep(1.1)  # past the restart back-off
        for _ in range(2):
            client.chat.completions.create(model="chat", messages=USER)
        assert recorder.flush(30)
        written = len(backend.traces.search_traces([experiment_id]))
        lost = _dropped(s.base_url).get("writer_down", 0)
        # Every request is either a trace or counted lost; the restarted writer wrote some.
        assert written + lost == 9 and written > 3
        assert recorder._sink._proc is not None and recorder._sink._proc.pid != child.pid
    backend.close()


def test_the_provider_key_is_in_no_response_log_or_stored_byte(
    fake: FakeLLMServer, backend: Backend, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    experiment_id = backend.tracking.create_experiment("gateway")
    seen: list[bytes] = []
    with GatewayServer(_source(fake, experiment_id), backend) as s:
        base = s.base_url
        fake.queue_error(401, f"Incorrect API key provided: {SECRET}")
        fake.queue_error(500, f"internal: key={SECRET}")
        fake.queue_error(401, f"bad key {SECRET}")
        requests: list[tuple[str, dict[str, Any]]] = [
            ("/gateway/v1/chat/completions", {"model": "chat", "messages": USER}),
            ("/gateway/v1/chat/completions", {"model": "chat", "messages": USER}),
            ("/gateway/v1/chat/completions", {"model": "claude", "messages": USER}),  # crossed
            ("/gateway/v1/chat/completions", {"model": "chat", "messages": USER}),
            ("/gateway/v1/chat/completions", {"model": "chat", "messages": USER, "stream": True}),
            (
                "/gateway/anthropic/v1/messages",
                {"model": "claude", "max_tokens": 5, "messages": USER},
            ),
        ]
        for path, body in requests:
            r = httpx.post(base + path, json=body)
            seen.append(r.content + str(r.headers).encode())
        seen.append(httpx.get(base + "/metrics").content)
        seen.append(httpx.get(base + "/gateway/v1/models").content)
    assert all(SECRET.encode() not in data for data in seen)
    assert any(b"***" in data for data in seen)
    assert SECRET not in caplog.text
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert len(stored) > 0 and SECRET.encode() not in stored
    assert backend.traces.search_traces([experiment_id])  # traces were written


ADMIN_PASSWORD = "first admin password"


def test_with_auth_an_authenticated_caller_is_required(
    fake: FakeLLMServer, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    settings = ServerSettings(auth_enabled=True)
    app = create_app(ServerDeps(backend, settings, _source(fake, None)))
    client = Client(app)
    try:
        body = {"model": "chat", "messages": USER}
        assert client.post("/gateway/v1/chat/completions", json=body).status_code == 401
        assert client.get("/gateway/v1/models").status_code == 401
        assert client.get("/metrics").status_code == 401
        store = backend.require_auth()
        ada = accounts.create_user(store, "ada", "ada's password 12", actor="test")
        token = issue_token(store, ada, "app", timedelta(days=1)).token
        auth = {"Authorization": f"Bearer {token}"}
        # a member's default (READ) does not let it call an endpoint: USE does
        denied = client.post("/gateway/v1/chat/completions", json=body, headers=auth)
        assert denied.status_code == 403, denied.text
        assert denied.json()["error"]["code"] == "permission_denied"
        store.grant(ada.id, "gateway_endpoint", "e-chat", "USE")
        ok = client.post("/gateway/v1/chat/completions", json=body, headers=auth)
        assert ok.status_code == 200, ok.text
        assert client.get("/gateway/v1/models", headers=auth).json()["data"]
    finally:
        client.close()


def test_gateway_off_answers_501(backend: Backend) -> None:
    deps = ServerDeps(backend, dataclasses.replace(ServerSettings(), gateway_enabled=False))
    client = Client(create_app(deps))
    try:
        r = client.post("/gateway/v1/chat/completions", json={"model": "chat"})
        assert r.status_code == 501 and "not enabled" in r.json()["error"]["message"]
        assert "ardea_gateway" not in client.get("/metrics").text
    finally:
        client.close()
