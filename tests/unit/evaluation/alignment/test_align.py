"""``align()`` on a synthetic labelled set where the right guideline is known.

The fake provider's rule mode plays the judge and the reflection model
(:mod:`fixtures.alignment_rules`): a judge passes everything until its prompt holds the
guideline "Answers must cite a source", people pass exactly the cited answers.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.alignment import (
    GepaOptimizer,
    MemAlignOptimizer,
    MemoryJudge,
    align,
    labelled_rows,
    split,
)
from ardea.evaluation.scorers import Scorer
from ardea.evaluation.scorers.judge import make_judge
from fixtures.alignment_rules import GUIDELINE, INSTRUCTIONS, judge_rule, rows
from fixtures.fake_llm_server import FakeLLMServer

MODEL = "openai:/gpt-4.1-mini"


def _judge() -> Any:
    return make_judge(name="cited", instructions=INSTRUCTIONS, feedback_value_type=bool,
                      model=MODEL)  # fmt: skip


@pytest.fixture
def world(judge_llm: FakeLLMServer) -> FakeLLMServer:
    judge_llm.rule = judge_rule
    return judge_llm


def test_memalign_learns_the_known_guideline_and_agreement_rises(world: FakeLLMServer) -> None:
    result = align(_judge(), rows(), optimizer=MemAlignOptimizer(retrieval_k=3), register=False)
    assert result.promoted, result.reason
    assert result.params["check"]["improved"] == 9 and result.params["check"]["regressed"] == 0
    assert "McNemar p=0.00391" in result.reason
    assert result.before.estimate("kappa").value == pytest.approx(0.0)
    assert result.after.estimate("kappa").value == pytest.approx(1.0)
    assert result.after.estimate("accuracy").value == 1.0
    assert result.before.estimate("accuracy").value == pytest.approx(0.5)
    assert result.after.estimate("tpr").low is not None  # intervals are there
    assert isinstance(result.judge, MemoryJudge)
    assert result.judge.guidelines == [GUIDELINE]
    assert result.labels["count"] == 60 and result.labels["holdout"] == 18
    # The retrieved examples are in the prompt, never the held-out rows themselves.
    held = set(result.labels["holdout_keys"])
    assert not held & {e.key for e in result.judge.examples}
    prompt = result.judge.messages(inputs={"question": "q"}, outputs="x [source]")[1]["content"]
    assert GUIDELINE in prompt and prompt.count("<example>") == 3
    # One distillation call, shown only training disagreements.
    distil = [r for r in world.requests_to("/chat/completions")
              if "distil" in json.dumps(r.body)]  # fmt: skip
    assert len(distil) == 1
    outputs = {r.key: r.outputs for r in labelled_rows("cited", rows())}
    shown = json.dumps(distil[0].body)
    assert not [k for k in held if outputs[k] in shown]
    assert sum(1 for k in outputs if k not in held and outputs[k] in shown) == 21


def test_inverted_labels_are_rejected_by_the_held_out_check(world: FakeLLMServer) -> None:
    result = align(_judge(), rows(truth="inverted"), optimizer="memalign", register=False)
    assert not result.promoted
    assert result.reason.startswith("rejected: kappa did not rise")
    assert result.after.estimate("kappa").value == pytest.approx(-1.0)
    assert result.judge is result.base  # the judge to use stays the base judge


@pytest.mark.parametrize("seed", [8, 11, 12])
def test_random_labels_are_rejected_as_chance(world: FakeLLMServer, seed: int) -> None:
    # Coin-flip labels where kappa and accuracy happen to rise on the held-out rows: only the
    # paired test (rows fixed vs broken) tells that gain from chance.
    labels = rows(200, truth="random", seed=seed)
    loose = align(_judge(), labels, register=False, alpha=1.0)
    assert loose.promoted, loose.reason
    result = align(_judge(), labels, register=False)
    assert not result.promoted
    assert result.reason.startswith("rejected: the gain may be chance")
    assert result.params["check"]["p_value"] > 0.05


def test_too_few_held_out_rows_promote_nothing(world: FakeLLMServer) -> None:
    result = align(_judge(), rows(20), register=False, min_holdout=10)
    assert not result.promoted and "fewer than min_holdout=10" in result.reason


def test_gepa_evolves_the_instructions(world: FakeLLMServer) -> None:
    optimizer = GepaOptimizer(max_metric_calls=120, reflection_minibatch_size=4)
    result = align(_judge(), rows(40), optimizer=optimizer, register=False, min_holdout=5)
    assert result.promoted, result.reason
    assert GUIDELINE in result.judge.instructions
    assert result.after.estimate("kappa").value == pytest.approx(1.0)
    assert result.params["max_metric_calls"] == 120


def test_gepa_with_misleading_labels_is_rejected(world: FakeLLMServer) -> None:
    optimizer = GepaOptimizer(max_metric_calls=60, reflection_minibatch_size=4)
    result = align(_judge(), rows(40, truth="inverted"), optimizer=optimizer, register=False,
                   min_holdout=5)  # fmt: skip
    assert not result.promoted


def test_aligned_judge_round_trips_through_json(world: FakeLLMServer) -> None:
    result = align(_judge(), rows(), register=False)
    data = json.loads(result.judge.to_json())
    assert data["memory_augmented_judge_data"]["semantic_memory"][0]["guideline_text"] == GUIDELINE
    again = Scorer.from_json(data)
    assert isinstance(again, MemoryJudge)
    assert again.guidelines == [GUIDELINE] and len(again.examples) == 42
    key = result.judge.cache_key(inputs="a", outputs="b")
    assert again.cache_key(inputs="a", outputs="b") == key
    assert again(inputs={"question": "q"}, outputs="no citation").value is False


def test_split_is_seeded_and_stratified() -> None:
    labelled = labelled_rows("cited", rows(50))
    train, holdout = split(labelled, holdout_fraction=0.2, seed=3, binary=True)
    again = split(labelled, holdout_fraction=0.2, seed=3, binary=True)
    assert [r.key for r in holdout] == [r.key for r in again[1]]
    assert sum(r.label for r in holdout) == 5 and len(holdout) == 10
    assert len(train) == 40
    other = split(labelled, holdout_fraction=0.2, seed=4, binary=True)[1]
    assert [r.key for r in other] != [r.key for r in holdout]


def test_bad_input_is_refused(world: FakeLLMServer) -> None:
    with pytest.raises(InvalidArgumentError, match="make_judge judge"):
        align(object(), rows(), register=False)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="optimizer must be one of"):
        align(_judge(), rows(), optimizer="simba", register=False)
    with pytest.raises(InvalidArgumentError, match="found 0 labelled rows"):
        align(_judge(), [{"inputs": "a", "outputs": "b"}], register=False)
    with pytest.raises(InvalidArgumentError, match="unknown keys"):
        align(_judge(), [{"inputs": "a", "answer": "b", "label": True}], register=False)
    with pytest.raises(InvalidArgumentError, match="holdout_fraction"):
        align(_judge(), rows(), register=False, holdout_fraction=1.5)
    with pytest.raises(InvalidArgumentError, match="alpha"):
        align(_judge(), rows(), register=False, alpha=0)
    assert not world.requests_to("/chat/completions")  # refused before any call


def test_judge_align_and_the_facade(world: FakeLLMServer) -> None:
    import ardea

    judge = _judge()
    aligned = judge.align(rows(), register=False)
    assert isinstance(aligned, MemoryJudge) and aligned.alignment.promoted
    rejected = judge.align(rows(truth="inverted"), MemAlignOptimizer(), register=False)
    assert rejected is judge and not judge.alignment.promoted
    assert ardea.align is align


def test_aligning_an_aligned_judge_keeps_its_memory(world: FakeLLMServer) -> None:
    first = align(_judge(), rows(40), register=False, min_holdout=5)
    assert isinstance(first.judge, MemoryJudge)
    more = [{**r, "inputs": {"question": f"Other {i}?"}} for i, r in enumerate(rows(40))]
    second = align(first.judge, more, register=False, min_holdout=5)
    assert isinstance(second.candidate, MemoryJudge)
    assert second.candidate.guidelines == [GUIDELINE]  # not repeated
    keys = [e.key for e in second.candidate.examples]
    assert len(keys) == len(set(keys))
    assert len(keys) == len(first.judge.examples) + 28  # the new training rows come last
    assert "Other" in second.candidate.examples[-1].text


def test_memalign_retrieves_by_embeddings_when_given_a_model(world: FakeLLMServer) -> None:
    optimizer = MemAlignOptimizer(embedding_model="openai:/text-embedding-3-small", retrieval_k=2)
    result = align(_judge(), rows(40), optimizer=optimizer, register=False, min_holdout=5)
    assert result.promoted, result.reason
    embedded = world.requests_to("/embeddings")
    # The examples once, then one query per held-out row judged by the aligned judge.
    assert len(embedded) == 1 + result.labels["holdout"]
    assert len(embedded[0].body["input"]) == result.labels["train"]
    assert result.params["embedding_model"] == "openai:/text-embedding-3-small"


def test_gepa_missing_is_a_clear_error(
    world: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "gepa", None)  # as if not installed
    with pytest.raises(InvalidArgumentError, match=r"pip install 'ardea\[align\]'"):
        align(_judge(), rows(), optimizer="gepa", register=False)
    assert not world.requests_to("/chat/completions")  # said before any judge call
