"""Repeated runs (cluster bootstrap) and the A/A noise floor."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.stats import compare_evaluations
from ardea.evaluation.stats.aggregates import summarize
from ardea.evaluation.stats.repeats import (
    half_widths,
    noise_floor,
    noise_floors,
    summarize_repeats,
)


def _flaky(rows: int, k: int, seed: int) -> list[list[bool]]:
    rng = np.random.default_rng(seed)
    p = rng.random(rows)
    return [[bool(rng.random() < pi) for _ in range(k)] for pi in p]


def test_cluster_interval_is_wider_than_treating_repeats_as_rows() -> None:
    values = _flaky(40, 5, seed=3)
    clustered = summarize_repeats(values, n_resamples=2000)
    naive = summarize([v for row in values for v in row], scorer="naive")
    e, n = clustered.estimate, naive.estimate("pass_rate")
    assert e.method == "cluster-percentile"
    assert e.value == pytest.approx(n.value)
    assert (e.high - e.low) > (n.high - n.low)
    assert 0 < clustered.icc < 1
    assert clustered.within_row_variance > 0


def test_repeats_are_seeded_and_keep_mode() -> None:
    values = _flaky(20, 3, seed=1)
    assert summarize_repeats(values, n_resamples=500) == summarize_repeats(values, n_resamples=500)
    kept = summarize_repeats(values, n_resamples=500, within="keep").estimate
    both = summarize_repeats(values, n_resamples=500).estimate
    assert kept.value == both.value and kept.low <= kept.value <= kept.high


def test_unstable_rows_and_missing_repeats() -> None:
    s = summarize_repeats([[True, True], [True, None], [False, True], [None, None]])
    assert s.unstable_rows == (2,)
    assert (s.n_missing, s.rows_without_values, s.n_values) == (3, 1, 5)
    assert s.estimate.value == pytest.approx((1 + 1 + 0.5) / 3)
    json.dumps(s.to_dict())
    assert "unstable" in str(s)


def test_repeat_edges() -> None:
    assert summarize_repeats([[None], [None]]).estimate.value is None
    one = summarize_repeats([[0.5]])
    assert one.estimate.low is None and one.estimate.method == "none"
    const = summarize_repeats([[1.0, 1.0], [1.0, 1.0]])
    assert const.estimate.method == "constant" and const.unstable_rows == ()
    with pytest.raises(InvalidArgumentError, match="categorical"):
        summarize_repeats([["a", "b"]])
    with pytest.raises(InvalidArgumentError, match="sequence"):
        summarize_repeats(["ab"])  # type: ignore[list-item]
    with pytest.raises(InvalidArgumentError, match="within"):
        summarize_repeats([[1.0]], within="none")  # type: ignore[arg-type]


def test_noise_floor_of_identical_runs_is_zero() -> None:
    nf = noise_floor([1.0, 0.0, 1.0], [1.0, 0.0, 1.0])
    assert nf.half_width == 0.0 and nf.changed_share == 0.0


def test_noise_floor_bounds_the_chance_difference() -> None:
    rng = np.random.default_rng(5)
    p = rng.random(200)
    run1 = (rng.random(200) < p).astype(float).tolist()
    run2 = (rng.random(200) < p).astype(float).tolist()
    nf = noise_floor(run1, run2, n_resamples=2000)
    assert 0 < nf.half_width < 0.2
    assert abs(nf.observed_diff) <= 2 * nf.half_width
    assert nf == noise_floor(run1, run2, n_resamples=2000)


def test_noise_floor_shown_beside_an_a_b() -> None:
    def rows(values: list[float]) -> list[dict[str, object]]:
        return [{"record_id": str(i), "scores": {"ok": v}} for i, v in enumerate(values)]

    rng = np.random.default_rng(9)
    p = rng.random(100)
    a1, a2 = ((rng.random(100) < p).astype(float).tolist() for _ in range(2))
    floors = noise_floors(rows(a1), rows(a2), n_resamples=999)
    assert floors["ok"].n_pairs == 100
    b = [min(1.0, v + 0.0) for v in a1]
    cmp = compare_evaluations(rows(a1), rows(b), noise_floor=half_widths(floors), n_resamples=99)
    assert cmp.scorer("ok").noise_floor == floors["ok"].half_width
    assert cmp.scorer("ok").within_noise is True


def test_noise_floor_errors_and_missing() -> None:
    with pytest.raises(InvalidArgumentError, match="length"):
        noise_floor([1], [1, 2])
    nf = noise_floor([None, 1.0], [1.0, None])
    assert nf.n_pairs == 0 and nf.half_width is None and nf.n_missing == 2
