"""``optimize_prompts`` end to end against the fake provider, where the right fix is known."""

from __future__ import annotations

import json
from typing import Any

import pytest

import ardea
from ardea.evaluation.optimize import (
    Budget,
    GepaPromptOptimizer,
    MetaPromptOptimizer,
    optimize_prompts,
)
from fixtures.fake_llm_server import FakeLLMServer
from fixtures.prompt_rules import HINT, START, improved, make_rule, rows

from .conftest import MODEL, exact, make_app


def _gepa(calls: int = 80) -> GepaPromptOptimizer:
    return GepaPromptOptimizer(reflection_model=MODEL, max_metric_calls=calls)


def _optimize(optimizer: Any, data: list[dict[str, Any]] | None = None, **kwargs: Any) -> Any:
    """``optimize_prompts`` of prompt ``qa`` v1 on ``data`` (default: 40 rows), scored exact."""
    args: dict[str, Any] = {"predict_fn": make_app(), "prompt_uris": ["prompts:/qa/1"],
                            "scorers": [exact], **kwargs}  # fmt: skip
    return optimize_prompts(
        train_data=rows() if data is None else data, optimizer=optimizer, **args
    )


def test_gepa_finds_the_known_improvement_and_registers_it(world: FakeLLMServer) -> None:
    result = _optimize(_gepa())
    assert result.promoted, result.reason
    assert result.initial_eval_score == 0.0 and result.final_eval_score == 1.0
    assert result.best.templates["qa"] == improved() and HINT in result.best.templates["qa"]
    assert result.check is not None and result.check.test == "mcnemar"
    assert result.check.improved == 12 and result.check.regressed == 0
    assert result.check.p_value < 0.001
    [version] = result.optimized_prompts
    assert version.version == 2 and version.template == improved()
    assert ardea.load_prompt("prompts:/qa/2", use_cache=False).template == improved()
    # GEPA's reflection saw the starting prompt, the outputs and the scorers' verdicts.
    reflections = [json.dumps(r.body) for r in world.requests_to("/chat/completions")
                   if "I provided an assistant" in json.dumps(r.body)]  # fmt: skip
    assert reflections and "Answer the question." in reflections[0]
    assert "The answer is" in reflections[0] and "exact: False" in reflections[0]


def test_metaprompt_finds_it_from_the_worst_rows(world: FakeLLMServer) -> None:
    optimizer = MetaPromptOptimizer(reflection_model=MODEL, num_iterations=2, num_failures=3)
    result = _optimize(optimizer)
    assert result.promoted, result.reason
    assert [c.score for c in result.candidates] == [0.0, 1.0]
    # One rewrite: after it every training row scores full marks, so the search stops.
    rewrites = [r for r in world.requests_to("/chat/completions")
                if "expert prompt engineer" in json.dumps(r.body)]  # fmt: skip
    assert len(rewrites) == 1
    shown = rewrites[0].body["messages"][1]["content"]
    assert shown.count("<example>") == 3 and "The answer is" in shown and START in shown
    assert result.optimized_prompts[0].template == improved()


def test_the_registered_version_carries_its_lineage(world: FakeLLMServer) -> None:
    result = _optimize(_gepa(), seed=3)
    tags = ardea.load_prompt("prompts:/qa/2", use_cache=False).tags
    assert tags["ardea.optimization.optimizer"] == "gepa"
    assert tags["ardea.optimization.source"] == "prompts:/qa/1"
    assert tags["ardea.optimization.run_id"] == result.run_id
    data = json.loads(tags["ardea.optimization.data"])
    assert data["train"] == 28 and data["holdout"] == 12 and data["seed"] == 3
    assert len(data["digest"]) == 16 and data["holdout_source"] == "split"
    scores = json.loads(tags["ardea.optimization.candidates"])
    assert [s["score"] for s in scores] == [c.score for c in result.candidates]
    assert scores[0]["low"] == 0.0 and scores[0]["high"] is not None  # Wilson interval
    held = json.loads(tags["ardea.optimization.heldout"])
    assert held["test"] == "mcnemar" and held["improved"] == 12
    # The run holds the same lineage: per-candidate metrics, the decision and the artifact.
    client = ardea.get_client()
    run = client.get_run(result.run_id)
    assert run.data.tags["ardea.optimization.promoted"] == "true"
    history = client.get_metric_history(result.run_id, "candidate_score")
    assert [m.step for m in history] == [c.index for c in result.candidates]
    metrics = {m.key: m.value for m in run.data.metrics}
    assert metrics["holdout_score"] == 1.0 and metrics["holdout_baseline_score"] == 0.0
    path = client.download_artifacts(result.run_id, "prompt_optimization.json")
    with open(path) as f:
        saved = json.load(f)
    assert saved["candidates"][result.best.index]["templates"]["qa"] == improved()
    assert saved["optimized_prompts"] == ["prompts:/qa/2"]


