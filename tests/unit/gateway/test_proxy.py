"""The request path in-process: split, fallback, deadlines, cache, overrides, reconfiguration.

``Gateway.invoke`` is driven directly (no HTTP server in front), against the fake provider
over loopback.
"""

from __future__ import annotations

import asyncio
import math
import random
from typing import Any

import orjson
import pytest

from ardea.gateway import routes
from ardea.gateway.errors import GatewayError
from ardea.gateway.proxy import Answer, Call, Gateway, StreamAnswer
from ardea.gateway.routes import Route
from fixtures.fake_llm_server import FakeLLMServer
from fixtures.gateway_server import SECRET, endpoint, source, target


def _chat(name: str = "chat", text: str = "hi", **body: Any) -> dict[str, Any]:
    return {"model": name, "messages": [{"role": "user", "content": text}], **body}


_LOOP = asyncio.new_event_loop()  # one loop for the module: its connection pools are reused


def _run(coro: Any) -> Any:
    return _LOOP.run_until_complete(coro)


def _invoke(gateway: Gateway, body: dict[str, Any], route: Route = routes.OPENAI_CHAT) -> Answer:
    async def go() -> Answer:
        answer = await gateway.invoke(Call(route, "default", body))
        assert isinstance(answer, Answer)
        return answer

    return _run(go())  # type: ignore[no-any-return]


def _models(fake: FakeLLMServer) -> list[str]:
    return [r.body["model"] for r in fake.requests if isinstance(r.body, dict)]


