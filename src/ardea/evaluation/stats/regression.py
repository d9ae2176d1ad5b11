"""The CI gate: fail a build when a candidate evaluation is significantly worse than its baseline.

A scorer counts as regressed when its verdict (after the correction across scorers) is
``"regressed"`` at ``alpha`` and the difference is at least ``min_effect`` in the scorer's own
units (a pass-rate drop of 0.02 is ``min_effect=0.02``; a mean drop of 0.1 points is ``0.1``).
Scorers with too few paired rows do not fail the gate but are named in the message.
"""

from __future__ import annotations

from collections.abc import Sequence

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.stats._common import fmt
from ardea.evaluation.stats.comparison import EvaluationComparison, ScorerComparison

__all__ = ["RegressionError", "assert_no_regression"]

_ROWS_SHOWN = 10


class RegressionError(AssertionError):
    """A candidate evaluation regressed; ``regressions`` lists the scorers that did."""

    def __init__(self, message: str, regressions: Sequence[ScorerComparison]) -> None:
        super().__init__(message)
        self.regressions = tuple(regressions)


def _line(s: ScorerComparison) -> str:
    rows = ", ".join(s.regressed_rows[:_ROWS_SHOWN])
    more = len(s.regressed_rows) - _ROWS_SHOWN
    if more > 0:
        rows += f", ... ({more} more)"
    return (
        f"  - {s.scorer}: {fmt(s.a_value)} -> {fmt(s.b_value)} (diff {fmt(s.diff)}, "
        f"interval [{fmt(s.diff_low)}, {fmt(s.diff_high)}]), {s.test} p={fmt(s.p_value, 3)}, "
        f"adjusted p={fmt(s.p_adjusted, 3)}, n={s.n_paired}; regressed rows: {rows or '-'}"
    )


def _is_regression(s: ScorerComparison, alpha: float, min_effect: float) -> bool:
    if s.test == "" or s.diff is None or s.kind == "categorical":
        return False
    worse = -s.diff if s.greater_is_better else s.diff
    return bool(s.p_adjusted < alpha) and worse > 0 and worse >= min_effect


def assert_no_regression(
    comparison: EvaluationComparison,
    *,
    scorers: Sequence[str] | None = None,
    alpha: float | None = None,
    min_effect: float = 0.0,
) -> None:
    """Raise :class:`RegressionError` if any of ``scorers`` regressed significantly.

    Args:
        comparison: The result of
            :func:`~ardea.evaluation.stats.comparison.compare_evaluations`.
        scorers: Scorers to check; default all compared ones.
        alpha: Significance level; default the comparison's.
        min_effect: Smallest worsening (in the scorer's units) that counts.

    Raises:
        RegressionError: listing each regressed scorer with its numbers and rows.
        InvalidArgumentError: a named scorer was not compared, or a bad alpha/min_effect.

    Example:
        >>> from ardea.evaluation.stats import compare_evaluations
        >>> a = [{"record_id": str(i), "scores": {"ok": True}} for i in range(30)]
        >>> assert_no_regression(compare_evaluations(a, a))  # passes silently
    """
    level = comparison.alpha if alpha is None else alpha
    if not 0.0 < level < 1.0:
        raise InvalidArgumentError(f"alpha must be in (0, 1), got {level!r}")
    if min_effect < 0:
        raise InvalidArgumentError(f"min_effect must be >= 0, got {min_effect!r}")
    compared = {s.scorer: s for s in comparison.scorers}
    names = list(compared) if scorers is None else list(scorers)
    unknown = [n for n in names if n not in compared]
    if unknown:
        raise InvalidArgumentError(f"scorers {unknown} were not compared; compared: {[*compared]}")
    checked = [compared[n] for n in names]
    regressed = [s for s in checked if _is_regression(s, level, min_effect)]
    if not regressed:
        return
    lines = [
        f"{len(regressed)} of {len(checked)} scorers regressed at alpha={level} "
        f"({comparison.correction} correction, min_effect={min_effect}):",
        *(_line(s) for s in regressed),
    ]
    thin = [s.scorer for s in checked if s.verdict == "insufficient_data"]
    if thin:
        lines.append(f"  (not enough paired rows to judge: {', '.join(thin)})")
    raise RegressionError("\n".join(lines), regressed)
