"""End-to-end: the built web UI in headless Chromium against a real ``ardea server``.

The server is seeded over its REST API: an experiment with three runs (``acc`` 0.9, 0.7,
0.2; a ``loss`` history on one of them) and an experiment whose name, run name, param, tag
and description carry script payloads, which must render as text and never run.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fixtures import otlp_payloads as otlp
from fixtures.browser_checks import csp_violations
from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow

IMG = "<img src=x onerror=window.__xss=1>"
SCRIPT = "<script>window.__xss=1</script>"
TRACE_HEX = "0123456789abcdef0123456789abcdef"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


class Seeded:
    """The live server and the ids the tests navigate to."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.url = server.url
        self.http = httpx.Client(base_url=f"{server.url}/api/2.0/mlflow", timeout=30)
        self.exp_id = self._experiment("ui-e2e")
        self.runs = {
            name: self._run(self.exp_id, name, acc, lr)
            for name, acc, lr in (
                ("run-good-1", 0.9, "0.1"),
                ("run-good-2", 0.7, "0.01"),
                ("run-bad", 0.2, "1.0"),
            )
        }
        history = [
            {"key": "loss", "value": 1.0 / (1 + i), "timestamp": 1_700_000_000_000 + i, "step": i}
            for i in range(600)
        ]
        self._post("runs/log-batch", {"run_id": self.runs["run-good-1"], "metrics": history})
        good = self.runs["run-good-1"]
        self.upload(good, "metrics.json", b'{"acc": 0.9, "nested": {"f1": 0.8}}')
        self.upload(good, "tables/data.csv", b'epoch,loss\n1,0.5\n2,"0.25"\n')
        self.upload(good, "plot.png", PNG)
        self.xss_exp_id = self._experiment(f"xss {IMG}")
        self.xss_run = self._run(self.xss_exp_id, IMG, 0.5, SCRIPT)
        self.upload(
            self.xss_run, "report.html", f"<html><body>{IMG}{SCRIPT}</body></html>".encode()
        )
        self.upload(self.xss_run, "cells.csv", f'name,value\n"{IMG}","{SCRIPT}"\n'.encode())
        self._trace(self.xss_exp_id)
        self._post(
            "runs/log-batch",
            {
                "run_id": self.xss_run,
                "params": [{"key": "payload", "value": IMG}],
                "tags": [
                    {"key": "xss_tag", "value": SCRIPT},
                    {"key": "mlflow.note.content", "value": f"note {IMG} {SCRIPT}"},
                ],
            },
        )

    def upload(self, run_id: str, path: str, data: bytes) -> None:
        """Store one artifact of ``run_id`` through the UI's upload endpoint."""
        r = httpx.post(
            f"{self.url}/ajax-api/2.0/mlflow/upload-artifact",
            params={"run_id": run_id, "path": path},
            content=data,
            timeout=30,
        )
        assert r.status_code == 200, r.text

    def _trace(self, exp_id: str) -> None:
        """One agent trace over OTLP: a root span, an LLM child (script payloads in its
        inputs and outputs) and a failing tool span."""
        t = TRACE_HEX
        spans = [
            otlp.span(
                t, "a" * 16, "agent",
                attributes={"mlflow.spanInputs": '{"q": "hi"}', "mlflow.spanType": '"AGENT"'},
                start_ns=1_700_000_000_000_000_000, end_ns=1_700_000_002_000_000_000,
            ),
            otlp.span(
                t, "b" * 16, "llm-call", parent_hex="a" * 16,
                attributes={
                    "mlflow.spanInputs": json.dumps({"messages": [{"content": IMG}]}),
                    "mlflow.spanOutputs": json.dumps({"content": SCRIPT}),
                    "mlflow.spanType": '"LLM"',
                },
                start_ns=1_700_000_000_100_000_000, end_ns=1_700_000_001_000_000_000,
            ),
            otlp.span(
                t, "c" * 16, "search-tool", parent_hex="a" * 16, status=2,
                start_ns=1_700_000_001_100_000_000, end_ns=1_700_000_001_900_000_000,
            ),
        ]  # fmt: skip
        r = httpx.post(
            f"{self.url}/v1/traces",
            json=otlp.json_request(spans),
            headers={"x-mlflow-experiment-id": exp_id},
            timeout=30,
        )
        assert r.status_code == 200, r.text

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self.http.post(path, json=body)
        assert r.status_code == 200, r.text
        out: dict[str, Any] = r.json()
        return out

    def _experiment(self, name: str) -> str:
        return str(self._post("experiments/create", {"name": name})["experiment_id"])

    def _run(self, exp_id: str, name: str, acc: float, lr: str) -> str:
        run = self._post(
            "runs/create",
            {"experiment_id": exp_id, "run_name": name, "start_time": 1_700_000_000_000},
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
        self._post(
            "runs/update", {"run_id": run_id, "status": "FINISHED", "end_time": 1_700_000_060_000}
        )
        return run_id


@pytest.fixture(scope="module")
def seeded(ui_server: ServerProcess) -> Iterator[Seeded]:
    s = Seeded(ui_server)
    yield s
    s.http.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    pg = context.new_page()
    pg.csp_violations = csp_violations(pg)  # type: ignore[attr-defined]
    yield pg
    context.close()
    assert pg.csp_violations == []  # type: ignore[attr-defined]


def _rows(page: Any) -> Any:
    return page.locator("[role=table][aria-label=Runs] [data-run-id]")


def _run_names(page: Any) -> list[str]:
    return [t.strip() for t in _rows(page).locator("[role=cell] a").all_inner_texts()]


def test_experiments_list_opens_an_experiment(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    response = page.goto(seeded.url + "/")
    assert response is not None and response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.get_by_role("link", name="ui-e2e", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/experiments/{seeded.exp_id}$"))
    expect(page.get_by_role("heading", name="ui-e2e")).to_be_visible()
    expect(_rows(page)).to_have_count(3)
    assert page.csp_violations == []


def test_filter_and_sort_runs(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}")
    expect(_rows(page)).to_have_count(3)
    box = page.get_by_role("searchbox", name="Filter runs")
    box.fill("metrics.acc > 0.5")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"filter=metrics\.acc"))
    expect(_rows(page)).to_have_count(2)
    assert sorted(_run_names(page)) == ["run-good-1", "run-good-2"]

    # The latest metrics and the params are columns by default; the picker shows them checked.
    columns = page.get_by_role("button", name=re.compile("^Columns"))
    columns.click()
    expect(page.get_by_role("dialog", name="Choose columns").get_by_label("acc")).to_be_checked()
    columns.click()
    header = page.get_by_role("columnheader", name=re.compile("^acc"))
    header.click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(_rows(page).first).to_contain_text("run-good-1")
    header.click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(_rows(page).first).to_contain_text("run-good-2")
    assert _run_names(page) == ["run-good-2", "run-good-1"]
    # The whole view is in the URL: reloading it shows the same rows in the same order.
    page.reload()
    expect(_rows(page)).to_have_count(2)
    expect(_rows(page).first).to_contain_text("run-good-2")


def test_a_bad_filter_shows_the_server_message(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}")
    box = page.get_by_role("searchbox", name="Filter runs")
    box.fill("metrics.acc >>> 1")
    box.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    assert alert.inner_text().strip() != ""
    expect(box).to_have_attribute("aria-invalid", "true")


def test_run_page_draws_the_metric_chart(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}")
    page.get_by_role("link", name="run-good-1").click()
    expect(page.get_by_role("heading", name="run-good-1")).to_be_visible()
    page.get_by_label("Metric", exact=True).select_option("loss")
    chart = page.get_by_test_id("metric-chart")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(page.get_by_text("600 points")).to_be_visible()
    page.get_by_label("Log scale").click()
    expect(page).to_have_url(re.compile(r"log=1"))
    expect(chart.locator("canvas")).to_have_count(1)
    assert page.csp_violations == []


def test_stored_xss_renders_as_text(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(seeded.url + "/")
    expect(page.get_by_role("link", name=f"xss {IMG}")).to_be_visible()
    page.goto(f"{seeded.url}/experiments/{seeded.xss_exp_id}")
    expect(_rows(page)).to_have_count(1)
    expect(_rows(page).first).to_contain_text(IMG)
    page.get_by_role("link", name=IMG).click()
    expect(page.get_by_role("heading", name=IMG)).to_be_visible()
    expect(page.get_by_role("table", name="Parameters")).to_contain_text(IMG)
    expect(page.get_by_role("table", name="Parameters")).to_contain_text(SCRIPT)
    expect(page.get_by_role("table", name="Tags")).to_contain_text(SCRIPT)
    expect(page.get_by_test_id("run-description")).to_contain_text(f"note {IMG} {SCRIPT}")
    artifacts = page.get_by_role("navigation", name="Artifacts")
    artifacts.get_by_role("button", name="report.html").click()
    expect(page.get_by_test_id("artifact-text")).to_contain_text(f"<body>{IMG}{SCRIPT}</body>")
    artifacts.get_by_role("button", name="cells.csv").click()
    table = page.get_by_role("table", name="Artifact table")
    expect(table).to_contain_text(IMG)
    expect(table).to_contain_text(SCRIPT)
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("iframe").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_create_rename_delete_restore_an_experiment(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(seeded.url + "/")
    page.get_by_role("textbox", name="New experiment name").fill("made-in-ui")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="made-in-ui")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/experiments/\d+$"))
    exp_id = page.url.rsplit("/", 1)[-1]

    page.goto(seeded.url + "/?q=made-in")
    row = page.get_by_role("row").filter(has_text="made-in-ui")
    row.get_by_role("button", name="Rename").click()
    page.get_by_role("textbox", name="Rename experiment").fill("renamed-in-ui")
    page.get_by_role("button", name="Save").click()
    page.goto(seeded.url + "/?q=renamed")
    row = page.get_by_role("row").filter(has_text="renamed-in-ui")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Delete").click()
    expect(row).to_have_count(0)

    page.get_by_label("Show").select_option("deleted")
    row = page.get_by_role("row").filter(has_text="renamed-in-ui")
    row.get_by_role("button", name="Restore").click()
    expect(row).to_have_count(0)
    got = seeded.http.get("experiments/get", params={"experiment_id": exp_id}).json()
    assert got["experiment"]["name"] == "renamed-in-ui"
    assert got["experiment"]["lifecycle_stage"] == "active"


def test_compare_two_selected_runs(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}")
    expect(_rows(page)).to_have_count(3)
    for name in ("run-good-1", "run-bad"):
        box = page.get_by_role("checkbox", name=f"Select run {name}")
        box.click()
        expect(box).to_be_checked()
    expect(page).to_have_url(re.compile(r"sel=.*sel="))
    page.get_by_role("link", name="Compare 2").click()
    expect(page.get_by_role("heading", name="Compare 2 runs")).to_be_visible()
    params = page.get_by_role("table", name="Parameters")
    lr = params.get_by_role("row").filter(has_text="lr")
    expect(lr).to_have_attribute("data-differs", "true")
    expect(lr).to_contain_text("0.1")
    expect(lr).to_contain_text("1.0")
    metrics = page.get_by_role("table", name="Metrics")
    expect(metrics.get_by_role("row").filter(has_text="acc")).to_contain_text("0.9")
    expect(page.get_by_test_id("compare-chart").locator("canvas")).to_have_count(1)


def test_browse_and_preview_artifacts(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    run_id = seeded.runs["run-good-1"]
    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}/runs/{run_id}")
    artifacts = page.get_by_role("navigation", name="Artifacts")
    artifacts.get_by_role("button", name="metrics.json").click()
    expect(page).to_have_url(re.compile(r"artifact=metrics\.json"))
    expect(page.get_by_test_id("artifact-text")).to_contain_text('"f1": 0.8')
    artifacts.get_by_role("button", name="tables/").click()
    artifacts.get_by_role("button", name="data.csv").click()
    table = page.get_by_role("table", name="Artifact table")
    expect(table.get_by_role("columnheader")).to_have_text(["epoch", "loss"])
    expect(table.get_by_role("row")).to_have_count(3)
    artifacts.get_by_role("button", name="plot.png").click()
    image = page.get_by_role("img", name="plot.png")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") == 1
    download = page.get_by_role("link", name="Download")
    assert download.get_attribute("href") == f"/get-artifact?run_id={run_id}&path=plot.png"


def test_open_a_trace_and_a_span(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.xss_exp_id}")
    page.get_by_role("navigation", name="Experiment views").get_by_role(
        "link", name="Traces"
    ).click()
    traces = page.get_by_role("table", name="Traces")
    expect(traces.locator("tbody tr")).to_have_count(1)
    traces.get_by_role("link").first.click()
    tree = page.get_by_role("tree", name="Spans")
    expect(tree.get_by_role("treeitem")).to_have_count(3)
    expect(tree.get_by_role("treeitem").first).to_contain_text("agent")
    expect(tree.get_by_role("treeitem").nth(2)).to_have_attribute("aria-level", "2")
    tree.get_by_role("treeitem").filter(has_text="llm-call").click()
    expect(page).to_have_url(re.compile(r"span="))
    expect(page.get_by_test_id("span-inputs")).to_contain_text(IMG)
    expect(page.get_by_test_id("span-outputs")).to_contain_text(SCRIPT)
    tree.get_by_role("treeitem").filter(has_text="search-tool").click()
    expect(page.get_by_label("Span details")).to_contain_text("ERROR")
    tree.get_by_role("button", name="Collapse").click()
    expect(tree.get_by_role("treeitem")).to_have_count(1)
    assert page.locator("img[src=x]").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
