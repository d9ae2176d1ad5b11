"""Paired comparison of two evaluations, scorer by scorer, and the CI gate on regressions.

:func:`compare_evaluations` pairs the rows (see :mod:`~ardea.evaluation.stats.pairing`), then for
each scorer picks the test from the kind of its values:

========== ============================================ ========================================
kind       test (p-value)                               effect size and interval
========== ============================================ ========================================
binary     McNemar, mid-p (default) or exact            rate difference, paired bootstrap CI
                                                        (BCa); Cohen's h
numeric    Wilcoxon signed-rank (default) or paired t   mean difference, paired bootstrap CI
           (the other one is reported too)              (BCa); rank-biserial r and Cohen's d_z
categorical Stuart-Maxwell (marginal homogeneity)       per-label share shift; changed rows
========== ============================================ ========================================

Rows scored ``repeats=k`` times are reduced to their per-row mean first (a pass/fail scorer
becomes a per-row pass rate and is compared as numeric). The p-values are then adjusted across
scorers (Holm by default, Benjamini-Hochberg on request). A pair with the scorer missing on either
side is counted in ``n_missing`` and left out of that scorer's test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.stats._common import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    ValueKind,
    check_confidence,
    fmt,
    format_table,
    infer_kind,
    is_missing,
    json_safe,
    to_binary,
    to_number,
)
from ardea.evaluation.stats.intervals import bootstrap_estimate
from ardea.evaluation.stats.multiple import Correction, adjust_p_values
from ardea.evaluation.stats.paired import cohen_h, mcnemar, paired_t, stuart_maxwell, wilcoxon
from ardea.evaluation.stats.pairing import EvalRow, Evaluation, pair_rows

__all__ = ["EvaluationComparison", "ScorerComparison", "Verdict", "compare_evaluations"]

Verdict = Literal["improved", "regressed", "no_significant_change", "changed", "insufficient_data"]
"""A scorer's verdict after correction: significant and better, worse, neither, or too few rows."""


