"""Holm and Benjamini-Hochberg against the worked example of Benjamini & Hochberg (1995)."""

from __future__ import annotations

import math

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.stats.multiple import adjust_p_values, benjamini_hochberg, holm

# Benjamini & Hochberg (1995), J. R. Statist. Soc. B 57:289, section 4: the 15 p-values of
# Neuhaus et al.'s thrombolysis trial. At 0.05, the Bonferroni-type procedures (Holm's
# included) reject the three smallest; the FDR procedure rejects the four smallest.
BH_1995 = [
    0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
    0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000,
]  # fmt: skip


def test_bh_1995_rejections() -> None:
    assert sum(q <= 0.05 for q in benjamini_hochberg(BH_1995)) == 4
    assert sum(p <= 0.05 for p in holm(BH_1995)) == 3


def test_holm_values() -> None:
    """Holm (1979): the i-th smallest p is multiplied by (m - i + 1), then made monotone."""
    adjusted = holm(BH_1995)
    assert adjusted[:4] == pytest.approx([0.0015, 0.0056, 0.0247, 0.114])
    assert adjusted[-1] == 1.0
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def test_bh_values() -> None:
    """q_(i) = min_{j>=i} m p_(j) / j; the 4th: 15 * 0.0095 / 4 = 0.035625."""
    q = benjamini_hochberg(BH_1995)
    assert q[3] == pytest.approx(0.035625)
    assert q[0] == pytest.approx(0.0015)
    assert q[-1] == 1.0


def test_nan_p_values_are_left_out() -> None:
    out = holm([0.01, float("nan"), 0.02])
    assert math.isnan(out[1])
    assert out[0] == pytest.approx(0.02) and out[2] == pytest.approx(0.02)
    assert math.isnan(benjamini_hochberg([float("nan")])[0])


def test_adjust_dispatch_and_errors() -> None:
    assert adjust_p_values([0.2], "none") == [0.2]
    with pytest.raises(InvalidArgumentError, match="correction"):
        adjust_p_values([0.2], "bonferroni")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"\[0, 1\]"):
        holm([1.5])
