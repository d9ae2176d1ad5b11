"""Paired tests against published values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.stats.paired import (
    cohen_h,
    mcnemar,
    mcnemar_from_counts,
    paired_t,
    rank_biserial,
    stuart_maxwell,
    stuart_maxwell_table,
    wilcoxon,
)

# Darwin's Zea mays data: differences in height (eighths of an inch) between cross- and
# self-fertilised plants in 15 pairs, as given by Fisher, The Design of Experiments (1935) §17,
# and in the scipy.stats.wilcoxon documentation.
DARWIN = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]


def test_mcnemar_presidential_approval() -> None:
    """Agresti, An Introduction to Categorical Data Analysis (2007) Table 8.1: 1600 people rated
    the president twice; 150 approve->disapprove, 86 disapprove->approve. Agresti: z^2 = 17.36.
    R's mcnemar.test (continuity corrected) on the same table: 16.818, p = 4.115e-05."""
    r = mcnemar_from_counts(improved=86, regressed=150)
    assert r.chi2 == pytest.approx(17.36, abs=0.005)
    assert r.chi2_corrected == pytest.approx(16.818, abs=0.0005)
    assert r.p_chi2_corrected == pytest.approx(4.115e-05, rel=1e-3)
    assert r.discordant == 236


def test_mcnemar_exact_and_mid_p_fagerland() -> None:
    """Fagerland, Lydersen & Laake (2013), BMC Med Res Methodol 13:91, Table 1: airway
    hyper-responsiveness before/after stem cell transplantation, 21 children, discordant
    pairs 1 and 7. Exact conditional p = 0.070, mid-p = 0.039, asymptotic McNemar p = 0.034."""
    r = mcnemar_from_counts(improved=7, regressed=1)
    assert round(r.p_exact, 3) == 0.070
    assert round(r.p_mid, 3) == 0.039
    assert round(r.p_chi2, 3) == 0.034


def test_mcnemar_armitage_berry() -> None:
    """Armitage & Berry, Statistical Methods in Medical Research (1994) p. 127, two media for
    culturing M. tuberculosis on 50 specimens, discordant 12 and 2: Yates-corrected chi-square
    5.785714 (P = 0.0162), exact two-sided P = 0.0129 (as StatsDirect reports it)."""
    r = mcnemar_from_counts(improved=2, regressed=12)
    assert r.chi2_corrected == pytest.approx(5.785714, abs=1e-6)
    assert round(r.p_chi2_corrected, 4) == 0.0162
    assert round(r.p_exact, 4) == 0.0129


def test_mcnemar_from_values_counts_the_cells() -> None:
    a = [True, True, False, False, True]
    b = [True, False, True, True, True]
    r = mcnemar(a, b)
    assert (r.improved, r.regressed) == (2, 1)


def test_mcnemar_without_discordant_pairs_is_no_evidence() -> None:
    r = mcnemar_from_counts(0, 0)
    assert r.p_exact == 1.0 and r.p_mid == 1.0 and math.isnan(r.chi2)


def test_mcnemar_even_split_mid_p() -> None:
    r = mcnemar_from_counts(3, 3)
    assert r.p_exact == 1.0
    assert r.p_mid == pytest.approx(1 - 20 / 64)


def test_wilcoxon_darwin() -> None:
    """scipy.stats.wilcoxon docs on Darwin's data: W = 24, exact two-sided p = 0.041259765625.
    Rank sums: R- = 24, R+ = 96, so the matched-pairs rank-biserial r = (96-24)/120 = 0.6
    (Kerby 2014's simple difference formula)."""
    r = wilcoxon(np.zeros(15), DARWIN)
    assert r.statistic == 24.0
    assert r.p_value == pytest.approx(0.041259765625, abs=1e-12)
    assert r.effect == pytest.approx(0.6)
    assert r.n == 15


def test_paired_t_darwin() -> None:
    """Fisher (1935) §17: on Darwin's 15 differences (mean 20.93), t = 2.148 with 14 df."""
    r = paired_t(np.zeros(15), DARWIN)
    assert round(r.statistic, 3) == 2.148
    assert r.df == 14
    assert np.mean(DARWIN) == pytest.approx(20.93, abs=0.005)
    assert r.effect == pytest.approx(np.mean(DARWIN) / np.std(DARWIN, ddof=1))


def test_wilcoxon_all_ties_is_no_evidence() -> None:
    r = wilcoxon([1, 2, 3], [1, 2, 3])
    assert r.p_value == 1.0 and math.isnan(r.effect) and r.n == 0


def test_paired_t_constant_differences() -> None:
    same = paired_t([1, 2, 3], [1, 2, 3])
    assert same.p_value == 1.0
    shifted = paired_t([1, 2, 3], [2, 3, 4])
    assert math.isnan(shifted.p_value)
    with pytest.raises(InvalidArgumentError, match="at least 2"):
        paired_t([1], [2])


def test_paired_lengths_must_match() -> None:
    with pytest.raises(InvalidArgumentError, match="equal lengths"):
        wilcoxon([1, 2], [1, 2, 3])


def test_stuart_maxwell_agresti() -> None:
    """Agresti, Categorical Data Analysis (2002), the 3x3 table used by R's
    DescTools::StuartMaxwellTest example (rows: first rating, columns: second):
    chi-squared = 13.76, df = 2, p-value = 0.00103 (with 2 df, p = exp(-chi2 / 2))."""
    table = [[20, 10, 5], [3, 30, 15], [0, 5, 40]]
    r = stuart_maxwell_table(table, ["a", "b", "c"])
    assert r.statistic == pytest.approx(13.76, abs=0.005)
    assert r.df == 2
    assert round(r.p_value, 5) == 0.00103
    assert r.p_value == pytest.approx(math.exp(-r.statistic / 2))


def test_stuart_maxwell_from_labels_and_no_change() -> None:
    r = stuart_maxwell(["x", "y", "z"], ["x", "y", "z"])
    assert r.p_value == 1.0 and r.df == 0
    moved = stuart_maxwell(["x"] * 5 + ["y"] * 5, ["y"] * 5 + ["y"] * 5)
    assert moved.shift == (-0.5, 0.5)
    assert moved.p_value < 0.05


def test_cohen_h() -> None:
    """Cohen (1988) §6.2: h = phi2 - phi1 with phi = 2 arcsin sqrt(p); p = .5 vs .25 gives
    h = 1.5708 - 1.0472 = 0.5236."""
    assert cohen_h(0.25, 0.5) == pytest.approx(0.5236, abs=1e-4)
    with pytest.raises(InvalidArgumentError):
        cohen_h(1.2, 0.5)


def test_rank_biserial_bounds() -> None:
    assert rank_biserial(np.array([1.0, 2.0, 3.0])) == 1.0
    assert rank_biserial(np.array([-1.0, -2.0])) == -1.0


@settings(deadline=None, max_examples=60)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 5)),
        min_size=2,
        max_size=40,
    )
)
def test_p_values_are_probabilities(pairs: list[tuple[int, int]]) -> None:
    a = [float(x) for x, _ in pairs]
    b = [float(y) for _, y in pairs]
    assert 0.0 <= wilcoxon(a, b).p_value <= 1.0
    mc = mcnemar([x > 2 for x in a], [y > 2 for y in b])
    assert 0.0 <= mc.p_mid <= mc.p_exact <= 1.0
    sm = stuart_maxwell([str(x) for x in a], [str(y) for y in b])
    assert math.isnan(sm.p_value) or 0.0 <= sm.p_value <= 1.0
