"""LLMClient.stream / astream / stream_raw / astream_raw against the fake provider over HTTP.

Every adapter streams text, tool calls and usage equal to its non-streamed answer; faults
(an error event, a dropped connection, a stall, no usage) end the stream with a typed error
or a marked result; retries happen only before the first chunk; the limiter slot is given
back by every stream, abandoned ones included. No wall-clock thresholds.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from ardea.llm import get_client
from ardea.llm.client import LLMClient
from ardea.llm.errors import ProviderError, StreamError, Timeout
from ardea.llm.retry import RetryPolicy
from ardea.llm.streaming.chunks import ChatChunk
from ardea.llm.streaming.eventstream import EventStreamDecoder
from ardea.llm.streaming.sse import SSEDecoder
from ardea.llm.streaming.stream import AsyncChatStream, ChatStream
from fixtures import fake_llm_bedrock as bedrock_wire
from fixtures.fake_llm_server import FakeLLMServer

FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, rng=random.Random(3))
Factory = Callable[[FakeLLMServer, pytest.MonkeyPatch], LLMClient]


def _key() -> str:  # a fresh provider config per client: its own limiter
    return f"k-{uuid.uuid4().hex[:12]}"


def _bedrock(f: FakeLLMServer, mp: pytest.MonkeyPatch, **kw: Any) -> LLMClient:
    mp.setenv("AWS_ACCESS_KEY_ID", bedrock_wire.ACCESS_KEY)
    mp.setenv("AWS_SECRET_ACCESS_KEY", bedrock_wire.SECRET_KEY)
    mp.setenv("AWS_REGION", "us-west-2")
    model = "anthropic.claude-3-5-haiku-20241022-v1:0"
    return get_client(f"bedrock:/{model}", base_url=f.base_url, extra_headers={"x-n": _key()},
                      retry=FAST, **kw)  # fmt: skip


CLIENTS: dict[str, tuple[Factory, str]] = {
    "openai": (lambda f, mp, **kw: get_client("openai:/gpt-4o-mini", base_url=f.openai_base_url,
               api_key=_key(), retry=FAST, **kw), "/v1/chat/completions"),
    "azure": (lambda f, mp, **kw: get_client("azure:/my-deployment", base_url=f.base_url,
              api_key=_key(), retry=FAST, **kw),
              "/openai/deployments/my-deployment/chat/completions"),
    "mistral": (lambda f, mp, **kw: get_client("mistral:/mistral-small-latest",
                base_url=f.openai_base_url, api_key=_key(), retry=FAST, **kw),
                "/v1/chat/completions"),
    "anthropic": (lambda f, mp, **kw: get_client("anthropic:/claude-3-5-haiku-20241022",
                  base_url=f.anthropic_base_url, api_key=_key(), retry=FAST, **kw),
                  "/v1/messages"),
    "gemini": (lambda f, mp, **kw: get_client("gemini:/gemini-2.5-flash", base_url=f.base_url,
               api_key=_key(), retry=FAST, **kw),
               "/v1beta/models/gemini-2.5-flash:streamGenerateContent"),
    "bedrock": (_bedrock, "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream"),
}  # fmt: skip
FAMILIES = ["openai", "anthropic", "gemini", "bedrock"]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "find_nests",
            "description": "Find nests",
            "parameters": {"type": "object", "properties": {"site": {"type": "string"}}},
        },
    }
]


def _client(name: str, llm: FakeLLMServer, mp: pytest.MonkeyPatch, **kw: Any) -> LLMClient:
    return CLIENTS[name][0](llm, mp, **kw)  # type: ignore[call-arg]


async def _acollect(stream: AsyncChatStream) -> list[ChatChunk]:
    return [chunk async for chunk in stream]


@pytest.mark.parametrize("name", list(CLIENTS))
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_stream_adds_up_to_the_plain_answer(
    name: str, mode: str, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client(name, llm, monkeypatch)
    plain = client.chat("where do the grey herons nest", max_tokens=50)
    llm.reset()
    if mode == "sync":
        with client.stream("where do the grey herons nest", max_tokens=50) as stream:
            chunks = list(stream)
    else:
        astream = asyncio.run(_aopen(client, "where do the grey herons nest"))
        chunks, stream = astream
    result = stream.result
    assert result is not None and not result.partial and result.usage_reported
    assert "".join(c.text for c in chunks) == result.text == plain.text
    assert len([c for c in chunks if c.text]) > 1  # it did arrive in pieces
    assert (result.usage, result.cost, result.finish_reason) == (
        plain.usage,
        plain.cost,
        plain.finish_reason,
    )
    assert result.attempts == 1 and result.chunks == len(chunks)
    (request,) = llm.requests
    assert request.path == CLIENTS[name][1]
    if name in ("openai", "azure"):
        assert request.body["stream"] is True
        assert request.body["stream_options"] == {"include_usage": True}
    elif name == "mistral":
        assert request.body["stream"] is True and "stream_options" not in request.body
    elif name == "gemini":
        assert request.query == "alt=sse"
    assert client.limiter.in_flight == 0


async def _aopen(client: LLMClient, text: str) -> tuple[list[ChatChunk], AsyncChatStream]:
    async with await client.astream(text, max_tokens=50) as stream:
        chunks = await _acollect(stream)
    return chunks, stream


@pytest.mark.parametrize("name", list(CLIENTS))
def test_tool_calls_stream_in_pieces_and_assemble(
    name: str, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client(name, llm, monkeypatch)
    calls = [{"name": "find_nests", "arguments": {"site": "the old heronry by the lake"}},
             {"name": "find_nests", "arguments": {"site": "reed beds"}}]  # fmt: skip
    llm.queue_chat(tool_calls=calls)
    stream = client.stream("find nests", tools=TOOLS)
    chunks = list(stream)
    result = stream.result
    assert result is not None and result.finish_reason == "tool_calls"
    assert [(c.name, c.arguments) for c in result.tool_calls] == [
        (c["name"], c["arguments"]) for c in calls
    ]
    assert all(c.id for c in result.tool_calls)
    if name != "gemini":  # Gemini sends a function call whole
        pieces = [d for c in chunks for d in c.tool_calls if d.arguments]
        assert len(pieces) > len(calls)


@pytest.mark.parametrize("name", FAMILIES)
def test_a_schema_streams_json_text(
    name: str, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = {"type": "object", "properties": {"verdict": {"type": "string", "enum": ["yes"]}},
              "required": ["verdict"]}  # fmt: skip
    result = _client(name, llm, monkeypatch).stream("is it?", response_schema=schema).read_all()
    assert result.parsed == {"verdict": "yes"} and json.loads(result.text) == result.parsed
    assert result.finish_reason == "stop"


@pytest.mark.parametrize("name", FAMILIES)
def test_raw_mode_passes_the_providers_bytes_and_parses_the_usage(
    name: str, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client(name, llm, monkeypatch)
    plain = client.chat("count the egrets")
    with client.stream_raw("count the egrets") as raw:
        data = b"".join(raw)
    assert raw.status_code == 200 and raw.result is not None
    assert raw.result.usage == plain.usage and raw.result.text == plain.text
    if name == "bedrock":
        assert raw.media_type == "application/vnd.amazon.eventstream"
        events = [m.event_type for m in EventStreamDecoder().feed(data)]
        assert events[0] == "messageStart" and events[-1] == "metadata"
    else:
        assert raw.media_type.startswith("text/event-stream")
        decoder = SSEDecoder()
        assert decoder.feed(data) and decoder.flush() == []  # whole events, nothing left


@pytest.mark.parametrize("name", FAMILIES)
def test_raw_bytes_arrive_before_the_stream_ends(
    name: str, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No buffering: the first events come through while the provider is still stalled."""
    llm.queue_stream_fault("stall", after=3)
    client = _client(name, llm, monkeypatch)

    async def first() -> bytes:
        raw = await client.astream_raw("one two three four five", timeout=60)
        try:
            return await raw.__anext__()
        finally:
            await raw.aclose()

    assert asyncio.run(first())
    assert client.limiter.in_flight == 0


