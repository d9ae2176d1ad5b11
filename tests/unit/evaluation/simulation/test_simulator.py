"""``ConversationSimulator`` against the fake provider over HTTP (scripted user and agent).

The agent is a real ``openai`` SDK client talking to the fake provider; the simulated user and
the goal check go through ``ardea.llm``; traces land in a fresh local store.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest

import ardea
from ardea.evaluation.simulation import ConversationSimulator, SimulationResult
from fixtures.fake_llm_scripts import AGENT_MODEL
from fixtures.fake_llm_server import FakeLLMServer

SESSION = "mlflow.trace.session"


def agent(messages: list[dict[str, Any]], **kwargs: Any) -> Any:
    """The app: one Chat Completions call through the real openai SDK."""
    client = openai.OpenAI(api_key="sk-test", max_retries=0)
    return client.chat.completions.create(model=AGENT_MODEL, messages=messages)  # type: ignore[arg-type]


def _simulate(cases: list[dict[str, Any]], **kw: Any) -> SimulationResult:
    return ConversationSimulator(cases, agent, **kw).simulate()


def test_goal_reached_each_turn_a_trace_of_one_session(sim_llm: FakeLLMServer, store: str) -> None:
    result = _simulate([{"goal": "Book a flight, solvable in 2 turns", "name": "flight"}])

    (convo,) = result
    assert convo.outcome == "goal_reached"
    assert convo.reason == "the assistant delivered"
    assert [t.user for t in convo.turns] == [
        "Book a flight, solvable in 2 turns (turn 1, please)",
        "Book a flight, solvable in 2 turns (turn 2, please)",
    ]
    assert convo.turns[-1].assistant == "DONE: here is what you asked for (turn 2)"
    assert len(convo.messages) == 4 and convo.messages[1]["role"] == "assistant"

    assert len(convo.traces) == 2
    for turn, trace in enumerate(convo.traces):
        meta = trace.info.trace_metadata
        assert meta[SESSION] == convo.session_id
        assert meta["mlflow.trace.user"] == "simulated:flight"
        assert meta["mlflow.simulation.turn"] == str(turn)
        assert meta["mlflow.simulation.goal"] == convo.goal
        root = next(s for s in trace.spans if s.parent_span_id is None)
        assert root.name == f"simulation_turn_{turn}"
        assert root.inputs["messages"][-1]["content"] == convo.turns[turn].user
        assert len(root.inputs["messages"]) == 2 * turn + 1  # the whole history so far
        assert trace.info.request_preview == convo.turns[turn].user  # what the UI shows
        assert trace.info.response_preview == convo.turns[turn].assistant
    assert convo.traces[0].info.tags["ardea.simulation.outcome"] == "goal_reached"

    run = ardea.get_run(result.run_id)
    assert run.data.tags["ardea.simulation"] == "true"
    in_run = ardea.search_traces(run_id=result.run_id, return_type="list")
    assert sorted(t.info.trace_id for t in in_run) == sorted(convo.trace_ids)
    # The tag keeps them findable once an evaluation links them to its own run (the UI's filter).
    tagged = ardea.search_traces(
        filter_string=f"tags.`ardea.simulation.run` = '{result.run_id}'", return_type="list"
    )
    assert sorted(t.info.trace_id for t in tagged) == sorted(convo.trace_ids)


def test_abandoned_max_turns_and_per_case_limits(sim_llm: FakeLLMServer, store: str) -> None:
    result = _simulate(
        [
            {"goal": "Cancel my order", "persona": "An impatient user who gives up after 1 turn"},
            {"goal": "Explain quantum gravity", "max_turns": 3},
            {"goal": "Fix my bill"},
        ],
        max_turns=2,
    )
    impatient, hard, default = result
    assert impatient.outcome == "abandoned"
    assert impatient.reason == "the assistant did not help in 1 turns"
    assert len(impatient.turns) == 1
    assert hard.outcome == "max_turns" and len(hard.turns) == 3
    assert default.outcome == "max_turns" and len(default.turns) == 2
    assert result.outcomes() == {"abandoned": 1, "max_turns": 2}
    assert [c.index for c in result.failed()] == [0, 1, 2]


def test_stop_condition_stops_with_its_reason(sim_llm: FakeLLMServer, store: str) -> None:
    def long_enough(convo: Any) -> str | bool:
        return "two answers are enough" if len(convo.turns) >= 2 else False

    result = _simulate([{"goal": "Chat forever", "max_turns": 5}], stop_condition=long_enough)
    assert result[0].outcome == "stopped"
    assert result[0].reason == "two answers are enough"
    assert len(result[0].turns) == 2
    # The stop condition is checked before the goal: no goal check after the 2nd answer.
    goal_checks = [
        r for r in sim_llm.requests_to("/chat/completions") if "reached their goal" in str(r.body)
    ]
    assert len(goal_checks) == 1


def _transcripts(seed: int | None) -> list[list[str]]:
    cases = [{"goal": f"Goal {i}, solvable in 3 turns"} for i in range(3)]
    result = _simulate(cases, seed=seed, concurrency=3)
    return [[m["content"] for m in c.messages] for c in result]


def test_a_seed_makes_the_run_reproducible(sim_llm: FakeLLMServer, store: str) -> None:
    first, again, other = _transcripts(7), _transcripts(7), _transcripts(8)
    assert first == again
    assert first != other
    seeds = [r.body["seed"] for r in sim_llm.requests_to("/chat/completions") if "seed" in r.body]
    assert len(seeds) == 3 * 3 * 2 * 3  # 3 runs x 3 cases x (3 user turns + 3 goal checks)
    assert _transcripts(None)[0][0] == "Goal 0, solvable in 3 turns (turn 1, please)"


def test_context_session_id_and_async_predict_fn(sim_llm: FakeLLMServer, store: str) -> None:
    seen: list[tuple[str, str]] = []

    async def app(input: list[dict[str, Any]], user_id: str, mlflow_session_id: str) -> dict:
        seen.append((user_id, mlflow_session_id))
        return {"content": f"DONE for {user_id}"}

    result = ConversationSimulator(
        [{"goal": "Check my balance", "context": {"user_id": "u-42"}}], app
    ).simulate()
    convo = result[0]
    assert convo.outcome == "goal_reached"
    assert seen == [("u-42", convo.session_id)]
    root = next(s for s in convo.traces[0].spans if s.parent_span_id is None)
    assert root.inputs["user_id"] == "u-42" and "input" in root.inputs


def test_a_failing_app_ends_its_conversation_as_error(sim_llm: FakeLLMServer, store: str) -> None:
    def broken(messages: list[dict[str, Any]]) -> str:
        raise RuntimeError("tool down")

    result = ConversationSimulator([{"goal": "Anything"}], broken).simulate()
    assert result[0].outcome == "error"
    assert result[0].reason == "predict_fn: RuntimeError: tool down"
    assert len(result[0].traces) == 1  # the failed turn is traced (status ERROR)
    assert result[0].traces[0].info.state == "ERROR"


def test_expectations_are_logged_on_the_first_trace(sim_llm: FakeLLMServer, store: str) -> None:
    result = _simulate(
        [{"goal": "Return shoes, solvable in 2 turns", "expectations": {"policy": "30 days"}}]
    )
    first = result[0].traces[0]
    found = [a for a in first.info.assessments if a.name == "policy"]
    assert len(found) == 1 and found[0].value == "30 days"
    assert found[0].metadata[SESSION] == result[0].session_id


@pytest.mark.parametrize(
    ("cases", "kw", "message"),
    [
        ([{"goal": "ok"}, {"persona": "no goal here"}], {}, "test case 1 has no goal"),
        ([{"goal": "  ", "name": "blank"}], {}, "test case 0 ('blank') has no goal"),
        ([{"goal": "ok"}, {"goal": "x", "max_turns": 0}], {}, "test case 1: max_turns must be"),
        ([{"goal": "ok"}], {"max_turns": 0}, "max_turns must be an integer >= 1"),
        ([{"goal": "ok", "context": {"messages": []}}], {}, "test case 0: context keys"),
        ([{"goal": "ok", "context": "x"}], {}, "test case 0: context must be a dict"),
        ([{"goal": "ok", "gaol": "typo"}], {}, "test case 0 has unknown key(s) ['gaol']"),
        ([], {}, "test_cases is empty"),
        ("goal", {}, "test_cases must be a list of dicts"),
        ([{"goal": "ok"}], {"seed": "7"}, "seed must be an integer"),
    ],
)
def test_bad_test_cases_are_refused_before_anything_runs(
    sim_llm: FakeLLMServer, store: str, cases: Any, kw: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as info:
        ConversationSimulator(cases, agent, **kw)
    assert message in str(info.value)
    assert sim_llm.requests == []


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (lambda messages, input: "", "cannot take both"),
        (lambda question: "", "must take the conversation as 'messages'"),
        ("not a function", "predict_fn must be callable"),
    ],
)
def test_bad_predict_fn_is_refused(
    sim_llm: FakeLLMServer, store: str, fn: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ConversationSimulator([{"goal": "ok"}], fn)
    with pytest.raises(ValueError, match=message):
        ConversationSimulator([{"goal": "ok"}]).simulate(fn)
    assert sim_llm.requests == []


def test_conversations_run_concurrently_and_progress_counts_them(
    sim_llm: FakeLLMServer, store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import threading

    both_in_flight = threading.Barrier(2, timeout=20)

    def app(messages: list[dict[str, Any]]) -> str:
        both_in_flight.wait()  # passes only when the two conversations' turns overlap
        return "DONE"

    cases = [{"goal": "first", "max_turns": 1}, {"goal": "second", "max_turns": 1}]
    simulator = ConversationSimulator(cases, app, concurrency=2, show_progress=True)
    result = simulator.simulate()
    assert [c.outcome for c in result] == ["goal_reached", "goal_reached"]
    assert simulator.progress is not None
    assert simulator.progress.rows == 2 and simulator.progress.errors == 0
    assert simulator.progress.llm_calls == 4  # 2 users + 2 goal checks, through ardea.llm
    assert "simulate" in capsys.readouterr().err  # the bar, on stderr

    one_at_a_time = threading.Barrier(2, timeout=0.5)

    def serial_app(messages: list[dict[str, Any]]) -> str:
        one_at_a_time.wait()  # never passes with one conversation at a time
        return "DONE"

    serial = ConversationSimulator(cases, serial_app, concurrency=1).simulate()
    assert [c.outcome for c in serial] == ["error", "error"]
    assert "BrokenBarrierError" in serial[0].reason


def test_a_custom_user_agent_writes_the_messages(sim_llm: FakeLLMServer, store: str) -> None:
    from ardea.evaluation.simulation import BaseSimulatedUserAgent, SimulatorContext

    made: list[dict[str, Any]] = []

    class Impatient(BaseSimulatedUserAgent):
        def __init__(self, model: str | None = None, **params: Any) -> None:
            super().__init__(model, **params)
            made.append({"model": self.model, **params})

        def generate_message(self, context: SimulatorContext) -> str | None:
            if context.turn == 2:
                return None  # gives up
            if context.is_first_turn:
                return f"NOW: {context.goal}"
            # The LLM call goes through ardea.llm to the fake provider (which echoes).
            return self.invoke_llm(f"again, after {context.last_assistant_response!r}")

    result = _simulate(
        [{"goal": "Fix it", "max_turns": 5}],
        user_agent_class=Impatient,
        user_model="openai:/gpt-4.1-nano",
        temperature=0.5,
    )
    convo = result[0]
    assert [t.user for t in convo.turns] == [
        "NOW: Fix it",
        "echo: again, after 'Could you tell me more? (turn 1)'",
    ]
    assert convo.outcome == "abandoned" and convo.reason == "Impatient wrote no message"
    assert made == [{"model": "openai:/gpt-4.1-nano", "temperature": 0.5}]  # one per conversation

    with pytest.raises(ValueError, match="subclass of BaseSimulatedUserAgent"):
        ConversationSimulator([{"goal": "x"}], agent, user_agent_class=dict)  # type: ignore[arg-type]
