"""The aligned (MemAlign) judge: its prompt, retrieval, cache key and JSON (no LLM call)."""

from __future__ import annotations

import json

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.scorers import Scorer
from ardea.evaluation.scorers.judge import make_judge
from ardea.evaluation.scorers.memory_judge import Example, MemoryJudge, example_text


def _base() -> object:
    return make_judge(name="polite", instructions="Is {{ outputs }} polite?",
                      feedback_value_type=bool, model="openai:/gpt-4.1-mini")  # fmt: skip


def _judge(**kw: object) -> MemoryJudge:
    examples = [
        Example("tr-1", example_text("greet", "Hello there, friend"), True),
        Example("tr-2", example_text("insult", "Go away, fool"), False),
        Example("tr-3", example_text("weather", "It rains in Paris"), True),
    ]
    return MemoryJudge(_base(), guidelines=["Sarcasm is impolite."], examples=examples,  # type: ignore[arg-type]
                       retrieval_k=1, **kw)  # type: ignore[arg-type]  # fmt: skip


def test_prompt_holds_the_task_the_guidelines_then_the_nearest_example() -> None:
    judge = _judge()
    prompt = judge.messages(inputs="insult", outputs="Go away now")[1]["content"]
    task, rest = prompt.split("\n\nGuidelines learned", 1)
    assert task == "Is Go away now polite?"
    assert "- Sarcasm is impolite." in rest
    assert rest.count("<example>") == 1 and "Go away, fool\nHuman verdict: False" in rest


def test_cache_key_changes_with_the_memory() -> None:
    one, two = _judge(), _judge()
    assert one.cache_key(outputs="x") == two.cache_key(outputs="x")
    two.guidelines = ["Other."]
    two._identity = None
    assert one.cache_key(outputs="x") != two.cache_key(outputs="x")
    assert one.cache_key(outputs="x") != _base().cache_key(outputs="x")  # type: ignore[attr-defined]


def test_json_is_mlflows_memory_augmented_shape_and_round_trips() -> None:
    data = json.loads(_judge(embedding_model="openai:/text-embedding-3-small").to_json())
    memory = data["memory_augmented_judge_data"]
    assert data["instructions_judge_pydantic_data"] is None
    assert memory["base_judge"]["instructions_judge_pydantic_data"]["instructions"].startswith("Is")
    assert memory["semantic_memory"] == [{"guideline_text": "Sarcasm is impolite.",
                                          "source_trace_ids": []}]  # fmt: skip
    assert memory["episodic_trace_ids"] == ["tr-1", "tr-2", "tr-3"]
    assert (memory["retrieval_k"], memory["embedding_dim"]) == (1, 512)
    again = Scorer.from_json(data)
    assert isinstance(again, MemoryJudge) and again.embedding_model == memory["embedding_model"]
    assert [e.label for e in again.examples] == [True, False, True]
    safety = {"name": "s", "builtin_scorer_class": "Safety", "builtin_scorer_pydantic_data": {}}
    bad = {**data, "memory_augmented_judge_data": {**memory, "base_judge": safety}}
    with pytest.raises(InvalidArgumentError, match="make_judge base judge"):
        Scorer.from_json(bad)