@pytest.mark.parametrize("name", FAMILIES)
def test_an_error_event_mid_stream_is_a_stream_error_with_the_partial_result(
    name: str, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    llm.queue_stream_fault("error", after=3)
    client = _client(name, llm, monkeypatch)
    stream = client.stream("one two three four five six seven")
    got: list[ChatChunk] = []
    with pytest.raises(StreamError, match="the stream failed") as err:
        for chunk in stream:
            got.append(chunk)
    assert got and stream.result is not None and stream.result.partial
    assert stream.result.text == "".join(c.text for c in got)
    expected = stream.result.usage if stream.result.usage_reported else None
    assert err.value.partial_usage == expected
    assert len(llm.requests) == 1 and client.limiter.in_flight == 0


@pytest.mark.parametrize("name", FAMILIES)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_dropped_connection_is_a_stream_error(
    name: str, mode: str, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    llm.queue_stream_fault("drop", after=3)
    client = _client(name, llm, monkeypatch)
    with pytest.raises(StreamError, match="broke mid-stream"):
        if mode == "sync":
            client.stream("one two three four five six seven").read_all()
        else:
            asyncio.run(_aread(client, "one two three four five six seven"))
    assert len(llm.requests) == 1 and client.limiter.in_flight == 0


async def _aread(client: LLMClient, text: str, **kw: Any) -> Any:
    stream = await client.astream(text, **kw)
    return await stream.read_all()


@pytest.mark.parametrize("name", FAMILIES)
def test_a_stream_without_usage_says_so(
    name: str, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    llm.queue_stream_fault("no_usage")
    result = _client(name, llm, monkeypatch).stream("hello herons").read_all()
    assert result.text == "echo: hello herons" and not result.partial
    assert not result.usage_reported and result.usage.total_tokens == 0 and result.cost is None


@pytest.mark.parametrize("name", FAMILIES)
@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("limit", ["idle", "deadline"])
def test_a_stalled_stream_ends_at_its_idle_timeout_or_deadline(
    name: str, mode: str, limit: str, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    llm.queue_stream_fault("stall", after=3)
    client = _client(name, llm, monkeypatch)
    kw: dict[str, Any] = (
        {"idle_timeout": 0.2, "timeout": 600} if limit == "idle" else {"timeout": 0.5}
    )
    match = "idle_timeout" if limit == "idle" else "deadline"
    with pytest.raises(Timeout, match=match):
        if mode == "sync":
            client.stream("one two three four five six", **kw).read_all()
        else:
            asyncio.run(_aread(client, "one two three four five six", **kw))
    assert client.limiter.in_flight == 0


def test_the_deadline_wakes_a_blocked_sync_read(
    llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stall that starts late: the HTTP read timeout (what was left of the deadline when the
    request went out) would fire after the deadline; the watchdog ends the read at it."""
    llm.stream_delay = 0.2
    llm.queue_stream_fault("stall", after=3)
    client = _client("openai", llm, monkeypatch)
    stream = client.stream("one two three four five six", timeout=1.0)
    with pytest.raises(Timeout, match="deadline"):
        stream.read_all()
    assert stream.core.timed_out  # the watchdog fired, not the HTTP read timeout
    assert client.limiter.in_flight == 0


@pytest.mark.parametrize("name", FAMILIES)
def test_errors_before_the_first_chunk_are_retried_after_it_never(
    name: str, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client(name, llm, monkeypatch)
    llm.queue_error(503)
    llm.queue_error(429, retry_after=0)
    result = client.stream("hi").read_all()
    assert result.attempts == 3 and result.text == "echo: hi" and len(llm.requests) == 3
    llm.reset()
    llm.queue_stream_fault("drop", after=4)
    with pytest.raises(StreamError):
        client.stream("one two three four five six").read_all()
    assert len(llm.requests) == 1


def test_an_error_event_before_any_chunk_is_retried(
    llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anthropic's ``overloaded_error`` (HTTP 529's meaning) as the stream's first event."""
    client = _client("anthropic", llm, monkeypatch)
    llm.queue_stream_fault("error", after=0)
    result = client.stream("hi").read_all()
    assert result.attempts == 2 and result.text == "echo: hi"


def test_a_client_error_raises_from_stream_itself(
    llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client("openai", llm, monkeypatch)
    llm.queue_error(400, "no such model")
    with pytest.raises(ProviderError, match="no such model") as err:
        client.stream("hi")
    assert err.value.status == 400 and client.limiter.in_flight == 0
    with pytest.raises(TypeError, match="temprature"):
        client.stream("hi", temprature=0)


def test_a_hundred_abandoned_streams_leak_no_slot(
    llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two slots only: a leaked one would make the third stream wait for its deadline."""
    client = _client("openai", llm, monkeypatch, max_concurrency=2)
    for i in range(100):
        stream = client.stream(f"abandon number {i} now", timeout=30)
        next(stream)
        del stream  # dropped half-read: the garbage collector ends it
    gc.collect()
    assert client.limiter.in_flight == 0
    with client.stream("still served", timeout=30) as stream:
        assert next(stream).text


def test_a_hundred_abandoned_async_streams_leak_no_slot(
    llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client("anthropic", llm, monkeypatch, max_concurrency=2)

    async def run() -> int:
        for i in range(100):
            stream = await client.astream(f"abandon number {i} now", timeout=30)
            await stream.__anext__()
            del stream  # dropped half-read: ended when collected
            await asyncio.sleep(0)  # let the scheduled close of its connection run
        result = await _aread(client, "still served", timeout=30)
        return len(result.text)

    assert asyncio.run(run()) > 0
    assert client.limiter.in_flight == 0


def test_closing_early_marks_the_result_partial(
    llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client("anthropic", llm, monkeypatch)
    with client.stream("one two three four five six") as stream:
        first = next(stream)
    assert stream.result is not None and stream.result.partial
    assert stream.result.usage.input_tokens > 0 and first.usage is not None
    assert isinstance(stream, ChatStream) and list(stream) == []


_CTRL_C = """
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # a background job inherits SIG_IGN
from ardea.llm import get_client
client = get_client("anthropic:/claude-3-5-haiku-20241022", base_url=sys.argv[1], api_key="k",
                    timeout=None)
try:
    with client.stream("one two three four five six") as stream:
        print("first", next(stream).usage is not None, flush=True)
        for chunk in stream:
            pass
except KeyboardInterrupt:  # in the read, or between statements: the with block ends the stream
    print("interrupted", stream.result.partial, client.limiter.in_flight, flush=True)
    sys.exit(3)
print("finished", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT semantics")
def test_ctrl_c_stops_a_stalled_stream(llm: FakeLLMServer) -> None:
    """No deadline, no idle timeout, a provider that stalls: Ctrl-C still ends the stream."""
    llm.queue_stream_fault("stall", after=1)  # message_start (the usage chunk), then nothing
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", _CTRL_C, llm.anthropic_base_url],
                            stdout=subprocess.PIPE, text=True, env=env)  # fmt: skip
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "first True"  # the stream is open, stalled
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)  # a guard, not a threshold
    finally:
        proc.kill()
    assert proc.returncode == 3 and out.strip() == "interrupted True 0"


def test_cancelling_the_task_ends_an_async_stream(
    llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    llm.queue_stream_fault("stall", after=1)
    client = _client("anthropic", llm, monkeypatch)

    async def main() -> tuple[bool, int]:
        stream = await client.astream("one two three", timeout=None)
        task = asyncio.create_task(stream.read_all())
        await asyncio.sleep(0)  # the task is reading (and the provider sends nothing)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert stream.result is not None
        return stream.result.partial, client.limiter.in_flight

    assert asyncio.run(main()) == (True, 0)
