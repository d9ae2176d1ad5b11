"""Repeated runs: intervals that count the model's own non-determinism, and the A/A noise floor.

An LLM answers the same row differently from run to run, and a judge may grade the same answer
differently. With ``repeats=k`` each row has k values per scorer; treating the k x rows values as
independent would make intervals too narrow. :func:`summarize_repeats` therefore resamples in two
stages (a cluster, or hierarchical, bootstrap; Davison & Hinkley 1997, section 3.8): rows with
replacement, then, within each drawn row, its repeats with replacement; the statistic is the mean
of the row means, and the interval is the percentile interval of the resampled statistics.
Resampling both stages slightly overstates the within-row part of the variance (conservative);
``within="keep"`` resamples rows only, keeping each row's repeats as they are.

:func:`noise_floor` answers "how large a difference would two runs of the *same* version show by
chance?" from two such runs (A/A): with ``d_i`` the per-row differences, it randomly flips their
signs (the two runs are exchangeable under A/A) and reports the ``confidence`` quantile of
``|mean(d)|`` as ``half_width``: an A/B difference inside ``+-half_width`` is within the noise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.stats._common import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    Estimate,
    ValueKind,
    check_confidence,
    fmt,
    infer_kind,
    is_missing,
    json_safe,
    to_binary,
    to_number,
)
from ardea.evaluation.stats.pairing import Evaluation, pair_rows

__all__ = [
    "NoiseFloor",
    "RepeatSummary",
    "half_widths",
    "noise_floor",
    "noise_floors",
    "summarize_repeats",
]

_MAX_CHUNK = 2_000_000


@dataclass(frozen=True)
class RepeatSummary:
    """One scorer over rows scored k times.

    Attributes:
        scorer: The scorer's name.
        kind: ``"binary"`` (the estimate is a pass rate) or ``"numeric"``.
        n_rows: Rows given.
        n_values: Values present across all rows and repeats.
        n_missing: Values missing (failed repeats).
        rows_without_values: Rows where every repeat failed (left out of the estimate).
        estimate: Mean of the row means, with the cluster bootstrap interval.
        between_row_variance: Variance of the row means (how much rows differ).
        within_row_variance: Mean over rows of the variance of their repeats (non-determinism).
        icc: ``between / (between + within)``; near 1: repeats agree, near 0: mostly noise.
        unstable_rows: Positions of rows whose repeats disagree (flaky rows).
    """

    scorer: str
    kind: ValueKind
    n_rows: int
    n_values: int
    n_missing: int
    rows_without_values: int
    estimate: Estimate
    between_row_variance: float | None
    within_row_variance: float | None
    icc: float | None
    unstable_rows: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-safe values."""
        return dict(json_safe(self))

    def __str__(self) -> str:
        return (
            f"{self.scorer or 'scorer'} ({self.kind}, {self.n_rows} rows, {self.n_values} values, "
            f"{self.n_missing} missing): {self.estimate}\n"
            f"  between rows var {fmt(self.between_row_variance)}, within rows var "
            f"{fmt(self.within_row_variance)}, ICC {fmt(self.icc)}, "
            f"{len(self.unstable_rows)} unstable rows"
        )


def _matrix(values: Sequence[Sequence[Any]], kind: ValueKind) -> NDArray[np.float64]:
    width = max((len(r) for r in values), default=0)
    out = np.full((len(values), width), np.nan)

    def conv(value: Any) -> float:
        return float(to_binary(value)) if kind == "binary" else to_number(value)

    for i, row in enumerate(values):
        for j, v in enumerate(row):
            if not is_missing(v):
                out[i, j] = conv(v)
    return out


