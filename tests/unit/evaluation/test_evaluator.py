"""``ardea.evaluate`` on a local store, judges against the fake provider over HTTP."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pandas as pd
import pytest

import ardea
from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.scorers.judge import InstructionsJudge
from ardea.scorers import Correctness, ExactMatch, make_judge, scorer
from fixtures.fake_llm_server import FakeLLMServer

from .conftest import JUDGE_MODEL

ROWS = [
    {"inputs": {"question": f"{i}+{i}?"}, "expectations": {"expected_response": str(2 * i)}}
    for i in range(6)
]


def app(question: str) -> str:
    a, _ = question.rstrip("?").split("+")
    return str(2 * int(a))


@scorer
def short(outputs: Any) -> bool:
    return len(str(outputs)) < 5


def _traces(run_id: str) -> list[Any]:
    return ardea.search_traces(run_id=run_id, return_type="list")  # type: ignore[no-any-return]


def test_list_with_sync_predict_fn_logs_as_mlflow(judge_llm: FakeLLMServer, store: str) -> None:
    result = ardea.evaluate(
        ROWS, scorers=[Correctness(model=JUDGE_MODEL), ExactMatch(), short], predict_fn=app
    )
    run = ardea.get_run(result.run_id)
    assert run.info.status == "FINISHED"
    tags = run.data.tags
    assert tags["mlflow.runType"] == "genai_evaluate"
    assert tags["mlflow.genaiEvaluate.agent.function"].endswith(".app")
    assert len(tags["mlflow.genaiEvaluate.agent.digest"]) == 64
    assert '"total": 3' in tags["mlflow.genaiEvaluate.scorersDigest"]
    metrics = run.data.metric_values
    for name in ("correctness", "exact_match", "short"):
        assert metrics[f"{name}/mean"] == 1.0
        assert metrics[f"{name}/ci_low"] < 1.0 <= metrics[f"{name}/ci_high"]
    assert result.metrics["exact_match/mean"] == 1.0
    (dataset_input,) = run.inputs.dataset_inputs
    assert dataset_input.dataset.name == "dataset"

    traces = _traces(result.run_id)
    assert len(traces) == len(ROWS)
    for t in traces:
        assert t.info.trace_metadata["mlflow.sourceRun"] == result.run_id
        assert t.info.tags["mlflow.eval.requestId"]
        assert t.info.experiment_id == run.info.experiment_id
        (root,) = [s for s in t.spans if s.parent_span_id is None]
        assert root.name == "app"
        by_name = {a.name: a for a in t.info.assessments}
        assert set(by_name) == {"correctness", "exact_match", "short", "expected_response"}
        for name in ("correctness", "exact_match", "short"):
            assert by_name[name].metadata["mlflow.assessment.sourceRunId"] == result.run_id
            assert by_name[name].span_id == root.span_id
        assert by_name["correctness"].source_type == "LLM_JUDGE"
        assert by_name["exact_match"].source_type == "CODE"
        assert by_name["expected_response"].kind == "expectation"
        assert by_name["expected_response"].source_type == "HUMAN"
    assert len(judge_llm.requests_to("/chat/completions")) == len(ROWS)
    assert result.llm_calls == len(ROWS) and result.tokens > 0  # what the progress bar shows
    assert result.errors == 0 and result.log_errors == [] and not result.interrupted

    df = result.result_df
    assert list(df["exact_match/value"]) == [True] * len(ROWS)
    assert set(df["trace_id"]) == {t.info.trace_id for t in traces}
    summary = result.summary()
    assert summary["exact_match"].estimates[0].value == 1.0
    assert "exact_match" in str(summary)


def test_dataframe_with_async_predict_fn(judge_llm: FakeLLMServer, store: str) -> None:
    async def answer(question: str) -> str:
        await asyncio.sleep(0.01)
        return app(question)

    result = ardea.evaluate(pd.DataFrame(ROWS), scorers=[ExactMatch()], predict_fn=answer)
    assert result.metrics["exact_match/mean"] == 1.0
    (root,) = [s for s in _traces(result.run_id)[0].spans if s.parent_span_id is None]
    assert root.name == "answer"


def test_traced_predict_fn_keeps_one_root_per_row(judge_llm: FakeLLMServer, store: str) -> None:
    @ardea.trace
    def agent(question: str) -> str:
        with ardea.start_span("inner"):
            return app(question)

    result = ardea.evaluate(ROWS[:2], scorers=[ExactMatch()], predict_fn=agent)
    for t in _traces(result.run_id):
        assert sorted(s.name for s in t.spans) == ["agent", "inner"]


def test_rows_with_outputs_get_a_minimal_trace(judge_llm: FakeLLMServer, store: str) -> None:
    rows = [{**r, "outputs": r["expectations"]["expected_response"]} for r in ROWS]
    result = ardea.evaluate(rows, scorers=[ExactMatch()])
    traces = _traces(result.run_id)
    assert len(traces) == len(rows)
    assert {t.spans[0].name for t in traces} == {"root_span"}
    assert result.metrics["exact_match/mean"] == 1.0


def test_traces_as_data_attach_to_the_same_traces(judge_llm: FakeLLMServer, store: str) -> None:
    @ardea.trace
    def agent(question: str) -> str:
        return app(question)

    for r in ROWS:
        agent(**r["inputs"])
    found = ardea.search_traces()
    assert isinstance(found, pd.DataFrame) and len(found) == len(ROWS)
    ids = set(found["trace_id"])

    @scorer
    def seen_trace(trace: Any) -> bool:
        return trace is not None and len(trace.spans) == 1

    result = ardea.evaluate(found, scorers=[short, seen_trace])
    assert result.metrics["short/mean"] == 1.0
    assert result.metrics["seen_trace/mean"] == 1.0
    assert set(result.result_df["trace_id"]) == ids
    again = ardea.search_traces(return_type="list")
    assert len(again) == len(ROWS)  # no new trace
    assert {t.info.trace_id for t in _traces(result.run_id)} == ids  # linked to the run
    for t in again:
        mine = [a for a in t.info.assessments if a.name == "short"]
        assert mine[0].metadata["mlflow.assessment.sourceRunId"] == result.run_id

    listed = ardea.search_traces(return_type="list")
    second = ardea.evaluate(listed, scorers=[short])
    assert second.metrics["short/mean"] == 1.0
    with pytest.raises(InvalidArgumentError, match="predict_fn must not be given"):
        ardea.evaluate(listed, scorers=[short], predict_fn=app)


def test_failures_stay_on_their_row(judge_llm: FakeLLMServer, store: str) -> None:
    @scorer
    def explodes(outputs: Any) -> bool:
        if outputs == "4":
            raise ValueError("scorer broke on this row")
        return True

    def flaky(question: str) -> str:
        if question.startswith("3+"):
            raise RuntimeError("the app fell over")
        if question.startswith("5+"):
            return "x" * 10_000_000
        return app(question)

    judge = make_judge(
        name="polite",
        instructions="Is {{ outputs }} polite?",
        feedback_value_type=bool,
        model=JUDGE_MODEL,
    )
    judge.client().retry = type(judge.client().retry)(max_attempts=1)
    judge_llm.queue_chat("this is not JSON at all")  # the first call and its repair
    judge_llm.queue_chat("still not JSON")
    result = ardea.evaluate(
        ROWS, scorers=[ExactMatch(), explodes, judge], predict_fn=flaky, max_concurrency=1
    )
    rows = {r.inputs["question"]: r for r in result.rows}
    assert all(r.done for r in result.rows)

    failed = rows["3+3?"]
    assert failed.error is not None and "the app fell over" in failed.error
    assert {f.error.error_code for f in failed.feedbacks} == {"PREDICTION_FAILED"}  # type: ignore[union-attr]
    big = rows["5+5?"]
    by_name = {f.name: f for f in big.feedbacks}
    assert by_name["exact_match"].value is False
    assert by_name["polite"].error is not None
    assert by_name["polite"].error.error_code == "JudgeInputError"
    broken = {f.name: f for f in rows["2+2?"].feedbacks}["explodes"]
    assert broken.error is not None and "scorer broke" in (broken.error.error_message or "")

    garbage = {f.name: f for f in rows["0+0?"].feedbacks}["polite"]
    assert garbage.error is not None and garbage.value is None
    for question in ("1+1?", "2+2?", "4+4?"):
        assert {f.name: f for f in rows[question].feedbacks}["polite"].error is None
    assert result.metrics["exact_match/mean"] == pytest.approx(4 / 5)

    traces = {t.info.trace_id: t for t in _traces(result.run_id)}
    assert len(traces) == len(ROWS)
    assert traces[failed.trace_id].info.state == "ERROR"  # type: ignore[index]
    logged = {a.name: a for a in traces[failed.trace_id].info.assessments}  # type: ignore[index]
    assert logged["exact_match"].error.error_code == "PREDICTION_FAILED"  # type: ignore[union-attr]
    for row in result.rows:
        names = {a.name for a in traces[row.trace_id].info.assessments}  # type: ignore[index]
        assert {"exact_match", "explodes", "polite"} <= names


def test_a_set_concurrency_raises_the_judge_limit_only_when_a_call_is_made(
    judge_llm: FakeLLMServer, store: str
) -> None:
    judge = Correctness(model=JUDGE_MODEL)
    ardea.evaluate(ROWS, scorers=[judge], predict_fn=app, max_concurrency=300)
    assert judge.client().limiter.max_concurrency == 300
    again = Correctness(model=JUDGE_MODEL)
    result = ardea.evaluate(ROWS, scorers=[again], predict_fn=app, max_concurrency=300)
    assert result.cache_hits == len(ROWS)
    assert again._client is None  # every judgement was cached: no LLM client was built


def test_judge_cache_rerun_makes_no_call(
    judge_llm: FakeLLMServer, store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scorers = [Correctness(model=JUDGE_MODEL), ExactMatch()]
    first = ardea.evaluate(ROWS, scorers=scorers, predict_fn=app)
    assert first.cache_hits == 0
    calls = len(judge_llm.requests_to("/chat/completions"))
    assert calls == len(ROWS)
    second = ardea.evaluate(ROWS, scorers=scorers, predict_fn=app)
    assert len(judge_llm.requests_to("/chat/completions")) == calls
    assert second.cache_hits == len(ROWS)
    assert second.metrics["correctness/mean"] == first.metrics["correctness/mean"]
    cached = {f.name: f for f in second.rows[0].feedbacks}["correctness"]
    assert cached.metadata["ardea.judge.cached"] == "true"

    changed = [
        *ROWS[:-1],
        {"inputs": {"question": "9+9?"}, "expectations": {"expected_response": "18"}},
    ]
    ardea.evaluate(changed, scorers=scorers, predict_fn=app)
    assert len(judge_llm.requests_to("/chat/completions")) == calls + 1

    monkeypatch.setenv("ARDEA_EVAL_CACHE", "0")
    ardea.evaluate(ROWS, scorers=scorers, predict_fn=app)
    assert len(judge_llm.requests_to("/chat/completions")) == calls * 2 + 1


def test_a_row_with_cached_and_new_judges_calls_only_the_new_ones(
    judge_llm: FakeLLMServer, store: str
) -> None:
    old = Correctness(model=JUDGE_MODEL)
    first = ardea.evaluate(ROWS, scorers=[old], predict_fn=app)
    calls = len(judge_llm.requests_to("/chat/completions"))
    new = make_judge(name="polite", instructions="Is {{ outputs }} polite?", model=JUDGE_MODEL)
    second = ardea.evaluate(
        ROWS, scorers=[Correctness(model=JUDGE_MODEL), new, ExactMatch()], predict_fn=app
    )
    assert second.cache_hits == len(ROWS)
    assert len(judge_llm.requests_to("/chat/completions")) == calls + len(ROWS)
    for before, row in zip(first.rows, second.rows, strict=True):
        names = [f.name for f in row.feedbacks]
        assert names == ["correctness", "polite", "exact_match"]  # in the scorers' order
        cached, fresh = row.feedbacks[0], row.feedbacks[1]
        assert cached.metadata["ardea.judge.cached"] == "true"
        assert cached.value == before.feedbacks[0].value
        assert "ardea.judge.cached" not in (fresh.metadata or {}) and fresh.error is None


class _CountingJudge(InstructionsJudge):
    renders = 0

    def user_prompt(self, **row: Any) -> str:
        type(self).renders += 1
        return super().user_prompt(**row)


def test_judge_prompt_is_rendered_once_per_call_and_not_for_hits(
    judge_llm: FakeLLMServer, store: str
) -> None:
    _CountingJudge.renders = 0
    judge = _CountingJudge("right", "Is {{ outputs }} right for {{ inputs }}?", model=JUDGE_MODEL)
    ardea.evaluate(ROWS, scorers=[judge], predict_fn=app)
    assert _CountingJudge.renders == len(ROWS) == len(judge_llm.requests_to("/chat/completions"))
    again = ardea.evaluate(ROWS, scorers=[judge], predict_fn=app)
    assert again.cache_hits == len(ROWS) and _CountingJudge.renders == len(ROWS)


def test_sync_code_scorers_run_in_the_prediction_thread_each_isolated(
    judge_llm: FakeLLMServer, store: str
) -> None:
    threads: dict[str, dict[str, int]] = {"app": {}, "code": {}}

    def sync_app(question: str) -> str:
        outputs = app(question)
        threads["app"][outputs] = threading.get_ident()
        return outputs

    @scorer
    def explodes(outputs: Any) -> bool:
        threads["code"][outputs] = threading.get_ident()
        raise ValueError("broke")

    @scorer
    def has_trace(trace: Any) -> bool:
        return trace is not None and trace.info.trace_id.startswith("tr-")

    @scorer(timeout=0.2)
    def stuck(outputs: Any) -> bool:
        threading.Event().wait(5)
        return True

    @scorer
    async def on_loop(outputs: Any) -> bool:
        await asyncio.sleep(0)
        return True

    judge = make_judge(name="polite", instructions="Is {{ outputs }} polite?", model=JUDGE_MODEL)
    scorers = [explodes, judge, has_trace, on_loop, ExactMatch(), stuck]
    result = ardea.evaluate(ROWS, scorers=scorers, predict_fn=sync_app, max_concurrency=4)
    assert threads["code"] == threads["app"]  # one thread job per row: app, then code scorers
    for row in result.rows:
        names = [f.name for f in row.feedbacks]
        assert names == ["explodes", "polite", "has_trace", "on_loop", "exact_match", "stuck"]
        by_name = {f.name: f for f in row.feedbacks}
        assert by_name["explodes"].error is not None
        assert by_name["has_trace"].value is True and by_name["exact_match"].value is True
        assert by_name["on_loop"].value is True and by_name["polite"].error is None
        assert by_name["stuck"].error is not None
        assert by_name["stuck"].error.error_code == "TIMEOUT"


def test_one_knob_bounds_work_in_flight(judge_llm: FakeLLMServer, store: str) -> None:
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    async def slow(question: str) -> str:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        await asyncio.sleep(0.05)
        with lock:
            state["now"] -= 1
        return app(question)

    rows = [{"inputs": {"question": f"{i}+{i}?"}} for i in range(40)]
    ardea.evaluate(rows, scorers=[short], predict_fn=slow, max_concurrency=7)
    assert state["peak"] == 7


def test_default_concurrency_runs_a_sync_app_in_many_threads(
    judge_llm: FakeLLMServer, store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    barrier = threading.Barrier(12, timeout=30)

    def waits(question: str) -> str:
        barrier.wait()  # only passes when 12 calls run at once
        return app(question)

    monkeypatch.setenv("ARDEA_EVAL_MAX_CONCURRENCY", "12")
    rows = [{"inputs": {"question": f"{i}+{i}?"}} for i in range(24)]
    result = ardea.evaluate(rows, scorers=[short], predict_fn=waits)
    assert all(r.error is None for r in result.rows)


def test_managed_dataset_is_pinned(judge_llm: FakeLLMServer, store: str) -> None:
    from ardea.evaluation import datasets

    exp = ardea.get_experiment_by_name("eval")
    ds = datasets.create_dataset("qa", experiment_id=exp.experiment_id)  # type: ignore[union-attr]
    ds.merge_records(ROWS)
    result = ardea.evaluate(ds, scorers=[ExactMatch()], predict_fn=app)
    run = ardea.get_run(result.run_id)
    assert run.data.tags["ardea.dataset.id"] == ds.dataset_id
    assert run.data.tags["ardea.dataset.version"] == str(ds.refresh().version)
    (dataset_input,) = run.inputs.dataset_inputs
    assert dataset_input.dataset.source_type == "mlflow_evaluation_dataset"
    assert result.metrics["exact_match/mean"] == 1.0
    record_ids = {r.dataset_record_id for r in ds.records()}
    assert {r.record_id for r in result.rows} == record_ids
    traces = _traces(result.run_id)
    assert {t.info.tags["ardea.eval.datasetRecordId"] for t in traces} == record_ids


def test_bad_arguments_fail_before_logging(judge_llm: FakeLLMServer, store: str) -> None:
    with pytest.raises(InvalidArgumentError, match="empty"):
        ardea.evaluate([], scorers=[short])
    with pytest.raises(InvalidArgumentError, match="unknown key"):
        ardea.evaluate([{"input": {"q": 1}}], scorers=[short])
    with pytest.raises(InvalidArgumentError, match="Scorer"):
        ardea.evaluate(ROWS, scorers=[lambda outputs: True])
    with pytest.raises(InvalidArgumentError, match="same name"):
        ardea.evaluate(ROWS, scorers=[short, short])
    with pytest.raises(InvalidArgumentError, match="max_concurrency"):
        ardea.evaluate(ROWS, scorers=[short], max_concurrency=0)
    with pytest.raises(InvalidArgumentError, match="Invalid quality criteria"):
        ardea.evaluate(ROWS, scorers=[short], quality_criteria="short >= 0.5 OR short <= 1")
    assert ardea.search_runs(output_format="list") == []


def test_inputs_that_are_not_a_dict_fail_that_row(judge_llm: FakeLLMServer, store: str) -> None:
    rows = [*ROWS[:2], {"inputs": "just text"}]
    result = ardea.evaluate(rows, scorers=[short], predict_fn=app)
    assert result.rows[2].error is not None and "must be a dict" in result.rows[2].error
    assert result.rows[0].error is None
    assert len(_traces(result.run_id)) == 3


def test_progress_bar_shows_errors_tokens_and_cost(
    judge_llm: FakeLLMServer, store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    @scorer
    def broken(outputs: Any) -> bool:
        raise ValueError("no")

    ardea.evaluate(
        ROWS,
        scorers=[Correctness(model=JUDGE_MODEL), broken],
        predict_fn=app,
        show_progress=True,
    )
    err = capsys.readouterr().err
    assert f"{len(ROWS)}/{len(ROWS)}" in err and "row/s" in err
    assert f"errors={len(ROWS)}" in err and "tokens=" in err and "cost=$" in err


def test_the_active_run_is_used_and_left_open(judge_llm: FakeLLMServer, store: str) -> None:
    with ardea.start_run(run_name="mine") as run:
        result = ardea.evaluate(ROWS, scorers=[short], predict_fn=app)
        assert result.run_id == run.info.run_id
        assert ardea.get_run(run.info.run_id).info.status == "RUNNING"
    assert ardea.get_run(run.info.run_id).info.status == "FINISHED"
    named = ardea.evaluate(ROWS, scorers=[short], predict_fn=app, run_name="named-eval")
    assert ardea.get_run(named.run_id).info.run_name == "named-eval"


def test_long_inputs_sharing_a_prefix_pair_exactly_in_the_sdk_and_the_server(
    judge_llm: FakeLLMServer, store: str
) -> None:
    # Previews stop at 1,000 characters: rows must pair by their full inputs, not the preview.
    from ardea.evaluation import logged

    prefix = "context " * 200
    rows = [{"inputs": {"question": f"{prefix}{i}+{i}?"}} for i in range(4)]

    def long_app(question: str) -> str:
        return app(question.rsplit(" ", 1)[-1])

    a = ardea.evaluate(rows, scorers=[short], predict_fn=long_app, cache=False)
    b = ardea.evaluate(rows[::-1], scorers=[short], predict_fn=long_app, cache=False)
    comparison = ardea.compare_evaluations(a.run_id, b.run_id)
    assert comparison.n_pairs == 4 and not comparison.ambiguous
    assert not comparison.unpaired_a and not comparison.unpaired_b
    backend = ardea.get_client().backend
    served = logged.compare_logged(
        logged.load_evaluation(backend.tracking, backend.traces, a.run_id),
        logged.load_evaluation(backend.tracking, backend.traces, b.run_id),
    )
    assert served["n_pairs"] == 4 and not served["ambiguous"]
    assert not served["unpaired_a"] and not served["unpaired_b"]
