"""Confidence intervals: Wilson for proportions, seeded bootstrap (BCa) for everything else.

Bootstrap method (the default everywhere): bias-corrected and accelerated (BCa, Efron 1987)
through :func:`scipy.stats.bootstrap`, ``9999`` resamples, seed ``0``. BCa corrects the
percentile interval for bias and skew (means of 0/1 data, medians, tail quantiles). When BCa is
undefined (every resample on one side of the estimate, or a degenerate jackknife) the percentile
interval is reported instead and ``method`` says so. Small n: with one value there is no interval
(``low``/``high`` are ``None``, method ``"none"``); with constant values the interval is that
value (method ``"constant"``); below about 20 values a bootstrap interval is too narrow in
general, which the documentation states.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from ardea._core.errors import InvalidArgumentError
from ardea._core.intervals import wilson_bounds

if TYPE_CHECKING:  # numpy is imported where a bootstrap needs it (a pass rate does not)
    import numpy as np
    from numpy.typing import NDArray
from ardea.evaluation.stats._common import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    Estimate,
    check_confidence,
)

__all__ = ["BootstrapMethod", "Statistic", "bootstrap_estimate", "quantile_statistic", "wilson"]

BootstrapMethod = Literal["bca", "percentile"]
"""Which bootstrap interval to compute."""

Statistic = Callable[..., Any]
"""A vectorised statistic ``f(x, axis=-1)`` (or ``f(x, y, axis=-1)`` for paired data)."""

_MAX_BATCH_ELEMENTS = 2_000_000


def wilson(successes: int, n: int, *, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
    """The Wilson score interval for a proportion (Wilson 1927; Newcombe 1998, method 3).

    Args:
        successes: Number of passes.
        n: Number of trials; 0 gives an estimate of ``None`` without an interval.
        confidence: Two-sided confidence level.

    Example:
        >>> wilson(81, 263).low  # Newcombe (1998), Table I: 0.2553
        0.2552...
    """
    check_confidence(confidence)
    if n < 0 or not 0 <= successes <= n:
        raise InvalidArgumentError(f"need 0 <= successes <= n, got {successes}/{n}")
    if n == 0:
        return Estimate("pass_rate", None, None, None, confidence, "none", 0)
    # The closed form scipy's ``binomtest(...).proportion_ci(method="wilson")`` computes, here
    # without importing scipy (shared with the server's quality chart: ardea._core.intervals).
    bounds = wilson_bounds(successes, n, confidence)
    assert bounds is not None  # n > 0
    low, high = bounds
    return Estimate("pass_rate", successes / n, low, high, confidence, "wilson", n)


def quantile_statistic(q: float) -> Statistic:
    """A vectorised statistic computing the ``q`` quantile (linear interpolation)."""

    def statistic(x: NDArray[np.float64], axis: int = -1) -> Any:
        import numpy as np

        return np.quantile(x, q, axis=axis)

    return statistic


def _batch(n: int) -> int:
    return max(1, _MAX_BATCH_ELEMENTS // max(1, n))


def bootstrap_estimate(
    name: str,
    data: Sequence[NDArray[np.float64]],
    statistic: Statistic,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int | None = DEFAULT_SEED,
    method: BootstrapMethod = "bca",
) -> Estimate:
    """A statistic of one sample (or of paired samples) with a seeded bootstrap interval.

    Args:
        name: Name of the estimate.
        data: One array, or several arrays of equal length resampled together (paired).
        statistic: Vectorised statistic taking the arrays and ``axis``.
        confidence: Two-sided confidence level.
        n_resamples: Bootstrap resamples.
        seed: Seed of the resampling; ``None`` draws a fresh one (not reproducible).
        method: ``"bca"`` (default) or ``"percentile"``.
    """
    check_confidence(confidence)
    if n_resamples < 1:
        raise InvalidArgumentError(f"n_resamples must be >= 1, got {n_resamples}")
    if method not in ("bca", "percentile"):
        raise InvalidArgumentError(f"method must be 'bca' or 'percentile', got {method!r}")
    import numpy as np

    arrays = [np.asarray(a, dtype=np.float64) for a in data]
    n = len(arrays[0])
    if n == 0:
        return Estimate(name, None, None, None, confidence, "none", 0)
    value = float(statistic(*arrays, axis=-1))
    if n == 1:
        return Estimate(name, value, None, None, confidence, "none", 1)
    if all(np.all(a == a[0]) for a in arrays):
        return Estimate(name, value, value, value, confidence, "constant", n)
    used: str = method
    low, high = _scipy_interval(arrays, statistic, confidence, n_resamples, seed, method)
    if method == "bca" and not (math.isfinite(low) and math.isfinite(high)):
        used = "percentile"
        low, high = _scipy_interval(arrays, statistic, confidence, n_resamples, seed, "percentile")
    return Estimate(name, value, low, high, confidence, used, n)


def _scipy_interval(
    arrays: list[NDArray[np.float64]],
    statistic: Statistic,
    confidence: float,
    n_resamples: int,
    seed: int | None,
    method: str,
) -> tuple[float, float]:
    import numpy as np
    from scipy import stats  # imported on first use: a second or more, not needed for Wilson

    with warnings.catch_warnings():
        # BCa on nearly degenerate data warns and answers NaN; the caller falls back.
        warnings.simplefilter("ignore")
        result = stats.bootstrap(
            tuple(arrays),
            statistic,
            n_resamples=n_resamples,
            batch=_batch(len(arrays[0])),
            vectorized=True,
            paired=len(arrays) > 1,
            confidence_level=confidence,
            method="BCa" if method == "bca" else "percentile",
            rng=np.random.default_rng(seed),
        )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)
