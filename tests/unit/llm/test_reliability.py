"""Retries, one deadline per call, Retry-After, malformed answers, cancellation (Ctrl-C too).

No wall-clock thresholds: attempt counts, the fake's request log and its arrival times.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from ardea.llm import get_client
from ardea.llm.client import LLMClient
from ardea.llm.errors import (
    AuthenticationError,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Timeout,
)
from ardea.llm.retry import RetryPolicy
from fixtures.fake_llm_server import FakeLLMServer

FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.02, rng=random.Random(1))


def _client(llm: FakeLLMServer, **kw: object) -> LLMClient:
    """A client with its own provider config (so its own limiter: one test's 429 pause does
    not reach the next test)."""
    kw.setdefault("retry", FAST)
    key = f"sk-{uuid.uuid4().hex}"
    return get_client("openai:/gpt-4o-mini", base_url=llm.openai_base_url, api_key=key, **kw)  # type: ignore[arg-type]


def test_5xx_is_retried_until_it_succeeds(llm: FakeLLMServer) -> None:
    llm.queue_error(503, repeat=2)
    result = _client(llm).chat("hi")
    assert (result.attempts, result.text, len(llm.requests)) == (3, "echo: hi", 3)


def test_attempts_are_capped(llm: FakeLLMServer) -> None:
    llm.queue_error(500, repeat=10)
    with pytest.raises(ProviderError) as err:
        _client(llm).chat("hi")
    assert err.value.status == 500 and len(llm.requests) == FAST.max_attempts


def test_no_retry_on_a_client_error(llm: FakeLLMServer) -> None:
    llm.queue_error(400, "bad model name")
    with pytest.raises(ProviderError, match="bad model name") as err:
        _client(llm).chat("hi")
    assert err.value.status == 400 and len(llm.requests) == 1


def test_401_is_an_authentication_error(llm: FakeLLMServer) -> None:
    llm.queue_error(401, "Incorrect API key provided")
    with pytest.raises(AuthenticationError):
        _client(llm).chat("hi")
    assert len(llm.requests) == 1


def test_429_honours_retry_after_and_lowers_the_shared_limit(llm: FakeLLMServer) -> None:
    client = _client(llm, max_concurrency=8)
    before = client.limiter.limit
    llm.queue_error(429, "slow down", retry_after="0.2")
    result = client.chat("hi")
    assert result.attempts == 2
    first, second = llm.requests
    assert second.at - first.at >= 0.2  # waited what the provider asked, not a shorter backoff
    assert client.limiter.limit == before // 2


def test_retry_after_as_an_http_date(llm: FakeLLMServer) -> None:
    past = format_datetime(datetime.now(timezone.utc) - timedelta(seconds=5), usegmt=True)
    llm.queue_error(429, retry_after=past)
    assert _client(llm).chat("hi").attempts == 2


def test_a_retry_after_beyond_the_deadline_fails_at_once(llm: FakeLLMServer) -> None:
    llm.queue_error(429, "quota", retry_after="3600")
    client = _client(llm, timeout=30)
    with pytest.raises(RateLimited) as err:
        client.chat("hi")
    assert err.value.retry_after == 3600.0 and len(llm.requests) == 1
    # every client of the provider config now fails at once too, without sending
    with pytest.raises(RateLimited, match="Retry-After"):
        client.chat("hi again")
    assert len(llm.requests) == 1


def test_one_deadline_covers_every_attempt(llm: FakeLLMServer) -> None:
    llm.latency = 0.15
    llm.queue_error(503, repeat=50)
    policy = RetryPolicy(max_attempts=50, base_delay=0.01, max_delay=0.01, rng=random.Random(2))
    with pytest.raises((Timeout, ProviderError)):
        _client(llm, timeout=0.6, retry=policy).chat("hi")
    attempts = len(llm.requests)
    assert 1 <= attempts < 50  # the deadline, not the attempt cap, ended the call
    assert llm.requests[-1].at - llm.requests[0].at <= 0.6 + 0.5  # fake's clock, with slack


def test_a_slow_answer_is_cut_at_the_deadline(llm: FakeLLMServer) -> None:
    llm.queue_delay(30)
    with pytest.raises(Timeout, match="deadline"):
        _client(llm, timeout=1.0).chat("hi")
    # The fake records a request on its own thread, which a loaded machine may run late.
    waited = time.monotonic() + 10
    while not llm.requests and time.monotonic() < waited:
        time.sleep(0.02)
    time.sleep(0.3)  # room for a retry to arrive, if one were (wrongly) sent
    assert len(llm.requests) == 1  # a timed-out call is not retried past its deadline


def test_async_slow_answer_is_cut_at_the_deadline(llm: FakeLLMServer) -> None:
    llm.queue_delay(30)
    with pytest.raises(Timeout):
        asyncio.run(_client(llm, timeout=0.2).achat("hi"))


def test_malformed_json_is_retried_then_reported(llm: FakeLLMServer) -> None:
    llm.queue_malformed()
    assert _client(llm).chat("hi").attempts == 2
    llm.queue_malformed(repeat=10)
    with pytest.raises(ProviderError, match="not a JSON object") as err:
        _client(llm).chat("hi")
    assert err.value.status == 200 and "chatcmpl-broken" in err.value.body


def test_an_unreachable_provider_is_unavailable() -> None:
    client = get_client("openai:/gpt-4o", base_url="http://127.0.0.1:9/v1", api_key="k",
                        retry=FAST)  # fmt: skip
    with pytest.raises(ProviderUnavailable, match="cannot reach"):
        client.chat("hi")


def test_cancelling_an_async_call_aborts_it_at_once(llm: FakeLLMServer) -> None:
    llm.latency = 600

    async def main() -> None:
        task = asyncio.ensure_future(_client(llm, timeout=None).achat("hi"))
        for _ in range(3000):
            if llm.requests or task.done():
                break
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert len(llm.requests) == 1  # no retry after a cancel


_CTRL_C = """
import signal, sys
# A background job of a non-interactive shell (CI started with `&`) inherits SIGINT ignored,
# and Python then keeps it ignored: restore Ctrl-C's usual meaning, which is what is tested.
signal.signal(signal.SIGINT, signal.default_int_handler)
from ardea.llm import get_client
client = get_client("openai:/gpt-4o", base_url=sys.argv[1], api_key="k", timeout=None)
try:
    client.chat("hi")
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
print("finished", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT semantics")
def test_ctrl_c_interrupts_a_sync_call(llm: FakeLLMServer, tmp_path: Path) -> None:
    llm.latency = 600  # the answer would come after the test's guard
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", _CTRL_C, llm.openai_base_url],
                            stdout=subprocess.PIPE, text=True, env=env)  # fmt: skip
    try:
        for _ in range(3000):  # wait until the request is in flight
            if llm.requests:
                break
            time.sleep(0.01)
        assert llm.requests, "the call never reached the provider"
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)  # a guard, not a threshold
    finally:
        proc.kill()
    assert proc.returncode == 3 and out.strip() == "interrupted"
