"""``GET /api/3.0/ardea/experiments/{id}/quality``: pass rates with Wilson intervals.

The intervals are held against ``ardea.evaluation.stats.intervals.wilson`` (the interval the
evaluation reports), and bad parameters are a 400 in MLflow's error shape.
"""

from __future__ import annotations

from typing import Any

import pytest

from ardea.evaluation.stats.intervals import wilson
from ardea.server.deps import ServerDeps
from fixtures.trace_metrics_seed import END, T0, seed

from .support import Client, assert_error, create_experiment

URL = "/api/3.0/ardea/experiments/{}/quality"


@pytest.fixture
def experiment(client: Client, deps: ServerDeps) -> str:
    exp = create_experiment(client, "quality")
    seed(deps.backend.traces, exp, create_experiment(client, "other"))
    return exp


def _get(client: Client, exp: str, **params: Any) -> Any:
    r = client.get(URL.format(exp), params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_pass_rates_with_wilson_intervals(client: Client, experiment: str) -> None:
    body = _get(client, experiment, start_ms=T0, end_ms=END, buckets=4)
    assert (body["bucket_ms"], body["group_by"], body["confidence"]) == (1000, "", 0.95)
    [correct] = body["series"]  # "score" has numbers only: no verdicts
    assert (correct["judge"], correct["group"]) == ("correct", None)
    first, empty, third, _ = correct["buckets"]
    assert (first["passed"], first["total"], first["rate"]) == (1, 2, 0.5)
    expected = wilson(1, 2, confidence=0.95)
    assert (first["low"], first["high"]) == pytest.approx((expected.low, expected.high))
    assert empty == {
        "start_ms": T0 + 1000,
        "passed": 0,
        "total": 0,
        "rate": None,
        "low": None,
        "high": None,
    }
    assert third["rate"] == 1.0 and third["high"] == pytest.approx(1.0)
    overall = correct["overall"]
    assert (overall["passed"], overall["total"]) == (2, 3)
    narrow = _get(client, experiment, start_ms=T0, end_ms=END, buckets=4, confidence=0.5)
    assert narrow["series"][0]["overall"]["low"] > overall["low"]


@pytest.mark.parametrize(
    "params",
    [
        {"group_by": "tag"},
        {"group_by": "everything"},
        {"confidence": 1.5},
        {"confidence": "high"},
        {"buckets": 0},
        {"start_ms": END, "end_ms": T0},
    ],
)
def test_bad_parameters_are_400(client: Client, experiment: str, params: dict[str, Any]) -> None:
    r = client.get(URL.format(experiment), params={"start_ms": T0, "end_ms": END, **params})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")


def test_unknown_experiment_is_404(client: Client) -> None:
    assert_error(client.get(URL.format("424242")), 404, "RESOURCE_DOES_NOT_EXIST")
