"""End-to-end: the runs table's default columns and chart view, the compare page's layout and
scatter defaults, integer step ticks, the run page's parent field, a training experiment's
overview, and the trace page's sub-millisecond details (issue 11, part B items 3 and 4).

The seed, over the REST API and OTLP: an experiment "training" with three runs (``acc`` logged
once, ``loss`` over steps 0..3, params ``batch_size`` = 32 everywhere and ``lr`` varying) plus
a child run; an experiment "genai" with a 380-microsecond trace whose span carries long dotted
attribute keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fixtures import otlp_payloads as otlp
from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow

TRACE_HEX = "abcdefabcdefabcdefabcdefabcdef01"
ROOT_HEX, CHILD_HEX = "a1" * 8, "b2" * 8
T0 = 1_700_000_000_000_600_000  # ns: 0.6 ms into a millisecond
LONG_KEY = "gen_ai.usage.input_tokens_details.cached_tokens_by_provider"


class Seeded:
    """The live server and the ids the tests open."""

    def __init__(self, server: ServerProcess) -> None:
        self.url = server.url
        self.http = httpx.Client(base_url=f"{server.url}/api/2.0/mlflow", timeout=30)
        self.exp_id = self._post("experiments/create", {"name": "training"})["experiment_id"]
        self.runs = {
            name: self._run(name, acc, lr)
            for name, acc, lr in (("r-a", 0.9, "0.1"), ("r-b", 0.7, "0.01"), ("r-c", 0.4, "1.0"))
        }
        self.child = self._run("r-child", 0.5, "0.2", parent=self.runs["r-a"])
        self.genai_exp = self._post("experiments/create", {"name": "genai"})["experiment_id"]
        spans = [
            otlp.span(
                TRACE_HEX, ROOT_HEX, "agent",
                attributes={"mlflow.spanType": '"AGENT"', LONG_KEY: 7},
                start_ns=T0, end_ns=T0 + 380_000,
            ),
            otlp.span(
                TRACE_HEX, CHILD_HEX, "tool", parent_hex=ROOT_HEX,
                start_ns=T0 + 100_000, end_ns=T0 + 150_000,
            ),
        ]  # fmt: skip
        r = httpx.post(
            f"{self.url}/v1/traces",
            json=otlp.json_request(spans),
            headers={"x-mlflow-experiment-id": self.genai_exp},
            timeout=30,
        )
        assert r.status_code == 200, r.text

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self.http.post(path, json=body)
        assert r.status_code == 200, r.text
        out: dict[str, Any] = r.json()
        return out

    def _run(self, name: str, acc: float, lr: str, parent: str | None = None) -> str:
        tags = [{"key": "mlflow.parentRunId", "value": parent}] if parent else []
        body = {"experiment_id": self.exp_id, "run_name": name, "start_time": 1, "tags": tags}
        run_id = str(self._post("runs/create", body)["run"]["info"]["run_id"])
        ts = 1_700_000_000_000
        metrics = [{"key": "acc", "value": acc, "timestamp": ts, "step": 0}] + [
            {"key": "loss", "value": acc / (step + 1), "timestamp": ts + step, "step": step}
            for step in range(4)
        ]
        params = [{"key": "batch_size", "value": "32"}, {"key": "lr", "value": lr}]
        self._post("runs/log-batch", {"run_id": run_id, "metrics": metrics, "params": params})
        return run_id


@pytest.fixture(scope="module")
def seeded(ui_server: ServerProcess) -> Iterator[Seeded]:
    s = Seeded(ui_server)
    yield s
    s.http.close()


def _headers(page: Any) -> list[str]:
    cells = page.locator("[role=table][aria-label=Runs] [role=columnheader]")
    return [t.strip() for t in cells.all_inner_texts()]


def test_runs_table_shows_metrics_and_params_by_default(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}")
    rows = page.locator("[role=table][aria-label=Runs] [data-run-id]")
    expect(rows).to_have_count(4)
    expect(page.get_by_role("columnheader", name=re.compile("^loss"))).to_be_visible()
    assert [h for h in _headers(page) if h][-4:] == ["acc", "loss", "batch_size", "lr"]
    expect(rows.filter(has_text="r-a")).to_contain_text("0.9")
    # The picker shows the defaults checked; a change is kept in the URL as before.
    page.get_by_role("button", name="Columns (4)").click()
    picker = page.get_by_role("dialog", name="Choose columns")
    expect(picker.get_by_label("acc")).to_be_checked()
    picker.get_by_label("batch_size").click()
    expect(page).to_have_url(re.compile(r"col=metrics\.acc&col=metrics\.loss&col=params\.lr"))
    page.reload()
    expect(page.get_by_role("columnheader", name=re.compile("^lr"))).to_be_visible()
    assert "batch_size" not in _headers(page)
    page.get_by_role("button", name="Columns (3)").click()
    page.get_by_role("button", name="Clear").click()
    expect(page).to_have_url(re.compile(r"col=$"))
    assert "acc" not in _headers(page)
    page.get_by_role("button", name="Default columns").click()
    expect(page).not_to_have_url(re.compile("col="))
    expect(page.get_by_role("columnheader", name=re.compile("^batch_size"))).to_be_visible()


def test_chart_view_draws_one_chart_per_metric(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}")
    for name in ("r-a", "r-b"):
        page.get_by_role("checkbox", name=f"Select run {name}").click()
    page.get_by_role("button", name="Charts").click()
    expect(page).to_have_url(re.compile(r"view=charts"))
    legend = page.get_by_label("Charted runs")
    expect(legend).to_contain_text("r-a")
    expect(legend).to_contain_text("r-b")
    expect(legend).not_to_contain_text("r-c")
    acc = page.get_by_role("figure", name="Chart of acc")
    loss = page.get_by_role("figure", name="Chart of loss")
    expect(acc).to_have_attribute("data-kind", "bar")
    expect(loss).to_have_attribute("data-kind", "line")
    expect(acc.locator("canvas")).to_have_count(1)
    expect(loss.locator("canvas")).to_have_count(1)
    # Steps 0..3 tick on integers only.
    line = loss.get_by_test_id("line-chart")
    expect(line).to_have_attribute("data-x-ticks", re.compile(r"^\d+(,\d+)*$"))
    ticks = [int(t) for t in line.get_attribute("data-x-ticks").split(",")]
    assert ticks and set(ticks) <= {0, 1, 2, 3}
    # Back to the table: the selection is kept.
    page.get_by_role("button", name="Table").click()
    expect(page.get_by_role("checkbox", name="Select run r-a")).to_be_checked()


def test_run_page_step_axis_ticks_on_integers_and_hides_an_empty_parent(
    page: Any, seeded: Seeded
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}/runs/{seeded.runs['r-a']}?metric=loss")
    chart = page.get_by_test_id("metric-chart")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(chart).to_have_attribute("data-x-ticks", re.compile(r"^\d+(,\d+)*$"))
    assert "0.5" not in chart.get_attribute("data-x-ticks").split(",")
    overview = page.get_by_label("Overview")
    expect(overview).to_contain_text("Run ID")
    expect(overview).not_to_contain_text("Parent run")
    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}/runs/{seeded.child}")
    expect(page.get_by_label("Overview")).to_contain_text("Parent run")


def test_compare_page_lines_up_and_scatters_varying_values(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    sel = "&".join(f"sel={r}" for r in seeded.runs.values())
    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}/compare?{sel}")
    params = page.get_by_role("table", name="Parameters")
    metrics = page.get_by_role("table", name="Metrics")
    expect(params.get_by_role("row").filter(has_text="lr")).to_be_visible()
    expect(metrics.get_by_role("row").filter(has_text="acc")).to_be_visible()
    lefts = [
        [c.bounding_box()["x"] for c in table.locator("thead th").all()]
        for table in (params, metrics)
    ]
    assert lefts[0] == lefts[1] and len(lefts[0]) == 4
    # batch_size is the same everywhere: the scatter plot's x defaults to lr, which varies.
    expect(page.get_by_label("Scatter X")).to_have_value("param:lr")
    expect(page.get_by_label("Scatter Y")).to_have_value("metric:acc")
    crumbs = page.get_by_role("navigation", name="Breadcrumbs")
    expect(crumbs.get_by_role("link", name="training")).to_have_attribute(
        "href", f"/experiments/{seeded.exp_id}"
    )


def test_training_overview_shows_runs_before_any_trace_chart(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}/overview")
    note = page.get_by_test_id("no-traces")
    expect(note).to_be_visible()
    best = page.get_by_role("table", name="Best runs")
    expect(best).to_contain_text("r-a")
    assert best.bounding_box()["y"] < note.bounding_box()["y"]
    expect(page.get_by_role("figure", name="Traces")).to_have_count(0)
    expect(page.locator(".overview-card canvas")).to_have_count(0)


def test_sub_millisecond_trace(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(f"{seeded.url}/experiments/{seeded.genai_exp}/traces/tr-{TRACE_HEX}")
    crumbs = page.get_by_role("navigation", name="Breadcrumbs")
    expect(crumbs.get_by_role("link", name="genai")).to_be_visible()
    expect(crumbs.get_by_role("link", name="Traces")).to_be_visible()
    summary = page.get_by_test_id("trace-summary")
    expect(summary).to_contain_text("380µs")
    tree = page.get_by_role("tree", name="Spans")
    root = tree.get_by_role("treeitem").filter(has_text="agent")
    expect(root).to_contain_text("380µs")
    expect(tree.get_by_role("treeitem").filter(has_text="tool")).to_contain_text("50µs")
    # The root's bar spans the whole timeline (the window is the root's own nanosecond times).
    bar = root.locator(".span-bar")
    style = bar.get_attribute("style") or ""
    left = float(re.search(r"left:\s*([\d.]+)%", style).group(1))  # type: ignore[union-attr]
    width = float(re.search(r"width:\s*([\d.]+)%", style).group(1))  # type: ignore[union-attr]
    assert left < 0.5 and width > 99.5, style
    details = page.get_by_label("Span details")
    expect(details.get_by_test_id("span-duration")).to_have_text("380µs")
    key = details.locator("th.attr-key", has_text="cached_tokens")
    expect(key).to_have_attribute("title", LONG_KEY)
    # Each dotted/underscored part of the key sits on one line: breaks fall between parts.
    lines_per_part = key.evaluate(
        """th => [...th.childNodes].filter(n => n.nodeType === 3).map(n => {
            const r = document.createRange(); r.selectNodeContents(n);
            return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size;
        })"""
    )
    assert lines_per_part and all(n == 1 for n in lines_per_part), lines_per_part
