"""Sample-size planning: how many rows detect a difference, and what a given n can detect.

- Paired pass rates (two versions on the same rows, McNemar): Connor (1987), Biometrics 43:207,
  ``n = (z_a sqrt(psi) + z_b sqrt(psi - delta^2))^2 / delta^2`` with ``psi`` the share of
  discordant rows and ``delta`` the difference in pass rates. ``psi`` is what the two versions
  disagree on; when it is unknown it is taken as if the versions failed independently,
  ``p1 (1 - p2) + p2 (1 - p1)``, which is the conservative (largest) usual guess.
- Unpaired pass rates (different rows per version): the normal approximation without
  continuity correction, ``n = (z_a + z_b)^2 (p1 q1 + p2 q2) / (p1 - p2)^2`` per group (Chow,
  Shao & Wang, Sample Size Calculations in Clinical Research, 2nd ed. 2008, section 4.2).
- Paired means (paired t): the smallest n whose exact power under the noncentral t
  distribution (noncentrality ``d_z sqrt(n)``, ``n - 1`` df) reaches the target, as G*Power
  computes it; ``d_z`` is the mean difference over the standard deviation of differences.

All tests are two-sided. Sizes are rounded up to whole rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import optimize, stats

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.stats._common import json_safe

__all__ = [
    "SampleSize",
    "min_detectable_effect",
    "power_paired_t",
    "rows_for_mean_difference",
    "rows_for_paired_rates",
    "rows_for_unpaired_rates",
]


@dataclass(frozen=True)
class SampleSize:
    """A planned number of rows.

    Attributes:
        n: Rows needed (per group for the unpaired design).
        method: The formula used.
        alpha: Two-sided significance level.
        power: Target power.
        effect: The difference planned for (rate difference, or d_z).
        per_group: True when ``n`` is per version (unpaired design).
    """

    n: int
    method: str
    alpha: float
    power: float
    effect: float
    per_group: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON-safe values."""
        return dict(json_safe(self))

    def __str__(self) -> str:
        unit = "rows per version" if self.per_group else "rows"
        return (
            f"{self.n} {unit} to detect {self.effect:g} at alpha={self.alpha:g} with power "
            f"{self.power:g} ({self.method})"
        )


def _check(alpha: float, power: float) -> tuple[float, float]:
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise InvalidArgumentError(f"alpha and power must be in (0, 1), got {alpha}, {power}")
    return float(stats.norm.ppf(1 - alpha / 2)), float(stats.norm.ppf(power))


def _rate(p: float, name: str) -> None:
    if not 0 <= p <= 1:
        raise InvalidArgumentError(f"{name} must be in [0, 1], got {p!r}")


def rows_for_paired_rates(
    p1: float,
    p2: float,
    *,
    discordant: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
) -> SampleSize:
    """Rows needed to detect pass rate ``p1`` vs ``p2`` on the same rows (McNemar; Connor 1987).

    Args:
        p1: Baseline pass rate.
        p2: Candidate pass rate.
        discordant: Share of rows where the versions disagree (``p10 + p01``); default as if
            independent.
        alpha: Two-sided significance level.
        power: Target power.

    Example:
        >>> rows_for_paired_rates(0.5, 0.9, discordant=0.5).n  # p10=.05, p01=.45: Connor: 23
        23
    """
    _rate(p1, "p1")
    _rate(p2, "p2")
    za, zb = _check(alpha, power)
    delta = p2 - p1
    psi = p1 * (1 - p2) + p2 * (1 - p1) if discordant is None else discordant
    if delta == 0:
        raise InvalidArgumentError("p1 and p2 are equal: no difference to detect")
    if not abs(delta) <= psi <= 1:
        raise InvalidArgumentError(f"discordant must be in [|p2 - p1|, 1], got {psi!r}")
    n = (za * math.sqrt(psi) + zb * math.sqrt(psi - delta**2)) ** 2 / delta**2
    return SampleSize(math.ceil(n - 1e-9), "mcnemar (Connor 1987)", alpha, power, delta)


def rows_for_unpaired_rates(
    p1: float, p2: float, *, alpha: float = 0.05, power: float = 0.8
) -> SampleSize:
    """Rows per version to detect pass rate ``p1`` vs ``p2`` on different rows.

    Example:
        >>> rows_for_unpaired_rates(0.65, 0.85).n  # Chow, Shao & Wang (2008): 70
        70
    """
    _rate(p1, "p1")
    _rate(p2, "p2")
    za, zb = _check(alpha, power)
    if p1 == p2:
        raise InvalidArgumentError("p1 and p2 are equal: no difference to detect")
    n = (za + zb) ** 2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (p1 - p2) ** 2
    return SampleSize(
        math.ceil(n - 1e-9), "two proportions, normal approximation", alpha, power, p2 - p1, True
    )


