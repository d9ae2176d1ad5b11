"""Sample-size planning against published examples."""

from __future__ import annotations

import json

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.stats.power import (
    min_detectable_effect,
    power_paired_t,
    rows_for_mean_difference,
    rows_for_paired_rates,
    rows_for_unpaired_rates,
)


def test_paired_rates_connor_1987() -> None:
    """Connor (1987), Biometrics 43:207, p. 209 (as powerandsamplesize.com reproduces it):
    p10 = 0.05, p01 = 0.45, two-sided alpha 0.05, power 0.8: 23 pairs. Pass rates 0.5 -> 0.9
    with those discordant cells: psi = 0.5, delta = 0.4."""
    plan = rows_for_paired_rates(0.5, 0.9, discordant=0.5)
    assert plan.n == 23
    assert rows_for_paired_rates(0.9, 0.5, discordant=0.5).n == 23


def test_paired_rates_default_discordance_is_independence() -> None:
    independent = rows_for_paired_rates(0.75, 0.85)
    correlated = rows_for_paired_rates(0.75, 0.85, discordant=0.15)
    assert correlated.n < independent.n


def test_unpaired_rates_chow_shao_wang() -> None:
    """Chow, Shao & Wang, Sample Size Calculations in Clinical Research (2008) §4.2 example
    (powerandsamplesize.com, two proportions, 2-sided equality): pA = 0.65, pB = 0.85,
    alpha 0.05, power 0.8: 70 per group."""
    plan = rows_for_unpaired_rates(0.65, 0.85)
    assert plan.n == 70 and plan.per_group
    assert "rows per version" in str(plan)


@pytest.mark.parametrize(("d", "n"), [(0.2, 199), (0.5, 34), (0.8, 15)])
def test_paired_t_cohen_gpower(d: float, n: int) -> None:
    """Cohen (1988) conventions for small/medium/large d; G*Power 3 ("Means: difference from
    constant / matched pairs", two tails, alpha 0.05, power 0.80) gives 199, 34 and 15."""
    plan = rows_for_mean_difference(d)
    assert plan.n == n
    assert power_paired_t(n, d) >= 0.8 > power_paired_t(n - 1, d)


def test_min_detectable_effect_inverts_the_plans() -> None:
    assert rows_for_mean_difference(min_detectable_effect(34, design="mean")).n <= 34
    mde = min_detectable_effect(70, design="unpaired_rates", p1=0.65)
    assert mde == pytest.approx(0.2, abs=0.005)
    paired = min_detectable_effect(23, design="paired_rates", p1=0.5, discordant=0.5)
    assert rows_for_paired_rates(0.5, 0.5 + paired, discordant=0.5).n <= 23
    assert paired < 0.4 + 1e-9


def test_bad_plans() -> None:
    with pytest.raises(InvalidArgumentError, match="equal"):
        rows_for_paired_rates(0.5, 0.5)
    with pytest.raises(InvalidArgumentError, match="discordant"):
        rows_for_paired_rates(0.5, 0.9, discordant=0.1)
    with pytest.raises(InvalidArgumentError, match="alpha"):
        rows_for_unpaired_rates(0.5, 0.6, alpha=0)
    with pytest.raises(InvalidArgumentError, match="non-zero"):
        rows_for_mean_difference(0.0)
    with pytest.raises(InvalidArgumentError, match="design"):
        min_detectable_effect(10, design="nope")
    with pytest.raises(InvalidArgumentError, match="cannot detect"):
        min_detectable_effect(3, design="unpaired_rates", p1=0.5)


def test_plan_is_json() -> None:
    assert json.loads(json.dumps(rows_for_mean_difference(0.5).to_dict()))["n"] == 34
