"""Statistics for evaluations: intervals, paired comparisons, repeats, planning, agreement.

Pure functions over plain values (numpy and scipy, no store, no server); the names below load
on first use (PEP 562), so ``import ardea.evaluation.stats`` stays light until one is called.
See docs/evaluation-statistics.md for the methods and defaults::

    from ardea.evaluation.stats import compare_evaluations, assert_no_regression

    comparison = compare_evaluations(baseline_rows, candidate_rows)
    print(comparison)
    assert_no_regression(comparison, min_effect=0.02)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ardea.evaluation.stats._common import Estimate
    from ardea.evaluation.stats.aggregates import ScorerSummary, summarize, summarize_scores
    from ardea.evaluation.stats.agreement import Agreement, cohen_kappa, judge_agreement
    from ardea.evaluation.stats.comparison import (
        EvaluationComparison,
        ScorerComparison,
        compare_evaluations,
    )
    from ardea.evaluation.stats.intervals import bootstrap_estimate, wilson
    from ardea.evaluation.stats.multiple import adjust_p_values, benjamini_hochberg, holm
    from ardea.evaluation.stats.paired import (
        cohen_h,
        mcnemar,
        mcnemar_from_counts,
        paired_t,
        stuart_maxwell,
        wilcoxon,
    )
    from ardea.evaluation.stats.pairing import EvalRow, pair_rows
    from ardea.evaluation.stats.power import (
        SampleSize,
        min_detectable_effect,
        power_paired_t,
        rows_for_mean_difference,
        rows_for_paired_rates,
        rows_for_unpaired_rates,
    )
    from ardea.evaluation.stats.regression import RegressionError, assert_no_regression
    from ardea.evaluation.stats.repeats import (
        NoiseFloor,
        RepeatSummary,
        half_widths,
        noise_floor,
        noise_floors,
        summarize_repeats,
    )

_EXPORTS = {
    "Agreement": "agreement",
    "cohen_kappa": "agreement",
    "judge_agreement": "agreement",
    "SampleSize": "power",
    "min_detectable_effect": "power",
    "power_paired_t": "power",
    "rows_for_mean_difference": "power",
    "rows_for_paired_rates": "power",
    "rows_for_unpaired_rates": "power",
    "NoiseFloor": "repeats",
    "RepeatSummary": "repeats",
    "half_widths": "repeats",
    "noise_floor": "repeats",
    "noise_floors": "repeats",
    "summarize_repeats": "repeats",
    "Estimate": "_common",
    "ScorerSummary": "aggregates",
    "summarize": "aggregates",
    "summarize_scores": "aggregates",
    "EvaluationComparison": "comparison",
    "ScorerComparison": "comparison",
    "compare_evaluations": "comparison",
    "bootstrap_estimate": "intervals",
    "wilson": "intervals",
    "adjust_p_values": "multiple",
    "benjamini_hochberg": "multiple",
    "holm": "multiple",
    "cohen_h": "paired",
    "mcnemar": "paired",
    "mcnemar_from_counts": "paired",
    "paired_t": "paired",
    "stuart_maxwell": "paired",
    "wilcoxon": "paired",
    "EvalRow": "pairing",
    "pair_rows": "pairing",
    "RegressionError": "regression",
    "assert_no_regression": "regression",
}

__all__ = [
    "Agreement",
    "Estimate",
    "EvalRow",
    "EvaluationComparison",
    "NoiseFloor",
    "RegressionError",
    "RepeatSummary",
    "SampleSize",
    "ScorerComparison",
    "ScorerSummary",
    "adjust_p_values",
    "assert_no_regression",
    "benjamini_hochberg",
    "bootstrap_estimate",
    "cohen_h",
    "cohen_kappa",
    "compare_evaluations",
    "half_widths",
    "holm",
    "judge_agreement",
    "mcnemar",
    "mcnemar_from_counts",
    "min_detectable_effect",
    "noise_floor",
    "noise_floors",
    "pair_rows",
    "paired_t",
    "power_paired_t",
    "rows_for_mean_difference",
    "rows_for_paired_rates",
    "rows_for_unpaired_rates",
    "stuart_maxwell",
    "summarize",
    "summarize_repeats",
    "summarize_scores",
    "wilcoxon",
    "wilson",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
