"""Session-level scorers in ``ardea.evaluate``: grouping, ordering, logging, errors, cache.

A local store; judges against the fake provider over HTTP.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

import ardea
from ardea.evaluation.harness import Harness
from ardea.evaluation.progress import EvalProgress
from ardea.evaluation.rows import EvalItem
from ardea.scorers import ConversationCompleteness, make_judge, scorer
from fixtures.fake_llm_server import FakeLLMServer

from .conftest import JUDGE_MODEL

SESSION = "mlflow.trace.session"


@ardea.trace
def chat(message: str, session: str | None = None) -> str:
    if session is not None:
        ardea.update_current_trace(session_id=session)
    return f"echo {message}"


def _conversations() -> list[Any]:
    """Two sessions of 3 and 2 turns, interleaved, and one trace outside any session."""
    for turn, session in [("a1", "A"), ("b1", "B"), ("a2", "A"), ("b2", "B"), ("a3", "A")]:
        chat(turn, session)
        time.sleep(0.002)  # distinct request times (ms), so the turn order is defined
    chat("lonely")
    return ardea.search_traces(return_type="list")  # type: ignore[no-any-return]


@scorer
def turns(session: list[Any]) -> int:
    return len(session)


@scorer
def first_message(session: list[Any]) -> str:
    root = next(s for s in session[0].spans if s.parent_span_id is None)
    return str(root.inputs["message"])


@scorer
def short(outputs: Any) -> bool:
    return len(str(outputs)) < 20


def _feedback(trace: Any, name: str) -> Any:
    found = [a for a in trace.info.assessments if a.name == name]
    return found[0] if found else None


def test_session_scorers_run_once_per_session_on_traces(
    judge_llm: FakeLLMServer, store: str
) -> None:
    traces = _conversations()
    # Data order is the reverse of time order: the scorers still see the turns in time order.
    data = list(reversed(traces))
    judge = ConversationCompleteness(model=JUDGE_MODEL)
    result = ardea.evaluate(data, scorers=[short, turns, first_message, judge])

    assert len(judge_llm.requests_to("/chat/completions")) == 2  # once per session
    prompts = [
        r.body["messages"][-1]["content"] for r in judge_llm.requests_to("/chat/completions")
    ]
    a_prompt = next(p for p in prompts if "a1" in p)
    assert a_prompt.index("a1") < a_prompt.index("a2") < a_prompt.index("a3")

    assert {s.session_id for s in result.sessions} == {"A", "B"}
    by_id = {s.session_id: s for s in result.sessions}
    assert by_id["A"].scores()["turns"] == 3 and by_id["B"].scores()["turns"] == 2
    assert by_id["A"].scores()["first_message"] == "a1"

    metrics = ardea.get_run(result.run_id).data.metric_values
    assert metrics["turns/mean"] == 2.5  # over the 2 sessions
    assert metrics["short/mean"] == 1.0  # over the 6 traces
    assert "conversation_completeness/mean" in metrics
    assert result.metrics["turns/mean"] == 2.5

    stored = {t.info.trace_id: t for t in ardea.search_traces(return_type="list")}
    for session_id, first_turn in (("A", "a1"), ("B", "b1")):
        anchor = stored[by_id[session_id].trace_id]
        root = next(s for s in anchor.spans if s.parent_span_id is None)
        assert root.inputs["message"] == first_turn  # the first turn holds the session's
        for name in ("turns", "first_message", "conversation_completeness"):
            fb = _feedback(anchor, name)
            assert fb is not None, name
            assert fb.metadata[SESSION] == session_id
            assert fb.metadata["mlflow.assessment.sourceRunId"] == result.run_id
            assert fb.span_id == root.span_id
        assert _feedback(anchor, "short") is not None
    others = [t for tid, t in stored.items() if tid not in {s.trace_id for s in result.sessions}]
    assert len(others) == 4
    assert all(_feedback(t, "turns") is None for t in others)

    df = result.result_df
    anchored = df[df["trace_id"] == by_id["A"].trace_id].iloc[0]
    assert anchored["turns/value"] == 3 and anchored["session_id"] == "A"
    assert df["turns/value"].notna().sum() == 2

    again = ardea.evaluate(data, scorers=[judge])
    assert len(judge_llm.requests_to("/chat/completions")) == 2  # sessions came from the cache
    assert again.cache_hits == 2


def test_predict_fn_rows_with_a_session_id_run_their_turns_in_order(
    judge_llm: FakeLLMServer, store: str
) -> None:
    seen: list[str] = []

    def app(message: str) -> str:
        seen.append(message)
        return f"echo {message}"

    rows = [
        {"inputs": {"message": m}, "session_id": s}
        for m, s in [("x1", "X"), ("y1", "Y"), ("x2", "X"), ("y2", "Y"), ("x3", "X")]
    ]
    rows.append({"inputs": {"message": "single"}})
    result = ardea.evaluate(rows, scorers=[short, turns, first_message], predict_fn=app)
    assert [m for m in seen if m.startswith("x")] == ["x1", "x2", "x3"]
    by_id = {s.session_id: s for s in result.sessions}
    assert by_id["X"].scores() == {"turns": 3, "first_message": "x1"}
    assert by_id["Y"].scores() == {"turns": 2, "first_message": "y1"}
    traces = ardea.search_traces(run_id=result.run_id, return_type="list")
    sessions = sorted(t.info.trace_metadata.get(SESSION, "-") for t in traces)
    assert sessions == ["-", "X", "X", "X", "Y", "Y"]
    assert result.metrics["turns/mean"] == 2.5


def test_a_session_set_by_predict_fn_itself_is_found(judge_llm: FakeLLMServer, store: str) -> None:
    def app(message: str, conversation: str) -> str:
        ardea.update_current_trace(session_id=conversation)
        return message

    rows = [{"inputs": {"message": f"m{i}", "conversation": f"c{i % 2}"}} for i in range(4)]
    result = ardea.evaluate(rows, scorers=[turns], predict_fn=app)
    assert sorted(s.scores()["turns"] for s in result.sessions) == [2, 2]


def test_errors_stay_on_their_session(judge_llm: FakeLLMServer, store: str) -> None:
    @scorer
    def picky(session: list[Any]) -> bool:
        root = next(s for s in session[0].spans if s.parent_span_id is None)
        if root.inputs["message"] == "b1":
            raise ValueError("B is not welcome")
        return True

    result = ardea.evaluate(_conversations(), scorers=[picky, turns])
    by_id = {s.session_id: s for s in result.sessions}
    (bad,) = [f for f in by_id["B"].feedbacks if f.name == "picky"]
    assert bad.error is not None and "B is not welcome" in str(bad.error.error_message)
    assert by_id["A"].scores()["picky"] is True
    assert by_id["B"].scores()["turns"] == 2
    assert result.metrics["picky/mean"] == 1.0
    assert result.errors == 1

    def app(message: str) -> str:
        if message == "x2":
            raise RuntimeError("turn two broke")
        return message

    rows = [
        {"inputs": {"message": m}, "session_id": s}
        for m, s in [("x1", "X"), ("x2", "X"), ("y1", "Y")]
    ]
    failed = ardea.evaluate(rows, scorers=[turns], predict_fn=app)
    by_id = {s.session_id: s for s in failed.sessions}
    (err,) = by_id["X"].feedbacks
    assert err.error is not None and err.error.error_code == "PREDICTION_FAILED"
    assert "turn two broke" in str(err.error.error_message)
    assert by_id["Y"].scores() == {"turns": 1}


def test_a_session_whose_traces_are_missing_gets_an_error(
    judge_llm: FakeLLMServer, store: str
) -> None:
    client = ardea.fluent.get_client()
    present = _conversations()
    items = [
        EvalItem(index=0, trace_id="tr-00000000000000000000000000000000", session_id="gone"),
        *[EvalItem(index=i + 1, trace=t, trace_id=t.info.trace_id) for i, t in enumerate(present)],
    ]
    for item in items[1:]:
        item.session_id = item.trace.info.trace_metadata.get(SESSION)
    progress = EvalProgress(len(items), show=False)
    harness = Harness(
        items,
        [turns, short],
        None,
        run_id="r",
        experiment_id="0",
        max_concurrency=4,
        cache=None,
        fetch_trace=client.trace_store.get_trace,
        progress=progress,
    )
    with progress:
        harness.run()
    by_id = {s.session_id: s for s in harness.sessions}
    assert set(by_id) == {"A", "B", "gone"}
    (err,) = by_id["gone"].feedbacks
    assert err.error is not None and err.error.error_code == "TRACE_NOT_FOUND"
    assert by_id["gone"].feedbacks[0].metadata[SESSION] == "gone"
    assert by_id["A"].scores() == {"turns": 3}
    assert progress.sessions == 3 and progress.total == len(items) + 3
    assert "sessions=3/3" in progress.postfix()


def test_make_judge_with_conversation_is_session_level(
    judge_llm: FakeLLMServer, store: str
) -> None:
    judge = make_judge(
        name="coherent",
        instructions="Is this conversation coherent? {{ conversation }}",
        feedback_value_type=bool,
        model=JUDGE_MODEL,
        include_timing_in_conversation=True,
    )
    assert judge.session_level
    result = ardea.evaluate(_conversations(), scorers=[judge])
    assert len(result.sessions) == 2
    assert len(judge_llm.requests_to("/chat/completions")) == 2
    prompt = judge_llm.requests_to("/chat/completions")[0].body["messages"][-1]["content"]
    assert "[Response duration: " in prompt
    assert "coherent/mean" in result.metrics


def test_session_scorers_without_sessions_score_nothing(
    judge_llm: FakeLLMServer, store: str, caplog: pytest.LogCaptureFixture
) -> None:
    result = ardea.evaluate([{"inputs": {"q": 1}, "outputs": "x"}], scorers=[short, turns])
    assert result.sessions == [] and "turns/mean" not in result.metrics
    assert "scored nothing" in caplog.text