def test_a_gain_that_is_not_significant_is_not_promoted(world: FakeLLMServer) -> None:
    world.rule = make_rule("some")  # the hint fixes one question in five
    result = _optimize(_gepa())
    assert result.final_eval_score > result.initial_eval_score  # better on the training rows
    assert not result.promoted
    assert result.reason.startswith("rejected: the gain is not significant")
    assert result.check is not None and result.check.p_value > 0.05
    assert result.optimized_prompts == []
    with pytest.raises(ardea.NotFoundError):
        ardea.load_prompt("prompts:/qa/2", use_cache=False)
    run = ardea.get_client().get_run(result.run_id)
    assert run.data.tags["ardea.optimization.promoted"] == "false"


def test_no_better_candidate_registers_nothing(world: FakeLLMServer) -> None:
    world.rule = make_rule("none")  # reflection proposes a change that does not help
    optimizer = MetaPromptOptimizer(reflection_model=MODEL, num_iterations=2)
    result = _optimize(optimizer, rows(20))
    assert not result.promoted and result.check is None
    assert result.reason.startswith("rejected: no candidate scored above the starting prompts")
    assert result.best.index == 0 and len(result.candidates) == 2


def test_eval_data_is_the_held_out_set(world: FakeLLMServer) -> None:
    data = rows(40)
    result = optimize_prompts(predict_fn=make_app(), train_data=data[:10], eval_data=data[10:],
                              prompt_uris=["prompts:/qa/1"], optimizer=_gepa(40),
                              scorers=[exact], enable_tracking=False)  # fmt: skip
    assert result.promoted and result.run_id is None
    assert result.data["train"] == 10 and result.data["holdout"] == 30
    assert result.check is not None and result.check.n == 30


def test_a_budget_stops_the_search_and_keeps_the_best(world: FakeLLMServer) -> None:
    world.rule = make_rule("none")
    optimizer = MetaPromptOptimizer(reflection_model=MODEL, num_iterations=50)
    result = _optimize(optimizer, rows(10), budget={"max_llm_calls": 20})
    assert result.stop_reason is not None and "max_llm_calls=20" in result.stop_reason
    assert "search stopped early" in result.reason
    # 7 training rows: the start (7 calls), a rewrite (1) and its scoring (7), a rewrite (1)
    # and its scoring (7) pass 20, then the check stops the search before a third rewrite.
    assert result.evaluations == 14
    assert result.best.index == 0


def test_a_cost_budget_and_an_evaluation_budget(world: FakeLLMServer) -> None:
    result = _optimize(_gepa(200), budget=Budget(max_evaluations=30))
    assert result.stop_reason is not None and "max_evaluations=30" in result.stop_reason
    assert result.evaluations <= 30 + 28  # one candidate evaluation may overshoot
    with pytest.raises(ardea.InvalidArgumentError, match="max_cost must be a positive"):
        _optimize(_gepa(), budget={"max_cost": -1})


