"""scikit-learn autologging on an embedded store, with data made in the test."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import ardea


@pytest.fixture
def autologged(tmp_path: Path) -> Iterator[Path]:
    ardea.set_tracking_uri(str(tmp_path / "data"))
    ardea.sklearn.autolog()
    yield tmp_path
    ardea.sklearn.revert()
    while ardea.active_run() is not None:
        ardea.end_run()
    ardea.set_tracking_uri(None)


def _runs() -> list:
    return ardea.search_runs(output_format="list")


def test_logistic_regression_logs_run(autologged: Path) -> None:
    X, y = make_classification(n_samples=80, n_features=5, random_state=0)
    model = LogisticRegression(C=0.5, max_iter=200).fit(X, y)
    assert model.predict(X).shape == (80,)
    assert ardea.active_run() is None
    [run] = _runs()
    assert run.info.status == "FINISHED"
    assert run.data.params["C"] == "0.5"
    assert run.data.params["max_iter"] == "200"
    assert run.data.tags["estimator_name"] == "LogisticRegression"
    assert run.data.tags["estimator_class"].endswith("LogisticRegression")
    metrics = run.data.metric_values
    for key in ("accuracy_score", "precision_score", "recall_score", "f1_score", "log_loss"):
        assert f"training_{key}" in metrics
    assert 0.5 < metrics["training_accuracy_score"] <= 1.0
    client = ardea.get_client()
    files = [f.path for f in client.list_artifacts(run.info.run_id, "model")]
    assert files == ["model/MLmodel", "model/model.pkl", "model/requirements.txt"]
    local = client.download_artifacts(run.info.run_id, "model", str(autologged / "dl"))
    with open(Path(local) / "model.pkl", "rb") as f:
        restored = pickle.load(f)
    assert np.array_equal(restored.predict(X), model.predict(X))
    mlmodel = (Path(local) / "MLmodel").read_text()
    assert "sklearn:" in mlmodel and "python_function:" in mlmodel
    assert f"run_id: {run.info.run_id}" in mlmodel


def test_linear_regression_metrics_inside_user_run(autologged: Path) -> None:
    X, y = make_regression(n_samples=50, n_features=3, noise=0.1, random_state=1)
    with ardea.start_run() as run:
        LinearRegression().fit(X, y)
        assert ardea.active_run().info.run_id == run.info.run_id
    [stored] = _runs()
    assert stored.info.run_id == run.info.run_id
    metrics = stored.data.metric_values
    assert metrics["training_r2_score"] > 0.99
    assert metrics["training_root_mean_squared_error"] == pytest.approx(
        metrics["training_mean_squared_error"] ** 0.5
    )
    assert "training_mean_absolute_error" in metrics


def test_pipeline_logs_once(autologged: Path) -> None:
    X, y = make_classification(n_samples=60, random_state=2)
    Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]).fit(X, y)
    runs = _runs()
    assert len(runs) == 1
    assert runs[0].data.tags["estimator_name"] == "Pipeline"
    assert "training_accuracy_score" in runs[0].data.metric_values


def test_grid_search_inner_fits_not_logged(autologged: Path) -> None:
    X, y = make_classification(n_samples=60, random_state=3)
    GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2).fit(X, y)
    runs = _runs()
    assert len(runs) == 1
    assert runs[0].data.tags["estimator_name"] == "GridSearchCV"


def test_user_fit_error_propagates_and_run_fails(autologged: Path) -> None:
    with pytest.raises(ValueError):
        LogisticRegression().fit(np.zeros((4, 2)), np.zeros(3))
    [run] = _runs()
    assert run.info.status == "FAILED"
    assert ardea.active_run() is None


def test_log_models_false_and_revert(autologged: Path) -> None:
    ardea.sklearn.autolog(log_models=False)
    X, y = make_classification(n_samples=40, random_state=4)
    LogisticRegression().fit(X, y)
    [run] = _runs()
    assert ardea.get_client().list_artifacts(run.info.run_id) == []
    ardea.sklearn.revert()
    LogisticRegression().fit(X, y)
    assert len(_runs()) == 1


def test_patch_errors_swallowed_without_strict(
    autologged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    X, y = make_classification(n_samples=40, random_state=5)
    with ardea.start_run():
        ardea.log_param("C", "user-value")  # autolog's C=1.0 then conflicts: a patch error
        model = LogisticRegression().fit(X, y)  # still returns the fitted model
    assert model.coef_.shape == (1, 20)


def test_patch_errors_raise_in_strict(autologged: Path) -> None:
    X, y = make_classification(n_samples=40, random_state=6)
    with ardea.start_run():
        ardea.log_param("C", "user-value")
        with pytest.raises(ardea.InvalidArgumentError):
            LogisticRegression().fit(X, y)


def test_ardea_autolog_enables_sklearn(tmp_path: Path) -> None:
    ardea.set_tracking_uri(str(tmp_path / "data"))
    try:
        assert "sklearn" in ardea.autolog(log_models=False)
        X, y = make_classification(n_samples=40, random_state=7)
        LogisticRegression().fit(X, y)
        assert len(_runs()) == 1
        ardea.autolog(disable=True)
        LogisticRegression().fit(X, y)
        assert len(_runs()) == 1
    finally:
        ardea.autolog.revert()  # every integration ardea.autolog() enabled
        ardea.set_tracking_uri(None)


def test_logged_model_loads_with_mlflow(autologged: Path) -> None:
    mlflow_sklearn = pytest.importorskip("mlflow.sklearn")
    mlflow_pyfunc = pytest.importorskip("mlflow.pyfunc")
    X, y = make_classification(n_samples=40, random_state=8)
    model = LogisticRegression().fit(X, y)
    [run] = _runs()
    local = ardea.get_client().download_artifacts(run.info.run_id, "model", str(autologged / "m"))
    loaded = mlflow_sklearn.load_model(local)
    assert np.array_equal(loaded.predict(X), model.predict(X))
    assert np.array_equal(np.asarray(mlflow_pyfunc.load_model(local).predict(X)), model.predict(X))
