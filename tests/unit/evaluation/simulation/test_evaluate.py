"""Simulated conversations scored by session judges through ``ardea.evaluate``."""

from __future__ import annotations

from typing import Any

import ardea
from ardea.evaluation.simulation import ConversationSimulator
from ardea.scorers import ConversationCompleteness, scorer
from fixtures.fake_llm_server import FakeLLMServer

from ..conftest import JUDGE_MODEL

CASES = [
    {"goal": "Reset my password, solvable in 2 turns"},
    {"goal": "Find a cheap hotel, solvable in 3 turns"},
    {"goal": "Refund please", "persona": "A user who gives up after 1 turn"},
]


def app(messages: list[dict[str, Any]]) -> str:
    users = [m for m in messages if m["role"] == "user"]
    needed = 2 if "password" in users[0]["content"] else 3
    return "DONE: sorted" if len(users) >= needed else f"Tell me more ({len(users)})"


@scorer
def turns(session: list[Any]) -> int:
    return len(session)


def test_evaluate_scores_each_simulated_conversation_as_one_session(
    sim_llm: FakeLLMServer, store: str
) -> None:
    result = ConversationSimulator(CASES, app, max_turns=4).simulate()
    assert [c.outcome for c in result] == ["goal_reached", "goal_reached", "abandoned"]
    sim_llm.reset()

    judge = ConversationCompleteness(model=JUDGE_MODEL)
    evaluation = ardea.evaluate(result, scorers=[turns, judge])

    by_session = {s.session_id: s for s in evaluation.sessions}
    assert set(by_session) == {c.session_id for c in result}
    assert by_session[result[0].session_id].scores()["turns"] == 2
    assert by_session[result[1].session_id].scores()["turns"] == 3
    assert by_session[result[2].session_id].scores()["turns"] == 1  # then gave up
    # The judge read each conversation once, its turns in order.
    judged = [r.body["messages"][-1]["content"] for r in sim_llm.requests_to("/chat/completions")]
    assert len(judged) == 3
    hotel = next(p for p in judged if "hotel" in p)
    assert hotel.index("Tell me more (1)") < hotel.index("Tell me more (2)") < hotel.index("DONE")
    assert evaluation.metrics["turns/mean"] == 2.0
    # The session's feedbacks are on its first trace.
    anchor = ardea.get_trace(result[0].trace_ids[0])
    assert any(a.name == "conversation_completeness" for a in anchor.info.assessments)


def test_evaluate_takes_a_list_of_conversations_or_the_simulator(
    sim_llm: FakeLLMServer, store: str
) -> None:
    result = ConversationSimulator(CASES[:1], app).simulate()
    by_list = ardea.evaluate(list(result), scorers=[turns])
    assert [s.scores() for s in by_list.sessions] == [{"turns": 2}]

    # As mlflow.genai.evaluate(data=simulator, predict_fn=...): simulate, then score.
    direct = ardea.evaluate(ConversationSimulator(CASES[:2]), scorers=[turns], predict_fn=app)
    assert sorted(s.scores()["turns"] for s in direct.sessions) == [2, 3]
    assert len(direct.rows) == 5