def test_ctrl_c_keeps_the_best_so_far(world: FakeLLMServer) -> None:
    import os
    import signal

    app = make_app()
    calls: list[str] = []

    def interrupted_app(question: str) -> str:
        calls.append(question)
        if len(calls) == 40:  # the start (28 rows) and part of the next candidate's scoring
            os.kill(os.getpid(), signal.SIGINT)
        return app(question)

    # Python's own Ctrl-C handler, as in a terminal: a background job (`make test &`, CI)
    # starts with SIGINT ignored, and the kill above would do nothing.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        result = optimize_prompts(predict_fn=interrupted_app, train_data=rows(),
                                  prompt_uris=["prompts:/qa/1"], optimizer=_gepa(),
                                  scorers=[exact], max_concurrency=1)  # fmt: skip
    finally:
        signal.signal(signal.SIGINT, previous)
    assert result.interrupted and not result.promoted
    assert result.reason.startswith("interrupted: the best of")
    assert result.candidates and result.check is None
    run = ardea.get_client().get_run(result.run_id)
    assert run.info.status == "FINISHED"  # the lineage of what ran is logged


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"prompt_uris": ["prompts:/nope/1"]},
            ardea.NotFoundError,
            "'prompts:/nope/1' does not exist",
        ),
        ({"prompt_uris": []}, ardea.InvalidArgumentError, "non-empty list"),
        ({"train_data": []}, ardea.InvalidArgumentError, "train_data is empty"),
        ({"scorers": []}, ardea.InvalidArgumentError, "needs scorers"),
        ({"scorers": None}, ardea.InvalidArgumentError, "needs scorers"),
        ({"optimizer": "gepa"}, ardea.InvalidArgumentError, "prompt optimizer object"),
        ({"train_data": [{"inputs": {"question": "q"}}]}, ardea.InvalidArgumentError, "at least 2"),
        ({"holdout_fraction": 1.0}, ardea.InvalidArgumentError, "holdout_fraction"),
        ({"alpha": 0}, ardea.InvalidArgumentError, "alpha"),
        ({"budget": {"max_calls": 3}}, ardea.InvalidArgumentError, "unknown keys"),
    ],
)
def test_bad_input_is_refused_before_any_call(
    world: FakeLLMServer, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    args: dict[str, Any] = {"predict_fn": make_app(), "train_data": rows(10),
                            "prompt_uris": ["prompts:/qa/1"], "optimizer": _gepa(),
                            "scorers": [exact], **kwargs}  # fmt: skip
    with pytest.raises(error, match=match):
        optimize_prompts(**args)
    assert not world.requests_to("/chat/completions")
    assert ardea.search_runs(output_format="list") == []


def test_bad_optimizer_settings() -> None:
    with pytest.raises(ardea.InvalidArgumentError, match="model URI"):
        GepaPromptOptimizer(reflection_model="gpt-4")
    with pytest.raises(ardea.InvalidArgumentError, match="max_metric_calls"):
        GepaPromptOptimizer(reflection_model=MODEL, max_metric_calls=0)
    with pytest.raises(ardea.InvalidArgumentError, match="num_iterations"):
        MetaPromptOptimizer(reflection_model=MODEL, num_iterations=0)


def test_a_failing_reflection_model_ends_the_search(world: FakeLLMServer) -> None:
    world.rule = make_rule("all", broken_reflection=True)
    result = _optimize(_gepa(10_000), rows(10))  # no budget: the stall guard ends it
    assert not result.promoted and result.best.index == 0
    assert len(result.candidates) == 1
    failed = [r for r in world.requests_to("/chat/completions") if "I provided" in str(r.body)]
    # Ten idle iterations (GEPA tries each reflection twice), not 10,000 metric calls' worth.
    assert 1 <= len(failed) <= 20


def test_called_inside_a_running_event_loop(world: FakeLLMServer) -> None:
    # A notebook (or Playwright's sync API) has a loop running: the rows run in a thread of
    # their own, which must still see the candidate templates.
    import asyncio

    async def main() -> Any:
        return _optimize(_gepa(), enable_tracking=False)

    result = asyncio.run(main())
    assert result.promoted, result.reason


def test_progress_is_shown_like_evaluates(
    world: FakeLLMServer, capsys: pytest.CaptureFixture[str]
) -> None:
    optimizer = MetaPromptOptimizer(reflection_model=MODEL, num_iterations=1)
    _optimize(optimizer, rows(10), show_progress=True, enable_tracking=False)
    err = capsys.readouterr().err
    assert "optimize_prompts" in err and "errors=0" in err and "tokens=" in err


def test_inside_an_active_run_each_optimization_gets_a_child_run(world: FakeLLMServer) -> None:
    optimizer = MetaPromptOptimizer(reflection_model=MODEL, num_iterations=1)
    with ardea.start_run() as parent:
        first = _optimize(optimizer, rows(10))
        second = _optimize(optimizer, rows(12))
    client = ardea.get_client()
    for result in (first, second):
        run = client.get_run(result.run_id)
        assert run.data.tags["mlflow.parentRunId"] == parent.info.run_id
        assert run.info.status == "FINISHED"
    assert first.run_id != second.run_id