@dataclass(frozen=True)
class ScorerComparison:
    """One scorer compared between baseline ``a`` and candidate ``b``.

    Attributes:
        scorer: The scorer's name.
        kind: ``"binary"``, ``"numeric"`` or ``"categorical"`` (after reducing repeats).
        n_paired: Pairs where both sides have a value.
        n_missing: Paired rows where either side is missing (a failed row).
        greater_is_better: Direction of improvement.
        test: The test behind ``p_value`` (``mcnemar_mid_p``, ``mcnemar_exact``,
            ``wilcoxon``, ``paired_t``, ``stuart_maxwell``; ``""`` with too few pairs).
        p_value: Two-sided p-value; NaN when undefined.
        p_adjusted: ``p_value`` after the correction across scorers.
        a_value: Baseline pass rate or mean over the pairs (``None`` for categorical).
        b_value: Candidate pass rate or mean.
        diff: ``b_value - a_value``.
        diff_low: Lower bound of the bootstrap interval of ``diff``.
        diff_high: Upper bound.
        effects: ``(name, value)`` effect sizes: ``cohen_h``; ``rank_biserial`` and ``cohen_dz``.
        other_p_values: ``(test, p)`` of the tests reported beside the main one.
        improved_rows: Keys of the rows that got better.
        regressed_rows: Keys of the rows that got worse.
        changed_rows: Keys of the rows whose value changed (categorical scorers).
        verdict: The verdict at the comparison's alpha after correction.
        noise_floor: The A/A half-width given for this scorer, if any (see ``repeats``).
    """

    scorer: str
    kind: ValueKind
    n_paired: int
    n_missing: int
    greater_is_better: bool
    test: str
    p_value: float
    p_adjusted: float
    a_value: float | None
    b_value: float | None
    diff: float | None
    diff_low: float | None
    diff_high: float | None
    effects: tuple[tuple[str, float], ...]
    other_p_values: tuple[tuple[str, float], ...]
    improved_rows: tuple[str, ...]
    regressed_rows: tuple[str, ...]
    changed_rows: tuple[str, ...]
    verdict: Verdict
    noise_floor: float | None = None

    @property
    def within_noise(self) -> bool | None:
        """Whether ``|diff|`` is inside the A/A noise floor (``None`` without one)."""
        if self.noise_floor is None or self.diff is None:
            return None
        return abs(self.diff) <= self.noise_floor

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON-safe values."""
        data: dict[str, Any] = json_safe(self)
        data["effects"] = {k: json_safe(v) for k, v in self.effects}
        data["other_p_values"] = {k: json_safe(v) for k, v in self.other_p_values}
        data["within_noise"] = self.within_noise
        return data


@dataclass(frozen=True)
class EvaluationComparison:
    """The result of :func:`compare_evaluations`.

    Attributes:
        scorers: One :class:`ScorerComparison` per scorer present in both evaluations.
        n_pairs: Rows paired.
        unpaired_a: Baseline rows without a partner.
        unpaired_b: Candidate rows without a partner.
        ambiguous: Keys shared by several rows of one evaluation (left unpaired).
        alpha: Significance level of the verdicts.
        correction: The multiple-testing correction used.
        confidence: Confidence level of the intervals.
    """

    scorers: tuple[ScorerComparison, ...]
    n_pairs: int
    unpaired_a: tuple[str, ...]
    unpaired_b: tuple[str, ...]
    ambiguous: tuple[str, ...]
    alpha: float
    correction: Correction
    confidence: float

    def scorer(self, name: str) -> ScorerComparison:
        """The comparison of scorer ``name``.

        Raises:
            KeyError: the scorer was not compared.
        """
        for s in self.scorers:
            if s.scorer == name:
                return s
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON-safe values."""
        data: dict[str, Any] = json_safe(self)
        data["scorers"] = [s.to_dict() for s in self.scorers]
        return data

    def __str__(self) -> str:
        rows = []
        for s in self.scorers:
            interval = "-" if s.diff_low is None else f"[{fmt(s.diff_low)}, {fmt(s.diff_high)}]"
            rows.append(
                [
                    s.scorer,
                    s.kind,
                    str(s.n_paired),
                    str(s.n_missing),
                    fmt(s.a_value),
                    fmt(s.b_value),
                    fmt(s.diff),
                    interval,
                    s.test or "-",
                    fmt(s.p_adjusted, 3),
                    s.verdict,
                ]
            )
        head = (
            f"{self.n_pairs} paired rows ({len(self.unpaired_a)} only in A, "
            f"{len(self.unpaired_b)} only in B); {self.correction} correction, "
            f"alpha={self.alpha}"
        )
        headers = ["scorer", "kind", "n", "missing", "A", "B", "diff", "interval", "test"]
        return head + "\n" + format_table([*headers, "p_adj", "verdict"], rows)


def _reduce(value: Any) -> Any:
    """A repeated value (list) as the mean of its present values; ``None`` when none is."""
    if isinstance(value, (list, tuple)):
        present = [to_number(v) for v in value if not is_missing(v)]
        return sum(present) / len(present) if present else None
    return value


def _collect(
    pairs: Sequence[tuple[str, EvalRow, EvalRow]], scorer: str
) -> tuple[list[str], list[Any], list[Any], int, bool]:
    keys, xs, ys, missing, repeated = [], [], [], 0, False
    for key, ra, rb in pairs:
        va, vb = ra.scores.get(scorer), rb.scores.get(scorer)
        repeated = repeated or isinstance(va, (list, tuple)) or isinstance(vb, (list, tuple))
        va, vb = _reduce(va), _reduce(vb)
        if is_missing(va) or is_missing(vb):
            missing += 1
            continue
        keys.append(key)
        xs.append(va)
        ys.append(vb)
    return keys, xs, ys, missing, repeated


