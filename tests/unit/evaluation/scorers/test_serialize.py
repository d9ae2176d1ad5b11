"""Serialized scorers: Ardea's JSON for every built-in, and both ways with mlflow 3.18."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.scorers import (
    Correctness,
    Guidelines,
    RegexMatch,
    ResponseLength,
    Scorer,
    builtin_scorer_classes,
    get_all_scorers,
    scorer,
)

NEEDS_ARGUMENTS: dict[str, dict[str, Any]] = {
    "Guidelines": {"guidelines": ["Be polite"]},
    "ConversationalGuidelines": {"guidelines": "Be polite"},
    "RegexMatch": {"pattern": "a+"},
    "ResponseLength": {"max_length": 10},
    "TokenBudget": {"max_tokens": 100},
    "CostBudget": {"max_cost_usd": 0.5},
}


@pytest.mark.parametrize("cls", builtin_scorer_classes(), ids=lambda c: c.__name__)
def test_every_builtin_roundtrips(cls: type[Scorer]) -> None:
    original = cls(**NEEDS_ARGUMENTS.get(cls.__name__, {}))
    data = json.loads(original.to_json())
    assert data["builtin_scorer_class"] == cls.__name__
    assert data["name"] == original.name and data["serialization_version"] == 1
    again = Scorer.from_json(original.to_json())
    assert type(again) is cls and again.to_dict() == original.to_dict()


def test_get_all_scorers_lists_builtins_without_arguments() -> None:
    names = {type(s).__name__ for s in get_all_scorers()}
    assert {"Correctness", "Safety", "RetrievalGroundedness", "UserFrustration"} <= names
    assert not names & set(NEEDS_ARGUMENTS)
    assert len(builtin_scorer_classes()) >= 60


def test_mlflow_reads_our_builtins() -> None:
    from mlflow.genai.scorers import Scorer as MlflowScorer

    for ours in (
        Correctness(model="openai:/gpt-4o"),
        Guidelines(guidelines=["Be polite"], name="tone"),
        RegexMatch(pattern=r"\d+", case_insensitive=True),
        ResponseLength(max_length=5),
    ):
        theirs = MlflowScorer.model_validate_json(ours.to_json())
        assert type(theirs).__name__ == type(ours).__name__ and theirs.name == ours.name
    assert MlflowScorer.model_validate_json(Correctness(model="openai:/x").to_json()).model == (
        "openai:/x"
    )


def test_we_read_mlflows_builtins() -> None:
    from mlflow.genai import scorers as theirs

    for mlflow_scorer in (
        theirs.Correctness(),
        theirs.Guidelines(guidelines=["be nice"], name="nice"),
        theirs.RegexMatch(pattern="a+", match_type="fullmatch"),
        theirs.ResponseLength(min_length=1, unit="words"),
        theirs.Safety(model="openai:/gpt-4o"),
    ):
        ours = Scorer.from_json(json.dumps(mlflow_scorer.model_dump()))
        assert type(ours).__name__ == type(mlflow_scorer).__name__
        assert ours.name == mlflow_scorer.name
    nice = Scorer.from_json(json.dumps(theirs.Guidelines(guidelines=["be nice"]).model_dump()))
    assert nice.guidelines == ["be nice"]  # type: ignore[attr-defined]


def test_custom_code_is_described_never_executed() -> None:
    @scorer
    def exact(outputs, expectations):  # type: ignore[no-untyped-def]
        return outputs == expectations["expected_response"]

    data = json.loads(exact.to_json())
    assert data["original_func_name"] == "exact"
    assert "expected_response" in data["call_source"]
    assert data["call_signature"] == "(outputs, expectations)"
    with pytest.raises(InvalidArgumentError, match="does not execute code"):
        Scorer.from_json(exact.to_json())


@pytest.mark.parametrize(
    "payload",
    ["not json", "[]", '{"name": "x"}', '{"name": "x", "builtin_scorer_class": "Nope"}'],
)
def test_bad_json_is_a_clear_error(payload: str) -> None:
    with pytest.raises(InvalidArgumentError):
        Scorer.from_json(payload)
