"""``GET /api/3.0/ardea/experiments/{id}/trace-metrics``: per-bucket trace aggregates."""

from __future__ import annotations

from typing import Any

import pytest

from ardea.server.deps import ServerDeps
from fixtures.trace_metrics_seed import END, T0, seed

from .support import Client, assert_error, create_experiment

URL = "{}/3.0/ardea/experiments/{}/trace-metrics"


@pytest.fixture
def experiment(client: Client, deps: ServerDeps) -> str:
    exp = create_experiment(client, "metrics")
    other = create_experiment(client, "other")
    seed(deps.backend.traces, exp, other)
    return exp


def _get(client: Client, exp: str, prefix: str = "/api", **params: Any) -> Any:
    return client.get(URL.format(prefix, exp), params=params)


@pytest.mark.parametrize("prefix", ["/api", "/ajax-api"])
def test_buckets_totals_and_assessments(client: Client, experiment: str, prefix: str) -> None:
    r = _get(client, experiment, prefix, start_ms=T0, end_ms=END, buckets=4)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["start_ms"], body["end_ms"], body["bucket_ms"]) == (T0, END, 1000)
    assert [b["trace_count"] for b in body["buckets"]] == [2, 0, 1, 0]
    assert [b["error_count"] for b in body["buckets"]] == [1, 0, 0, 0]
    first = body["buckets"][0]
    assert first["latency_p50_ms"] == pytest.approx(200.0)
    assert first["latency_p99_ms"] == pytest.approx(298.0)
    assert (first["input_tokens"], first["output_tokens"]) == (3, 4)
    assert first["cost"] == pytest.approx(0.25)
    assert body["buckets"][1]["latency_p90_ms"] is None
    assert body["totals"]["trace_count"] == 3
    names = [a["name"] for a in body["assessments"]]
    assert names == ["correct", "score"]
    correct = body["assessments"][0]
    assert correct["pass_rate"] == pytest.approx(2 / 3)
    assert correct["pass_rates"] == [0.5, None, 1.0, None]
    assert body["assessments"][1]["numeric_mean"] == pytest.approx(0.75)


def test_defaults_cover_the_last_day(client: Client, experiment: str) -> None:
    r = _get(client, experiment)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["end_ms"] - body["start_ms"] == 24 * 3600 * 1000
    assert len(body["buckets"]) == 60
    assert body["totals"]["trace_count"] == 0  # the seed is from 2023


def test_unknown_experiment_is_404(client: Client, experiment: str) -> None:
    for exp in ("987654", "not-a-number"):
        r = _get(client, exp, start_ms=T0, end_ms=END)
        assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST")


@pytest.mark.parametrize(
    "params",
    [
        {"start_ms": END, "end_ms": T0},
        {"start_ms": T0, "end_ms": T0},
        {"start_ms": T0, "end_ms": END, "buckets": 0},
        {"start_ms": T0, "end_ms": END, "buckets": 5000},
        {"start_ms": "yesterday"},
        {"buckets": "many"},
    ],
)
def test_bad_parameters_are_400(client: Client, experiment: str, params: dict[str, Any]) -> None:
    r = _get(client, experiment, **params)
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")
