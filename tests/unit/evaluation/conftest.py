"""Evaluation tests: the fake provider as the judges' OpenAI endpoint, a fresh local store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_TESTS = str(Path(__file__).resolve().parents[2])
if _TESTS not in sys.path:  # tests/ holds the shared fixture modules
    sys.path.insert(0, _TESTS)

import ardea  # noqa: E402
from ardea.tracing import provider  # noqa: E402
from fixtures.fake_llm_server import FakeLLMServer, fake_llm  # noqa: E402, F401

JUDGE_MODEL = "openai:/gpt-4.1-mini"


@pytest.fixture
def judge_llm(
    fake_llm: FakeLLMServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[FakeLLMServer]:
    """The fake provider, reset, as ``openai:/``; the judge cache in ``tmp_path``."""
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.openai_base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-evaluate")
    monkeypatch.setenv("ARDEA_CREDENTIALS_FILE", str(tmp_path / "credentials.toml"))
    monkeypatch.setenv("ARDEA_EVAL_CACHE", str(tmp_path / "judge-cache.sqlite"))
    monkeypatch.setenv("ARDEA_PROGRESS", "0")
    fake_llm.reset()
    yield fake_llm
    fake_llm.reset()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[str]:
    """The fluent API (and tracing) on a fresh local store, experiment ``eval``."""
    provider.reset()
    uri = f"sqlite:///{tmp_path / 'track.db'}"
    ardea.set_tracking_uri(uri)
    ardea.set_experiment("eval")
    yield uri
    while ardea.active_run() is not None:
        ardea.end_run()
    provider.reset()
    ardea.set_tracking_uri(None)