def test_split_follows_the_weights_within_a_binomial_bound(fake: FakeLLMServer) -> None:
    a, b = target(fake, "a", weight=7), target(fake, "b", weight=3)
    gateway = Gateway(source(endpoint("chat", (a, b))), rng=random.Random(1234))

    async def go() -> None:
        for _ in range(2000 // 4):  # 4 at a time (the fake provider listens with a backlog of 5)
            calls = [Call(routes.OPENAI_CHAT, "default", _chat()) for _ in range(4)]
            await asyncio.gather(*(gateway.invoke(c) for c in calls))

    _run(go())
    n, p = 2000, 0.7
    hits = _models(fake).count("m-a")
    assert len(_models(fake)) == n
    assert abs(hits - n * p) <= 4 * math.sqrt(n * p * (1 - p))  # 4 sigma: ~1 in 15,000


def test_fallback_tries_targets_in_order_on_5xx_and_429(fake: FakeLLMServer) -> None:
    a, b, c = target(fake, "a"), target(fake, "b"), target(fake, "c")
    gateway = Gateway(source(endpoint("chat", (a,), fallback=(b, c))))
    fake.queue_error(503, "down")
    fake.queue_error(429, "busy")
    answer = _invoke(gateway, _chat())
    assert answer.status == 200
    assert _models(fake) == ["m-a", "m-b", "m-c"]
    assert (
        gateway.metrics.registry.get_sample_value(
            "ardea_gateway_fallbacks_total", {"endpoint": "chat"}
        )
        == 2
    )


def test_fallback_stops_at_max_attempts_and_keeps_the_provider_status(fake: FakeLLMServer) -> None:
    a, b, c = target(fake, "a"), target(fake, "b"), target(fake, "c")
    gateway = Gateway(source(endpoint("chat", (a,), fallback=(b, c), max_attempts=2)))
    fake.queue_error(500, "boom", repeat=2)
    answer = _invoke(gateway, _chat())
    assert answer.status == 500
    assert orjson.loads(answer.body)["error"]["message"] == "boom"  # the provider's own body
    assert _models(fake) == ["m-a", "m-b"]


def test_a_client_error_is_final(fake: FakeLLMServer) -> None:
    a, b = target(fake, "a"), target(fake, "b")
    gateway = Gateway(source(endpoint("chat", (a,), fallback=(b,))))
    fake.queue_error(400, "bad request")
    assert _invoke(gateway, _chat()).status == 400
    assert _models(fake) == ["m-a"]


def test_a_hanging_provider_answers_504_at_the_deadline(fake: FakeLLMServer) -> None:
    a = target(fake, "a")
    hang = Gateway(source(endpoint("chat", (a,), timeout_s=0.3)))
    fake.queue_delay(60)
    answer = _invoke(hang, _chat())
    assert answer.status == 504
    assert orjson.loads(answer.body)["error"]["type"] == "timeout"
    assert _models(fake) == ["m-a"]


def test_unknown_endpoint_missing_model_and_wrong_type(fake: FakeLLMServer) -> None:
    gateway = Gateway(
        source(endpoint("emb", (target(fake, "a"),), endpoint_type="llm/v1/embeddings"))
    )
    with pytest.raises(GatewayError) as unknown:
        _invoke(gateway, _chat("nope"))
    assert unknown.value.status == 404
    with pytest.raises(GatewayError) as missing:
        _invoke(gateway, {"messages": []})
    assert missing.value.status == 400
    with pytest.raises(GatewayError) as wrong:
        _invoke(gateway, _chat("emb"))
    assert wrong.value.status == 400 and "llm/v1/embeddings" in wrong.value.message


def test_model_override_only_where_allowed(fake: FakeLLMServer) -> None:
    a, b = target(fake, "a"), target(fake, "b")
    allowed = Gateway(source(endpoint("chat", (a, b), allow_model_override=True)))
    for _ in range(5):
        assert _invoke(allowed, _chat("chat/b")).status == 200
    assert set(_models(fake)) == {"m-b"}
    refused = Gateway(source(endpoint("chat", (a, b))))
    with pytest.raises(GatewayError) as exc:
        _invoke(refused, _chat("chat/b"))
    assert exc.value.status == 400


def test_response_cache_serves_the_same_body_within_its_ttl(fake: FakeLLMServer) -> None:
    gateway = Gateway(source(endpoint("chat", (target(fake, "a"),), cache_ttl_s=60)))
    first = _invoke(gateway, _chat(text="cache me"))
    again = _invoke(
        gateway, {"messages": [{"content": "cache me", "role": "user"}], "model": "chat"}
    )
    assert again.body == first.body
    assert (b"x-ardea-cache", b"hit") in again.headers
    assert len(_models(fake)) == 1
    _invoke(gateway, _chat(text="other"))
    assert len(_models(fake)) == 2


def test_a_new_generation_rebuilds_the_routers(fake: FakeLLMServer) -> None:
    src = source(endpoint("chat", (target(fake, "a"),)))
    gateway = Gateway(src)
    _invoke(gateway, _chat())
    src.set([endpoint("chat", (target(fake, "b"),))])
    _invoke(gateway, _chat())
    assert _models(fake) == ["m-a", "m-b"]


def test_the_provider_key_goes_upstream_and_never_back(fake: FakeLLMServer) -> None:
    gateway = Gateway(source(endpoint("chat", (target(fake, "a"),))))
    fake.queue_error(401, f"Incorrect API key provided: {SECRET}")
    answer = _invoke(gateway, _chat())
    assert answer.status == 401
    assert SECRET.encode() not in answer.body and b"***" in answer.body
    assert fake.requests[-1].headers["authorization"] == f"Bearer {SECRET}"


def test_openai_chat_to_an_anthropic_target_is_translated(fake: FakeLLMServer) -> None:
    gateway = Gateway(source(endpoint("chat", (target(fake, "c", "anthropic"),))))
    answer = _invoke(gateway, _chat(text="bonjour"))
    value = orjson.loads(answer.body)
    assert value["choices"][0]["message"]["content"] == "echo: bonjour"
    assert value["usage"]["prompt_tokens"] == 1
    assert fake.requests[-1].path == "/v1/messages"
    assert fake.requests[-1].headers["x-api-key"] == SECRET


def test_a_stream_across_dialects_that_is_not_translated_is_refused_clearly(
    fake: FakeLLMServer,
) -> None:
    gateway = Gateway(source(endpoint("chat", (target(fake, "c"),))))
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    call = Call(routes.GEMINI_STREAM, "default", body, endpoint="chat")
    answer = _run(gateway.invoke(call))
    assert isinstance(answer, Answer) and answer.status == 400
    assert "is not supported" in orjson.loads(answer.body)["error"]["message"]
    assert fake.requests == []


def test_a_translated_stream_that_hangs_ends_with_the_callers_error_at_the_deadline(
    fake: FakeLLMServer,
) -> None:
    gateway = Gateway(source(endpoint("chat", (target(fake, "c", "anthropic"),), timeout_s=0.5)))
    fake.queue_stream_fault("stall", after=3)

    async def go() -> bytes:
        answer = await gateway.invoke(Call(routes.OPENAI_CHAT, "default", _chat(stream=True)))
        assert isinstance(answer, StreamAnswer)
        return b"".join([chunk async for chunk in answer.chunks])

    data = _run(go())
    last = data.strip().split(b"\n\n")[-1]
    assert orjson.loads(last[6:])["error"]["type"] == "timeout"
    assert b"chat.completion.chunk" in data  # what came before the stall was relayed


def test_a_stream_dropped_half_way_ends_with_an_error_frame(fake: FakeLLMServer) -> None:
    gateway = Gateway(source(endpoint("chat", (target(fake, "a"),))))
    fake.queue_stream_fault("drop", after=2)

    async def go() -> bytes:
        answer = await gateway.invoke(Call(routes.OPENAI_CHAT, "default", _chat(stream=True)))
        assert isinstance(answer, StreamAnswer)
        return b"".join([chunk async for chunk in answer.chunks])

    data = _run(go())
    last = data.strip().split(b"\n\n")[-1]
    assert last.startswith(b"data: ")
    assert orjson.loads(last[6:])["error"]["type"] == "api_error"


def test_a_stream_that_hangs_ends_with_an_error_frame_at_the_deadline(
    fake: FakeLLMServer,
) -> None:
    gateway = Gateway(source(endpoint("chat", (target(fake, "a", "anthropic"),), timeout_s=0.5)))
    fake.queue_stream_fault("stall", after=2)
    body = {"model": "chat", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}

    async def go() -> bytes:
        call = Call(routes.ANTHROPIC_MESSAGES, "default", dict(body, stream=True))
        answer = await gateway.invoke(call)
        assert isinstance(answer, StreamAnswer)
        return b"".join([chunk async for chunk in answer.chunks])

    data = _run(go())
    last = data.strip().split(b"\n\n")[-1]
    assert last.startswith(b"event: error\ndata: ")
    error = orjson.loads(last.split(b"data: ", 1)[1])
    assert error["type"] == "error" and error["error"]["type"] == "timeout_error"
