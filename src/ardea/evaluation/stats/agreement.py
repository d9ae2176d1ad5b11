"""How well a judge agrees with human labels on the same rows.

:func:`judge_agreement` pairs the judge's verdicts with the human labels (missing on either side
is counted and left out) and reports the confusion matrix and:

- accuracy, with a Wilson interval;
- Cohen's kappa (Cohen 1960), with the large-sample standard error of Fleiss, Cohen & Everitt
  (1969) and a normal interval; with ``weights="linear"`` or ``"quadratic"`` and ordered
  ``labels``, the weighted kappa of Cohen (1968), same standard error with the weights;
- for two labels (``positive`` names the positive one): TPR (sensitivity, recall), TNR
  (specificity), precision (PPV) and NPV with Wilson intervals, and F1 with a seeded percentile
  bootstrap interval over rows (F1 has no standard analytic interval; resamples with no
  positive on either side have no F1 and are dropped before taking the percentiles).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.stats._common import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    Estimate,
    check_confidence,
    format_table,
    is_missing,
    json_safe,
)
from ardea.evaluation.stats.intervals import wilson

__all__ = ["Agreement", "cohen_kappa", "judge_agreement"]

Weights = Literal["linear", "quadratic"]
"""Disagreement weights of the weighted kappa (ordered labels)."""


@dataclass(frozen=True)
class Agreement:
    """Agreement of a judge with human labels.

    Attributes:
        labels: The labels, in matrix order.
        confusion: ``confusion[i][j]`` = rows labelled ``labels[i]`` by humans and
            ``labels[j]`` by the judge.
        n: Rows with both a judge verdict and a human label.
        n_missing: Rows missing either.
        estimates: accuracy, kappa (or weighted_kappa), and for two labels tpr, tnr,
            precision, npv and f1, each with an interval.
        positive: The positive label for the binary measures, if any.
    """

    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]
    n: int
    n_missing: int
    estimates: tuple[Estimate, ...]
    positive: str | None = None

    def estimate(self, name: str) -> Estimate:
        """The estimate called ``name``.

        Raises:
            KeyError: no such estimate.
        """
        for e in self.estimates:
            if e.name == name:
                return e
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The agreement as JSON-safe values."""
        return dict(json_safe(self))

    def __str__(self) -> str:
        head = f"judge vs human on {self.n} rows ({self.n_missing} missing)"
        matrix = format_table(
            ["human \\ judge", *self.labels],
            [
                [lab, *(str(c) for c in row)]
                for lab, row in zip(self.labels, self.confusion, strict=True)
            ],
        )
        table = format_table(
            ["measure", "value", "interval", "method", "n"], [e.cells() for e in self.estimates]
        )
        return f"{head}\n{matrix}\n\n{table}"


def _weights(k: int, weights: Weights | None) -> NDArray[np.float64]:
    """Agreement weights: 1 on the diagonal, falling linearly or quadratically with distance."""
    i, j = np.indices((k, k))
    out: NDArray[np.float64]
    if weights is None:
        out = (i == j).astype(np.float64)
        return out
    if k < 2:
        return np.ones((k, k), dtype=np.float64)
    dist = np.abs(i - j).astype(np.float64) / (k - 1)
    if weights == "linear":
        out = 1.0 - dist
        return out
    if weights == "quadratic":
        out = 1.0 - dist**2
        return out
    raise InvalidArgumentError(f"weights must be 'linear' or 'quadratic', got {weights!r}")


