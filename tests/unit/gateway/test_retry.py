"""Retries of the same target within the endpoint's deadline, through :class:`Gateway` to the
fake provider with injected failures: backoff, ``Retry-After`` honoured when it fits and
skipped (straight to the fallback) when it does not, client errors never retried; the
config file's ``retry`` map; ``Retry-After`` and backoff on their own."""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from typing import Any

import pytest

from ardea.gateway import routes
from ardea.gateway.config import RetryPolicy
from ardea.gateway.file_source import GatewayConfigError, parse_config
from ardea.gateway.proxy import Answer, Call, Gateway, StreamAnswer
from ardea.gateway.retry import backoff_s, retry_after_s
from fixtures.fake_llm_server import FakeLLMServer
from fixtures.gateway_server import endpoint, source, target

FAST = RetryPolicy(retries=2, backoff_s=0.001, max_backoff_s=0.002)
_LOOP = asyncio.new_event_loop()


def _chat(**body: Any) -> dict[str, Any]:
    return {"model": "chat", "messages": [{"role": "user", "content": "hi"}], **body}


def _invoke(gateway: Gateway, body: dict[str, Any]) -> Answer | StreamAnswer:
    async def go() -> Answer | StreamAnswer:
        answer = await gateway.invoke(Call(routes.OPENAI_CHAT, "default", body))
        if isinstance(answer, StreamAnswer):
            parts = [chunk async for chunk in answer.chunks]
            return Answer(answer.status, b"".join(parts), answer.headers)
        return answer

    return _LOOP.run_until_complete(go())


def _models(fake: FakeLLMServer) -> list[str]:
    return [r.body["model"] for r in fake.requests]


def _retries(gateway: Gateway) -> float | None:
    return gateway.metrics.registry.get_sample_value(
        "ardea_gateway_retries_total", {"endpoint": "chat"}
    )


def test_a_failing_target_is_retried_before_the_fallback(fake: FakeLLMServer) -> None:
    a, b = target(fake, "a"), target(fake, "b")
    gateway = Gateway(source(endpoint("chat", (a,), fallback=(b,), retry=FAST)))
    fake.queue_error(503, "down", repeat=2)
    assert _invoke(gateway, _chat()).status == 200
    assert _models(fake) == ["m-a", "m-a", "m-a"]
    assert _retries(gateway) == 2
    fake.reset()
    fake.queue_error(503, "down", repeat=3)  # retries spent: then the fallback
    assert _invoke(gateway, _chat()).status == 200
    assert _models(fake) == ["m-a", "m-a", "m-a", "m-b"]


def test_streams_are_retried_before_their_first_byte(fake: FakeLLMServer) -> None:
    gateway = Gateway(source(endpoint("chat", (target(fake, "a"),), retry=FAST)))
    fake.queue_error(429, "busy")
    answer = _invoke(gateway, _chat(stream=True))
    assert answer.status == 200 and b"[DONE]" in answer.body
    assert _models(fake) == ["m-a", "m-a"]


def test_client_errors_and_kinds_not_named_are_not_retried(fake: FakeLLMServer) -> None:
    only_5xx = RetryPolicy(retries=3, backoff_s=0.001, on=frozenset({"error"}))
    gateway = Gateway(source(endpoint("chat", (target(fake, "a"),), retry=only_5xx)))
    fake.queue_error(400, "bad")
    assert _invoke(gateway, _chat()).status == 400
    fake.queue_error(429, "busy")
    assert _invoke(gateway, _chat()).status == 429
    assert _models(fake) == ["m-a", "m-a"]
    assert not _retries(gateway)


def test_retry_after_is_honoured(fake: FakeLLMServer) -> None:
    gateway = Gateway(source(endpoint("chat", (target(fake, "a"),), retry=FAST)))
    fake.queue_error(429, "busy", retry_after=0.3)
    assert _invoke(gateway, _chat()).status == 200
    first, second = fake.requests
    assert second.at - first.at >= 0.3  # the provider's wait, not the 1 ms backoff


def test_a_retry_that_would_pass_the_deadline_is_not_made(fake: FakeLLMServer) -> None:
    a, b = target(fake, "a"), target(fake, "b")
    gateway = Gateway(source(endpoint("chat", (a,), fallback=(b,), retry=FAST, timeout_s=5)))
    fake.queue_error(503, "down", retry_after=60)
    assert _invoke(gateway, _chat()).status == 200
    assert _models(fake) == ["m-a", "m-b"]  # straight to the fallback
    fake.reset()
    alone = Gateway(source(endpoint("chat", (a,), retry=FAST, timeout_s=5)))
    fake.queue_error(429, "busy", retry_after=60)
    answer = _invoke(alone, _chat())
    assert answer.status == 429 and (b"retry-after", b"60") in answer.headers
    assert _models(fake) == ["m-a"]


def test_retry_after_seconds_and_http_dates() -> None:
    assert retry_after_s([(b"Retry-After", b"7")]) == 7.0
    assert retry_after_s([(b"retry-after", b"0.5")]) == 0.5
    later = email.utils.formatdate(time.time() + 120, usegmt=True)
    found = retry_after_s([(b"retry-after", later.encode())])
    assert found is not None and 100 < found <= 120
    assert retry_after_s([(b"retry-after", b"soon")]) is None
    assert retry_after_s([(b"x-other", b"1")]) is None


def test_backoff_grows_is_capped_and_jittered() -> None:
    policy = RetryPolicy(retries=5, backoff_s=1.0, max_backoff_s=3.0)
    rng = random.Random(7)
    for retry, base in ((1, 1.0), (2, 2.0), (3, 3.0), (4, 3.0)):
        waits = {backoff_s(policy, retry, rng) for _ in range(50)}
        assert all(base / 2 <= w <= base for w in waits) and len(waits) > 1


def test_the_config_file_retry_map() -> None:
    text = (
        "endpoints:\n  - name: a\n    model: {provider: openai, name: m}\n"
        "    retry: {retries: 2, backoff_s: 0.5, on: [error]}\n"
    )
    (parsed,), _ = parse_config(text, "g.yaml", {})
    assert parsed.retry == RetryPolicy(2, 0.5, 5.0, frozenset({"error"}))
    bad = (
        "endpoints:\n  - name: a\n    model: {provider: openai, name: m}\n"
        "    retry: {retries: 99, on: [sometimes]}\n"
    )
    with pytest.raises(GatewayConfigError) as caught:
        parse_config(bad, "g.yaml", {})
    assert "endpoints[0].retry.retries: expected an integer from 0 to 10" in str(caught.value)
    assert "endpoints[0].retry.on: expected a list of" in str(caught.value)
