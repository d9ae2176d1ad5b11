"""NPMI of two trace filters from their counts: MLflow's rules, figures checked by hand."""

from __future__ import annotations

import math

import pytest

from ardea.store.trace_correlation import correlation_from_counts, npmi


def test_npmi_of_a_positive_association() -> None:
    r = correlation_from_counts(joint=6, first=6, second=7, total=10)
    assert r.npmi == pytest.approx(math.log(60 / 42) / -math.log(0.6))
    assert r.npmi_smoothed == pytest.approx(0.5404578674731575)
    assert (r.filter1_count, r.filter2_count, r.joint_count, r.total_count) == (6, 7, 6, 10)


@pytest.mark.parametrize(
    ("joint", "first", "second", "total"),
    [(0, 0, 3, 10), (0, 3, 0, 10), (0, 0, 0, 0), (5, 3, 3, 10), (1, 6, 6, 10)],
)
def test_undefined_when_a_filter_matches_nothing_or_the_counts_do_not_fit(
    joint: int, first: int, second: int, total: int
) -> None:
    r = correlation_from_counts(joint, first, second, total)
    assert math.isnan(r.npmi) and r.npmi_smoothed is not None and math.isnan(r.npmi_smoothed)


def test_never_together_is_minus_one_and_always_together_is_one() -> None:
    apart = correlation_from_counts(joint=0, first=4, second=6, total=10)
    assert apart.npmi == -1.0 and apart.npmi_smoothed is not None and apart.npmi_smoothed < 0
    same = correlation_from_counts(joint=10, first=10, second=10, total=10)
    assert same.npmi == 1.0
    assert npmi(10, 0, 0, 0) == 1.0


def test_independent_filters_are_near_zero() -> None:
    r = correlation_from_counts(joint=25, first=50, second=50, total=100)
    assert r.npmi == pytest.approx(0.0, abs=1e-12)
