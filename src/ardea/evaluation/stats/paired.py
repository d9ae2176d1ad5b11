"""Paired tests and effect sizes: McNemar, Wilcoxon, paired t, Stuart-Maxwell, d, h, r.

Each function takes already paired values (baseline ``a`` and candidate ``b``, same length,
nothing missing) and answers a small frozen result. Differences are ``b - a`` throughout.

- :func:`mcnemar`: binary pairs. The exact conditional test (a two-sided binomial test on the
  discordant pairs) and its mid-p version (the exact p minus the point probability of the
  observed split, Fagerland et al. 2013), plus the asymptotic chi-square with and without
  continuity correction for reference.
- :func:`wilcoxon`: numeric pairs, Wilcoxon signed-rank (zero differences dropped, Wilcoxon's
  convention; exact distribution when n <= 50 without ties, else the normal approximation,
  scipy's ``method="auto"``) with the matched-pairs rank-biserial correlation (Kerby 2014).
- :func:`paired_t`: numeric pairs, Student's paired t-test with Cohen's d_z.
- :func:`stuart_maxwell`: categorical pairs, the Stuart-Maxwell test of marginal homogeneity.
- :func:`cohen_h`: the arcsine effect size between two proportions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.stats._common import json_safe

__all__ = [
    "McNemarResult",
    "StuartMaxwellResult",
    "TestResult",
    "cohen_h",
    "mcnemar",
    "mcnemar_from_counts",
    "paired_t",
    "rank_biserial",
    "stuart_maxwell",
    "stuart_maxwell_table",
    "wilcoxon",
]


@dataclass(frozen=True)
class TestResult:
    """A test's statistic, two-sided p-value and effect size.

    Attributes:
        test: The test's name.
        statistic: The test statistic (W for Wilcoxon: the smaller rank sum; t; chi-square).
        p_value: Two-sided p-value, in [0, 1].
        effect_name: Name of the effect size (``"rank_biserial"``, ``"cohen_dz"``, ...).
        effect: The effect size; NaN when undefined (e.g. no variance).
        n: Pairs used (for Wilcoxon: pairs with a non-zero difference).
        df: Degrees of freedom, where the test has them.
    """

    __test__ = False  # not a pytest class

    test: str
    statistic: float
    p_value: float
    effect_name: str
    effect: float
    n: int
    df: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-safe values."""
        return dict(json_safe(self))


@dataclass(frozen=True)
class McNemarResult:
    """McNemar's test on paired pass/fail values.

    Attributes:
        improved: Pairs failing in ``a`` and passing in ``b`` (the table's c cell).
        regressed: Pairs passing in ``a`` and failing in ``b`` (the b cell).
        p_exact: Exact conditional two-sided p-value (binomial on the discordant pairs).
        p_mid: Mid-p value: ``p_exact`` minus the point probability of the observed split.
        chi2: The uncorrected statistic ``(c - b)^2 / (b + c)`` (NaN without discordant pairs).
        p_chi2: Its p-value (chi-square, 1 df).
        chi2_corrected: Edwards' continuity-corrected ``(|c - b| - 1)^2 / (b + c)``.
        p_chi2_corrected: Its p-value.
    """

    improved: int
    regressed: int
    p_exact: float
    p_mid: float
    chi2: float
    p_chi2: float
    chi2_corrected: float
    p_chi2_corrected: float

    @property
    def discordant(self) -> int:
        """Pairs whose values differ."""
        return self.improved + self.regressed

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-safe values."""
        return dict(json_safe(self))


def mcnemar_from_counts(improved: int, regressed: int) -> McNemarResult:
    """McNemar's test from the two discordant counts of a paired 2x2 table.

    Example:
        >>> round(mcnemar_from_counts(7, 1).p_mid, 4)  # Fagerland et al. (2013): 0.039
        0.0391
    """
    if improved < 0 or regressed < 0:
        raise InvalidArgumentError("discordant counts must be >= 0")
    n = improved + regressed
    if n == 0:
        nan = float("nan")
        return McNemarResult(0, 0, 1.0, 1.0, nan, 1.0, nan, 1.0)
    k = min(improved, regressed)
    p_exact = min(1.0, 2.0 * float(stats.binom.cdf(k, n, 0.5)))
    point = float(stats.binom.pmf(k, n, 0.5))
    # Two-sided mid-p: twice the one-sided tail minus the observed point, i.e. exact - point;
    # when the split is even (k = n/2) the tails overlap and it is 1 - point.
    p_mid = 1.0 - point if 2 * k == n else p_exact - point
    chi2 = (improved - regressed) ** 2 / n
    chi2_cc = max(abs(improved - regressed) - 1, 0) ** 2 / n
    return McNemarResult(
        improved,
        regressed,
        p_exact,
        min(1.0, max(0.0, p_mid)),
        chi2,
        float(stats.chi2.sf(chi2, 1)),
        chi2_cc,
        float(stats.chi2.sf(chi2_cc, 1)),
    )


def mcnemar(a: ArrayLike, b: ArrayLike) -> McNemarResult:
    """McNemar's test on paired pass/fail values (``a`` baseline, ``b`` candidate)."""
    x, y = _pair(a, b)
    improved = int(np.sum((x == 0) & (y == 1)))
    regressed = int(np.sum((x == 1) & (y == 0)))
    return mcnemar_from_counts(improved, regressed)


