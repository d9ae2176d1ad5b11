"""Input rules shared by the stores: keys, lengths, metric values, batch limits."""

from __future__ import annotations

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Metric, Param, RunTag
from ardea.store import validation as v


@pytest.mark.parametrize("key", ["a", "a/b", "a b", "a.b-c_d", "a:b", "x" * 250])
def test_valid_keys(key: str) -> None:
    assert v.validate_key(key) == key


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "Missing value for required parameter 'key'"),
        (None, "Missing value"),
        ("a*b", "Names may only contain alphanumerics"),
        ("../a", "would resolve to"),
        ("a/./b", "would resolve to 'a/b'"),
        ("/a", "would resolve to"),
        ("x" * 251, "exceeds the maximum length of 250"),
        (3, "Keys must be strings"),
    ],
)
def test_invalid_keys(key: object, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        v.validate_key(key)


def test_metric_rules() -> None:
    v.validate_metric(Metric("m", float("nan"), 0, -5))
    v.validate_metric(Metric("m", 1, 0))
    with pytest.raises(InvalidArgumentError, match="Please specify value as a valid double"):
        v.validate_metric(Metric("m", False, 0))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="Timestamp must be a nonnegative long"):
        v.validate_metric(Metric("m", 1.0, -1))
    with pytest.raises(InvalidArgumentError, match="Step must be a valid long"):
        v.validate_metric(Metric("m", 1.0, 0, 1.5))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="Missing value for required parameter"):
        v.validate_metric(Metric("m", None, 0))  # type: ignore[arg-type]


def test_batch_messages() -> None:
    with pytest.raises(InvalidArgumentError) as info:
        v.validate_batch([Metric("m", 1.0, 0)] * 1001, [], [])
    assert info.value.message == (
        "A batch logging request can contain at most 1000 metrics. Got 1001 metrics. "
        "Please split up metrics across multiple requests and try again."
    )
    with pytest.raises(InvalidArgumentError, match="at most 1000 metrics, params, and tags"):
        v.validate_batch([Metric("m", 1.0, 0)] * 999, [Param(f"p{i}", "v") for i in range(2)], [])
    with pytest.raises(InvalidArgumentError, match=r"Duplicate parameter keys .*\['p'\]"):
        v.validate_batch([], [Param("p", "1"), Param("p", "2")], [])
    with pytest.raises(InvalidArgumentError, match=r"tags\[0\]\.value"):
        v.validate_batch([], [], [RunTag("t", "x" * 8001)])


def test_experiment_rules() -> None:
    assert v.validate_experiment_name("e") == "e"
    with pytest.raises(InvalidArgumentError, match="Invalid experiment name: ''"):
        v.validate_experiment_name("")
    with pytest.raises(InvalidArgumentError, match="Expects a string"):
        v.validate_experiment_name(5)
    assert v.validate_experiment_id("12") == 12
    with pytest.raises(InvalidArgumentError, match="Invalid experiment ID"):
        v.validate_experiment_id("-1")
    with pytest.raises(InvalidArgumentError, match="must be a valid integer"):
        v.validate_experiment_id("abc")


@pytest.mark.parametrize("value", [0, -1, 11, True, "5", None])
def test_max_results_rejects(value: object) -> None:
    with pytest.raises(InvalidArgumentError):
        v.validate_max_results(value, 10)


def test_max_results_accepts() -> None:
    assert v.validate_max_results(10, 10) == 10


@pytest.mark.parametrize(
    "location",
    [
        "mlflow-artifacts:/.ardea-mpu",
        "/data/.ardea-mpu/x",
        "C:\\data\\.ardea-mpu",
        "file:///d/%2eardea-mpu",
        "s3://b/.ardea-tmp-1",
        "runs:/abc/x",
        "x" * 1901,
        "/tmp/a\x00b",
    ],
)
def test_artifact_locations_refused(location: str) -> None:
    with pytest.raises(InvalidArgumentError):
        v.validate_artifact_location(location)


@pytest.mark.parametrize("location", ["mlflow-artifacts:/1", "s3://b/p", "/data/x", "/d/.ardea"])
def test_artifact_locations_accepted(location: str) -> None:
    assert v.validate_artifact_location(location) == location