def _two_stage(
    packed: NDArray[np.float64],
    counts: NDArray[np.int64],
    n_resamples: int,
    rng: np.random.Generator,
    within: str,
) -> NDArray[np.float64]:
    rows, width = packed.shape
    chunk = max(1, _MAX_CHUNK // max(1, rows * width))
    out = []
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        pick = rng.integers(0, rows, size=(size, rows))
        c = counts[pick]
        if within == "keep":
            cols = np.broadcast_to(np.arange(width), (size, rows, width))
        else:
            cols = np.floor(rng.random((size, rows, width)) * c[..., None]).astype(np.int64)
        draws = packed[pick[..., None], cols]
        mask = np.arange(width) < c[..., None]
        row_means = np.where(mask, draws, 0.0).sum(axis=2) / c
        out.append(row_means.mean(axis=1))
    return np.concatenate(out)


def summarize_repeats(
    values: Sequence[Sequence[Any]],
    *,
    scorer: str = "",
    kind: ValueKind | None = None,
    within: Literal["resample", "keep"] = "resample",
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int | None = DEFAULT_SEED,
) -> RepeatSummary:
    """Summarise a scorer over rows scored several times (``values[row][repeat]``).

    Example:
        >>> s = summarize_repeats([[True, True], [True, False], [False, False]])
        >>> s.estimate.value, s.unstable_rows
        (0.5, (1,))
    """
    check_confidence(confidence)
    if within not in ("resample", "keep"):
        raise InvalidArgumentError(f"within must be 'resample' or 'keep', got {within!r}")
    for i, row in enumerate(values):
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
            raise InvalidArgumentError(f"row {i} must be a sequence of repeated values")
    flat = [v for row in values for v in row if not is_missing(v)]
    resolved: ValueKind = kind or (infer_kind(flat) if flat else "numeric")
    if resolved == "categorical":
        raise InvalidArgumentError("repeated categorical values are not summarised; map to 0/1")
    m = _matrix(values, resolved)
    counts_all = (~np.isnan(m)).sum(axis=1)
    keep = counts_all > 0
    n_missing = sum(len(r) for r in values) - len(flat)
    name = "pass_rate" if resolved == "binary" else "mean"
    if not keep.any():
        est = Estimate(name, None, None, None, confidence, "none", 0)
        return RepeatSummary(
            scorer, resolved, len(values), len(flat), n_missing, len(values), est, None, None,
            None, (),
        )  # fmt: skip
    sub, counts = m[keep], counts_all[keep]
    # Pack each row's present values to the left, so column j < count is a real value.
    packed = np.zeros_like(sub)
    for i, row in enumerate(sub):
        present = row[~np.isnan(row)]
        packed[i, : present.size] = present
    row_means = np.nanmean(sub, axis=1)
    value = float(row_means.mean())
    within_var = [float(np.var(r[~np.isnan(r)], ddof=1)) for r in sub if np.sum(~np.isnan(r)) > 1]
    w = float(np.mean(within_var)) if within_var else None
    b = float(np.var(row_means, ddof=1)) if row_means.size > 1 else None
    icc = b / (b + w) if b is not None and w is not None and (b + w) > 0 else None
    unstable = tuple(
        int(i)
        for i, row in zip(np.flatnonzero(keep), sub, strict=True)
        if np.unique(row[~np.isnan(row)]).size > 1
    )
    if sub.shape[0] < 2 and (sub.shape[0] == 0 or counts[0] < 2):
        est = Estimate(name, value, None, None, confidence, "none", int(counts.sum()))
    elif np.all(packed[np.arange(packed.shape[1]) < counts[:, None]] == packed[0, 0]):
        est = Estimate(name, value, value, value, confidence, "constant", int(counts.sum()))
    else:
        boot = _two_stage(packed, counts, n_resamples, np.random.default_rng(seed), within)
        tail = (1 - confidence) / 2
        low, high = (float(q) for q in np.quantile(boot, [tail, 1 - tail]))
        est = Estimate(name, value, low, high, confidence, "cluster-percentile", int(counts.sum()))
    return RepeatSummary(
        scorer=scorer,
        kind=resolved,
        n_rows=len(values),
        n_values=len(flat),
        n_missing=n_missing,
        rows_without_values=int((~keep).sum()),
        estimate=est,
        between_row_variance=b,
        within_row_variance=w,
        icc=icc,
        unstable_rows=unstable,
    )


@dataclass(frozen=True)
class NoiseFloor:
    """The A/A noise floor of one scorer: differences two runs of one version show by chance.

    Attributes:
        scorer: The scorer's name.
        n_pairs: Rows with a value in both runs.
        n_missing: Paired rows missing a value in either run.
        observed_diff: The mean difference the two A runs actually showed (run 2 - run 1).
        half_width: The ``confidence`` quantile of ``|mean difference|`` under sign flips.
        changed_share: Share of rows whose value differed between the two runs.
        confidence: The quantile used.
        method: ``"sign-flip"``.
    """

    scorer: str
    n_pairs: int
    n_missing: int
    observed_diff: float | None
    half_width: float | None
    changed_share: float | None
    confidence: float
    method: str = "sign-flip"

    def to_dict(self) -> dict[str, Any]:
        """The noise floor as JSON-safe values."""
        return dict(json_safe(self))

    def __str__(self) -> str:
        return (
            f"{self.scorer or 'scorer'}: A/A differences within +-{fmt(self.half_width)} "
            f"({self.confidence:.0%} of chance splits, n={self.n_pairs}); observed A/A "
            f"{fmt(self.observed_diff)}, {fmt(self.changed_share)} of rows changed"
        )


def noise_floor(
    run1: Iterable[Any],
    run2: Iterable[Any],
    *,
    scorer: str = "",
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int | None = DEFAULT_SEED,
) -> NoiseFloor:
    """The A/A noise floor from two runs of the same version (values paired by position).

    Example:
        >>> nf = noise_floor([1, 0, 1, 1, 0, 1], [1, 1, 1, 0, 0, 1])
        >>> nf.observed_diff, nf.changed_share
        (0.0, 0.333...)
    """
    check_confidence(confidence)
    x1, x2 = list(run1), list(run2)
    if len(x1) != len(x2):
        raise InvalidArgumentError(f"the two runs differ in length: {len(x1)}, {len(x2)}")
    kept = [(u, v) for u, v in zip(x1, x2, strict=True) if not is_missing(u) and not is_missing(v)]
    missing = len(x1) - len(kept)
    if not kept:
        return NoiseFloor(scorer, 0, missing, None, None, None, confidence)
    a = np.array([to_number(u) for u, _ in kept])
    b = np.array([to_number(v) for _, v in kept])
    d = b - a
    rng = np.random.default_rng(seed)
    chunk = max(1, _MAX_CHUNK // d.size)
    means = []
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        signs = rng.integers(0, 2, size=(size, d.size)) * 2 - 1
        means.append(np.abs((signs * d).mean(axis=1)))
    half = float(np.quantile(np.concatenate(means), confidence))
    changed = float(np.mean(d != 0))
    return NoiseFloor(scorer, int(d.size), missing, float(d.mean()), half, changed, confidence)


def noise_floors(
    run1: Evaluation,
    run2: Evaluation,
    *,
    scorers: Sequence[str] | None = None,
    **options: Any,
) -> dict[str, NoiseFloor]:
    """:func:`noise_floor` per scorer for two A runs given as evaluations.

    Rows are paired as in :func:`~ardea.evaluation.stats.comparison.compare_evaluations`; pass
    ``half_widths(result)`` as ``compare_evaluations(..., noise_floor=...)``.
    """
    pairs = pair_rows(run1, run2).pairs
    names: Iterable[str] = (
        scorers
        if scorers is not None
        else dict.fromkeys(name for _, r1, _ in pairs for name in r1.scores)
    )
    out = {}
    for name in names:
        v1 = [_mean_of(r1.scores.get(name)) for _, r1, _ in pairs]
        v2 = [_mean_of(r2.scores.get(name)) for _, _, r2 in pairs]
        out[name] = noise_floor(v1, v2, scorer=name, **options)
    return out


def _mean_of(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        present = [to_number(v) for v in value if not is_missing(v)]
        return sum(present) / len(present) if present else None
    return value


def half_widths(floors: Mapping[str, NoiseFloor]) -> dict[str, float]:
    """``{scorer: half_width}`` of the floors that have one (for ``compare_evaluations``)."""
    return {k: v.half_width for k, v in floors.items() if v.half_width is not None}
