"""Row scores, the held-out paired check, budgets and the search's bookkeeping, in isolation."""

from __future__ import annotations

import json
from typing import Any

import pytest

import ardea
from ardea.entities import Feedback
from ardea.evaluation.optimize import Budget, optimize_prompts
from ardea.evaluation.optimize.budget import BudgetMeter, BudgetStop
from ardea.evaluation.optimize.data import data_digest, read_rows, split_rows
from ardea.evaluation.optimize.result import held_out_check
from ardea.evaluation.optimize.scoring import _row_score, numeric
from ardea.evaluation.rows import EvalItem
from ardea.evaluation.scorers import scorer
from fixtures.fake_llm_server import FakeLLMServer
from fixtures.prompt_rules import rows

from .conftest import MODEL


def _item(*feedbacks: Feedback, error: str | None = None) -> EvalItem:
    item = EvalItem(index=0, inputs={"q": 1}, outputs="x", error=error)
    item.feedbacks = list(feedbacks)
    return item


def test_numeric_values() -> None:
    assert [numeric(v) for v in (True, False, "yes", " No ", 3, 0.5)] == [1, 0, 1, 0, 3, 0.5]
    assert numeric("maybe") is None and numeric(None) is None


def test_a_row_score_is_the_mean_or_the_aggregation() -> None:
    row = _item(Feedback(name="a", value=True), Feedback(name="b", value=0.5, rationale="half"))
    assert _row_score(row, None).score == 0.75
    assert _row_score(row, None).rationales == {"b": "half"}
    assert _row_score(row, lambda s: 2 * s["b"]).score == 1.0
    assert _row_score(_item(Feedback(name="a", value=True), error="boom"), None).score == 0.0
    with pytest.raises(ardea.InvalidArgumentError, match="pass aggregation="):
        _row_score(_item(Feedback(name="tone", value="warm")), None)


def test_held_out_check_picks_mcnemar_or_wilcoxon() -> None:
    binary = held_out_check([0.0] * 10, [1.0] * 8 + [0.0] * 2, alpha=0.05)
    assert binary.test == "mcnemar" and binary.improved == 8 and binary.significant
    assert binary.baseline.method == "wilson"
    graded = held_out_check([0.2, 0.3, 0.5, 0.4] * 3, [0.3, 0.3, 0.6, 0.5] * 3, alpha=0.05)
    assert graded.test == "wilcoxon" and graded.regressed == 0
    assert graded.significant == (graded.p_value <= 0.05)
    tie = held_out_check([1.0, 0.0], [0.0, 1.0], alpha=1.0)
    assert not tie.significant  # no higher mean, whatever alpha says


def test_budget_meter_counts_and_stops() -> None:
    meter = BudgetMeter(Budget(max_evaluations=3))
    meter.check()
    meter.add_evaluations(3)
    assert meter.exhausted() == "max_evaluations=3 reached (3 rows)"
    with pytest.raises(BudgetStop, match="max_evaluations=3"):
        meter.check()
    assert BudgetMeter(Budget()).exhausted() is None
    assert Budget.of({"max_cost": 0.5}).max_cost == 0.5
    for bad in ({"max_llm_calls": 0}, {"max_evaluations": True}, "3"):
        with pytest.raises(ardea.InvalidArgumentError):
            Budget.of(bad)  # type: ignore[arg-type]


def test_rows_split_and_digest() -> None:
    data = [{"inputs": {"q": i}, "outputs": str(i)} for i in range(10)]
    items = read_rows(data, "train_data")
    assert items[3].expectations == {"expected_response": "3"} and items[3].outputs is None
    train, held = split_rows(items, 0.3, seed=1)
    assert len(train) == 7 and len(held) == 3
    again = split_rows(read_rows(data, "train_data"), 0.3, seed=1)[1]
    assert [h.inputs for h in held] == [h.inputs for h in again]
    assert data_digest(items) == data_digest(read_rows(data, "train_data"))
    assert data_digest(items) != data_digest(read_rows(data[:9], "train_data"))
    with pytest.raises(ardea.InvalidArgumentError, match="non-empty dict"):
        read_rows([{"inputs": "q"}], "train_data")


def test_a_chat_prompt_is_handed_to_optimizers_as_json_text(
    judge_llm: FakeLLMServer, store: str
) -> None:
    from ardea.evaluation.optimize import MetaPromptOptimizer
    from fixtures.prompt_rules import make_rule

    judge_llm.rule = make_rule("all")
    messages = [{"role": "user", "content": "Question: {{ question }}"}]
    ardea.register_prompt("chatqa", messages)
    prompt = ardea.load_prompt("prompts:/chatqa/1")
    seen: list[Any] = []

    def app(question: str) -> str:
        seen.append(prompt.format(question=question))
        return "42"

    @scorer
    def short(outputs: Any) -> bool:
        return False

    optimizer = MetaPromptOptimizer(MODEL, num_iterations=1)
    result = optimize_prompts(predict_fn=app, train_data=rows(10), optimizer=optimizer,
                              prompt_uris=["prompts:/chatqa/1"], scorers=[short],
                              enable_tracking=False)  # fmt: skip
    assert json.loads(result.candidates[0].templates["chatqa"]) == messages
    assert [{"role": "user", "content": "Question: What is 0 times 7?"}] in seen
    # The rewrite came back as plain text, not messages: refused without being run.
    assert len(result.candidates) == 1 and not result.promoted
    assert len(seen) == 7


def test_candidate_scores_too_long_for_a_tag_point_at_the_artifact() -> None:
    from ardea.evaluation.optimize import Candidate, PromptOptimizationResult
    from ardea.evaluation.optimize.base import mean_estimate
    from ardea.evaluation.optimize.lineage import version_tags

    def candidates(n: int) -> list[Candidate]:
        return [Candidate(i, {"qa": f"t{i}"}, 0.5, mean_estimate([0.25, 0.75]), {})
                for i in range(n)]  # fmt: skip

    def tags(n: int) -> dict[str, str]:
        found = candidates(n)
        result = PromptOptimizationResult([], "gepa", 0.5, 0.5, {}, {}, True, "promoted",
                                          found[-1], found, run_id="r1")  # fmt: skip
        return version_tags(result, "prompts:/qa/1")

    few = json.loads(tags(3)["ardea.optimization.candidates"])
    assert [c["index"] for c in few] == [0, 1, 2] and few[0]["n"] == 2
    many = json.loads(tags(200)["ardea.optimization.candidates"])
    assert many == {"count": 200, "artifact": "prompt_optimization.json"}
    assert all(len(v) <= 4000 for v in tags(200).values())
