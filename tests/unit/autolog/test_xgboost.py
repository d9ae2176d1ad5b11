"""XGBoost autologging with the real library on tiny data made in the test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb

import ardea
from ardea.autolog import xgboost as xgb_autolog
from fixtures.classic_ml import artifacts, download, history, inputs, runs, tracking, untrack


@pytest.fixture
def autologged(tmp_path: Path) -> Iterator[Path]:
    tracking(tmp_path)
    xgb_autolog.autolog()
    yield tmp_path
    xgb_autolog.revert()
    ardea.sklearn.revert()
    untrack()


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    return X, y


def test_train_logs_params_history_importance_model_and_dataset(autologged: Path) -> None:
    X, y = _data()
    dtrain = xgb.DMatrix(X[:40], label=y[:40])
    dvalid = xgb.DMatrix(X[40:], label=y[40:])
    params = {"objective": "binary:logistic", "max_depth": 2, "eval_metric": "logloss"}
    booster = xgb.train(
        params, dtrain, num_boost_round=5, evals=[(dtrain, "train"), (dvalid, "valid")]
    )
    assert ardea.active_run() is None
    [run] = runs()
    run_id = run.info.run_id
    assert run.info.status == "FINISHED"
    assert run.data.tags["mlflow.autologging"] == "xgboost"
    assert run.data.params["max_depth"] == "2"
    assert run.data.params["objective"] == "binary:logistic"
    assert run.data.params["num_boost_round"] == "5"
    assert run.data.params["early_stopping_rounds"] == "None"
    for key in ("train-logloss", "valid-logloss"):
        steps = history(run_id, key)
        assert [s for s, _ in steps] == [0, 1, 2, 3, 4]
    assert history(run_id, "train-logloss")[0][1] > history(run_id, "train-logloss")[4][1]
    assert "best_iteration" not in run.data.metric_values
    found = artifacts(run_id)
    assert "feature_importance_weight.json" in found and "model" in found
    imp = json.loads((download(run_id, "feature_importance_weight.json", autologged)).read_text())
    assert set(imp) <= {"f0", "f1", "f2", "f3"} and imp
    assert artifacts(run_id, "model") == ["model/model.ubj"]
    loaded = xgb.Booster()
    loaded.load_model(str(download(run_id, "model/model.ubj", autologged / "m")))
    np.testing.assert_allclose(loaded.predict(dvalid), booster.predict(dvalid))
    train, valid = sorted(inputs(run_id), key=lambda d: d.tags["mlflow.data.context"] != "train")
    assert train.tags["mlflow.data.context"] == "train"
    assert len(train.dataset.digest) == 8
    assert json.loads(train.dataset.profile)["features_shape"] == [40, 4]
    assert valid.tags["mlflow.data.context"] == "eval"
    assert json.loads(valid.dataset.profile)["features_shape"] == [20, 4]
    assert valid.dataset.digest != train.dataset.digest


def test_early_stopping_logs_best_iteration(autologged: Path) -> None:
    X, y = _data(1)
    y_noise = np.random.default_rng(2).integers(0, 2, size=20)
    dtrain = xgb.DMatrix(X[:40], label=y[:40])
    dvalid = xgb.DMatrix(X[40:], label=y_noise)  # noise: validation loss stops improving
    params = {"objective": "binary:logistic", "eta": 0.9, "eval_metric": "logloss"}
    booster = xgb.train(
        params,
        dtrain,
        num_boost_round=50,
        evals=[(dvalid, "valid")],
        early_stopping_rounds=2,
        verbose_eval=False,
    )
    [run] = runs()
    metrics = run.data.metric_values
    stopped = int(metrics["stopped_iteration"])
    assert metrics["best_iteration"] == booster.best_iteration
    assert stopped < 49
    steps = history(run.info.run_id, "valid-logloss")
    assert [s for s, _ in steps] == [*range(stopped + 1), stopped + 1]
    assert steps[-1][1] == pytest.approx(steps[booster.best_iteration][1])


def test_sklearn_api_logs_one_run_inside_user_run(autologged: Path) -> None:
    X, y = _data(3)
    with ardea.start_run() as user_run:
        model = xgb.XGBClassifier(n_estimators=4, max_depth=2).fit(
            X, y, eval_set=[(X, y)], verbose=False
        )
    [run] = runs()
    assert run.info.run_id == user_run.info.run_id
    assert run.data.params["n_estimators"] == "4"
    assert run.data.tags["estimator_name"] == "XGBClassifier"
    assert "num_boost_round" not in run.data.params  # the inner xgboost.train logged nothing
    assert [s for s, _ in history(run.info.run_id, "validation_0-logloss")] == [0, 1, 2, 3]
    path = download(run.info.run_id, "model/model.ubj", autologged)
    loaded = xgb.XGBClassifier()
    loaded.load_model(str(path))
    assert np.array_equal(loaded.predict(X), model.predict(X))
    [dataset] = inputs(run.info.run_id)
    assert json.loads(dataset.dataset.profile)["targets_shape"] == [60]


def test_sklearn_pipeline_with_both_flavors_logs_one_run(autologged: Path) -> None:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    ardea.sklearn.autolog(log_models=False)
    X, y = _data(4)
    xgb.XGBRegressor(n_estimators=3).fit(X, y.astype(float))  # xgboost flavor alone
    Pipeline([("s", StandardScaler()), ("m", xgb.XGBClassifier(n_estimators=3))]).fit(X, y)
    found = sorted(runs(), key=lambda r: r.info.start_time)
    assert [r.data.tags["mlflow.autologging"] for r in found] == ["xgboost", "sklearn"]
    assert found[1].data.tags["estimator_name"] == "Pipeline"
    assert "m__n_estimators" not in found[1].data.params  # sklearn logs get_params(deep=False)
    assert "n_estimators" not in found[1].data.params


def test_log_models_false_disable_and_user_error(autologged: Path) -> None:
    X, y = _data(5)
    xgb_autolog.autolog(log_models=False, log_datasets=False)
    xgb.train({"max_depth": 1}, xgb.DMatrix(X, label=y), num_boost_round=2)
    [run] = runs()
    assert "model" not in artifacts(run.info.run_id)
    assert inputs(run.info.run_id) == []
    with pytest.raises(xgb.core.XGBoostError):
        xgb.train({"objective": "no-such-objective"}, xgb.DMatrix(X, label=y), num_boost_round=1)
    assert sorted(r.info.status for r in runs()) == ["FAILED", "FINISHED"]
    xgb_autolog.autolog(disable=True)
    assert not xgb_autolog.is_enabled()
    xgb.train({"max_depth": 1}, xgb.DMatrix(X, label=y), num_boost_round=2)
    assert len(runs()) == 2


def test_renamed_library_function_warns_once_and_training_works(
    autologged: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    xgb_autolog.revert()
    # The library "changes shape": xgboost.training.train is renamed.
    monkeypatch.setattr(xgb.training, "train_v2", xgb.training.train, raising=False)
    monkeypatch.delattr(xgb.training, "train")
    xgb_autolog.autolog()
    xgb_autolog.autolog()
    assert caplog.text.count("xgboost autolog (patching xgboost.training.train)") == 1
    X, y = _data(6)
    xgb.training.train_v2({"max_depth": 1}, xgb.DMatrix(X, label=y), num_boost_round=2)
    xgb.XGBClassifier(n_estimators=2).fit(X, y)  # the rest still works
    assert len(runs()) == 1


def test_logging_failure_never_breaks_training(
    autologged: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    X, y = _data(7)
    with ardea.start_run():
        ardea.log_param("max_depth", "user-value")  # autolog's max_depth then conflicts
        booster = xgb.train({"max_depth": 2}, xgb.DMatrix(X, label=y), num_boost_round=2)
    assert booster.num_boosted_rounds() == 2
    assert "xgboost autolog" in caplog.text
