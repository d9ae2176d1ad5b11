"""End-to-end: the judge builder and the registered scorers, in headless Chromium against a real
``ardea server`` whose only model provider is the fake LLM server (``OPENAI_BASE_URL``).

Three traces are logged over OTLP, two with a HUMAN ``correct`` label (yes, no). A judge is
written in the builder, run on the three traces (the fake model says yes to each), its verdicts
shown beside the labels with the agreement (1 of 2 agree: 50%), saved as a scorer, found in the
registered scorers list, opened back and saved as version 2; the stock ``mlflow`` client then
lists and rebuilds the saved judge.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fixtures.fake_llm_server import FakeLLMServer
from fixtures.otlp_payloads import protobuf_request, span
from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow

INSTRUCTIONS = "Is {{ outputs }} a correct answer to "


@pytest.fixture(scope="module")
def fake_model() -> Iterator[FakeLLMServer]:
    server = FakeLLMServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def judge_server(
    browser: Any, fake_model: FakeLLMServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    data = Path(tmp_path_factory.mktemp("judge-server"))
    env = {
        "OPENAI_BASE_URL": fake_model.openai_base_url,
        "OPENAI_API_KEY": "sk-ui-test-key",
        "ARDEA_CREDENTIALS_FILE": str(data / "credentials.toml"),
        "ARDEA_JUDGE_MODEL": "",
        "MLFLOW_GENAI_JUDGE_DEFAULT_MODEL": "",
    }
    server = ServerProcess(data, env=env)
    try:
        yield server
    finally:
        server.stop()


def _post(server: ServerProcess, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(f"{server.url}{path}", json=body, timeout=30)
    assert r.status_code == 200, (path, r.text)
    answer: dict[str, Any] = r.json()
    return answer


@pytest.fixture(scope="module")
def seeded(judge_server: ServerProcess) -> tuple[str, list[str]]:
    exp = str(
        _post(judge_server, "/api/2.0/mlflow/experiments/create", {"name": "judges"})[
            "experiment_id"
        ]
    )
    traces = []
    for n, (question, answer) in enumerate(
        [("capital of France", "Paris"), ("2 + 2", "5"), ("largest ocean", "Pacific")], start=1
    ):
        attrs = {
            "mlflow.spanType": "CHAIN",
            "mlflow.spanInputs": json.dumps({"question": question}),
            "mlflow.spanOutputs": json.dumps(answer),
        }
        r = httpx.post(
            f"{judge_server.url}/v1/traces",
            content=protobuf_request([span(f"{n:032x}", f"{n:016x}", "qa", attributes=attrs)]),
            headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        traces.append(f"tr-{n:032x}")
    for trace_id, value in ((traces[0], True), (traces[1], False)):
        _post(
            judge_server,
            f"/api/3.0/mlflow/traces/{trace_id}/assessments",
            {
                "assessment": {
                    "assessment_name": "correct",
                    "trace_id": trace_id,
                    "source": {"source_type": "HUMAN", "source_id": "reviewer"},
                    "feedback": {"value": value},
                }
            },
        )
    return exp, traces


def test_write_run_save_and_list_a_judge(
    page: Any, judge_server: ServerProcess, fake_model: FakeLLMServer, seeded: tuple[str, list[str]]
) -> None:
    from playwright.sync_api import expect

    exp, traces = seeded
    fake_model.reset()
    for _ in traces:
        fake_model.queue_json({"result": True, "rationale": "the answer is right"})

    page.goto(f"{judge_server.url}/experiments/{exp}")
    page.get_by_role("navigation", name="Experiment views").get_by_role(
        "link", name="Judges"
    ).click()
    expect(page.get_by_test_id("no-scorers")).to_be_visible()
    page.get_by_role("link", name="New judge").click()
    expect(page).to_have_url(re.compile(rf"/experiments/{exp}/judges/builder$"))

    page.get_by_label(re.compile("^Name")).fill("correct")
    editor = page.get_by_label("Instructions")
    editor.fill(INSTRUCTIONS)
    editor.press("End")
    page.get_by_role("group", name="Template variables").get_by_role(
        "button", name="{{ inputs }}"
    ).click()
    expect(editor).to_have_value(INSTRUCTIONS + "{{ inputs }}")
    expect(page.get_by_test_id("providers")).to_contain_text("openai")

    picker = page.get_by_role("table", name="Traces")
    expect(picker.locator(f"tr[data-trace='{traces[0]}'] td[data-col='human']")).to_contain_text(
        "yes"
    )
    expect(picker.locator(f"tr[data-trace='{traces[1]}'] td[data-col='human']")).to_contain_text(
        "no"
    )
    for trace_id in traces:
        page.get_by_role("checkbox", name=f"Select {trace_id}").check()
    page.get_by_role("button", name="Run on 3 traces").click()

    verdicts = page.get_by_role("table", name="Verdicts")
    expect(verdicts.locator("tbody tr")).to_have_count(3)
    expect(verdicts.locator(f"tr[data-trace='{traces[0]}']")).to_contain_text("agrees")
    expect(verdicts.locator(f"tr[data-trace='{traces[1]}']")).to_contain_text("disagrees")
    expect(verdicts).to_contain_text("the answer is right")
    agreement = page.get_by_role("table", name="Agreement")
    expect(agreement.locator("tr[data-measure='accuracy']")).to_contain_text("50%")
    expect(agreement.locator("tr[data-measure='kappa']")).to_be_visible()
    expect(page.get_by_test_id("preview-totals")).to_contain_text("3 judged")
    sent = fake_model.requests_to("/chat/completions")
    assert len(sent) == 3
    assert any("capital of France" in json.dumps(r.body) for r in sent)

    page.get_by_role("button", name="Save as scorer").click()
    expect(page.get_by_test_id("saved")).to_contain_text("Saved correct version 1")
    page.get_by_role("link", name="See the registered scorers").click()
    row = page.get_by_role("table", name="Registered scorers").locator("tr[data-scorer='correct']")
    expect(row).to_contain_text("LLM judge")
    expect(row.locator("td[data-col='version']")).to_have_text("1")
    expect(row.locator("td[data-col='sampling']")).to_have_text("off")

    # Opened back in the builder, saved again: version 2.
    row.get_by_role("link", name="Edit").click()
    expect(page.get_by_test_id("editing")).to_contain_text("correct version 1")
    expect(page.get_by_label("Instructions")).to_have_value(INSTRUCTIONS + "{{ inputs }}")
    page.get_by_role("button", name="Save as scorer").click()
    expect(page.get_by_test_id("saved")).to_contain_text("Saved correct version 2")
    _stock_client_reads(judge_server.url, exp)


def _stock_client_reads(url: str, exp: str) -> None:
    """The stock ``mlflow`` client lists and rebuilds the judge the builder saved."""
    mlflow = pytest.importorskip("mlflow")
    from mlflow.genai.scorers import get_scorer, list_scorers

    mlflow.set_tracking_uri(url)
    try:
        assert [s.name for s in list_scorers(experiment_id=exp)] == ["correct"]
        judge = get_scorer(name="correct", experiment_id=exp)
        assert judge.name == "correct"
        assert judge.instructions == INSTRUCTIONS + "{{ inputs }}"
        assert judge.model == "openai:/gpt-4.1-mini"
        assert get_scorer(name="correct", experiment_id=exp, version=1).name == "correct"
    finally:
        mlflow.set_tracking_uri(None)
