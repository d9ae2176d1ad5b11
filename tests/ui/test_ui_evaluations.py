"""End-to-end: the Evaluations tab, one evaluation's results grid, the comparison of two
evaluations, and the datasets pages, in headless Chromium against a real server.

Seeded over the REST API as MLflow's ``genai.evaluate`` logs an evaluation
(``tests/fixtures/evaluation_seed.py``: a baseline whose ``correct`` judge passes every row and
a candidate that fails 8 of 12 and errors on one), plus a dataset with three versions.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from fixtures.evaluation_seed import REGRESSED, ROWS, SeededEvaluations, seed_evaluations
from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow


def _post(server: ServerProcess, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(f"{server.url}{path}", json=body, timeout=30)
    assert r.status_code == 200, (path, r.text)
    answer: dict[str, Any] = r.json()
    return answer


@pytest.fixture(scope="module")
def seeded(ui_server: ServerProcess) -> SeededEvaluations:
    exp = _post(ui_server, "/api/2.0/mlflow/experiments/create", {"name": "e2e-evals"})
    return seed_evaluations(lambda p, b: _post(ui_server, p, b), str(exp["experiment_id"]))


@pytest.fixture(scope="module")
def dataset(ui_server: ServerProcess, seeded: SeededEvaluations) -> str:
    made = _post(
        ui_server,
        "/api/3.0/mlflow/datasets/create",
        {"name": "heron-facts", "experiment_ids": [seeded.experiment_id]},
    )["dataset"]
    dataset_id = str(made["dataset_id"])
    records = "/api/3.0/mlflow/datasets/" + dataset_id + "/records"
    first = [{"inputs": {"q": f"fact {i}"}, "expectations": {"answer": f"a{i}"}} for i in range(3)]
    _post(ui_server, records, {"records": json.dumps(first)})
    second = [{"inputs": {"q": "fact 1"}, "expectations": {"answer": "a1, revised"}}]
    second.append({"inputs": {"q": "fact 3"}, "expectations": {"answer": "a3"}})
    _post(ui_server, records, {"records": json.dumps(second)})
    return dataset_id


def test_evaluations_tab_lists_runs_with_aggregates(
    page: Any, ui_server: ServerProcess, seeded: SeededEvaluations
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{ui_server.url}/experiments/{seeded.experiment_id}")
    page.get_by_role("navigation", name="Experiment views").get_by_role(
        "link", name="Evaluations"
    ).click()
    table = page.get_by_role("table", name="Evaluations")
    expect(table.locator("th")).to_contain_text(["Evaluation", "Started", "Rows", "correct", "length"])
    a = table.locator("tr[data-run='eval-a']")
    b = table.locator("tr[data-run='eval-b']")
    expect(a).to_contain_text("100% [")
    expect(b).to_contain_text("27.3% [")  # 3 of 11 scored rows passed
    expect(b).to_contain_text("1 missing")
    expect(b.get_by_role("img", name=re.compile(r"^correct: 27\.3%"))).to_be_visible()
    expect(a.locator("td").nth(3)).to_have_text(str(ROWS))
    a.get_by_role("link", name="run", exact=True).click()
    page.get_by_role("link", name="Evaluation results").click()
    expect(page).to_have_url(re.compile(rf"/evaluations/{seeded.baseline_run}$"))


def test_results_grid_filters_failed_rows_and_opens_a_trace(
    page: Any, ui_server: ServerProcess, seeded: SeededEvaluations
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{ui_server.url}/experiments/{seeded.experiment_id}/evaluations")
    page.get_by_role("link", name="eval-b", exact=True).click()
    expect(page.get_by_role("table", name="Scorer summary")).to_contain_text("correct")
    count = page.get_by_test_id("row-count")
    expect(count).to_have_text(f"{ROWS} of {ROWS} rows")
    page.get_by_role("combobox", name="Failed on").select_option("correct")
    expect(count).to_have_text(f"{len(REGRESSED)} of {ROWS} rows")
    expect(page).to_have_url(re.compile(r"[?&]failed=correct"))
    grid = page.get_by_role("table", name="Results")
    first = grid.locator(f"tr[data-trace='{seeded.candidate_traces[0]}']")
    cell = first.locator("td[data-scorer='correct']")
    expect(cell).to_contain_text("no")
    cell.locator("summary").click()
    expect(cell).to_contain_text("contradicts the expected fact")
    page.get_by_role("combobox", name="Failed on").select_option("")
    page.get_by_role("checkbox", name="Errors only").check()
    expect(count).to_have_text(f"1 of {ROWS} rows")
    expect(grid.locator("tbody tr td[data-scorer='correct']")).to_contain_text("error")
    grid.locator("tbody tr").first.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/traces/{seeded.candidate_traces[-1]}$"))


def test_compare_two_evaluations_shows_the_regression(
    page: Any, ui_server: ServerProcess, seeded: SeededEvaluations
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{ui_server.url}/experiments/{seeded.experiment_id}/evaluations")
    compare = page.get_by_role("button", name="Compare")
    expect(compare).to_be_disabled()
    page.get_by_role("checkbox", name="Select eval-b").check()
    page.get_by_role("checkbox", name="Select eval-a").check()
    compare.click()
    expect(page).to_have_url(
        re.compile(rf"/evaluations/compare\?a={seeded.baseline_run}&b={seeded.candidate_run}")
    )
    expect(page.get_by_test_id("pairing")).to_contain_text(f"{ROWS} rows paired")
    row = page.get_by_role("table", name="Comparison").locator("tr[data-scorer='correct']")
    expect(row).to_have_class(re.compile("verdict-regressed"))
    expect(row).to_contain_text("regressed")
    expect(row).to_contain_text("100%")
    expect(row).to_contain_text("-72.7%")
    changed = page.get_by_role("region", name="correct regressed")
    expect(changed.locator("li")).to_have_count(len(REGRESSED))
    first = changed.locator("li[data-row='record:dr-0000']")
    expect(first.get_by_role("link", name="baseline trace")).to_have_attribute(
        "href", re.compile(rf"/traces/{seeded.baseline_traces[0]}$")
    )
    first.get_by_role("link", name="candidate trace").click()
    expect(page).to_have_url(re.compile(rf"/traces/{seeded.candidate_traces[0]}$"))


def test_datasets_records_diff_and_edit_expectations(
    page: Any, ui_server: ServerProcess, seeded: SeededEvaluations, dataset: str
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{ui_server.url}/experiments/{seeded.experiment_id}/evaluations")
    page.get_by_role("navigation", name="Experiment views").get_by_role("link", name="Datasets").click()
    page.get_by_role("link", name="heron-facts").click()
    records = page.get_by_role("table", name="Records")
    expect(records.locator("tbody tr")).to_have_count(4)
    diff = page.get_by_test_id("dataset-diff")
    expect(diff.get_by_role("region", name="added")).to_contain_text("fact 3")
    expect(diff.get_by_role("region", name="changed")).to_contain_text("a1, revised")
    page.get_by_role("radio", name="Diff from version 1").check()
    expect(diff.get_by_role("region", name="added")).to_contain_text("fact 0")
    row = records.locator("tr", has_text='"fact 2"')
    record_id = row.get_attribute("data-record")
    row.get_by_role("button", name=re.compile("^Edit expectations")).click()
    editor = row.get_by_role("textbox", name=re.compile("^Expectations of"))
    editor.fill("[1]")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_role("alert")).to_contain_text("JSON object")
    editor.fill('{"answer": "a2, edited in the UI"}')
    row.get_by_role("button", name="Save").click()
    expect(row).to_contain_text("a2, edited in the UI")
    got = httpx.get(f"{ui_server.url}/api/3.0/mlflow/datasets/{dataset}/records", timeout=30)
    stored = {r["dataset_record_id"]: r for r in json.loads(got.json()["records"])}
    assert stored[record_id]["expectations"] == {"answer": "a2, edited in the UI"}
    versions = page.get_by_role("table", name="Versions")
    expect(versions.locator("tr[data-version='4']")).to_be_visible()
