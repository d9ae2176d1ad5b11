"""Bulk-interval step sampling (MLflow's rule), as a pure function."""

from __future__ import annotations

from ardea.store.sql.tracking.metrics import _sample_steps


def test_all_steps_when_they_fit() -> None:
    assert _sample_steps([1, 2, 3], None, None, 5) == {1, 2, 3}


def test_even_spacing_plus_last() -> None:
    steps = list(range(10))
    assert _sample_steps(steps, None, None, 4) == {0, 2, 5, 7, 9}


def test_range_and_edges() -> None:
    steps = list(range(0, 100, 10))
    # In range 20..50: 4 steps fit into 5; the run's min (0) and max (90) are out of range.
    assert _sample_steps(steps, 20, 50, 5) == {20, 30, 40, 50}
    # Min and max are added back when they are inside the range.
    assert _sample_steps(steps, 0, 90, 2) == {0, 50, 90}


def test_empty_range() -> None:
    assert _sample_steps([1, 2, 3], 10, 20, 5) == set()
