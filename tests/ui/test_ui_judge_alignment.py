"""End-to-end: a judge's agreement history on the judges page, in headless Chromium against a
real ``ardea server``.

The test aligns a judge twice from the SDK against the server (the judge and reflection calls go
to the fake provider in its alignment rule mode, from this process): once on labels where the
right guideline is known (promoted, version 2), once on inverted labels (rejected). The judges
page then shows both runs: the kappa and accuracy charts with a point per judge and run, and the
lineage table (optimizer, label count, versions, decision).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ardea.evaluation.alignment import align
from ardea.evaluation.scorers.judge import make_judge
from fixtures.alignment_rules import INSTRUCTIONS, judge_rule, rows
from fixtures.fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.slow


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as fake:
        fake.rule = judge_rule
        monkeypatch.setenv("OPENAI_BASE_URL", fake.openai_base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-ui-align")
        monkeypatch.setenv("ARDEA_CREDENTIALS_FILE", str(tmp_path / "credentials.toml"))
        monkeypatch.setenv("ARDEA_PROGRESS", "0")
        yield fake


def test_the_judges_page_shows_each_judges_agreement_history(
    page: Any, ui_server: Any, model: FakeLLMServer
) -> None:
    from playwright.sync_api import expect

    r = httpx.post(f"{ui_server.url}/api/2.0/mlflow/experiments/create", json={"name": "align"})
    exp = str(r.json()["experiment_id"])
    judge = make_judge(name="cited", instructions=INSTRUCTIONS, feedback_value_type=bool,
                       model="openai:/gpt-4.1-mini")  # fmt: skip
    first = align(judge, rows(40), experiment_id=exp, tracking_uri=ui_server.url, min_holdout=5)
    second = align(judge, rows(40, truth="inverted"), experiment_id=exp,
                   tracking_uri=ui_server.url, min_holdout=5)  # fmt: skip
    assert first.promoted and not second.promoted

    page.goto(f"{ui_server.url}/experiments/{exp}/judges")
    scorers = page.get_by_role("table", name="Registered scorers")
    expect(scorers.locator("tr[data-scorer='cited'] td[data-col='version']")).to_have_text("2")
    history = page.get_by_role("region", name="Agreement history")
    expect(history.get_by_role("heading", name="cited")).to_be_visible()
    kappa = history.get_by_role("img", name="Cohen's kappa per alignment run")
    expect(kappa.get_by_role("img", name="run 1 after (promoted): 1.000")).to_be_attached()
    expect(kappa.get_by_role("img", name="run 2 after (rejected): -1.000")).to_be_attached()
    expect(kappa.get_by_role("img", name="run 1 before: 0.000")).to_be_attached()
    accuracy = history.get_by_role("img", name="Accuracy per alignment run")
    expect(accuracy.locator("g.point")).to_have_count(4)

    runs = history.get_by_role("table", name="Alignment runs of cited").locator("tbody tr")
    expect(runs).to_have_count(2)
    expect(runs.nth(0).locator("td[data-col='labels']")).to_contain_text(
        "40 (28 train, 12 held out)"
    )
    expect(runs.nth(0).locator("td[data-col='versions']")).to_have_text("v1 → v2")
    expect(runs.nth(0).locator("td[data-col='decision']")).to_contain_text("promoted")
    expect(runs.nth(1).locator("td[data-col='versions']")).to_have_text("v1")
    expect(runs.nth(1).locator("td[data-col='decision']")).to_contain_text(
        re.compile("rejected: kappa did not rise")
    )
    expect(runs.nth(1)).to_contain_text("memalign")
