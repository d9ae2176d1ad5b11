"""Gemini's passthrough (``generateContent`` and ``streamGenerateContent``) through ``ardea
server``'s gateway: the trace's tokens and cost come from Gemini's ``usageMetadata`` (on a
stream, the cumulative one of the last chunk), and the answer passes through untouched."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ardea.gateway.config import ModelTarget
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from fixtures.fake_llm_server import FakeLLMServer, fake_llm
from fixtures.gateway_server import GatewayServer, endpoint, source

__all__ = ["fake_llm"]

BODY = {"contents": [{"role": "user", "parts": [{"text": "hello gemini"}]}]}


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    b = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}", artifacts_destination=str(tmp_path / "a")
    )
    yield b
    b.close()


def test_gemini_usage_is_read_from_usage_metadata_with_and_without_a_stream(
    fake_llm: FakeLLMServer, backend: Backend
) -> None:
    fake_llm.reset()
    experiment_id = backend.tracking.create_experiment("gemini")
    gem = ModelTarget(
        "d-gem", "gem", "gemini", "gemini-2.5-flash", "s-1", base_url=fake_llm.base_url
    )
    src = source(endpoint("gem", (gem,), experiment_id=experiment_id))
    fake_llm.queue_chat("one two three", input_tokens=11, output_tokens=7)
    fake_llm.queue_chat("four five six seven", input_tokens=13, output_tokens=9)
    with GatewayServer(src, backend) as server:
        base = server.base_url + "/gateway/gemini/v1beta/models/gem"
        whole = httpx.post(base + ":generateContent", json=BODY)
        assert whole.status_code == 200, whole.text
        assert whole.json()["usageMetadata"]["promptTokenCount"] == 11
        with httpx.stream("POST", base + ":streamGenerateContent?alt=sse", json=BODY) as r:
            assert r.status_code == 200
            frames = [json.loads(line[5:]) for line in r.iter_lines() if line.startswith("data:")]
        assert len(frames) > 1 and frames[-1]["usageMetadata"]["candidatesTokenCount"] == 9
    traces = sorted(backend.traces.search_traces([experiment_id]), key=lambda t: t.request_time)
    assert [(t.token_usage.input_tokens, t.token_usage.output_tokens) for t in traces] == [
        (11, 7),
        (13, 9),
    ]
    for info in traces:
        cost = json.loads(info.trace_metadata["mlflow.trace.cost"])["total_cost"]
        assert cost > 0
