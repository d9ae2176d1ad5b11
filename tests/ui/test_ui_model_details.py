"""End-to-end: the model details and "How to serve" panels (issue 18, build 6).

Ardea's own client logs two real scikit-learn models to the module's ``ardea server``: a
default (``skops``) one with a DataFrame input example, registered as ``fraud-clf`` v1 with the
alias ``champion``, and a ``cloudpickle`` one, only logged. Chromium then opens the version's
page and the logged models' pages and reads what the panels show from the models' files.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from fixtures.server_process import ServerProcess, free_port

pytestmark = pytest.mark.slow


@dataclass
class Logged:
    """The server and what was logged to it."""

    url: str
    exp_id: str
    run_id: str
    skops_id: str
    pickle_id: str


@pytest.fixture(scope="module")
def logged(ui_server: ServerProcess) -> Iterator[Logged]:
    pytest.importorskip("sklearn")
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    import ardea

    x = pd.DataFrame({"amount": [10.0, 250.0, 12.5, 900.0], "country": [1, 2, 1, 3]})
    clf = LogisticRegression().fit(x, [0, 1, 0, 1])
    ardea.set_tracking_uri(ui_server.url)
    try:
        exp_id = ardea.set_experiment("model-details").experiment_id
        with ardea.start_run() as run:
            skops = ardea.sklearn.log_model(
                clf, "fraud", input_example=x[:2], registered_model_name="fraud-clf"
            )
            pickled = ardea.sklearn.log_model(
                clf, "fraud-pickle", input_example=x[:3], serialization_format="cloudpickle"
            )
    finally:
        while ardea.active_run() is not None:
            ardea.end_run()
        ardea.set_tracking_uri(None)
    r = httpx.post(
        f"{ui_server.url}/api/2.0/mlflow/registered-models/alias",
        json={"name": "fraud-clf", "alias": "champion", "version": "1"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert skops.model_id and pickled.model_id
    yield Logged(ui_server.url, exp_id, run.info.run_id, skops.model_id, pickled.model_id)


@contextlib.contextmanager
def _serving(command: str, tracking_uri: str, log: Path) -> Iterator[int]:
    """Run a shown ``ardea models serve ... --port 5001`` command on a free port until /ping."""
    port = free_port()
    argv = shlex.split(command.replace("--port 5001", f"--port {port}"))
    assert argv[:3] == ["ardea", "models", "serve"], argv
    env = {**os.environ, "ARDEA_TRACKING_URI": tracking_uri}
    env.pop("ARDEA_ALLOW_PICKLE", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ardea.cli.main", *argv[1:]],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"http://127.0.0.1:{port}/ping", timeout=5).status_code == 200:
                        break
                time.sleep(0.2)
            assert proc.poll() is None, log.read_text(errors="replace")
            yield port
        finally:
            proc.terminate()
            proc.wait(30)


def _code(page: Any, title: str) -> str:
    text: str = page.get_by_label(title, exact=True).inner_text()
    return text.strip()


def test_a_registered_version_shows_its_model_and_how_to_serve_it(
    page: Any, logged: Logged, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{logged.url}/models/fraud-clf/versions/1")
    inputs = page.get_by_role("table", name="Signature inputs")
    expect(inputs.locator("tbody tr")).to_have_text(["amountdoubleyes", "countrylongyes"])
    expect(page.get_by_role("table", name="Signature outputs")).to_contain_text("tensor int64")
    expect(page.get_by_text("Params: none.")).to_be_visible()
    example = page.get_by_role("table", name="Input example")
    expect(example.locator("thead")).to_have_text("amountcountry")
    expect(example.locator("tbody tr")).to_have_text(["101", "2502"])
    flavours = page.get_by_role("table", name="Flavours")
    sklearn = flavours.get_by_role("row").filter(
        has=page.get_by_role("cell", name="sklearn", exact=True)
    )
    expect(sklearn).to_contain_text("serialization_formatskops")
    expect(sklearn).to_contain_text("sklearn_version")
    pyfunc = flavours.get_by_role("row").filter(
        has=page.get_by_role("cell", name="python_function", exact=True)
    )
    expect(pyfunc).to_contain_text("loader_modulemlflow.sklearn")
    expect(pyfunc).to_contain_text("python_version")
    requirements = page.get_by_role("list", name="Requirements")
    expect(requirements).to_contain_text("scikit-learn==")
    expect(requirements).to_contain_text("skops==")

    assert _code(page, "Serve") == "ardea models serve -m models:/fraud-clf/1 --port 5001"
    assert _code(page, "Point the CLI at this server") == (
        f"export ARDEA_TRACKING_URI={logged.url}"
    )
    curl = _code(page, "Score (with the input example)")
    assert curl == (
        "curl -X POST http://127.0.0.1:5001/invocations -H 'Content-Type: application/json' "
        """-d '{"dataframe_split":{"columns":["amount","country"],"data":[[10,1],[250,2]]}}'"""
    )
    assert _code(page, "Kubernetes manifests") == (
        "ardea models generate-k8s -m models:/fraud-clf/1 --name fraud-clf"
    )
    expect(page.get_by_test_id("pickle-note")).to_have_count(0)
    page.get_by_label("Model URI").select_option("models:/fraud-clf@champion")
    assert _code(page, "Docker build context") == (
        "ardea models build-docker -m models:/fraud-clf@champion -d ./image"
    )
    assert _code(page, "Batch predict") == (
        "ardea models predict -m models:/fraud-clf@champion -i input.parquet -o predictions.parquet"
    )

    # The commands work as shown: the server starts, and the curl call scores the example.
    serve = "ardea models serve -m models:/fraud-clf/1 --port 5001"
    with _serving(serve, logged.url, tmp_path / "serve.log") as port:
        argv = shlex.split(curl.replace(":5001/", f":{port}/"))
        answer = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True)
        assert answer.stdout.replace(" ", "") == '{"predictions":[0,1]}'

    files = page.get_by_role("navigation", name="Version files")
    skops_item = files.get_by_role("listitem").filter(has_text="model.skops")
    expect(skops_item).to_contain_text(re.compile(r"model\.skops \d+\.\d KiB"))
    files.get_by_role("button", name="model.skops").click()
    href = page.get_by_role("link", name="Download").get_attribute("href") or ""
    assert href.startswith("/model-versions/get-artifact?name=fraud-clf&version=1")
    assert page.request.get(logged.url + href).body()[:2] == b"PK"  # skops is a zip file


def test_a_logged_pickle_model_shows_its_details_and_serves_with_allow_pickle(
    page: Any, logged: Logged, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{logged.url}/experiments/{logged.exp_id}/models/{logged.pickle_id}")
    expect(page.get_by_role("table", name="Signature inputs")).to_contain_text("amount")
    expect(page.get_by_role("table", name="Input example").locator("tbody tr")).to_have_count(3)
    expect(page.get_by_role("table", name="Flavours")).to_contain_text("cloudpickle")
    expect(page.get_by_role("list", name="Requirements")).to_contain_text("cloudpickle==")
    expect(page.get_by_test_id("pickle-note")).to_contain_text("saved with cloudpickle")
    assert _code(page, "Serve") == (
        f"ardea models serve -m models:/{logged.pickle_id} --port 5001 --allow-pickle"
    )
    assert _code(page, "Kubernetes manifests") == (
        f"ardea models generate-k8s -m models:/{logged.pickle_id} --name fraud-pickle "
        "--allow-pickle"
    )
    page.get_by_label("Model URI").select_option(f"runs:/{logged.run_id}/fraud-pickle")
    assert _code(page, "Serve") == (
        f"ardea models serve -m runs:/{logged.run_id}/fraud-pickle --port 5001 --allow-pickle"
    )
    files = page.get_by_role("navigation", name="Model files")
    expect(files.get_by_role("listitem").filter(has_text="model.pkl")).to_contain_text("B")
    # --allow-pickle is what makes it serve: another process wrote the pickle.
    command = _code(page, "Serve")
    with _serving(command, logged.url, tmp_path / "serve.log") as port:
        body = {"dataframe_split": {"columns": ["amount", "country"], "data": [[900.0, 3]]}}
        r = httpx.post(f"http://127.0.0.1:{port}/invocations", json=body, timeout=60)
        assert r.json() == {"predictions": [1]}
    with (
        pytest.raises(AssertionError, match="allow"),
        _serving(command.removesuffix(" --allow-pickle"), logged.url, tmp_path / "refused.log"),
    ):
        pass


def test_a_folder_without_mlmodel_says_none(page: Any, logged: Logged) -> None:
    """A logged model whose files are not a model directory: plain "none" lines, no error."""
    from playwright.sync_api import expect

    r = httpx.post(
        f"{logged.url}/api/2.0/mlflow/logged-models",
        json={"experiment_id": logged.exp_id, "name": "empty"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    model_id = r.json()["model"]["info"]["model_id"]
    page.goto(f"{logged.url}/experiments/{logged.exp_id}/models/{model_id}")
    expect(
        page.get_by_text("None: this is not a model directory (no MLmodel file).")
    ).to_have_count(4)
    expect(page.get_by_text("No requirements.txt.")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
