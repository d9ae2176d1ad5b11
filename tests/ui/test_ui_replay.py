"""End-to-end: a replay recorded and replayed through the SDK, its report in headless Chromium.

An agent on the real ``openai`` SDK is recorded against the fake provider into a live
``ardea server``; the provider is stopped and a changed version of the agent (another tool
argument) is replayed. The replay's trace page shows the report: diverged at the tool step,
the recorded and the new call side by side, and the steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from fixtures.fake_llm_server import FakeLLMServer
from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow


@dataclass
class Replayed:
    url: str
    exp_id: str
    source_id: str
    passed_id: str
    diverged_id: str


def _agent(client: Any, city_override: str | None = None) -> Any:
    import ardea

    @ardea.trace(span_type="TOOL")
    def get_weather(city: str) -> dict[str, Any]:
        return {"city": city, "celsius": 21}

    @ardea.trace(name="agent", span_type="AGENT")
    def agent(city: str) -> str:
        weather = get_weather(city_override or city)
        reply = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": f"Summarize {weather}"}]
        )
        return str(reply.choices[0].message.content)

    return agent


@pytest.fixture(scope="module")
def replayed(ui_server: ServerProcess) -> Iterator[Replayed]:
    import openai

    import ardea
    from ardea.autolog import openai as openai_autolog
    from ardea.tracing import provider as tracing_provider

    fake = FakeLLMServer().start()
    tracing_provider.reset()
    ardea.set_tracking_uri(ui_server.url)
    exp_id = ardea.set_experiment("ui-replay").experiment_id
    openai_autolog.autolog()
    try:
        client = openai.OpenAI(base_url=fake.openai_base_url, api_key="sk-x", max_retries=0)
        _agent(client)(city="Paris")
        ardea.flush()
        source = ardea.get_trace(str(ardea.get_last_active_trace_id()))
        fake.stop()
        passed = ardea.replay(source, _agent(client))
        diverged = ardea.replay(source, _agent(client, city_override="Oslo"))
        assert passed.passed and not diverged.passed
        ardea.flush()
        yield Replayed(ui_server.url, str(exp_id), source.info.trace_id,
                       str(passed.trace_id), str(diverged.trace_id))  # fmt: skip
    finally:
        fake.stop()
        openai_autolog.revert()
        tracing_provider.reset()
        ardea.set_tracking_uri(None)


def test_replay_report_shows_the_divergence_side_by_side(page: Any, replayed: Replayed) -> None:
    from playwright.sync_api import expect

    page.goto(f"{replayed.url}/experiments/{replayed.exp_id}/traces/{replayed.diverged_id}")
    report = page.get_by_role("region", name="Replay report")
    expect(report.locator('[data-status="diverged"]')).to_be_visible()
    expect(page.get_by_test_id("replay-divergence")).to_contain_text(
        "Diverged at step 0 (get_weather): a different call"
    )
    expect(page.get_by_test_id("replay-recorded").locator("[data-changed]")).to_contain_text(
        '"city": "Paris"'
    )
    expect(page.get_by_test_id("replay-new").locator("[data-changed]")).to_contain_text(
        '"city": "Oslo"'
    )
    rows = report.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("diverged")
    expect(rows.nth(1)).to_contain_text("not reached")
    report.get_by_role("link", name=replayed.source_id).click()
    expect(page).to_have_url(
        f"{replayed.url}/experiments/{replayed.exp_id}/traces/{replayed.source_id}"
    )
    expect(page.get_by_role("region", name="Replay report")).to_have_count(0)


def test_a_passed_replay_shows_its_served_steps(page: Any, replayed: Replayed) -> None:
    from playwright.sync_api import expect

    page.goto(f"{replayed.url}/experiments/{replayed.exp_id}/traces/{replayed.passed_id}")
    report = page.get_by_role("region", name="Replay report")
    expect(report.locator('[data-status="passed"]')).to_be_visible()
    expect(report).to_contain_text("2 of 2 calls served from the recording")
    expect(page.get_by_test_id("replay-divergence")).to_have_count(0)
