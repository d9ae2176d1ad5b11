"""Params, metrics, tags and datasets through the fluent API, on embedded stores."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import ardea
from ardea.entities import Dataset


def test_params_metrics_tags(tracking_uri: str) -> None:
    with ardea.start_run() as run:
        assert ardea.log_param("lr", 0.1) == 0.1
        ardea.log_params({"depth": 3, "name": "tree"})
        ardea.log_metric("acc", 0.5, step=1)
        ardea.log_metric("acc", 0.75, step=2)
        ardea.log_metrics({"loss": 0.25, "nan": float("nan")}, step=3)
        ardea.set_tag("stage", "dev")
        ardea.set_tags({"a": 1, "b": True})
        ardea.set_tag("temp", "x")
        ardea.delete_tag("temp")
    stored = ardea.get_run(run.info.run_id)
    assert stored.data.params == {"lr": "0.1", "depth": "3", "name": "tree"}
    values = stored.data.metric_values
    assert values["acc"] == 0.75
    assert values["loss"] == 0.25
    assert math.isnan(values["nan"])
    assert stored.data.tags["stage"] == "dev"
    assert stored.data.tags["a"] == "1"
    assert stored.data.tags["b"] == "True"
    assert "temp" not in stored.data.tags
    history = ardea.get_metric_history(run.info.run_id, "acc")
    assert [(m.step, m.value) for m in history] == [(1, 0.5), (2, 0.75)]


def test_changing_param_raises(tracking_uri: str) -> None:
    with ardea.start_run():
        ardea.log_param("p", 1)
        with pytest.raises(ardea.InvalidArgumentError):
            ardea.log_param("p", 2)


def test_bad_metric_value_raises_at_call(tracking_uri: str) -> None:
    with ardea.start_run():
        with pytest.raises(ardea.InvalidArgumentError):
            ardea.log_metric("m", "high")
        with pytest.raises(ardea.InvalidArgumentError):
            ardea.log_metric("m", True)
        ardea.log_metric("np", np.float32(0.5))
        ardea.log_metric("np_int", np.int64(3))


def test_synchronous_metric_is_stored_immediately(tracking_uri: str) -> None:
    with ardea.start_run() as run:
        ardea.log_metric("m", 1.0, synchronous=True)
        client = ardea.get_client()
        assert client.get_run(run.info.run_id).data.metric_values == {"m": 1.0}


def test_many_async_metrics_all_stored_at_end_run(tracking_uri: str) -> None:
    with ardea.start_run() as run:
        for step in range(2500):
            ardea.log_metric("x", float(step), step=step)
        ardea.log_metrics({"y": 1.0, "z": 2.0})
    history = ardea.get_client().get_metric_history(run.info.run_id, "x")
    assert len(history) == 2500
    assert [m.step for m in history] == list(range(2500))
    assert ardea.get_run(run.info.run_id).data.metric_values["z"] == 2.0


def test_flush_makes_async_points_visible(tracking_uri: str) -> None:
    with ardea.start_run() as run:
        ardea.log_metric("m", 3.0)
        ardea.flush()
        assert ardea.get_client().get_run(run.info.run_id).data.metric_values == {"m": 3.0}


def test_log_input_dataframe(tracking_uri: str) -> None:
    df = pd.DataFrame({"a": [1, 2, 3], "b": [0.5, 1.5, 2.5], "c": ["x", "y", "z"]})
    with ardea.start_run() as run:
        ardea.log_input(df, context="training", tags={"split": "train"})
    inputs = ardea.get_run(run.info.run_id).inputs.dataset_inputs
    assert len(inputs) == 1
    ds = inputs[0].dataset
    assert ds.name == "dataset"
    assert len(ds.digest) == 8
    schema = json.loads(ds.schema)["mlflow_colspec"]
    assert [(c["name"], c["type"]) for c in schema] == [
        ("a", "long"),
        ("b", "double"),
        ("c", "string"),
    ]
    assert json.loads(ds.profile) == {"num_rows": 3, "num_elements": 9}
    assert inputs[0].tags == {"split": "train", "mlflow.data.context": "training"}


def test_dataframe_digest_depends_on_content() -> None:
    from ardea.fluent._datasets import dataset_from_frame

    a = dataset_from_frame(pd.DataFrame({"a": [1, 2]}))
    b = dataset_from_frame(pd.DataFrame({"a": [1, 3]}))
    again = dataset_from_frame(pd.DataFrame({"a": [1, 2]}))
    assert a.digest == again.digest
    assert a.digest != b.digest


def test_log_input_dataset_like_objects(tracking_uri: str) -> None:
    class Source:
        def _get_source_type(self) -> str:
            return "http"

        def to_json(self) -> str:
            return '{"url": "http://example/data.csv"}'

    class Like:
        name = "iris"
        digest = "abc123"
        source = Source()
        schema = {"mlflow_colspec": []}
        profile = {"num_rows": 150}

    with ardea.start_run() as run:
        ardea.log_input(Like(), context="eval")
        ardea.log_input(Dataset(name="raw", digest="d1"))
        ardea.log_input(np.zeros((4, 2)))
    inputs = {i.dataset.name: i for i in ardea.get_run(run.info.run_id).inputs.dataset_inputs}
    assert inputs["iris"].dataset.source_type == "http"
    assert json.loads(inputs["iris"].dataset.source) == {"url": "http://example/data.csv"}
    assert json.loads(inputs["iris"].dataset.profile) == {"num_rows": 150}
    assert inputs["iris"].tags["mlflow.data.context"] == "eval"
    assert inputs["raw"].dataset.digest == "d1"
    assert json.loads(inputs["dataset"].dataset.profile)["features_shape"] == [4, 2]


def test_log_input_rejects_other_objects(tracking_uri: str) -> None:
    with ardea.start_run(), pytest.raises(ardea.InvalidArgumentError):
        ardea.log_input(42)


def test_search_runs_dataframe_and_list(tracking_uri: str) -> None:
    ardea.set_experiment("search")
    for i in range(3):
        with ardea.start_run(run_name=f"r{i}"):
            ardea.log_metric("acc", i / 10)
            ardea.log_param("i", i)
    df = ardea.search_runs(filter_string="metrics.acc > 0.05", order_by=["metrics.acc DESC"])
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns[:6]) == [
        "run_id",
        "experiment_id",
        "status",
        "artifact_uri",
        "start_time",
        "end_time",
    ]
    assert list(df["metrics.acc"]) == [0.2, 0.1]
    assert list(df["params.i"]) == ["2", "1"]
    assert list(df["tags.mlflow.runName"]) == ["r2", "r1"]
    assert str(df["start_time"].dtype).startswith("datetime64")
    runs = ardea.search_runs(output_format="list", max_results=2)
    assert len(runs) == 2
    by_name = ardea.search_runs(experiment_names=["search"], output_format="list")
    assert len(by_name) == 3
    assert ardea.search_runs(experiment_names=["missing"], output_format="list") == []


def test_search_runs_empty_frame_and_errors(tracking_uri: str) -> None:
    df = ardea.search_runs()
    assert df.empty
    assert list(df.columns) == [
        "run_id",
        "experiment_id",
        "status",
        "artifact_uri",
        "start_time",
        "end_time",
    ]
    with pytest.raises(ardea.InvalidArgumentError):
        ardea.search_runs(output_format="csv")
    with pytest.raises(ardea.InvalidArgumentError):
        ardea.search_runs(filter_string="metrics.acc >>> 1")
