"""The optimizer contract and the search's shared state: candidates, their scores, the budget.

An optimizer gets a :class:`SearchTask`: the prompts to improve (name to template text; a chat
prompt as its JSON text, as MLflow hands it to optimizers), the training rows, and
:meth:`SearchTask.evaluate`, which runs the app with a candidate and scores the rows. Every
candidate evaluated on the whole training set is recorded with its score and interval, in
order; the best so far is :meth:`SearchTask.best` (ties go to the earlier one, so the starting
prompt wins unless something beats it). Evaluations are cached per candidate and row, so an
optimizer that evaluates the same candidate twice pays once.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.optimize.budget import BudgetMeter
from ardea.evaluation.optimize.scoring import RowScore, ScoringContext
from ardea.evaluation.rows import EvalItem
from ardea.evaluation.stats._common import Estimate
from ardea.prompts._template import Template

__all__ = ["BasePromptOptimizer", "Candidate", "SearchTask", "mean_estimate"]


def mean_estimate(scores: Sequence[float]) -> Estimate:
    """The mean of ``scores`` with its interval (Wilson for 0/1 scores, else BCa bootstrap)."""
    import numpy as np

    from ardea.evaluation.stats.intervals import bootstrap_estimate, wilson

    if not scores:
        return Estimate("mean", None, None, None, 0.95, "none", 0)
    if all(s in (0.0, 1.0) for s in scores):
        return wilson(int(sum(scores)), len(scores))
    return bootstrap_estimate("mean", [np.asarray(scores, dtype=np.float64)], np.mean)


@dataclass
class Candidate:
    """One set of templates the search evaluated on all training rows.

    Attributes:
        index: 0 for the starting prompts, then in the order evaluated.
        templates: Prompt name to template text (a chat prompt as JSON text).
        score: Mean row score on the training rows.
        interval: That mean with its confidence interval.
        per_scorer: Each scorer's mean numeric value.
        rows: The per-row results (not saved in the lineage).
    """

    index: int
    templates: dict[str, str]
    score: float
    interval: Estimate
    per_scorer: dict[str, float]
    rows: list[RowScore] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The candidate as JSON-safe values (rows left out)."""
        return {
            "index": self.index,
            "templates": self.templates,
            "score": self.score,
            "interval": self.interval.to_dict(),
            "per_scorer": self.per_scorer,
        }


def _per_scorer(rows: Sequence[RowScore]) -> dict[str, float]:
    from ardea.evaluation.optimize.scoring import numeric

    out: dict[str, float] = {}
    names = {n for r in rows for n in r.scores}
    for name in sorted(names):
        values = [numeric(r.scores.get(name)) for r in rows]
        present = [v for v in values if v is not None]
        if present:
            out[name] = sum(present) / len(present)
    return out


class SearchTask:
    """What an optimizer works with (see the module).

    Args:
        targets: Prompt name to starting template text.
        chat: Names of chat prompts (their text is a JSON list of messages).
        train: The training rows.
        context: How rows are scored.
        meter: The budget.
    """

    def __init__(
        self,
        targets: Mapping[str, str],
        chat: set[str],
        train: Sequence[EvalItem],
        context: ScoringContext,
        meter: BudgetMeter,
    ) -> None:
        self.targets = dict(targets)
        self.chat = set(chat)
        self.train = list(train)
        self.context = context
        self.meter = meter
        self.candidates: list[Candidate] = []
        self._cache: dict[tuple[str, int], RowScore] = {}

    def templates(self, candidate: Mapping[str, str]) -> dict[str, Template]:
        """The candidate's texts as templates (chat prompts parsed back to messages).

        Raises:
            InvalidArgumentError: A chat prompt's text is not a JSON list of messages.
        """
        out: dict[str, Template] = {}
        for name, text in candidate.items():
            if name not in self.chat:
                out[name] = text
                continue
            try:
                messages = json.loads(text)
            except ValueError:
                messages = None
            ok = (
                isinstance(messages, list)
                and messages
                and all(isinstance(m, dict) and "role" in m and "content" in m for m in messages)
            )
            if not ok:
                raise InvalidArgumentError(f"candidate for chat prompt {name!r} is not messages")
            out[name] = messages
        return out

    def evaluate(
        self, candidate: Mapping[str, str], rows: Sequence[EvalItem] | None = None
    ) -> list[RowScore]:
        """Run the app with ``candidate`` on ``rows`` (default: all training rows), scored.

        A candidate evaluated on every training row is recorded in :attr:`candidates`.

        Raises:
            BudgetStop: The budget is spent (nothing was evaluated).
            KeyboardInterrupt: Ctrl-C.
        """
        full = {**self.targets, **dict(candidate)}
        rows = self.train if rows is None else list(rows)
        key = json.dumps(full, sort_keys=True)
        todo = [r for r in rows if (key, r.index) not in self._cache]
        if todo:
            self.meter.check()
            try:
                templates = self.templates(full)
            except InvalidArgumentError as exc:
                scored = [RowScore(r.index, r.inputs, None, dict(r.expectations), 0.0,
                                   error=str(exc)) for r in todo]  # fmt: skip
            else:
                scored = self.context.score(templates, todo)
            self.meter.add_evaluations(len(todo))
            for s in scored:
                self._cache[(key, s.index)] = s
        result = [self._cache[(key, r.index)] for r in rows]
        if rows is self.train or {r.index for r in rows} >= {r.index for r in self.train}:
            self._record(full, [self._cache[(key, r.index)] for r in self.train])
        return result

    def _record(self, full: dict[str, str], rows: list[RowScore]) -> None:
        if any(c.templates == full for c in self.candidates):
            return
        scores = [r.score for r in rows]
        self.candidates.append(
            Candidate(
                index=len(self.candidates),
                templates=full,
                score=sum(scores) / len(scores) if scores else 0.0,
                interval=mean_estimate(scores),
                per_scorer=_per_scorer(rows),
                rows=rows,
            )
        )

    def best(self) -> Candidate:
        """The best candidate so far (the earliest among equals)."""
        if not self.candidates:
            raise InvalidArgumentError("no candidate was evaluated")
        top = max(c.score for c in self.candidates)
        return next(c for c in self.candidates if c.score == top)


class BasePromptOptimizer(ABC):
    """Proposes better templates; ``optimize_prompts`` checks and registers the best one."""

    name: ClassVar[str]
    """The optimizer's name in the lineage (``gepa``, ``metaprompt``)."""

    @abstractmethod
    def params(self) -> dict[str, Any]:
        """The settings recorded in the lineage (JSON-safe)."""

    @abstractmethod
    def optimize(self, task: SearchTask) -> None:
        """Search: evaluate candidates with ``task.evaluate`` until done or out of budget.

        The starting prompts are already evaluated (``task.candidates[0]``). Stop by returning;
        :class:`~ardea.evaluation.optimize.budget.BudgetStop` and ``KeyboardInterrupt`` may
        escape (the best candidate so far is kept either way).
        """

    def expected_evaluations(self, train_rows: int) -> int | None:
        """Rows the search will evaluate at most, for the progress bar (None: unknown)."""
        return None
