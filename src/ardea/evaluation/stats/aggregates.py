"""Aggregates of one scorer's values, each with a confidence interval.

A pass/fail scorer gets its pass rate with a Wilson interval; a numeric scorer gets the
statistics asked for (mean, median and p90 by default) with seeded bootstrap intervals (see
:mod:`ardea.evaluation.stats.intervals`); a categorical scorer gets each label's share with a
Wilson interval (intervals per label, not simultaneous). Missing values (``None`` or NaN: a row
whose prediction or scorer failed) are counted and reported in ``n_missing``; every estimate is
over the present values, and the result says how many that was.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ardea._core.errors import InvalidArgumentError

if TYPE_CHECKING:  # numpy is imported for numeric scorers only (a pass rate needs none)
    import numpy as np
    from numpy.typing import NDArray
from ardea.evaluation.stats._common import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    Estimate,
    ValueKind,
    format_table,
    infer_kind,
    is_missing,
    json_safe,
    to_binary,
    to_number,
)
from ardea.evaluation.stats.intervals import (
    BootstrapMethod,
    Statistic,
    bootstrap_estimate,
    quantile_statistic,
    wilson,
)

__all__ = [
    "DEFAULT_STATISTICS",
    "ScorerSummary",
    "statistic_function",
    "summarize",
    "summarize_scores",
]

DEFAULT_STATISTICS = ("mean", "median", "p90")
"""Statistics a numeric scorer is summarised with unless a call names others."""

_PERCENTILE = re.compile(r"p(\d{1,2}(?:\.\d+)?)")


def _std(x: NDArray[np.float64], axis: int = -1) -> Any:
    import numpy as np

    return np.std(x, axis=axis, ddof=1)


def _named(name: str) -> Statistic | None:
    import numpy as np

    found: dict[str, Statistic] = {
        "mean": np.mean,
        "median": np.median,
        "min": np.min,
        "max": np.max,
        "std": _std,
    }
    return found.get(name)


def statistic_function(name: str) -> Statistic:
    """The vectorised function behind a statistic name: mean, median, min, max, std, pNN.

    Raises:
        InvalidArgumentError: the name is unknown.
    """
    named = _named(name) if name in ("mean", "median", "min", "max", "std") else None
    if named is not None:
        return named
    match = _PERCENTILE.fullmatch(name)
    if match and 0 < float(match.group(1)) < 100:
        return quantile_statistic(float(match.group(1)) / 100)
    raise InvalidArgumentError(
        f"unknown statistic {name!r}; use mean, median, min, max, std or pNN (e.g. p90)"
    )


@dataclass(frozen=True)
class ScorerSummary:
    """One scorer's aggregates over an evaluation.

    Attributes:
        scorer: The scorer's name.
        kind: ``"binary"``, ``"numeric"`` or ``"categorical"``.
        n_rows: Rows given, missing ones included.
        n_missing: Rows without a value (failed prediction or scorer).
        estimates: The aggregates with their intervals (``pass_rate`` for binary scorers;
            ``share[label]`` for categorical ones).
        counts: For binary and categorical scorers, ``(label, count)`` pairs, most common first.
    """

    scorer: str
    kind: ValueKind
    n_rows: int
    n_missing: int
    estimates: tuple[Estimate, ...]
    counts: tuple[tuple[str, int], ...] = ()

    @property
    def n_valid(self) -> int:
        """Rows with a value."""
        return self.n_rows - self.n_missing

    def estimate(self, name: str) -> Estimate:
        """The estimate called ``name``.

        Raises:
            KeyError: no such estimate.
        """
        for est in self.estimates:
            if est.name == name:
                return est
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-safe values."""
        data: dict[str, Any] = json_safe(self)
        data["n_valid"] = self.n_valid
        return data

    def __str__(self) -> str:
        head = (
            f"{self.scorer or 'scorer'} ({self.kind}): {self.n_valid} of {self.n_rows} rows "
            f"scored, {self.n_missing} missing"
        )
        rows = [e.cells() for e in self.estimates]
        return head + "\n" + format_table(["statistic", "value", "interval", "method", "n"], rows)


def _present(values: Iterable[Any]) -> tuple[list[Any], int, int]:
    kept, total, missing = [], 0, 0
    for value in values:
        total += 1
        if is_missing(value):
            missing += 1
        else:
            kept.append(value)
    return kept, total, missing


def summarize(
    values: Iterable[Any],
    *,
    scorer: str = "",
    kind: ValueKind | None = None,
    statistics: Sequence[str] = DEFAULT_STATISTICS,
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int | None = DEFAULT_SEED,
    method: BootstrapMethod = "bca",
) -> ScorerSummary:
    """Summarise one scorer's values (one per row; ``None``/NaN for a failed row).

    Args:
        values: The scorer's value on each row.
        scorer: The scorer's name, for the report.
        kind: Force how values are read; inferred by default (:func:`infer_kind`).
        statistics: Numeric statistics to report (mean, median, min, max, std, pNN).
        confidence: Two-sided confidence level of every interval.
        n_resamples: Bootstrap resamples.
        seed: Bootstrap seed (``None``: fresh randomness, not reproducible).
        method: Bootstrap interval, ``"bca"`` (default) or ``"percentile"``.

    Example:
        >>> s = summarize([True, False, True, None], scorer="safety")
        >>> s.n_missing, s.estimate("pass_rate").value
        (1, 0.666...)
    """
    present, total, missing = _present(values)
    if not present:
        resolved: ValueKind = kind or "numeric"
        empty = Estimate(
            "pass_rate" if resolved == "binary" else "mean",
            None,
            None,
            None,
            confidence,
            "none",
            0,
        )
        return ScorerSummary(scorer, resolved, total, missing, (empty,))
    resolved = kind or infer_kind(present)
    if resolved == "binary":
        flags = [to_binary(v) for v in present]
        passed = sum(flags)
        counts = (("pass", passed), ("fail", len(flags) - passed))
        est = wilson(passed, len(flags), confidence=confidence)
        return ScorerSummary(scorer, resolved, total, missing, (est,), counts)
    if resolved == "categorical":
        counter = Counter(str(v) for v in present)
        ordered = tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
        shares = tuple(
            _renamed(wilson(c, len(present), confidence=confidence), f"share[{label}]")
            for label, c in ordered
        )
        return ScorerSummary(scorer, resolved, total, missing, shares, ordered)
    if resolved != "numeric":
        raise InvalidArgumentError(f"kind must be binary, numeric or categorical, got {kind!r}")
    import numpy as np

    x = np.array([to_number(v) for v in present], dtype=np.float64)
    estimates = tuple(
        bootstrap_estimate(
            name,
            [x],
            statistic_function(name),
            confidence=confidence,
            n_resamples=n_resamples,
            seed=seed,
            method=method,
        )
        for name in statistics
    )
    return ScorerSummary(scorer, resolved, total, missing, estimates)


def _renamed(estimate: Estimate, name: str) -> Estimate:
    return Estimate(
        name,
        estimate.value,
        estimate.low,
        estimate.high,
        estimate.confidence,
        estimate.method,
        estimate.n,
    )


def summarize_scores(
    scores: Mapping[str, Iterable[Any]],
    **options: Any,
) -> dict[str, ScorerSummary]:
    """:func:`summarize` for every scorer of an evaluation (``{scorer: values}``)."""
    return {name: summarize(values, scorer=name, **options) for name, values in scores.items()}
