"""Keras 3 autologging on the torch backend, with a tiny model and data made in the test."""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "torch"  # tensorflow is not installed; torch is

import json
from collections.abc import Iterator
from pathlib import Path

import keras
import numpy as np
import pytest
import torch

import ardea
from ardea.autolog import keras as keras_autolog
from fixtures.classic_ml import artifacts, download, history, inputs, runs, tracking, untrack

torch.set_num_threads(1)


@pytest.fixture
def autologged(tmp_path: Path) -> Iterator[Path]:
    tracking(tmp_path)
    keras_autolog.autolog()
    yield tmp_path
    keras_autolog.revert()
    untrack()


def _model(lr: float = 0.05) -> keras.Model:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse", metrics=["mae"])
    return model


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 4)).astype("float32")
    return X, X.sum(axis=1, keepdims=True)


def test_fit_logs_params_epoch_history_model_and_dataset(autologged: Path) -> None:
    X, y = _data()
    model = _model()
    model.fit(X, y, epochs=3, batch_size=8, validation_split=0.25, verbose=0)
    assert ardea.active_run() is None
    [run] = runs()
    run_id = run.info.run_id
    assert run.info.status == "FINISHED"
    assert run.data.tags["mlflow.autologging"] == "keras"
    params = run.data.params
    assert params["epochs"] == "3" and params["batch_size"] == "8"
    assert params["validation_split"] == "0.25"
    assert params["optimizer_name"] == "SGD"
    assert float(params["optimizer.learning_rate"]) == pytest.approx(0.05)
    for key in ("loss", "mae", "val_loss", "val_mae"):
        assert [s for s, _ in history(run_id, key)] == [0, 1, 2]
    assert artifacts(run_id, "model") == ["model/model.keras"]
    loaded = keras.saving.load_model(download(run_id, "model/model.keras", autologged))
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    [dataset] = inputs(run_id)
    assert json.loads(dataset.dataset.profile) == {
        "features_shape": [40, 4],
        "targets_shape": [40, 1],
    }


def test_early_stopping_inside_user_run(autologged: Path) -> None:
    X, y = _data(1)
    noise = np.random.default_rng(2).normal(size=(40, 1)).astype("float32")
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=1, min_delta=100.0, restore_best_weights=True
    )
    with ardea.start_run() as user_run:
        _model().fit(X, y, epochs=30, validation_data=(X, noise), callbacks=[stop], verbose=0)
    [run] = runs()
    assert run.info.run_id == user_run.info.run_id
    assert run.data.params["earlystopping_monitor"] == "val_loss"
    assert run.data.params["earlystopping_patience"] == "1"
    assert run.data.metric_values["stopped_epoch"] == stop.stopped_epoch
    assert run.data.metric_values["restored_epoch"] == stop.stopped_epoch - 1
    assert len(history(run.info.run_id, "val_loss")) == stop.stopped_epoch + 1 < 30
    by_context = {d.tags["mlflow.data.context"]: d.dataset for d in inputs(run.info.run_id)}
    assert by_context["train"].digest != by_context["eval"].digest  # same x, other targets


def test_user_error_fails_the_run_and_disable(autologged: Path) -> None:
    X, y = _data(3)
    with pytest.raises(ValueError):
        _model().fit(X, y[:10], epochs=1, verbose=0)  # mismatched lengths
    [run] = runs()
    assert run.info.status == "FAILED"
    keras_autolog.autolog(disable=True)
    _model().fit(X, y, epochs=1, verbose=0)
    assert len(runs()) == 1


def test_renamed_fit_warns_once_and_training_works(
    autologged: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import keras.src.backend.torch.trainer as torch_trainer

    monkeypatch.setenv("ARDEA_STRICT", "0")
    keras_autolog.revert()
    # The library "changes shape": the trainer class is no longer where it was defined.
    monkeypatch.delattr(torch_trainer, "TorchTrainer")
    keras_autolog.autolog()
    keras_autolog.autolog()
    assert caplog.text.count("keras autolog (patching TorchTrainer.fit)") == 1
    X, y = _data(4)
    _model().fit(X, y, epochs=1, verbose=0)  # the user's fit still works, unlogged
    assert runs() == []
