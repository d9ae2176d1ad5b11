"""End-to-end: a prompt-optimization run on the run page, in headless Chromium against a real
``ardea server``.

The test optimizes a prompt from the SDK against the server with GEPA (the app's and the
reflection model's calls go to the fake provider in its prompt-rule mode, from this process):
the known improvement is found and registered as version 2. The run page then shows the
optimization: each candidate's training score with its interval, the held-out check, and the
winning prompt's diff against the start.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import ardea
from ardea.evaluation.optimize import GepaPromptOptimizer, optimize_prompts
from ardea.evaluation.scorers import scorer
from ardea.llm import get_client
from fixtures.fake_llm_server import FakeLLMServer
from fixtures.prompt_rules import HINT, START, make_rule, rows

pytestmark = pytest.mark.slow

MODEL = "openai:/gpt-4.1-mini"


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as fake:
        fake.rule = make_rule("all")
        monkeypatch.setenv("OPENAI_BASE_URL", fake.openai_base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-ui-optimize")
        monkeypatch.setenv("ARDEA_CREDENTIALS_FILE", str(tmp_path / "credentials.toml"))
        monkeypatch.setenv("ARDEA_PROGRESS", "0")
        yield fake


@scorer
def exact(outputs: Any, expectations: dict[str, Any]) -> bool:
    """The answer is exactly the expected one."""
    return str(outputs).strip() == expectations["expected_response"]


def test_the_run_page_shows_a_prompt_optimization(
    page: Any, ui_server: Any, model: FakeLLMServer
) -> None:
    from playwright.sync_api import expect

    from ardea.tracing import provider

    provider.reset()
    ardea.set_tracking_uri(ui_server.url)
    try:
        exp = ardea.set_experiment("optimize").experiment_id
        ardea.register_prompt("qa", START)
        prompt = ardea.load_prompt("prompts:/qa/1")
        client = get_client(MODEL)

        def app(question: str) -> str:
            messages = [{"role": "user", "content": prompt.format(question=question)}]
            return client.chat(messages).text

        optimizer = GepaPromptOptimizer(reflection_model=MODEL, max_metric_calls=80)
        result = optimize_prompts(predict_fn=app, train_data=rows(), optimizer=optimizer,
                                  prompt_uris=["prompts:/qa/1"], scorers=[exact])  # fmt: skip
        ardea.flush()
    finally:
        ardea.set_tracking_uri(None)
        provider.reset()
    assert result.promoted, result.reason

    page.goto(f"{ui_server.url}/experiments/{exp}/runs/{result.run_id}")
    view = page.get_by_test_id("run-optimization")
    expect(view.get_by_text("Promoted", exact=True)).to_be_visible()
    expect(view).to_contain_text("registered prompts:/qa/2")
    chart = view.get_by_role("img", name="Candidate scores on the training rows")
    best = result.best.index
    expect(chart.get_by_role("img", name=f"candidate {best} (best): 1.000 [")).to_be_attached()
    expect(chart.locator("g.point")).to_have_count(len(result.candidates))
    expect(chart.locator("line.whisker").first).to_be_attached()
    table = view.get_by_role("table", name="Candidates").locator("tbody tr")
    expect(table).to_have_count(len(result.candidates))
    expect(table.nth(0)).to_contain_text("0 (start)")
    expect(view.get_by_label("Held-out check")).to_contain_text("mcnemar: 12 improved, 0 regressed")
    diff = view.get_by_role("table", name="Diff of qa")
    expect(diff.locator("tr[data-kind='add']")).to_contain_text(HINT)
    expect(diff.locator("tr[data-kind='del']")).to_contain_text("Answer the question.")