@dataclass(frozen=True)
class _Options:
    confidence: float
    n_resamples: int
    seed: int | None
    binary_test: str
    numeric_test: str


def _diff_interval(x: np.ndarray, y: np.ndarray, o: _Options) -> tuple[float | None, float | None]:
    est = bootstrap_estimate(
        "diff",
        [y - x],
        np.mean,
        confidence=o.confidence,
        n_resamples=o.n_resamples,
        seed=o.seed,
    )
    return est.low, est.high


def _rows_by_sign(
    keys: Sequence[str], d: np.ndarray, greater_is_better: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    better = d > 0 if greater_is_better else d < 0
    worse = d < 0 if greater_is_better else d > 0
    return (
        tuple(k for k, flag in zip(keys, better, strict=True) if flag),
        tuple(k for k, flag in zip(keys, worse, strict=True) if flag),
    )


def _compare_scorer(
    scorer: str,
    pairs: Sequence[tuple[str, EvalRow, EvalRow]],
    kind: ValueKind | None,
    greater_is_better: bool,
    o: _Options,
) -> ScorerComparison:
    keys, xs, ys, missing, repeated = _collect(pairs, scorer)
    if xs:
        resolved: ValueKind = kind or ("numeric" if repeated else infer_kind([*xs, *ys]))
    else:
        resolved = kind or "numeric"
    if repeated and resolved == "binary":
        resolved = "numeric"
    base = ScorerComparison(
        scorer, resolved, len(xs), missing, greater_is_better, "", float("nan"), float("nan"),
        None, None, None, None, None, (), (), (), (), (), "insufficient_data",
    )  # fmt: skip
    if len(xs) < 2:
        return base
    if resolved == "categorical":
        sm = stuart_maxwell(xs, ys)
        changed = tuple(k for k, u, v in zip(keys, xs, ys, strict=True) if str(u) != str(v))
        shifts = tuple((f"shift[{label}]", v) for label, v in zip(sm.labels, sm.shift, strict=True))
        return replace(
            base, test="stuart_maxwell", p_value=sm.p_value, effects=shifts, changed_rows=changed
        )
    if resolved == "binary":
        x = np.array([float(to_binary(v)) for v in xs])
        y = np.array([float(to_binary(v)) for v in ys])
    else:
        x = np.array([to_number(v) for v in xs])
        y = np.array([to_number(v) for v in ys])
    d = y - x
    improved, regressed = _rows_by_sign(keys, d, greater_is_better)
    low, high = _diff_interval(x, y, o)
    base = replace(
        base,
        a_value=float(x.mean()),
        b_value=float(y.mean()),
        diff=float(d.mean()),
        diff_low=low,
        diff_high=high,
        improved_rows=improved,
        regressed_rows=regressed,
        changed_rows=improved + regressed,
    )
    if resolved == "binary":
        mc = mcnemar(x, y)
        mid, exact = ("mcnemar_mid_p", mc.p_mid), ("mcnemar_exact", mc.p_exact)
        main, other = (mid, exact) if o.binary_test == "mid-p" else (exact, mid)
        h = cohen_h(float(x.mean()), float(y.mean()))
        return replace(
            base, test=main[0], p_value=main[1], effects=(("cohen_h", h),), other_p_values=(other,)
        )
    w, t = wilcoxon(x, y), paired_t(x, y)
    first, second = (w, t) if o.numeric_test == "wilcoxon" else (t, w)
    return replace(
        base,
        test=first.test,
        p_value=first.p_value,
        effects=(("rank_biserial", w.effect), ("cohen_dz", t.effect)),
        other_p_values=((second.test, second.p_value),),
    )


def _verdict(s: ScorerComparison, alpha: float) -> Verdict:
    if s.test == "":
        return "insufficient_data"
    if not s.p_adjusted < alpha:
        return "no_significant_change"
    if s.kind == "categorical" or s.diff is None or s.diff == 0:
        return "changed"
    better = s.diff > 0 if s.greater_is_better else s.diff < 0
    return "improved" if better else "regressed"


def _scorer_names(pairs: Iterable[tuple[str, EvalRow, EvalRow]]) -> list[str]:
    in_a: dict[str, None] = {}
    in_b: set[str] = set()
    for _, ra, rb in pairs:
        in_a.update(dict.fromkeys(ra.scores))
        in_b.update(rb.scores)
    return [name for name in in_a if name in in_b]


def compare_evaluations(
    a: Evaluation,
    b: Evaluation,
    *,
    scorers: Sequence[str] | None = None,
    greater_is_better: Mapping[str, bool] | None = None,
    kinds: Mapping[str, ValueKind] | None = None,
    alpha: float = 0.05,
    correction: Correction = "holm",
    binary_test: Literal["mid-p", "exact"] = "mid-p",
    numeric_test: Literal["wilcoxon", "t"] = "wilcoxon",
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int | None = DEFAULT_SEED,
    noise_floor: Mapping[str, float] | None = None,
) -> EvaluationComparison:
    """Compare baseline ``a`` with candidate ``b``, row by row, for every shared scorer.

    Args:
        a: The baseline evaluation (rows; see :mod:`~ardea.evaluation.stats.pairing`).
        b: The candidate evaluation.
        scorers: Scorers to compare; default every scorer present in both.
        greater_is_better: Per scorer, whether higher is better (default True).
        kinds: Per scorer, force ``binary``/``numeric``/``categorical``.
        alpha: Significance level of the verdicts (after correction).
        correction: ``"holm"`` (default), ``"bh"`` or ``"none"``.
        binary_test: McNemar ``"mid-p"`` (default) or ``"exact"``.
        numeric_test: ``"wilcoxon"`` (default) or ``"t"`` (paired t).
        confidence: Confidence level of the difference intervals.
        n_resamples: Bootstrap resamples for the difference intervals.
        seed: Bootstrap seed.
        noise_floor: Per scorer, the A/A half-width to show beside the difference
            (:attr:`~ardea.evaluation.stats.repeats.NoiseFloor.half_width`).

    Example:
        >>> a = [{"record_id": str(i), "scores": {"ok": i % 3 != 0}} for i in range(30)]
        >>> b = [{"record_id": str(i), "scores": {"ok": True}} for i in range(30)]
        >>> compare_evaluations(a, b).scorer("ok").verdict
        'improved'
    """
    check_confidence(confidence)
    if not 0.0 < alpha < 1.0:
        raise InvalidArgumentError(f"alpha must be in (0, 1), got {alpha!r}")
    if binary_test not in ("mid-p", "exact"):
        raise InvalidArgumentError(f"binary_test must be 'mid-p' or 'exact', got {binary_test!r}")
    if numeric_test not in ("wilcoxon", "t"):
        raise InvalidArgumentError(f"numeric_test must be 'wilcoxon' or 't', got {numeric_test!r}")
    pairing = pair_rows(a, b)
    names = list(scorers) if scorers is not None else _scorer_names(pairing.pairs)
    options = _Options(confidence, n_resamples, seed, binary_test, numeric_test)
    gib, kinds, floors = greater_is_better or {}, kinds or {}, noise_floor or {}
    results = [
        _compare_scorer(n, pairing.pairs, kinds.get(n), gib.get(n, True), options) for n in names
    ]
    adjusted = adjust_p_values([r.p_value for r in results], correction)
    final = []
    for r, p_adj in zip(results, adjusted, strict=True):
        r = replace(r, p_adjusted=p_adj, noise_floor=floors.get(r.scorer))
        final.append(replace(r, verdict=_verdict(r, alpha)))
    return EvaluationComparison(
        scorers=tuple(final),
        n_pairs=len(pairing.pairs),
        unpaired_a=pairing.unpaired_a,
        unpaired_b=pairing.unpaired_b,
        ambiguous=pairing.ambiguous,
        alpha=alpha,
        correction=correction,
        confidence=confidence,
    )
