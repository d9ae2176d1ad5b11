"""The pure parts of ``ardea import mlflow``: model-metric merging, URI mapping, the report."""

from __future__ import annotations

import math

from ardea.entities import Metric
from ardea.importers.mlflow.importer import ImportReport, KindCount, MlflowImporter
from ardea.importers.mlflow.source import merge_model_metrics


def test_model_metrics_tag_the_run_points_they_copy() -> None:
    run = [Metric("acc", 0.5, 10, 0), Metric("acc", 0.7, 20, 1), Metric("nan", math.nan, 5, 0)]
    model = [
        Metric("acc", 0.7, 20, 1, model_id="m-1"),
        Metric("nan", 0.0, 5, 0, model_id="m-1"),  # MLflow's model table loses the NaN
        Metric("only_model", 3.0, 7, 0, model_id="m-1"),
    ]
    merged = merge_model_metrics(run, model)
    assert [(m.key, m.model_id) for m in merged] == [
        ("acc", None), ("acc", "m-1"), ("nan", "m-1"), ("only_model", "m-1"),
    ]  # fmt: skip
    assert math.isnan(merged[2].value)  # the run's NaN is kept


def test_a_different_value_at_the_same_step_is_another_point() -> None:
    merged = merge_model_metrics([Metric("a", 1.0, 1, 0)], [Metric("a", 2.0, 1, 0, model_id="m")])
    assert [(m.value, m.model_id) for m in merged] == [(1.0, None), (2.0, "m")]


def test_artifact_uris_map_by_the_longest_known_prefix() -> None:
    importer = object.__new__(MlflowImporter)
    importer._uri_map = {}
    importer._map_prefix("mlflow-artifacts:/1", "mlflow-artifacts:/5")
    importer._map_prefix(
        "mlflow-artifacts:/1/models/m-1/artifacts", "mlflow-artifacts:/6/models/m-1/artifacts"
    )
    importer._map_prefix("s3://old/7/r1/artifacts/", "mlflow-artifacts:/8/r1/artifacts")
    assert importer._map_uri("mlflow-artifacts:/1/r9/artifacts/model") == (
        "mlflow-artifacts:/5/r9/artifacts/model"
    )
    assert importer._map_uri("s3://old/7/r1/artifacts/x.pkl") == (
        "mlflow-artifacts:/8/r1/artifacts/x.pkl"
    )
    assert importer._map_uri("mlflow-artifacts:/1/models/m-1/artifacts/MLmodel") == (
        "mlflow-artifacts:/6/models/m-1/artifacts/MLmodel"  # the longest known root wins
    )
    assert importer._map_uri("mlflow-artifacts:/10/x") == "mlflow-artifacts:/10/x"  # not /1
    assert importer._map_uri("models:/m-1") == "models:/m-1"
    assert importer._map_uri(None) is None


def test_the_report_fails_when_the_destination_holds_less() -> None:
    report = ImportReport()
    report.counts["run"] = KindCount(source=3, imported=2, skipped=1, present=3)
    assert report.ok
    report.counts["trace"] = KindCount(source=2, imported=1, skipped=0, present=1)
    assert not report.ok
    text = report.format()
    assert "MISSING" in text and text.splitlines()[0].split()[:2] == ["kind", "source"]
    doc = report.to_dict()
    assert doc["ok"] is False and doc["counts"]["trace"]["in_ardea"] == 1
    assert ImportReport(dry_run=True, counts=dict(report.counts)).ok  # a dry run checks nothing
