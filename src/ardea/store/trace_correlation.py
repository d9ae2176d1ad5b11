"""NPMI of two trace filters from their counts (MLflow's CalculateTraceFilterCorrelation).

The four counts make a 2x2 table: traces matching both filters (``n11``), only the first
(``n10``), only the second (``n01``) and neither (``n00``). The pointwise mutual information
``log(P(1,2) / (P(1) P(2)))`` divided by ``-log P(1,2)`` runs from -1 to 1. Rules, as MLflow's:

* no traces, a filter matching none, or counts that do not fit together: NaN (both values);
* both filters match traces but never the same one: -1.0 (unsmoothed);
* the filters match exactly the same traces, all of them: 1.0;
* the smoothed value adds 0.5 to each cell (Jeffreys prior) first.
"""

from __future__ import annotations

import math

from ardea.entities.trace_correlation import TraceFilterCorrelation

__all__ = ["JEFFREYS_PRIOR", "correlation_from_counts", "npmi"]

JEFFREYS_PRIOR = 0.5
"""What the smoothed NPMI adds to each cell of the table."""


def npmi(n11: float, n10: float, n01: float, n00: float, smoothing: float = 0.0) -> float:
    """The NPMI of a 2x2 table after adding ``smoothing`` to each cell (NaN when undefined)."""
    a, b, c, d = (n + smoothing for n in (n11, n10, n01, n00))
    total = a + b + c + d
    first, second = a + b, a + c
    if first <= 0 or second <= 0 or a <= 0:
        return math.nan
    if n10 == 0 and n01 == 0 and n00 == 0:
        return 1.0
    log_joint, log_total = math.log(a), math.log(total)
    pmi = (log_joint + log_total) - (math.log(first) + math.log(second))
    denominator = -(log_joint - log_total)
    if denominator == 0:
        return 1.0
    return max(-1.0, min(1.0, pmi / denominator))


def correlation_from_counts(
    joint: int, first: int, second: int, total: int
) -> TraceFilterCorrelation:
    """The correlation of filters matching ``first`` and ``second`` of ``total`` traces.

    Args:
        joint: Traces matching both filters.
        first: Traces matching the first.
        second: Traces matching the second.
        total: Traces considered.
    """
    nan = math.nan
    result = TraceFilterCorrelation(nan, nan, first, second, joint, total)
    if total <= 0 or first == 0 or second == 0:
        return result
    n11, n10, n01 = joint, first - joint, second - joint
    n00 = total - first - second + joint
    if min(n11, n10, n01, n00) < 0:
        return result
    result.npmi = -1.0 if joint == 0 else npmi(n11, n10, n01, n00)
    result.npmi_smoothed = npmi(n11, n10, n01, n00, JEFFREYS_PRIOR)
    return result
