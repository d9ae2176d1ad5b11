"""The Wilson score interval for a proportion, shared by evaluation and the server.

:func:`wilson_bounds` is the closed form (Wilson 1927; Newcombe 1998, method 3) that
:func:`ardea.evaluation.stats.intervals.wilson` reports and the experiment overview's
quality chart draws as bands. Stdlib only, so the store and server layers may use it.
"""

from __future__ import annotations

import math
import statistics

__all__ = ["DEFAULT_CONFIDENCE", "wilson_bounds"]

DEFAULT_CONFIDENCE = 0.95
"""The two-sided confidence level when none is given."""


def wilson_bounds(
    successes: int, n: int, confidence: float = DEFAULT_CONFIDENCE
) -> tuple[float, float] | None:
    """The Wilson score interval ``(low, high)`` of ``successes`` out of ``n``; None if n is 0.

    Args:
        successes: Number of passes (0..n).
        n: Number of trials.
        confidence: Two-sided confidence level, strictly between 0 and 1.

    Raises:
        ValueError: ``successes`` out of 0..n, or ``confidence`` out of (0, 1).

    Example:
        >>> round(wilson_bounds(81, 263)[0], 4)  # Newcombe (1998), Table I: 0.2553
        0.2553
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes}/{n}")
    if n == 0:
        return None
    z = statistics.NormalDist().inv_cdf((1.0 + confidence) / 2.0)
    p = successes / n
    denom = 1.0 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    return max(0.0, center - half), min(1.0, center + half)
