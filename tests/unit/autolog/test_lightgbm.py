"""LightGBM autologging with the real library on tiny data made in the test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pytest

import ardea
from ardea.autolog import lightgbm as lgb_autolog
from fixtures.classic_ml import artifacts, download, history, inputs, runs, tracking, untrack

_QUIET = {"verbose": -1, "num_threads": 1, "min_data_in_leaf": 3}


@pytest.fixture
def autologged(tmp_path: Path) -> Iterator[Path]:
    tracking(tmp_path)
    lgb_autolog.autolog()
    yield tmp_path
    lgb_autolog.revert()
    ardea.sklearn.revert()
    untrack()


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(80, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    return X, y


def test_train_logs_params_history_importance_model_and_dataset(autologged: Path) -> None:
    X, y = _data()
    train = lgb.Dataset(X[:60], label=y[:60])
    valid = lgb.Dataset(X[60:], label=y[60:], reference=train)
    params = {"objective": "binary", "num_leaves": 4, "metric": "binary_logloss", **_QUIET}
    booster = lgb.train(params, train, num_boost_round=5, valid_sets=[valid], valid_names=["v"])
    assert ardea.active_run() is None
    [run] = runs()
    run_id = run.info.run_id
    assert run.info.status == "FINISHED"
    assert run.data.tags["mlflow.autologging"] == "lightgbm"
    assert run.data.params["num_leaves"] == "4"
    assert run.data.params["num_boost_round"] == "5"
    steps = history(run_id, "v-binary_logloss")
    assert [s for s, _ in steps] == [0, 1, 2, 3, 4]
    assert "best_iteration" not in run.data.metric_values
    found = artifacts(run_id)
    assert {"feature_importance_split.json", "feature_importance_gain.json", "model"} <= set(found)
    split = json.loads(download(run_id, "feature_importance_split.json", autologged).read_text())
    assert set(split) == {"Column_0", "Column_1", "Column_2", "Column_3"}
    assert artifacts(run_id, "model") == ["model/model.txt"]
    path = download(run_id, "model/model.txt", autologged / "m")
    loaded = lgb.Booster(model_file=str(path))
    np.testing.assert_allclose(loaded.predict(X), booster.predict(X))
    by_context = {d.tags["mlflow.data.context"]: d.dataset for d in inputs(run_id)}
    profile = json.loads(by_context["train"].profile)
    assert profile == {"features_shape": [60, 4], "targets_shape": [60]}
    assert json.loads(by_context["eval"].profile)["features_shape"] == [20, 4]


def test_early_stopping_logs_best_iteration(autologged: Path) -> None:
    X, y = _data(1)
    noise = np.random.default_rng(2).integers(0, 2, size=20)
    train = lgb.Dataset(X[:60], label=y[:60])
    valid = lgb.Dataset(X[60:], label=noise, reference=train)
    params = {"objective": "binary", "learning_rate": 0.9, **_QUIET}
    booster = lgb.train(
        params,
        train,
        num_boost_round=60,
        valid_sets=[valid],
        callbacks=[lgb.early_stopping(2, verbose=False)],
    )
    [run] = runs()
    metrics = run.data.metric_values
    stopped = int(metrics["stopped_iteration"])
    assert metrics["best_iteration"] == booster.best_iteration
    steps = history(run.info.run_id, "valid_0-binary_logloss")
    assert [s for s, _ in steps] == [*range(stopped + 1), stopped + 1]
    assert steps[-1][1] == pytest.approx(steps[booster.best_iteration - 1][1])


def test_sklearn_api_logs_one_run(autologged: Path) -> None:
    X, y = _data(3)
    model = lgb.LGBMClassifier(n_estimators=4, num_leaves=4, **_QUIET)
    model.fit(X, y, eval_set=[(X, y)])
    [run] = runs()
    assert run.data.params["n_estimators"] == "4"
    assert run.data.tags["estimator_name"] == "LGBMClassifier"
    assert "num_boost_round" not in run.data.params  # the inner lightgbm.train logged nothing
    assert [s for s, _ in history(run.info.run_id, "training-binary_logloss")] == [0, 1, 2, 3]
    path = download(run.info.run_id, "model/model.txt", autologged)
    loaded = lgb.Booster(model_file=str(path))
    np.testing.assert_allclose(loaded.predict(X), model.predict_proba(X)[:, 1])
    assert len(inputs(run.info.run_id)) == 1


def test_with_sklearn_autolog_a_pipeline_logs_one_run(autologged: Path) -> None:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    try:
        ardea.autolog(log_models=False)  # sklearn and lightgbm (and the others installed)
        X, y = _data(4)
        steps = [("s", StandardScaler()), ("m", lgb.LGBMClassifier(n_estimators=3, **_QUIET))]
        Pipeline(steps).fit(X, y)
    finally:
        ardea.autolog.revert()
    [run] = runs()
    assert run.data.tags["mlflow.autologging"] == "sklearn"
    assert run.data.tags["estimator_name"] == "Pipeline"
    assert "model" not in artifacts(run.info.run_id)


def test_disable_and_user_error(autologged: Path) -> None:
    X, y = _data(5)
    with pytest.raises(lgb.basic.LightGBMError):
        lgb.train({"objective": "no-such", **_QUIET}, lgb.Dataset(X, label=y), 2)
    [run] = runs()
    assert run.info.status == "FAILED"
    lgb_autolog.autolog(disable=True)
    assert not lgb_autolog.is_enabled()
    lgb.train(_QUIET, lgb.Dataset(X, label=y), 2)
    assert len(runs()) == 1


def test_renamed_library_function_warns_once_and_training_works(
    autologged: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    lgb_autolog.revert()
    monkeypatch.setattr(lgb.engine, "train_v2", lgb.engine.train, raising=False)
    monkeypatch.delattr(lgb.engine, "train")  # the library "changes shape"
    lgb_autolog.autolog()
    lgb_autolog.autolog()
    assert caplog.text.count("lightgbm autolog (patching lightgbm.engine.train)") == 1
    X, y = _data(6)
    booster = lgb.engine.train_v2(_QUIET, lgb.Dataset(X, label=y), 2)
    assert booster.num_trees() == 2
    lgb.train(_QUIET, lgb.Dataset(X, label=y), 2)  # the rest still works
    assert len(runs()) == 1
