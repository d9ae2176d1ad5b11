"""End-to-end: the experiment overview, the models pages and the prompt pages in headless
Chromium against a real ``ardea server`` seeded over its REST API.

The seed: an experiment with three recent traces (one failing, feedback on two) and two runs
with an ``acc`` metric; a registered model with two versions (one from a run, with an alias);
a prompt with two versions whose templates differ in one line, and a run linked to version 1.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fixtures import otlp_payloads as otlp
from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow

PROMPT_V1 = "Answer {{ question }} briefly.\nUse the context: {{ context }}"
PROMPT_V2 = "Answer {{ question }} in detail.\nUse the context: {{ context }}"


class Seeded:
    """The live server and the names and ids the tests navigate to."""

    def __init__(self, server: ServerProcess) -> None:
        self.url = server.url
        self.http = httpx.Client(base_url=f"{server.url}/api", timeout=30)
        self.exp_id = str(
            self._post("2.0/mlflow/experiments/create", {"name": "overview-e2e"})["experiment_id"]
        )
        self.runs = {
            name: self._run(name, acc) for name, acc in (("best-run", 0.95), ("worse-run", 0.4))
        }
        self._traces()
        self._model()
        self._prompt()

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self.http.post(path, json=body)
        assert r.status_code == 200, r.text
        out: dict[str, Any] = r.json()
        return out

    def _run(self, name: str, acc: float) -> str:
        run = self._post(
            "2.0/mlflow/runs/create", {"experiment_id": self.exp_id, "run_name": name}
        )["run"]
        run_id = str(run["info"]["run_id"])
        metric = {"key": "acc", "value": acc, "timestamp": int(time.time() * 1000), "step": 0}
        self._post("2.0/mlflow/runs/log-batch", {"run_id": run_id, "metrics": [metric]})
        return run_id

    def _traces(self) -> None:
        now = time.time_ns()
        spans = []
        for i, (status, ms) in enumerate(((1, 120), (1, 300), (2, 900))):
            start = now - (10 + i) * 60 * 10**9
            spans.append(
                otlp.span(
                    f"{i + 1:032x}", f"{i + 1:016x}", f"agent-{i}", status=status,
                    attributes={"mlflow.spanType": '"AGENT"'},
                    start_ns=start, end_ns=start + ms * 10**6,
                )
            )  # fmt: skip
        r = httpx.post(
            f"{self.url}/v1/traces",
            json=otlp.json_request(spans),
            headers={"x-mlflow-experiment-id": self.exp_id},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        for i, value in ((1, True), (2, "no")):
            trace_id = f"tr-{i:032x}"
            self._post(
                f"3.0/mlflow/traces/{trace_id}/assessments",
                {"assessment": {"assessment_name": "correct", "feedback": {"value": value}}},
            )

    def _model(self) -> None:
        self._post("2.0/mlflow/registered-models/create", {"name": "e2e-model"})
        self._post(
            "2.0/mlflow/model-versions/create",
            {"name": "e2e-model", "source": "s3://bucket/model-1"},
        )
        self._post(
            "2.0/mlflow/model-versions/create",
            {"name": "e2e-model", "source": "s3://bucket/model-2", "run_id": self.runs["best-run"]},
        )
        self._post(
            "2.0/mlflow/registered-models/alias",
            {"name": "e2e-model", "alias": "champion", "version": "2"},
        )

    def _prompt(self) -> None:
        is_prompt = {"key": "mlflow.prompt.is_prompt", "value": "true"}
        self._post(
            "2.0/mlflow/registered-models/create", {"name": "e2e-prompt", "tags": [is_prompt]}
        )
        for text, message in ((PROMPT_V1, "first"), (PROMPT_V2, "more detail")):
            self._post(
                "2.0/mlflow/model-versions/create",
                {
                    "name": "e2e-prompt",
                    "source": "dummy-source",
                    "description": message,
                    "tags": [
                        is_prompt,
                        {"key": "mlflow.prompt.text", "value": text},
                        {"key": "_mlflow_prompt_type", "value": "text"},
                    ],
                },
            )
        linked = json.dumps([{"name": "e2e-prompt", "version": "1"}])
        self._post(
            "2.0/mlflow/runs/set-tag",
            {"run_id": self.runs["worse-run"], "key": "mlflow.linkedPrompts", "value": linked},
        )


@pytest.fixture(scope="module")
def seeded(ui_server: ServerProcess) -> Iterator[Seeded]:
    s = Seeded(ui_server)
    yield s
    s.http.close()


def test_experiment_overview_draws_charts(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}")
    page.get_by_role("navigation", name="Experiment views").get_by_role(
        "link", name="Overview"
    ).click()
    expect(page).to_have_url(re.compile(rf"/experiments/{seeded.exp_id}/overview"))
    expect(page.get_by_test_id("total-traces")).to_have_text("3")
    expect(page.get_by_test_id("total-errors")).to_contain_text("1")
    for title in ("Traces", "Latency", "Errors", "Tokens", "Cost", "Assessment pass rate"):
        expect(page.get_by_role("figure", name=title).locator("canvas")).to_have_count(1)
    rates = page.get_by_role("table", name="Assessment pass rates")
    expect(rates.get_by_role("row").filter(has_text="correct")).to_contain_text("50%")
    best = page.get_by_role("table", name="Best runs")
    expect(best.get_by_role("link").first).to_have_text("best-run")
    page.get_by_label("Best runs order").select_option("asc")
    expect(best.get_by_role("link").first).to_have_text("worse-run")
    page.get_by_role("button", name="Last 7 days").click()
    expect(page).to_have_url(re.compile(r"range=7d"))
    expect(page.get_by_role("figure", name="Traces").locator("canvas")).to_have_count(1)


def test_open_a_model_and_its_versions(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(seeded.url + "/")
    page.get_by_role("banner").get_by_role("link", name="Models").click()
    models = page.get_by_role("table", name="Registered models")
    expect(models.get_by_role("link", name="e2e-prompt")).to_have_count(0)  # prompts apart
    models.get_by_role("link", name="e2e-model").click()
    expect(page.get_by_role("heading", name="e2e-model")).to_be_visible()
    versions = page.get_by_role("table", name="Versions")
    expect(versions.locator("tbody tr")).to_have_count(2)
    v2 = versions.locator("tr[data-version='2']")
    expect(v2).to_contain_text("@champion")
    expect(v2).to_contain_text("READY")
    v2.get_by_role("link", name="best-run").click()
    expect(page.get_by_role("heading", name="best-run")).to_be_visible()


def test_open_a_prompt_diff(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(seeded.url + "/prompts")
    page.get_by_role("table", name="Prompts").get_by_role("link", name="e2e-prompt").click()
    template = page.get_by_test_id("prompt-template")
    expect(template.locator("[data-variable]")).to_have_count(2)
    expect(template.locator("[data-variable='question']")).to_have_text("{{ question }}")
    diff = page.get_by_role("table", name="Diff from v1 to v2")
    expect(diff.locator("tr[data-kind='del']")).to_have_text(re.compile("briefly"))
    expect(diff.locator("tr[data-kind='add']")).to_have_text(re.compile("in detail"))
    expect(diff.locator("tr[data-kind='same']")).to_have_count(1)
    page.get_by_label("Diff from version").select_option("2")
    expect(page).to_have_url(re.compile(r"from=2"))
    expect(page.get_by_text("No differences.")).to_be_visible()
    runs = page.get_by_role("table", name="Runs that used the prompt")
    expect(runs.get_by_role("link", name="worse-run")).to_be_visible()
