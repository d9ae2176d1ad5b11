"""End-to-end: Markdown descriptions, plot tooltips and full-width runs-table rows (issue 5).

Headless Chromium against a real ``ardea server`` seeded with the Python SDK
(``ArdeaClient``): two runs (``md-a``: lr 0.1, acc 0.2; ``md-b``: lr 0.5, acc 0.9), the first
with a Markdown description that carries an ``<img onerror>`` payload and a ``javascript:``
link, and a registered model whose description and version description are Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow

NOTE = (
    "# Title\n\n"
    "Some **bold** text.\n\n"
    "- first item\n"
    "- second item\n\n"
    "<img src=x onerror=alert(1)>\n\n"
    "[bad link](javascript:alert(2)) and [docs](https://example.com/docs)\n"
)
# The plots' padding (components/run/RunPlots.tsx): the lowest-left dot / line end sits at
# (PAD_LEFT, HEIGHT - PAD_BOTTOM) of the canvas.
PAD_LEFT, PAD_TOP, PAD_BOTTOM, HEIGHT = 60, 24, 28, 320


class Seeded:
    """The live server and the ids the tests open."""

    def __init__(self, server: ServerProcess) -> None:
        from ardea.client import ArdeaClient

        self.url = server.url
        client = ArdeaClient(server.url)
        try:
            self.exp_id = str(client.create_experiment("ui-markdown"))
            self.runs: dict[str, str] = {}
            for name, lr, acc in (("md-a", "0.1", 0.2), ("md-b", "0.5", 0.9)):
                run_id = client.create_run(self.exp_id, run_name=name).info.run_id
                client.log_param(run_id, "lr", lr)
                client.log_metric(run_id, "acc", acc, step=0)
                self.runs[name] = run_id
            client.set_tag(self.runs["md-a"], "mlflow.note.content", NOTE)
            client.create_registered_model("md-model", description="## Model notes\n\n- *fast*")
            client.create_model_version(
                "md-model", "s3://b/m", run_id=self.runs["md-a"], description="**v1 fix**"
            )
        finally:
            client.close()


@pytest.fixture(scope="module")
def seeded(ui_server: ServerProcess) -> Iterator[Seeded]:
    yield Seeded(ui_server)


def _dialogs(page: Any) -> list[str]:
    seen: list[str] = []

    def on_dialog(dialog: Any) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen


def test_run_description_renders_markdown_without_html(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    dialogs = _dialogs(page)
    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}/runs/{seeded.runs['md-a']}")
    description = page.get_by_test_id("run-description")
    expect(description.get_by_role("heading", level=1, name="Title")).to_be_visible()
    expect(description.locator("strong")).to_have_text("bold")
    expect(description.locator("li")).to_have_text(["first item", "second item"])
    expect(description).to_contain_text("<img src=x onerror=alert(1)>")
    assert description.locator("img").count() == 0
    expect(description.get_by_role("link", name="docs")).to_have_attribute(
        "href", "https://example.com/docs"
    )
    bad = description.locator("a", has_text="bad link")
    expect(bad).to_have_count(1)
    assert not re.match(r"\s*javascript:", bad.get_attribute("href") or "", re.I)

    # Edit with a preview; saving stores the Markdown source.
    page.get_by_role("button", name="Edit description").click()
    page.get_by_label("Description").fill("## Changed\n\n1. one")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_test_id("description-preview")
    expect(preview.get_by_role("heading", level=2, name="Changed")).to_be_visible()
    page.get_by_role("button", name="Edit", exact=True).click()
    expect(page.get_by_label("Description")).to_have_value("## Changed\n\n1. one")
    page.get_by_role("button", name="Save").click()
    expect(description.get_by_role("heading", level=2, name="Changed")).to_be_visible()
    page.reload()
    expect(description.locator("ol li")).to_have_text(["one"])
    assert dialogs == []


def test_model_descriptions_render_markdown(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/models/md-model")
    description = page.get_by_test_id("model-description")
    expect(description.get_by_role("heading", level=2, name="Model notes")).to_be_visible()
    expect(description.locator("li em")).to_have_text("fast")
    versions = page.get_by_role("table", name="Versions")
    expect(versions.locator("strong")).to_have_text("v1 fix")


def test_scatter_and_parallel_plots_show_hover_tooltips(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    sel = "&".join(f"sel={r}" for r in seeded.runs.values())
    page.goto(
        f"{seeded.url}/experiments/{seeded.exp_id}/compare?{sel}"
        "&pc=param:lr&pc=metric:acc&sx=param:lr&sy=metric:acc"
    )
    scatter = page.get_by_test_id("scatter-plot")
    expect(scatter).to_be_visible()
    box = scatter.bounding_box()
    assert box is not None
    # md-a has the lowest lr and acc: bottom-left; md-b top-right.
    scatter.hover(position={"x": PAD_LEFT + 1, "y": HEIGHT - PAD_BOTTOM - 1})
    tip = page.get_by_test_id("scatter-tooltip")
    expect(tip).to_have_text(re.compile(r"md-a\s+lr: 0\.1\s+acc: 0\.2"))
    scatter.hover(position={"x": box["width"] - PAD_LEFT - 1, "y": PAD_TOP + 1})
    expect(tip).to_contain_text("md-b")
    scatter.hover(position={"x": box["width"] / 2, "y": HEIGHT / 2})
    expect(tip).to_have_count(0)

    parallel = page.get_by_test_id("parallel-coordinates")
    pbox = parallel.bounding_box()
    assert pbox is not None
    # md-b's line runs along the top of both axes.
    parallel.hover(position={"x": pbox["width"] / 2, "y": PAD_TOP + 2})
    expect(page.get_by_test_id("parallel-tooltip")).to_contain_text("md-b")
    parallel.hover(position={"x": pbox["width"] / 2, "y": HEIGHT - PAD_BOTTOM - 2})
    expect(page.get_by_test_id("parallel-tooltip")).to_contain_text("md-a")


def test_compare_chart_cursor_lists_each_runs_value(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    sel = "&".join(f"sel={r}" for r in seeded.runs.values())
    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}/compare?{sel}&metric=acc")
    over = page.get_by_test_id("compare-chart").locator(".u-over")
    expect(over).to_be_visible()
    ob = over.bounding_box()
    assert ob is not None
    over.hover(position={"x": ob["width"] / 2, "y": ob["height"] / 2})
    tip = page.get_by_test_id("chart-tooltip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("md-a: 0.2")
    expect(tip).to_contain_text("md-b: 0.9")


def test_runs_table_rows_span_the_full_width(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1800, "height": 900})
    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}")
    rows = page.locator("[role=table][aria-label=Runs] [data-run-id]")
    expect(rows).to_have_count(2)
    body_width = page.locator(".grid-body").evaluate("el => el.clientWidth")
    cells_width = rows.first.evaluate(
        "el => [...el.children].reduce((w, c) => w + c.getBoundingClientRect().width, 0)"
    )
    row_width = rows.first.evaluate("el => el.getBoundingClientRect().width")
    assert cells_width < body_width  # the columns are narrower than the grid here
    assert abs(row_width - body_width) <= 1
    # The second row is striped.
    assert "odd" in (rows.nth(1).get_attribute("class") or "")
