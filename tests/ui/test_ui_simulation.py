"""End-to-end: a conversation simulation run as chat transcripts, in headless Chromium.

Seeded by a real ``ConversationSimulator`` run against the server (the SDK over REST and
OTLP), its user and agent played by the fake provider's scripts, then scored by
``ardea.evaluate`` with a session-level scorer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import ardea
from ardea.evaluation.simulation import ConversationSimulator, SimulationResult
from ardea.scorers import scorer
from fixtures.fake_llm_scripts import simulation_rule
from fixtures.fake_llm_server import FakeLLMServer
from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow


@dataclass
class Seeded:
    experiment_id: str
    result: SimulationResult


@scorer
def turns(session: list[Any]) -> int:
    return len(session)


def app(messages: list[dict[str, Any]]) -> str:
    users = [m for m in messages if m["role"] == "user"]
    return "DONE: password reset" if len(users) >= 2 else "Which account?"


@pytest.fixture(scope="module")
def seeded(ui_server: ServerProcess) -> Iterator[Seeded]:
    from ardea.tracing import provider

    saved = {k: os.environ.get(k) for k in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "ARDEA_PROGRESS")}
    with FakeLLMServer() as fake:
        fake.rule = simulation_rule
        os.environ.update(
            OPENAI_BASE_URL=fake.openai_base_url, OPENAI_API_KEY="sk-ui", ARDEA_PROGRESS="0"
        )
        provider.reset()
        ardea.set_tracking_uri(ui_server.url)
        try:
            experiment_id = ardea.set_experiment("e2e-simulation").experiment_id
            result = ConversationSimulator(
                [
                    {"goal": "Reset my password", "persona": "A busy nurse", "max_turns": 3},
                    {"goal": "Get a refund", "persona": "A user who gives up after 1 turn"},
                ],
                app,
                seed=3,
            ).simulate()
            ardea.evaluate(result, scorers=[turns])
            yield Seeded(str(experiment_id), result)
        finally:
            provider.reset()
            ardea.set_tracking_uri(None)
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def test_simulation_run_shows_transcripts_outcomes_and_filters_failed_goals(
    page: Any, ui_server: ServerProcess, seeded: Seeded
) -> None:
    from playwright.sync_api import expect

    reset, refund = seeded.result
    assert (reset.outcome, refund.outcome) == ("goal_reached", "abandoned")
    page.goto(f"{ui_server.url}/experiments/{seeded.experiment_id}/runs/{seeded.result.run_id}")
    page.get_by_role("link", name="Simulated conversations").click()

    first = page.get_by_role("listitem", name="Conversation 1", exact=True)
    expect(first).to_contain_text("Reset my password")
    expect(first).to_contain_text("A busy nurse")
    expect(first).to_contain_text("goal_reached")
    transcript = first.get_by_role("list", name="Conversation 1 transcript")
    expect(transcript).to_contain_text(reset.turns[0].user)
    expect(transcript).to_contain_text("DONE: password reset")
    expect(first.get_by_role("list", name="Conversation 1 scores")).to_contain_text("turns 2")
    second = page.get_by_role("listitem", name="Conversation 2", exact=True)
    expect(second).to_contain_text("abandoned")
    expect(page.get_by_label("Outcomes")).to_contain_text("2 conversations")

    page.get_by_role("checkbox", name="Failed goals only").check()
    expect(page.get_by_role("listitem", name="Conversation 1", exact=True)).to_have_count(0)
    expect(page.get_by_role("listitem", name="Conversation 2", exact=True)).to_be_visible()
    assert "failed=1" in page.url
