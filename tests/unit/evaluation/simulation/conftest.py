"""Simulation tests: the fake provider plays the user, the goal check and the agent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures.fake_llm_scripts import simulation_rule
from fixtures.fake_llm_server import FakeLLMServer


@pytest.fixture
def sim_llm(judge_llm: FakeLLMServer) -> Iterator[FakeLLMServer]:
    """The fake provider (reset, as ``openai:/``) with the scripted user and agent."""
    judge_llm.rule = simulation_rule
    yield judge_llm
