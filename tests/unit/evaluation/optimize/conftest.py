"""Prompt optimization tests: the fake provider plays the app's model and the reflection model
(:mod:`fixtures.prompt_rules`); a fresh local store holds the prompts and runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import ardea
from ardea.evaluation.scorers import scorer
from ardea.llm import get_client
from fixtures.fake_llm_server import FakeLLMServer
from fixtures.prompt_rules import START, make_rule

MODEL = "openai:/gpt-4.1-mini"


@pytest.fixture
def world(judge_llm: FakeLLMServer, store: str) -> FakeLLMServer:
    """The fake model for which the hint helps every question; prompt ``qa`` v1 = START."""
    judge_llm.rule = make_rule("all")
    ardea.register_prompt("qa", START)
    return judge_llm


@scorer
def exact(outputs: Any, expectations: dict[str, Any]) -> bool:
    """The answer is exactly the expected one."""
    return str(outputs).strip() == expectations["expected_response"]


def make_app(uri: str = "prompts:/qa/1") -> Callable[[str], str]:
    """The app: formats the registered prompt and asks the model through ``ardea.llm``."""
    prompt = ardea.load_prompt(uri)
    client = get_client(MODEL)

    def predict(question: str) -> str:
        return client.chat([{"role": "user", "content": prompt.format(question=question)}]).text

    return predict
