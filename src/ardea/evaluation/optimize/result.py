"""The outcome of ``optimize_prompts``: the held-out check, its decision and the lineage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ardea.evaluation.optimize.base import Candidate
    from ardea.evaluation.stats._common import Estimate
    from ardea.prompts import PromptVersion

__all__ = ["HeldOutCheck", "PromptOptimizationResult", "held_out_check"]


@dataclass(frozen=True)
class HeldOutCheck:
    """The starting prompts and the best candidate on the held-out rows, paired by row.

    Attributes:
        n: Held-out rows.
        baseline: The starting prompts' mean score there, with its interval.
        candidate: The best candidate's mean score there, with its interval.
        test: ``mcnemar`` (every score 0 or 1: the exact test on rows fixed vs broken) or
            ``wilcoxon`` (signed-rank on the per-row differences).
        p_value: The test's two-sided p-value.
        improved: Rows that scored higher with the candidate.
        regressed: Rows that scored lower.
        alpha: The largest p-value that counts as significant.
    """

    n: int
    baseline: Estimate
    candidate: Estimate
    test: str
    p_value: float
    improved: int
    regressed: int
    alpha: float

    @property
    def significant(self) -> bool:
        """The candidate's mean is higher and the paired test says so at ``alpha``."""
        b, c = self.baseline.value or 0.0, self.candidate.value or 0.0
        return c > b and self.improved > self.regressed and self.p_value <= self.alpha

    def to_dict(self) -> dict[str, Any]:
        """The check as JSON-safe values."""
        return {
            "n": self.n,
            "baseline": self.baseline.to_dict(),
            "candidate": self.candidate.to_dict(),
            "test": self.test,
            "p_value": self.p_value,
            "improved": self.improved,
            "regressed": self.regressed,
            "alpha": self.alpha,
        }

    def __str__(self) -> str:
        b, c = self.baseline.value or 0.0, self.candidate.value or 0.0
        return (
            f"held-out mean {b:.3f} -> {c:.3f} on {self.n} rows ({self.improved} improved, "
            f"{self.regressed} regressed, {self.test} p={self.p_value:.3g}, alpha={self.alpha:g})"
        )


def held_out_check(before: Sequence[float], after: Sequence[float], alpha: float) -> HeldOutCheck:
    """Pair the per-row scores of the starting prompts (``before``) and the candidate."""
    from ardea.evaluation.optimize.base import mean_estimate
    from ardea.evaluation.stats.paired import mcnemar, wilcoxon

    binary = all(s in (0.0, 1.0) for s in [*before, *after])
    improved = sum(1 for a, b in zip(before, after, strict=True) if b > a)
    regressed = sum(1 for a, b in zip(before, after, strict=True) if b < a)
    if binary:
        test, p = "mcnemar", mcnemar(list(before), list(after)).p_exact
    else:
        test, p = "wilcoxon", wilcoxon(list(before), list(after)).p_value
    return HeldOutCheck(len(before), mean_estimate(before), mean_estimate(after), test,
                        float(p), improved, regressed, alpha)  # fmt: skip


@dataclass
class PromptOptimizationResult:
    """What ``optimize_prompts`` did (MLflow's result fields first).

    Attributes:
        optimized_prompts: The prompt versions registered for the winner (empty when nothing
            was promoted).
        optimizer_name: The optimizer's name (``gepa``, ``metaprompt``).
        initial_eval_score: The starting prompts' mean score on the training rows.
        final_eval_score: The best candidate's mean score on the training rows.
        initial_eval_score_per_scorer: The starting prompts' mean per scorer (training rows).
        final_eval_score_per_scorer: The best candidate's mean per scorer (training rows).
        promoted: Whether the best candidate passed the held-out check and was registered.
        reason: The decision, with its numbers.
        best: The best candidate (the starting prompts when nothing beat them).
        candidates: Every candidate evaluated on the training rows, in order.
        check: The held-out check (None when it did not run: no better candidate, Ctrl-C).
        stop_reason: Why the search ended early (a budget limit), if it did.
        interrupted: Ctrl-C ended the search (nothing is registered then).
        run_id: The run holding the lineage (None without tracking).
        data: The data's digest and sizes.
        llm_calls: ``ardea.llm`` calls made (the held-out check included).
        cost: Their USD cost.
        evaluations: Rows evaluated during the search.
    """

    optimized_prompts: list[PromptVersion]
    optimizer_name: str
    initial_eval_score: float | None
    final_eval_score: float | None
    initial_eval_score_per_scorer: dict[str, float]
    final_eval_score_per_scorer: dict[str, float]
    promoted: bool
    reason: str
    best: Candidate
    candidates: list[Candidate] = field(repr=False)
    check: HeldOutCheck | None = None
    stop_reason: str | None = None
    interrupted: bool = False
    run_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    llm_calls: int = 0
    cost: float = 0.0
    evaluations: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The lineage as JSON-safe values (the artifact ``prompt_optimization.json``)."""
        return {
            "optimizer": self.optimizer_name,
            "promoted": self.promoted,
            "reason": self.reason,
            "best_index": self.best.index,
            "candidates": [c.to_dict() for c in self.candidates],
            "check": None if self.check is None else self.check.to_dict(),
            "stop_reason": self.stop_reason,
            "interrupted": self.interrupted,
            "data": self.data,
            "llm_calls": self.llm_calls,
            "cost": self.cost,
            "evaluations": self.evaluations,
            "optimized_prompts": [p.uri for p in self.optimized_prompts],
        }

    def __str__(self) -> str:
        lines = [
            f"prompt optimization with {self.optimizer_name}: {self.reason}",
            f"{len(self.candidates)} candidates; training score "
            f"{self.initial_eval_score:.3f} -> {self.final_eval_score:.3f}",
        ]
        lines += [f"registered {p.uri}" for p in self.optimized_prompts]
        return "\n".join(lines)
