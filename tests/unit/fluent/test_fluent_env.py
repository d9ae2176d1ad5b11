"""The fluent API's experiment chosen from the environment (ARDEA_/MLFLOW_EXPERIMENT_ID)."""

from __future__ import annotations

import pytest

import ardea
from ardea._core import env


def test_experiment_id_from_ardea_env(folder_uri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    exp_id = ardea.get_client().create_experiment("by-id")
    other = ardea.get_client().create_experiment("other")
    monkeypatch.setenv(env.ARDEA_EXPERIMENT_ID, exp_id)
    monkeypatch.setenv(env.MLFLOW_EXPERIMENT_ID, other)  # the Ardea name wins
    with ardea.start_run() as run:
        pass
    assert run.info.experiment_id == exp_id


def test_experiment_id_mlflow_fallback(folder_uri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    exp_id = ardea.get_client().create_experiment("by-mlflow-id")
    monkeypatch.setenv(env.MLFLOW_EXPERIMENT_ID, exp_id)
    with ardea.start_run() as run:
        pass
    assert run.info.experiment_id == exp_id


def test_experiment_name_beats_id(folder_uri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    exp_id = ardea.get_client().create_experiment("ignored")
    monkeypatch.setenv(env.ARDEA_EXPERIMENT_ID, exp_id)
    monkeypatch.setenv(env.ARDEA_EXPERIMENT_NAME, "named")
    with ardea.start_run() as run:
        pass
    assert ardea.get_experiment(run.info.experiment_id).name == "named"