def power_paired_t(n: int, effect_size: float, *, alpha: float = 0.05) -> float:
    """Exact power of the two-sided paired t-test with ``n`` pairs and effect ``d_z``."""
    if n < 2:
        raise InvalidArgumentError("the paired t-test needs at least 2 pairs")
    df = n - 1
    crit = float(stats.t.ppf(1 - alpha / 2, df))
    nc = effect_size * math.sqrt(n)
    result = float(stats.nct.sf(crit, df, abs(nc)) + stats.nct.cdf(-crit, df, abs(nc)))
    # Far in the tail scipy's noncentral t answers NaN; the power there is 1 to machine precision.
    return 1.0 if math.isnan(result) else min(1.0, result)


def rows_for_mean_difference(
    effect_size: float, *, alpha: float = 0.05, power: float = 0.8
) -> SampleSize:
    """Rows (pairs) needed to detect a mean difference of ``effect_size`` = d_z (paired t).

    ``d_z`` is the mean of the per-row differences over their standard deviation; from a pilot,
    ``mean(b - a) / std(b - a)``.

    Example:
        >>> rows_for_mean_difference(0.5).n  # Cohen (1988) / G*Power: 34
        34
    """
    _check(alpha, power)
    if effect_size == 0:
        raise InvalidArgumentError("effect_size must be non-zero")
    d = abs(effect_size)
    n = 2
    while power_paired_t(n, d, alpha=alpha) < power:
        n = n * 2 if n < 1_000_000 else n + 1_000_000
        if n > 100_000_000:
            raise InvalidArgumentError("effect_size is too small to plan for")
    low = max(2, n // 2)
    while low < n:  # the smallest n with enough power, by bisection
        mid = (low + n) // 2
        if power_paired_t(mid, d, alpha=alpha) >= power:
            n = mid
        else:
            low = mid + 1
    return SampleSize(n, "paired t (noncentral t)", alpha, power, effect_size)


def min_detectable_effect(
    n: int,
    *,
    design: str = "paired_rates",
    p1: float = 0.5,
    discordant: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
) -> float:
    """The smallest difference ``n`` rows detect with ``power``, for one of the designs.

    Args:
        n: Rows (per version for ``unpaired_rates``).
        design: ``"paired_rates"`` (difference in pass rate, McNemar), ``"unpaired_rates"``, or
            ``"mean"`` (d_z, paired t).
        p1: Baseline pass rate (rate designs); the answer is an increase from it.
        discordant: For ``paired_rates``, the share of discordant rows (default as if
            independent, recomputed for each candidate rate).
        alpha: Two-sided significance level.
        power: Target power.
    """
    _check(alpha, power)
    if n < 2:
        raise InvalidArgumentError("n must be >= 2")
    if design == "mean":
        if power_paired_t(n, 100.0, alpha=alpha) < power:
            raise InvalidArgumentError(f"{n} pairs cannot reach power {power} for any d_z")
        return float(
            optimize.brentq(lambda d: power_paired_t(n, d, alpha=alpha) - power, 1e-6, 100.0)
        )
    _rate(p1, "p1")
    if design not in ("paired_rates", "unpaired_rates"):
        raise InvalidArgumentError(f"design must be paired_rates, unpaired_rates or mean: {design}")

    def needed(delta: float) -> float:
        p2 = p1 + delta
        if design == "unpaired_rates":
            return rows_for_unpaired_rates(p1, p2, alpha=alpha, power=power).n - n
        psi = discordant if discordant is not None else p1 * (1 - p2) + p2 * (1 - p1)
        if psi < delta:
            return -n
        return rows_for_paired_rates(p1, p2, discordant=psi, alpha=alpha, power=power).n - n

    high = 1 - p1
    if high <= 0 or needed(high) > 0:
        raise InvalidArgumentError(f"{n} rows cannot detect any increase from p1={p1}")
    low = 0.0  # needed(low) > 0: too small; needed(high) <= 0: detectable
    for _ in range(60):
        mid = (low + high) / 2
        if needed(mid) > 0:
            low = mid
        else:
            high = mid
    return high
