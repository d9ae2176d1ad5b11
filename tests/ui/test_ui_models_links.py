"""End-to-end: what a new user of the stock mlflow client sees (issue 11, part B items 1 and 2).

The real ``mlflow`` client runs in this process against the module's ``ardea server``: inside a
run it logs a param and a metric, logs a scikit-learn model the MLflow 3 way
(``mlflow.sklearn.log_model``, a logged model) and registers it. The links the client prints
are captured from its output. One trace is sent over OTLP for the trace links. Chromium then
opens every MLflow link form and walks from the Models tab to the logged model's files, its
run and its registered version's files.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from fixtures import otlp_payloads as otlp
from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow

TRACE_HEX = "c0ffee00c0ffee00c0ffee00c0ffee00"
RENDERER = "/static-files/lib/notebook-trace-renderer/index.html"


@dataclass
class Flow:
    """What the mlflow client made, and the links it printed."""

    url: str
    exp_id: str
    run_id: str
    model_id: str
    run_link: str
    experiment_link: str
    trace_id: str


@pytest.fixture(scope="module")
def flow(ui_server: ServerProcess) -> Iterator[Flow]:
    mlflow = pytest.importorskip("mlflow")
    pytest.importorskip("sklearn")
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    url = ui_server.url
    env = {
        "MLFLOW_TRACKING_URI": url,
        "MLFLOW_REGISTRY_URI": url,
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
        "MLFLOW_HTTP_REQUEST_TIMEOUT": "60",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
    }
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        mlflow.set_tracking_uri(url)
        mlflow.set_registry_uri(url)
        try:
            exp = mlflow.set_experiment("ui-models")
            with contextlib.redirect_stdout(printed), mlflow.start_run(run_name="train") as run:
                mlflow.log_param("C", 1.0)
                mlflow.log_metric("acc", 1.0)
                info = mlflow.sklearn.log_model(
                    LogisticRegression().fit(x, y),
                    name="model",
                    input_example=x[:2],
                    serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
                    pip_requirements=["scikit-learn"],
                    registered_model_name="iris-clf",
                )
        finally:
            while mlflow.active_run():
                mlflow.end_run()
            mlflow.set_tracking_uri(None)
            mlflow.set_registry_uri(None)
    text = printed.getvalue()
    run_link = re.search(r"View run train at: (\S+)", text)
    experiment_link = re.search(r"View experiment at: (\S+)", text)
    assert run_link and experiment_link, text
    spans = [otlp.span(TRACE_HEX, "d" * 16, "predict")]
    r = httpx.post(
        f"{url}/v1/traces",
        json=otlp.json_request(spans),
        headers={"x-mlflow-experiment-id": exp.experiment_id},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    yield Flow(
        url=url,
        exp_id=exp.experiment_id,
        run_id=run.info.run_id,
        model_id=info.model_id,
        run_link=run_link.group(1),
        experiment_link=experiment_link.group(1),
        trace_id=f"tr-{TRACE_HEX}",
    )


def test_the_client_prints_hash_links(flow: Flow) -> None:
    assert flow.run_link == f"{flow.url}/#/experiments/{flow.exp_id}/runs/{flow.run_id}"
    assert flow.experiment_link == f"{flow.url}/#/experiments/{flow.exp_id}"


def test_every_mlflow_link_form_opens_its_page(page: Any, flow: Flow) -> None:
    from playwright.sync_api import expect

    e, r, m = flow.exp_id, flow.run_id, flow.model_id
    runs = json.dumps([r])
    cases = [
        # (link, Ardea path it must land on, a heading on that page)
        (flow.run_link, f"/experiments/{e}/runs/{r}$", "train"),
        (flow.run_link + "?workspace=default", f"/experiments/{e}/runs/{r}$", "train"),
        (flow.experiment_link, f"/experiments/{e}$", "ui-models"),
        (
            f"{flow.url}/#/experiments/{e}/runs/{r}/artifacts/x.txt",
            f"/runs/{r}\\?artifact=x.txt$",
            "train",
        ),
        (f"{flow.url}/#/runs/{r}", f"/experiments/{e}/runs/{r}$", "train"),
        (
            f"{flow.url}/#/experiments/{e}/evaluation-runs?selectedRunUuid={r}",
            f"/runs/{r}$",
            "train",
        ),
        (f"{flow.url}/#/experiments/{e}/overview", f"/experiments/{e}/overview$", "ui-models"),
        (f"{flow.url}/#/experiments/{e}/traces", f"/experiments/{e}/traces$", "ui-models"),
        (
            f"{flow.url}/#/experiments/{e}/traces?selectedTraceId={flow.trace_id}",
            f"/traces/{flow.trace_id}$",
            "predict",
        ),
        (
            f"{flow.url}{RENDERER}?trace_id={flow.trace_id}&experiment_id={e}&version=3.18.0",
            f"/traces/{flow.trace_id}$",
            "predict",
        ),
        (f"{flow.url}/#/experiments/{e}/models", f"/experiments/{e}/models$", "ui-models"),
        (f"{flow.url}/#/experiments/{e}/models/{m}", f"/models/{m}$", "model"),
        (f"{flow.url}/#/logged-models/{m}", f"/experiments/{e}/models/{m}$", "model"),
        (f"{flow.url}/#/models", "/models$", "Models"),
        (f"{flow.url}/#/models/iris-clf", "/models/iris-clf$", "iris-clf"),
        (f"{flow.url}/#/models/iris-clf/versions/1", "/models/iris-clf/versions/1$", "iris-clf v1"),
        (f"{flow.url}/#/prompts", "/prompts$", "Prompts"),
        (
            f"{flow.url}/#/compare-runs?runs={quote(runs)}&experiments={quote(json.dumps([e]))}",
            f"/experiments/{e}/compare\\?sel={r}$",
            "Compare 1 runs",
        ),
    ]
    for link, path, heading in cases:
        page.goto(link)
        expect(page).to_have_url(re.compile(path), timeout=15_000)
        expect(page.get_by_role("heading", level=1, name=heading, exact=True)).to_be_visible()
        expect(page.get_by_test_id("link-notice")).to_have_count(0)


def test_links_ardea_cannot_open_say_so(page: Any, flow: Flow) -> None:
    from playwright.sync_api import expect

    page.goto(f"{flow.url}/#/settings")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("link-notice")).to_contain_text("#/settings")
    expect(page.get_by_role("heading", name="Experiments")).to_be_visible()
    page.goto(f"{flow.url}/#/experiments/{flow.exp_id}/judges")
    expect(page).to_have_url(re.compile(rf"/experiments/{flow.exp_id}$"))
    expect(page.get_by_test_id("link-notice")).to_contain_text("judges")
    page.goto(f"{flow.url}/#/runs/0000000000000000000000000000dead")
    expect(page.get_by_test_id("link-notice")).to_contain_text("0000000000000000000000000000dead")


def test_logged_model_from_the_models_tab_to_its_files_run_and_version(
    page: Any, flow: Flow
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{flow.url}/experiments/{flow.exp_id}")
    page.get_by_role("navigation", name="Experiment views").get_by_role(
        "link", name="Models"
    ).click()
    table = page.get_by_role("table", name="Logged models")
    row = table.locator(f"tr[data-model-id='{flow.model_id}']")
    expect(row).to_contain_text("Ready")
    expect(row.get_by_role("link", name="train")).to_be_visible()
    expect(row).to_contain_text("C 1.0")
    expect(row).to_contain_text("acc 1")  # the run's metric, linked to the model by log_model
    expect(row).to_contain_text("iris-clf v1")
    row.get_by_role("link", name="model").click()

    expect(page.get_by_role("heading", name="model", exact=True)).to_be_visible()
    files = page.get_by_role("navigation", name="Model files")
    expect(files.get_by_role("button", name="model.pkl")).to_be_visible()
    files.get_by_role("button", name="MLmodel").click()
    expect(page).to_have_url(re.compile(r"artifact=MLmodel"))
    expect(page.get_by_test_id("artifact-text")).to_contain_text("sklearn")
    files.get_by_role("button", name="model.pkl").click()
    expect(page.get_by_text("No preview for this file type.")).to_be_visible()
    download = page.get_by_role("link", name="Download").get_attribute("href") or ""
    assert download.startswith(f"/ajax-api/2.0/mlflow/logged-models/{flow.model_id}/artifacts/")
    assert page.request.get(flow.url + download).body()[:1] == b"\x80"  # a pickle
    runs = page.get_by_role("table", name="Runs of this model")
    expect(runs.get_by_role("row").filter(has_text="train")).to_contain_text("source run")
    expect(page.get_by_role("table", name="Model parameters")).to_contain_text("C")
    expect(page.get_by_role("table", name="Model metrics").locator("tbody tr")).to_contain_text(
        ["acc"]
    )

    # The logged model's page links to the run that logged it, which lists the model back.
    page.get_by_test_id("model-source-run").get_by_role("link", name="train").click()
    expect(page.get_by_role("heading", name="train")).to_be_visible()
    artifacts = page.get_by_role("navigation", name="Artifacts")
    expect(artifacts).to_contain_text("see Models above")  # not a bare "No artifacts."
    models = page.get_by_role("table", name="Logged models")
    expect(models.locator("tbody tr").filter(has_text="model")).to_contain_text("logged")
    models.get_by_role("link", name="model").click()

    # ... and to the registered version, whose files the server finds from its source.
    page.get_by_role("list", name="Registered versions").get_by_role(
        "link", name="iris-clf v1"
    ).click()
    expect(page.get_by_role("heading", name="iris-clf v1")).to_be_visible()
    expect(page.get_by_test_id("version-logged-model")).to_contain_text(flow.model_id)
    version_files = page.get_by_role("navigation", name="Version files")
    expect(version_files.get_by_role("button", name="model.pkl")).to_be_visible()
    version_files.get_by_role("button", name="MLmodel").click()
    expect(page.get_by_test_id("artifact-text")).to_contain_text("sklearn")
    href = page.get_by_role("link", name="Download").get_attribute("href") or ""
    assert href.startswith("/model-versions/get-artifact?name=iris-clf&version=1")
    page.get_by_test_id("version-run").get_by_role("link", name="train").click()
    expect(page).to_have_url(re.compile(rf"/experiments/{flow.exp_id}/runs/{flow.run_id}$"))

    # The registered model's page links each version to its page and its logged model.
    page.goto(f"{flow.url}/models/iris-clf")
    versions = page.get_by_role("table", name="Versions")
    expect(versions.get_by_role("link", name=re.compile(rf"\({flow.model_id}\)"))).to_be_visible()
    versions.get_by_role("link", name="v1", exact=True).click()
    expect(page.get_by_role("heading", name="iris-clf v1")).to_be_visible()
