"""The fluent API and ArdeaClient against a live ``ardea server`` (proxied artifacts)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

import ardea


@pytest.fixture
def remote(live_server_module) -> Iterator[str]:
    ardea.set_tracking_uri(live_server_module.url)
    yield live_server_module.url
    while ardea.active_run() is not None:
        ardea.end_run()
    ardea.set_tracking_uri(None)


def test_fluent_run_over_http(remote: str, live_server_module, tmp_path: Path) -> None:
    exp = ardea.set_experiment("http-fluent")
    with ardea.start_run(run_name="remote") as run:
        ardea.log_params({"lr": 0.01, "epochs": 3})
        for step in range(1200):
            ardea.log_metric("loss", 1.0 / (step + 1), step=step)
        ardea.set_tags({"where": "server"})
        ardea.log_text("hi", "notes/hi.txt")
        ardea.log_dict({"k": [1, 2]}, "cfg/deep/config.json")
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        ardea.log_figure(fig, "plots/fig.png")
        plt.close(fig)
        ardea.log_table(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), "tables/t.json")
        src = tmp_path / "bundle"
        (src / "inner").mkdir(parents=True)
        (src / "inner" / "f.txt").write_text("nested")
        ardea.log_artifacts(str(src), "bundle")
        with ardea.start_run(nested=True) as child:
            ardea.log_metric("child", 1.0)
    rid = run.info.run_id
    stored = ardea.get_run(rid)
    assert stored.info.experiment_id == exp.experiment_id
    assert stored.info.status == "FINISHED"
    assert stored.data.params == {"lr": "0.01", "epochs": "3"}
    assert len(ardea.get_metric_history(rid, "loss")) == 1200
    assert ardea.get_run(child.info.run_id).data.tags["mlflow.parentRunId"] == rid
    client = ardea.get_client()
    top = [(f.path, f.is_dir) for f in client.list_artifacts(rid)]
    assert top == [
        ("bundle", True),
        ("cfg", True),
        ("notes", True),
        ("plots", True),
        ("tables", True),
    ]
    assert [f.path for f in client.list_artifacts(rid, "cfg/deep")] == ["cfg/deep/config.json"]
    out = Path(client.download_artifacts(rid, "", str(tmp_path / "dl")))
    assert (out / "notes" / "hi.txt").read_text() == "hi"
    assert json.loads((out / "cfg" / "deep" / "config.json").read_text()) == {"k": [1, 2]}
    assert (out / "plots" / "fig.png").read_bytes().startswith(b"\x89PNG")
    table = json.loads((out / "tables" / "t.json").read_text())
    assert table == {"columns": ["a", "b"], "data": [[1, "x"], [2, "y"]]}
    assert (out / "bundle" / "inner" / "f.txt").read_text() == "nested"
    # the files sit in the server's artifacts destination, not on a client path
    rel = stored.info.artifact_uri.split(":/", 1)[1].lstrip("/")
    assert (live_server_module.artifacts_dir / rel / "notes" / "hi.txt").is_file()


def test_search_runs_frame_over_http(remote: str) -> None:
    ardea.set_experiment("http-search")
    for i in range(3):
        with ardea.start_run():
            ardea.log_metric("acc", float(i))
    df = ardea.search_runs(order_by=["metrics.acc ASC"])
    assert list(df["metrics.acc"]) == [0.0, 1.0, 2.0]
    assert set(df["status"]) == {"FINISHED"}


def test_sklearn_autolog_over_http(remote: str) -> None:
    ardea.set_experiment("http-autolog")
    ardea.sklearn.autolog()
    try:
        X, y = make_classification(n_samples=50, random_state=0)
        LogisticRegression().fit(X, y)
    finally:
        ardea.sklearn.revert()
    [run] = ardea.search_runs(output_format="list")
    assert "training_accuracy_score" in run.data.metric_values
    files = [f.path for f in ardea.get_client().list_artifacts(run.info.run_id, "model")]
    assert "model/model.pkl" in files


def test_server_down_never_raises_from_log_metric(
    live_server, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    monkeypatch.setenv("ARDEA_HTTP_MAX_RETRIES", "0")
    caplog.set_level(logging.WARNING, logger="ardea")
    ardea.set_tracking_uri(live_server.url)
    try:
        run = ardea.start_run()
        live_server.kill()
        for i in range(10):
            ardea.log_metric("m", float(i))  # server gone: still no exception
        ardea.flush()
        assert any("could not be logged" in r.getMessage() for r in caplog.records)
        live_server.restart()
        ardea.end_run()
        assert ardea.get_run(run.info.run_id).info.status == "FINISHED"
    finally:
        while ardea.active_run() is not None:
            ardea.end_run()
        ardea.set_tracking_uri(None)