def cohen_kappa(
    table: Sequence[Sequence[int]] | NDArray[Any],
    *,
    weights: Weights | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Estimate:
    """Cohen's (weighted) kappa of a square table of counts, with its FCE (1969) interval.

    ``var = [sum_ij p_ij (w_ij - (wbar_i. + wbar_.j)(1 - k))^2 - (k - pe (1 - k))^2]
    / (n (1 - pe)^2)`` with ``wbar_i. = sum_j p_.j w_ij`` and ``wbar_.j = sum_i p_i. w_ij``.

    Example:
        >>> round(cohen_kappa([[20, 5], [10, 15]]).value, 3)  # p_o = .7, p_e = .5
        0.4
    """
    check_confidence(confidence)
    t = np.asarray(table, dtype=np.float64)
    if t.ndim != 2 or t.shape[0] != t.shape[1] or np.any(t < 0):
        raise InvalidArgumentError("kappa needs a square table of counts")
    name = "kappa" if weights is None else "weighted_kappa"
    n = int(t.sum())
    if n == 0:
        return Estimate(name, None, None, None, confidence, "none", 0)
    w = _weights(t.shape[0], weights)
    p = t / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    po = float((w * p).sum())
    pe = float((w * np.outer(rows, cols)).sum())
    if pe >= 1.0:  # one label only on both sides: agreement is certain, kappa undefined
        return Estimate(name, None, None, None, confidence, "none", n)
    kappa = (po - pe) / (1 - pe)
    if rows.max() >= 1.0 or cols.max() >= 1.0:
        # One rater gave a single label: kappa is 0 by construction and the asymptotic
        # variance collapses to 0, so an interval would claim a certainty there is not.
        return Estimate(name, kappa, None, None, confidence, "none", n)
    wbar_i = w @ cols
    wbar_j = rows @ w
    core = (p * (w - np.add.outer(wbar_i, wbar_j) * (1 - kappa)) ** 2).sum()
    var = (core - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
    se = math.sqrt(max(float(var), 0.0))
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    low, high = max(-1.0, kappa - z * se), min(1.0, kappa + z * se)
    return Estimate(name, kappa, low, high, confidence, "analytic", n)


def _f1(truth: NDArray[np.float64], pred: NDArray[np.float64], axis: int = -1) -> Any:
    tp = np.sum(truth * pred, axis=axis)
    fp = np.sum((1 - truth) * pred, axis=axis)
    fn = np.sum(truth * (1 - pred), axis=axis)
    denom = 2 * tp + fp + fn
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, 2 * tp / np.where(denom > 0, denom, 1), np.nan)


def _named(e: Estimate, name: str) -> Estimate:
    return Estimate(name, e.value, e.low, e.high, e.confidence, e.method, e.n)


def judge_agreement(
    judge: Sequence[Any],
    human: Sequence[Any],
    *,
    labels: Sequence[Any] | None = None,
    positive: Any = None,
    weights: Weights | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int | None = DEFAULT_SEED,
) -> Agreement:
    """Agreement between a judge's verdicts and human labels on the same rows.

    Args:
        judge: The judge's value per row (``None``/NaN when it failed).
        human: The human label per row, same order (``None`` when unlabelled).
        labels: The labels in order (required, ordered worst to best, for weighted kappa);
            default the sorted labels seen.
        positive: The positive label of a binary judge (default ``True``, ``"yes"`` or
            ``"pass"`` when present); enables TPR, TNR, precision, NPV and F1.
        weights: ``"linear"`` or ``"quadratic"`` for weighted kappa.
        confidence: Confidence level of every interval.
        n_resamples: Bootstrap resamples (F1).
        seed: Bootstrap seed (F1).
    """
    if len(judge) != len(human):
        raise InvalidArgumentError(f"judge and human lengths differ: {len(judge)}, {len(human)}")
    pairs = [(str(h), str(j)) for j, h in zip(judge, human, strict=True)
             if not is_missing(j) and not is_missing(h)]  # fmt: skip
    missing = len(judge) - len(pairs)
    seen = sorted({v for pair in pairs for v in pair})
    names = [str(v) for v in labels] if labels is not None else seen
    unknown = sorted(set(seen) - set(names))
    if unknown:
        raise InvalidArgumentError(f"values {unknown} are not among labels {names}")
    if weights is not None and labels is None:
        raise InvalidArgumentError("weighted kappa needs labels= in their order")
    index = {lab: i for i, lab in enumerate(names)}
    table = np.zeros((len(names), len(names)), dtype=np.int64)
    for h, j in pairs:
        table[index[h], index[j]] += 1
    n = len(pairs)
    estimates = [_named(wilson(int(np.trace(table)), n, confidence=confidence), "accuracy")]
    estimates.append(cohen_kappa(table, weights=weights, confidence=confidence))
    pos = _positive(names, positive)
    if pos is not None:
        estimates.extend(_binary(table, index[pos], pairs, pos, confidence, n_resamples, seed))
    return Agreement(
        tuple(names),
        tuple(tuple(int(c) for c in row) for row in table),
        n,
        missing,
        tuple(estimates),
        pos,
    )


def _positive(names: Sequence[str], positive: Any) -> str | None:
    if positive is not None:
        if str(positive) not in names:
            raise InvalidArgumentError(f"positive label {positive!r} is not among {list(names)}")
        if len(names) != 2:
            raise InvalidArgumentError("positive= needs exactly two labels")
        return str(positive)
    if len(names) != 2:
        return None
    for candidate in ("True", "yes", "pass", "1"):
        if candidate in names:
            return candidate
    return None


def _binary(
    table: NDArray[np.int64],
    p: int,
    pairs: Sequence[tuple[str, str]],
    pos: str,
    confidence: float,
    n_resamples: int,
    seed: int | None,
) -> list[Estimate]:
    q = 1 - p
    tp, fn = int(table[p, p]), int(table[p, q])
    fp, tn = int(table[q, p]), int(table[q, q])
    out = [
        _named(wilson(tp, tp + fn, confidence=confidence), "tpr"),
        _named(wilson(tn, tn + fp, confidence=confidence), "tnr"),
        _named(wilson(tp, tp + fp, confidence=confidence), "precision"),
        _named(wilson(tn, tn + fn, confidence=confidence), "npv"),
    ]
    truth = np.array([h == pos for h, _ in pairs], dtype=np.float64)
    pred = np.array([j == pos for _, j in pairs], dtype=np.float64)
    out.append(_f1_estimate(truth, pred, confidence, n_resamples, seed))
    return out


def _f1_estimate(
    truth: NDArray[np.float64],
    pred: NDArray[np.float64],
    confidence: float,
    n_resamples: int,
    seed: int | None,
) -> Estimate:
    """F1 with a percentile bootstrap interval; resamples without any positive are dropped."""
    n = int(truth.size)
    value = float(_f1(truth, pred))
    if math.isnan(value):
        return Estimate("f1", None, None, None, confidence, "none", n)
    if n < 2:
        return Estimate("f1", value, None, None, confidence, "none", n)
    rng = np.random.default_rng(seed)
    chunk = max(1, 2_000_000 // n)
    draws = []
    for start in range(0, n_resamples, chunk):
        idx = rng.integers(0, n, size=(min(chunk, n_resamples - start), n))
        draws.append(_f1(truth[idx], pred[idx], axis=-1))
    boot = np.concatenate(draws)
    boot = boot[~np.isnan(boot)]
    tail = (1 - confidence) / 2
    low, high = (float(q) for q in np.quantile(boot, [tail, 1 - tail]))
    return Estimate("f1", value, low, high, confidence, "percentile", n)
