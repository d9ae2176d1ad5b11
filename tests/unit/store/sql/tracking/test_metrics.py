"""Bulk-interval sampling (MLflow 3.18's NTILE rule): which point indices are kept."""

from __future__ import annotations

import pytest

from ardea.store.sql.tracking.metrics import _kept_rows


def _kept(n: int, k: int) -> list[int]:
    """The indices :func:`_kept_rows` describes, evaluated as the SQL condition does."""
    plan = _kept_rows(n, k)
    if plan is None:
        return list(range(n))
    q, big, last_start, _ = plan

    def starts_bucket(i: int) -> bool:
        return (i < big and i % (q + 1) == 0) or (i >= big and (i - big) % q == 0)

    return [i for i in range(n) if i == n - 1 or (i < last_start and starts_bucket(i))]


def _ntile_reference(n: int, k: int) -> list[int]:
    """NTILE(k) over ``n`` rows: the first row of each bucket, the last row replacing the last."""
    sizes = [n // k + (1 if b < n % k else 0) for b in range(k)]  # the first n % k longer
    starts, at = [], 0
    for size in sizes:
        if size:
            starts.append(at)
        at += size
    if starts[-1] != n - 1:
        if len(starts) >= k:
            starts[-1] = n - 1
        else:
            starts.append(n - 1)
    return starts


def test_all_points_when_they_fit() -> None:
    assert _kept_rows(5, 5) is None
    assert _kept(3, 5) == [0, 1, 2]


def test_bucket_starts_then_the_last() -> None:
    assert _kept(10, 5) == [0, 2, 4, 6, 9]
    assert _kept(11, 5) == [0, 3, 5, 7, 10]  # the first bucket is one longer
    assert _kept(50, 1) == [49]


@pytest.mark.parametrize("n", range(1, 60))
@pytest.mark.parametrize("k", [1, 2, 3, 4, 7, 10, 25])
def test_matches_ntile(n: int, k: int) -> None:
    assert _kept(n, k) == _ntile_reference(n, k)
    assert len(_kept(n, k)) == min(n, k)
