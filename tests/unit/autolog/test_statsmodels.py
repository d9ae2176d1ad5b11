"""statsmodels autologging with the real library on tiny data made in the test."""

from __future__ import annotations

import csv
import json
import pickle
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm

import ardea
from ardea.autolog import statsmodels as sm_autolog
from fixtures.classic_ml import artifacts, download, inputs, runs, tracking, untrack


@pytest.fixture
def autologged(tmp_path: Path) -> Iterator[Path]:
    tracking(tmp_path)
    sm_autolog.autolog()
    yield tmp_path
    sm_autolog.revert()
    untrack()


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = sm.add_constant(rng.normal(size=(40, 2)))
    y = X @ np.array([1.0, 2.0, -1.0]) + rng.normal(scale=0.5, size=40)
    return X, y


def test_ols_logs_params_metrics_coefficients_model_and_dataset(autologged: Path) -> None:
    X, y = _data()
    results = sm.OLS(y, X).fit(cov_type="HC1")
    assert ardea.active_run() is None
    [run] = runs()
    run_id = run.info.run_id
    assert run.info.status == "FINISHED"
    assert run.data.tags["mlflow.autologging"] == "statsmodels"
    assert run.data.tags["estimator_name"] == "OLS"
    assert run.data.params["cov_type"] == "HC1"
    assert run.data.params["method"] == "pinv"  # fit's default, bound from its signature
    metrics = run.data.metric_values
    assert metrics["rsquared"] == pytest.approx(results.rsquared)
    assert metrics["aic"] == pytest.approx(results.aic)
    assert metrics["nobs"] == 40
    assert "prsquared" not in metrics  # OLS results have none
    assert {"coefficients.csv", "summary.txt", "model"} <= set(artifacts(run_id))
    rows = list(csv.DictReader(download(run_id, "coefficients.csv", autologged).open()))
    assert [r["name"] for r in rows] == ["const", "x1", "x2"]
    assert float(rows[1]["coef"]) == pytest.approx(results.params[1])
    assert float(rows[1]["std_err"]) == pytest.approx(results.bse[1])
    with download(run_id, "model/model.pkl", autologged / "m").open("rb") as f:
        loaded = pickle.load(f)
    np.testing.assert_allclose(loaded.predict(X), results.predict(X))
    [dataset] = inputs(run_id)
    assert json.loads(dataset.dataset.profile) == {"features_shape": [40, 3], "targets_shape": [40]}


def test_logit_inside_user_run_logs_once(autologged: Path) -> None:
    X, y = _data(1)
    labels = (y > np.median(y)).astype(float)
    with ardea.start_run() as user_run:
        results = sm.Logit(labels, X).fit(disp=0, maxiter=50)
    [run] = runs()  # Logit.fit calls LikelihoodModel.fit: still one set of params
    assert run.info.run_id == user_run.info.run_id
    assert run.data.params["maxiter"] == "50"
    assert run.data.tags["estimator_name"] == "Logit"
    assert run.data.metric_values["prsquared"] == pytest.approx(results.prsquared)
    assert run.data.metric_values["llnull"] == pytest.approx(results.llnull)


def test_glm_and_log_models_off(autologged: Path) -> None:
    sm_autolog.autolog(log_models=False, log_datasets=False)
    X, y = _data(2)
    counts = np.random.default_rng(3).poisson(2.0, size=40)
    results = sm.GLM(counts, X, family=sm.families.Poisson()).fit()
    [run] = runs()
    assert run.data.metric_values["deviance"] == pytest.approx(results.deviance)
    assert "model" not in artifacts(run.info.run_id)
    assert inputs(run.info.run_id) == []
    del y


def test_user_error_fails_the_run_and_disable(autologged: Path) -> None:
    X, y = _data(4)
    with pytest.raises(ValueError):
        sm.OLS(y, X).fit(method="no-such-method")
    [run] = runs()
    assert run.info.status == "FAILED"
    sm_autolog.autolog(disable=True)
    assert not sm_autolog.is_enabled()
    sm.OLS(y, X).fit()
    assert len(runs()) == 1


def test_renamed_fit_warns_once_and_fitting_works(
    autologged: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import statsmodels.regression.linear_model as lm

    monkeypatch.setenv("ARDEA_STRICT", "0")
    sm_autolog.revert()
    # The library "changes shape": RegressionModel (OLS's fit) is no longer where it was.
    monkeypatch.setattr(lm, "RegressionModel", None)
    sm_autolog.autolog()
    sm_autolog.autolog()
    assert caplog.text.count("statsmodels autolog (patching RegressionModel.fit)") == 1
    X, y = _data(5)
    sm.OLS(y, X).fit()  # not autologged, still fits
    sm.Logit((y > 0).astype(float), X).fit(disp=0)  # the rest still works
    [run] = runs()
    assert run.data.tags["estimator_name"] == "Logit"
