"""The outcome of one alignment: the held-out check's rule, its decision and the lineage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ardea.entities.scorer import JudgeAlignment
    from ardea.evaluation.scorers.judge import InstructionsJudge
    from ardea.evaluation.stats.agreement import Agreement

__all__ = ["AlignmentResult", "Check", "decide"]


def _value(agreement: Agreement, name: str) -> float:
    """An estimate's value; an undefined one (no variation at all) counts as 0."""
    try:
        value = agreement.estimate(name).value
    except KeyError:
        return 0.0
    return 0.0 if value is None else float(value)


@dataclass(frozen=True)
class Check:
    """The held-out check's settings and the paired test it ran.

    Attributes:
        min_holdout: Held-out rows needed.
        min_kappa_gain: How much kappa must rise.
        alpha: Largest McNemar p-value that counts as an improvement (1.0: no test).
        improved: Held-out rows the base judge got wrong and the candidate right.
        regressed: Rows the base judge got right and the candidate wrong.
        p_value: McNemar's exact two-sided p-value on those discordant rows.
    """

    min_holdout: int
    min_kappa_gain: float
    alpha: float
    improved: int = 0
    regressed: int = 0
    p_value: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """The check as JSON-safe values."""
        return {
            "min_holdout": self.min_holdout,
            "min_kappa_gain": self.min_kappa_gain,
            "alpha": self.alpha,
            "improved": self.improved,
            "regressed": self.regressed,
            "p_value": self.p_value,
        }


def decide(before: Agreement, after: Agreement, check: Check) -> tuple[bool, str]:
    """Whether the aligned judge is promoted, and why (the rule, with its numbers).

    Promoted only when all hold on the held-out rows:

    1. at least ``min_holdout`` held-out rows were judged by both judges;
    2. the aligned judge failed on no more rows than the base judge;
    3. Cohen's kappa after > kappa before + ``min_kappa_gain`` (an undefined kappa, when
       a side gave one label only, counts as 0);
    4. accuracy after >= accuracy before;
    5. the gain is no accident: more rows went from wrong to right than from right to wrong,
       and McNemar's exact test on those rows gives p <= ``alpha``.
    """
    k0, k1 = _value(before, "kappa"), _value(after, "kappa")
    a0, a1 = _value(before, "accuracy"), _value(after, "accuracy")
    numbers = f"kappa {k0:.3f} -> {k1:.3f}, accuracy {a0:.3f} -> {a1:.3f}"
    n = min(before.n, after.n)
    if n < check.min_holdout:
        return False, (
            f"rejected: {n} held-out rows judged, fewer than min_holdout={check.min_holdout}"
        )
    if after.n_missing > before.n_missing:
        return False, (
            f"rejected: the aligned judge failed on {after.n_missing} held-out rows, "
            f"the base judge on {before.n_missing}"
        )
    if not k1 > k0 + check.min_kappa_gain:
        gain = f" + {check.min_kappa_gain:g}" if check.min_kappa_gain else ""
        return False, f"rejected: kappa did not rise above {k0:.3f}{gain} ({numbers})"
    if a1 < a0:
        return False, f"rejected: accuracy fell ({numbers})"
    paired = f"{check.improved} rows fixed, {check.regressed} broken, McNemar p={check.p_value:.3g}"
    if check.improved <= check.regressed or check.p_value > check.alpha:
        return (
            False,
            f"rejected: the gain may be chance ({paired} > alpha={check.alpha:g}; {numbers})",
        )
    return True, f"promoted: {numbers} on {n} held-out rows ({paired})"


@dataclass
class AlignmentResult:
    """What ``align()`` did.

    Attributes:
        judge: The judge to use: the aligned one when promoted, else the base judge.
        base: The judge that was aligned.
        candidate: The aligned judge the optimizer proposed (promoted or not).
        promoted: Whether ``candidate`` passed the held-out check (:func:`decide`).
        reason: The decision with its numbers.
        before: The base judge's agreement with people on the held-out rows.
        after: The candidate's agreement on the same rows.
        optimizer: The optimizer's name.
        params: Its settings.
        labels: The label set (count, train/holdout sizes, trace and assessment ids).
        base_version: The registered version that was aligned (None: not registered).
        new_version: The version registered for the aligned judge (None: not registered).
        alignment: The stored lineage record (None when nothing was registered).
    """

    judge: InstructionsJudge
    base: InstructionsJudge
    candidate: InstructionsJudge
    promoted: bool
    reason: str
    before: Agreement
    after: Agreement
    optimizer: str
    params: dict[str, Any]
    labels: dict[str, Any]
    base_version: int | None = None
    new_version: int | None = None
    alignment: JudgeAlignment | None = field(default=None, repr=False)

    def __str__(self) -> str:
        lines = [
            f"alignment of {self.judge.name!r} with {self.optimizer}: {self.reason}",
            f"labels: {self.labels.get('train')} train, {self.labels.get('holdout')} held out",
            "before:",
            str(self.before),
            "after:",
            str(self.after),
        ]
        if self.new_version is not None:
            lines.append(f"registered as version {self.new_version}")
        return "\n".join(lines)
