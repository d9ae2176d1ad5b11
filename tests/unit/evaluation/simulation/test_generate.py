"""Test cases from recorded sessions; conversations distilled into dataset records."""

from __future__ import annotations

import time
from typing import Any

import pytest

import ardea
from ardea.evaluation import datasets
from ardea.evaluation.simulation import ConversationSimulator, distill, generate_test_cases
from fixtures.fake_llm_server import FakeLLMServer


def _record(session: str, messages: list[str]) -> list[Any]:
    @ardea.trace
    def chat(message: str) -> str:
        ardea.update_current_trace(session_id=session)
        return f"Sure: {message}"

    for m in messages:
        chat(m)
        time.sleep(0.002)  # distinct start times: the turn order is defined
    ardea.flush()
    return [
        t
        for t in ardea.search_traces(return_type="list")
        if t.info.trace_metadata.get("mlflow.trace.session") == session
    ]


def test_goal_and_persona_are_extracted_from_recorded_sessions(
    sim_llm: FakeLLMServer, store: str
) -> None:
    traces = _record("prod-1", ["Where is my parcel?", "It was due Monday"])
    _record("prod-2", ["Change my address"])
    sim_llm.reset()
    from fixtures.fake_llm_scripts import simulation_rule

    sim_llm.rule = simulation_rule

    cases = generate_test_cases([traces, "prod-2", [t.info.trace_id for t in traces]])

    assert cases == [
        {"goal": "Where is my parcel?", "persona": "a terse user"},
        {"goal": "Change my address", "persona": "a terse user"},
        {"goal": "Where is my parcel?", "persona": "a terse user"},
    ]
    prompts = [r.body["messages"][-1]["content"] for r in sim_llm.requests_to("/chat/completions")]
    first = next(p for p in prompts if "parcel" in p)
    assert first.index("Where is my parcel?") < first.index("It was due Monday")
    # The extracted cases drive a simulation as they are.
    assert (
        ConversationSimulator(cases, lambda messages: "ok").test_cases[1].goal == cases[1]["goal"]
    )


@pytest.mark.parametrize(
    ("sessions", "message"),
    [
        (["no-such-session"], "session 0: no trace has session id 'no-such-session'"),
        ([[]], "session 0 must be a session id, or a non-empty list"),
        ([], "sessions is empty"),
    ],
)
def test_bad_sessions_are_refused(
    sim_llm: FakeLLMServer, store: str, sessions: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        generate_test_cases(sessions)
    assert sim_llm.requests_to("/chat/completions") == []


def test_distill_makes_a_record_and_merges_it_in_one_call(
    sim_llm: FakeLLMServer, store: str
) -> None:
    case = {
        "goal": "Renew my card, solvable in 2 turns",
        "persona": "A polite retiree",
        "context": {"user_id": "u-7"},
        "expectations": {"card": "renewed"},
    }

    def app(messages: list[dict[str, Any]], user_id: str) -> str:
        return "DONE: renewed" if len(messages) >= 3 else "Which card?"

    result = ConversationSimulator([case], app).simulate()
    convo = result[0]
    record = distill(convo)
    assert record["inputs"] == {
        "goal": case["goal"],
        "persona": "A polite retiree",
        "context": {"user_id": "u-7"},
        "max_turns": 10,
    }
    assert record["expectations"]["expected_outcome"] == "goal_reached"
    assert record["expectations"]["expected_turns"] == 2
    assert record["expectations"]["card"] == "renewed"
    assert record["expectations"]["reference_conversation"] == convo.messages
    assert record["source"]["source_data"]["trace_id"] == convo.trace_ids[0]

    ds = datasets.create_dataset("simulated-cases")
    distill(result, dataset=ds)
    (stored,) = ds.records()
    assert stored.inputs == record["inputs"]
    assert stored.expectations["expected_outcome"] == "goal_reached"

    # The dataset drives a new simulation: the regression suite of good conversations.
    again = ConversationSimulator(ds, app).simulate()
    assert again[0].outcome == "goal_reached" and again[0].case.context == {"user_id": "u-7"}

    with pytest.raises(ValueError, match="item 0 is dict"):
        distill([record])
