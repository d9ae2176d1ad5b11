"""Multiple-testing correction across scorers: Holm (FWER) and Benjamini-Hochberg (FDR).

Comparing ten scorers at alpha = 0.05 finds a "significant" change by chance four times in ten
when nothing changed. The adjusted p-values below are compared with alpha as they are:

- ``"holm"`` (default in :func:`~ardea.evaluation.stats.comparison.compare_evaluations`): Holm's
  step-down procedure (Holm 1979) controls the family-wise error rate (the chance of any false
  regression alarm) under any dependence between scorers.
- ``"bh"``: Benjamini-Hochberg (1995) controls the false discovery rate (the expected share of
  false alarms among the alarms), assuming independent or positively dependent tests; it finds
  more real changes when many scorers are compared. Computed by
  :func:`scipy.stats.false_discovery_control`.
- ``"none"``: the raw p-values.

NaN p-values (an undefined test) stay NaN and do not count towards the number of tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from scipy import stats

from ardea._core.errors import InvalidArgumentError

__all__ = ["Correction", "adjust_p_values", "benjamini_hochberg", "holm"]

Correction = Literal["holm", "bh", "none"]
"""A multiple-testing correction."""


def _valid(p_values: Sequence[float]) -> np.ndarray:
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1:
        raise InvalidArgumentError("p-values must be a flat sequence")
    finite = p[~np.isnan(p)]
    if np.any((finite < 0) | (finite > 1)):
        raise InvalidArgumentError("p-values must be in [0, 1]")
    return p


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values: ``max_{j<=i} min(1, (m - j + 1) p_(j))`` in sorted order.

    Example:
        >>> holm([0.01, 0.04, 0.03])
        [0.03, 0.06, 0.06]
    """
    p = _valid(p_values)
    out = np.full(p.shape, np.nan)
    idx = np.flatnonzero(~np.isnan(p))
    m = idx.size
    if m == 0:
        return [float(v) for v in out]
    order = idx[np.argsort(p[idx], kind="stable")]
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(scaled)
    return [float(v) for v in out]


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values).

    Example:
        >>> [round(q, 3) for q in benjamini_hochberg([0.01, 0.04, 0.03])]
        [0.03, 0.04, 0.04]
    """
    p = _valid(p_values)
    out = np.full(p.shape, np.nan)
    mask = ~np.isnan(p)
    if mask.any():
        out[mask] = stats.false_discovery_control(p[mask], method="bh")
    return [float(v) for v in out]


def adjust_p_values(p_values: Sequence[float], method: Correction = "holm") -> list[float]:
    """Adjust p-values with ``method`` (``"holm"``, ``"bh"`` or ``"none"``)."""
    if method == "holm":
        return holm(p_values)
    if method == "bh":
        return benjamini_hochberg(p_values)
    if method == "none":
        return [float(v) for v in _valid(p_values)]
    raise InvalidArgumentError(f"correction must be 'holm', 'bh' or 'none', got {method!r}")