def _pair(a: ArrayLike, b: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise InvalidArgumentError(f"paired values need equal lengths, got {x.shape}, {y.shape}")
    return x, y


def rank_biserial(d: NDArray[np.float64]) -> float:
    """Matched-pairs rank-biserial correlation of differences ``d`` (Kerby 2014).

    ``(R+ - R-) / (R+ + R-)`` over the ranks of ``|d|`` for non-zero differences; in [-1, 1],
    positive when ``b`` tends to be larger. NaN when every difference is zero.
    """
    nz = d[d != 0]
    if nz.size == 0:
        return float("nan")
    ranks = stats.rankdata(np.abs(nz))
    plus = float(ranks[nz > 0].sum())
    minus = float(ranks[nz < 0].sum())
    return (plus - minus) / (plus + minus)


def wilcoxon(a: ArrayLike, b: ArrayLike) -> TestResult:
    """Wilcoxon signed-rank test of ``b - a`` with the matched-pairs rank-biserial r.

    Every difference zero gives p = 1 and r = NaN (no evidence of a change).

    Example:
        >>> d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
        >>> round(wilcoxon([0] * 15, d).p_value, 4)  # Darwin's maize; scipy docs: 0.0413
        0.0413
    """
    x, y = _pair(a, b)
    d = y - x
    nz = int(np.count_nonzero(d))
    if nz == 0:
        return TestResult("wilcoxon", 0.0, 1.0, "rank_biserial", float("nan"), 0)
    result = stats.wilcoxon(d, zero_method="wilcox", method="auto")
    p = float(result.pvalue)
    return TestResult(
        "wilcoxon",
        float(result.statistic),
        min(1.0, p),
        "rank_biserial",
        rank_biserial(d),
        nz,
    )


def paired_t(a: ArrayLike, b: ArrayLike) -> TestResult:
    """Student's paired t-test of ``b - a`` with Cohen's d_z (mean / sd of the differences).

    Constant differences have no variance: all zero gives p = 1, otherwise t, p and d_z are NaN
    (a constant non-zero shift cannot be tested against noise it does not have).

    Example:
        >>> d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
        >>> round(paired_t([0] * 15, d).statistic, 3)  # Fisher (1935): t = 2.148
        2.148
    """
    x, y = _pair(a, b)
    d = y - x
    n = d.size
    if n < 2:
        raise InvalidArgumentError("the paired t-test needs at least 2 pairs")
    sd = float(np.std(d, ddof=1))
    if sd == 0.0 or np.allclose(d, d[0], rtol=1e-12, atol=1e-12):
        nan = float("nan")
        if not np.any(d):
            return TestResult("paired_t", 0.0, 1.0, "cohen_dz", 0.0, n, float(n - 1))
        return TestResult("paired_t", nan, nan, "cohen_dz", nan, n, float(n - 1))
    result = stats.ttest_rel(y, x)
    return TestResult(
        "paired_t",
        float(result.statistic),
        float(result.pvalue),
        "cohen_dz",
        float(np.mean(d)) / sd,
        n,
        float(n - 1),
    )


def cohen_h(p_a: float, p_b: float) -> float:
    """Cohen's h between proportions: ``2 asin(sqrt(p_b)) - 2 asin(sqrt(p_a))`` (Cohen 1988)."""
    for p in (p_a, p_b):
        if not 0.0 <= p <= 1.0:
            raise InvalidArgumentError(f"proportions must be in [0, 1], got {p!r}")
    return 2.0 * math.asin(math.sqrt(p_b)) - 2.0 * math.asin(math.sqrt(p_a))


@dataclass(frozen=True)
class StuartMaxwellResult:
    """The Stuart-Maxwell test of marginal homogeneity for paired categorical values.

    Attributes:
        labels: The categories, in table order.
        table: Counts, ``table[i][j]`` = pairs with ``a`` in ``labels[i]`` and ``b`` in
            ``labels[j]``.
        statistic: The chi-square statistic (NaN when the covariance is singular).
        df: ``len(labels) - 1``.
        p_value: Its p-value; 1.0 when no pair changed category.
        shift: Per label, ``b``'s share minus ``a``'s share.
    """

    labels: tuple[str, ...]
    table: tuple[tuple[int, ...], ...]
    statistic: float
    df: int
    p_value: float
    shift: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-safe values."""
        return dict(json_safe(self))


def stuart_maxwell_table(table: ArrayLike, labels: Sequence[str] = ()) -> StuartMaxwellResult:
    """Stuart-Maxwell from a square table of paired counts (Stuart 1955; Maxwell 1970).

    With ``d`` the first k-1 differences of row and column totals and ``S`` their covariance
    (``S_ii = n_i. + n_.i - 2 n_ii``, ``S_ij = -(n_ij + n_ji)``), the statistic is
    ``d' S^-1 d`` with k-1 degrees of freedom. Categories no pair moved into or out of carry
    no information (their row of ``S`` is zero) and are dropped first, so k counts only the
    categories involved in a change.
    """
    full = np.asarray(table, dtype=np.float64)
    if full.ndim != 2 or full.shape[0] != full.shape[1]:
        raise InvalidArgumentError("the Stuart-Maxwell test needs a square table")
    if np.any(full < 0):
        raise InvalidArgumentError("counts must be >= 0")
    names = tuple(labels) or tuple(str(i) for i in range(full.shape[0]))
    if len(names) != full.shape[0]:
        raise InvalidArgumentError("one label per row of the table is needed")
    table_out = tuple(tuple(int(v) for v in row) for row in full)
    shift = _shift(full)
    off = full - np.diag(np.diag(full))
    active = (off.sum(axis=0) + off.sum(axis=1)) > 0
    t = full[np.ix_(active, active)]
    k = t.shape[0]
    if k < 2:
        return StuartMaxwellResult(names, table_out, 0.0, 0, 1.0, shift)
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    d = (rows - cols)[:-1]
    s = -(t + t.T)
    np.fill_diagonal(s, rows + cols - 2 * np.diag(t))
    s = s[:-1, :-1]
    try:
        chi2 = float(d @ np.linalg.solve(s, d))
    except np.linalg.LinAlgError:
        return StuartMaxwellResult(names, table_out, float("nan"), k - 1, float("nan"), shift)
    p = float(stats.chi2.sf(chi2, k - 1))
    return StuartMaxwellResult(names, table_out, chi2, k - 1, p, shift)


def _shift(t: NDArray[np.float64]) -> tuple[float, ...]:
    total = t.sum()
    if not total:
        return tuple(0.0 for _ in range(t.shape[0]))
    return tuple(float(v) for v in (t.sum(axis=0) - t.sum(axis=1)) / total)


def stuart_maxwell(a: Sequence[Any], b: Sequence[Any]) -> StuartMaxwellResult:
    """Stuart-Maxwell on paired labels (``a`` baseline, ``b`` candidate)."""
    if len(a) != len(b):
        raise InvalidArgumentError("paired values need equal lengths")
    labels = sorted({str(v) for v in a} | {str(v) for v in b})
    index = {label: i for i, label in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for x, y in zip(a, b, strict=True):
        table[index[str(x)], index[str(y)]] += 1
    return stuart_maxwell_table(table, labels)
