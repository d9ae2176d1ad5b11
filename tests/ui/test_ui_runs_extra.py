"""End-to-end: the runs extras of the web UI (issue 5 item 3) in headless Chromium against a
real ``ardea server``: the compare page's parallel-coordinates plot, grouping the runs table
by a param, and a run page's child runs, datasets and editable description.

The seed: one experiment with three runs (``lr`` 0.1 / 0.1 / 0.5, an ``acc`` metric), a child
run of the first, and a dataset input on the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow


class Seeded:
    """The live server and the ids the tests navigate to."""

    def __init__(self, server: ServerProcess) -> None:
        self.url = server.url
        self.http = httpx.Client(base_url=f"{server.url}/api/2.0/mlflow", timeout=30)
        self.exp_id = str(self._post("experiments/create", {"name": "runs-extra"})["experiment_id"])
        self.runs = {
            name: self._run(name, acc, lr)
            for name, acc, lr in (("a-1", 0.9, "0.1"), ("a-2", 0.7, "0.1"), ("b-1", 0.2, "0.5"))
        }
        parent = self.runs["a-1"]
        self.child = self._run("child-run", 0.5, "0.1", {"mlflow.parentRunId": parent})
        self._post(
            "runs/log-inputs",
            {
                "run_id": parent,
                "datasets": [
                    {
                        "tags": [{"key": "mlflow.data.context", "value": "training"}],
                        "dataset": {
                            "name": "iris-ds",
                            "digest": "d1g35t",
                            "source_type": "local",
                            "source": '{"uri": "/tmp/iris.csv"}',
                        },
                    }
                ],
            },
        )

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self.http.post(path, json=body)
        assert r.status_code == 200, r.text
        out: dict[str, Any] = r.json()
        return out

    def _run(self, name: str, acc: float, lr: str, tags: dict[str, str] | None = None) -> str:
        run = self._post(
            "runs/create",
            {
                "experiment_id": self.exp_id,
                "run_name": name,
                "start_time": 1_700_000_000_000,
                "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()],
            },
        )["run"]
        run_id = str(run["info"]["run_id"])
        self._post(
            "runs/log-batch",
            {
                "run_id": run_id,
                "metrics": [
                    {"key": "acc", "value": acc, "timestamp": 1_700_000_000_000, "step": 0}
                ],
                "params": [{"key": "lr", "value": lr}],
            },
        )
        return run_id


@pytest.fixture(scope="module")
def seeded(ui_server: ServerProcess) -> Iterator[Seeded]:
    s = Seeded(ui_server)
    yield s
    s.http.close()


def test_compare_page_draws_parallel_coordinates_and_scatter(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    sel = "&".join(f"sel={r}" for r in seeded.runs.values())
    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}/compare?{sel}")
    canvas = page.get_by_test_id("parallel-coordinates")
    expect(canvas).to_be_visible()
    assert canvas.evaluate("c => c.width") > 0
    expect(page.get_by_test_id("scatter-plot")).to_be_visible()
    page.get_by_label("Scatter X").select_option("param:lr")
    expect(page).to_have_url(re.compile(r"sx=param%3Alr"))


def test_group_runs_by_a_param(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}?col=metrics.acc")
    page.get_by_label("Group by").select_option("params.lr")
    expect(page).to_have_url(re.compile(r"group=params.lr"))
    groups = page.get_by_test_id("group-row")
    expect(groups).to_have_count(2)
    expect(groups.first).to_contain_text("0.1 (3)")
    # The mean of acc over 0.9, 0.7 and 0.5.
    expect(groups.first).to_contain_text("0.7")
    rows = page.locator("[role=table][aria-label=Runs] [data-run-id]")
    expect(rows).to_have_count(4)
    groups.first.get_by_role("button").click()
    expect(rows).to_have_count(1)


def test_run_page_children_datasets_and_description(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}/runs/{seeded.runs['a-1']}")
    expect(
        page.get_by_role("list", name="Child runs").get_by_role("link", name="child-run")
    ).to_be_visible()
    datasets = page.get_by_role("table", name="Datasets")
    expect(datasets).to_contain_text("iris-ds")
    expect(datasets).to_contain_text("d1g35t")
    expect(datasets).to_contain_text("training")
    page.get_by_role("button", name="Edit description").click()
    page.get_by_label("Description").fill("A <b>plain</b> note")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("run-description")).to_have_text("A <b>plain</b> note")
    page.reload()
    expect(page.get_by_test_id("run-description")).to_have_text("A <b>plain</b> note")


def test_run_chart_smoothing_and_relative_time_live_in_the_url(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}/runs/{seeded.runs['a-1']}?x=relative")
    expect(page.get_by_label("X axis")).to_have_value("relative")
    page.get_by_label("Smoothing").fill("0.6")
    expect(page).to_have_url(re.compile(r"smooth=0\.6"))
    chart = page.get_by_test_id("metric-chart")
    expect(chart).to_contain_text("acc (smoothed)")
    expect(chart).to_contain_text("acc (raw)")
