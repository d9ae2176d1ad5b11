"""Replay tests: a fake provider per test (so it can be stopped), OpenAI autolog, captured spans."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ardea.autolog import openai as openai_autolog
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer


@pytest.fixture
def provider() -> Iterator[FakeLLMServer]:
    """A fake provider of this test's own: stopping it proves replay makes no provider call."""
    server = FakeLLMServer().start()
    yield server
    server.stop()


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    """OpenAI autolog on and spans captured in memory for the test."""
    openai_autolog.autolog()
    with capture_traces() as cap:
        yield cap
    openai_autolog.revert()
