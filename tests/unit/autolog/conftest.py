"""Autolog tests: the fake LLM provider, and every GenAI integration reverted around each test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_TESTS = str(Path(__file__).resolve().parents[2])
if _TESTS not in sys.path:  # tests/ holds the shared fixture modules
    sys.path.insert(0, _TESTS)

from fixtures.fake_llm_server import fake_llm  # noqa: E402, F401


@pytest.fixture
def no_genai_patches() -> Iterator[None]:
    """Revert the GenAI integrations (OpenAI, Anthropic, LangChain, ...) around the test."""
    import importlib

    names = (
        "ardea.autolog.openai",
        "ardea.autolog.anthropic",
        "ardea.autolog.langgraph",
        "ardea.autolog.langchain",
        "ardea.autolog.openai_agents",
        "ardea.autolog.pydantic_ai",
    )
    modules = []
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except ImportError:
            continue
    for module in modules:
        module.revert()
    yield
    for module in modules:
        module.revert()
