"""Budgets of an optimization: model calls, cost and row evaluations, counted as they happen.

Every ``ardea.llm`` call made while the optimization runs counts (the app's own when it calls
through ``ardea.llm``, the judges', the reflection model's), through an LLM-call observer as
``evaluate()``'s progress does. A call the app makes with a provider SDK directly is not seen:
bound it with ``max_evaluations``. The budget is checked before each evaluation of a candidate
and between an optimizer's iterations; the work in flight finishes, so a budget can be
overshot by at most one candidate evaluation. The held-out check after the search is not
counted against it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.llm.hooks import CallInfo, EndCallback, add_observer, remove_observer

__all__ = ["Budget", "BudgetMeter", "BudgetStop"]


@dataclass(frozen=True)
class Budget:
    """Limits of the search (None: no limit).

    Attributes:
        max_llm_calls: ``ardea.llm`` calls (predictions, judges, reflection).
        max_cost: USD, from ``ardea.llm``'s price table (unpriced models count 0).
        max_evaluations: Rows evaluated (one ``predict_fn`` call and its scorers each).
    """

    max_llm_calls: int | None = None
    max_cost: float | None = None
    max_evaluations: int | None = None

    @classmethod
    def of(cls, value: Budget | Mapping[str, Any] | None) -> Budget:
        """``value`` as a :class:`Budget` (a dict of its fields is accepted).

        Raises:
            InvalidArgumentError: An unknown key or a negative or non-numeric limit.
        """
        if value is None:
            return cls()
        if isinstance(value, Budget):
            budget = value
        elif isinstance(value, Mapping):
            unknown = set(value) - {"max_llm_calls", "max_cost", "max_evaluations"}
            if unknown:
                raise InvalidArgumentError(
                    f"budget has unknown keys {sorted(unknown)}: use max_llm_calls, max_cost, "
                    "max_evaluations"
                )
            budget = cls(**dict(value))
        else:
            raise InvalidArgumentError(f"budget must be a Budget or a dict, got {value!r}")
        for name in ("max_llm_calls", "max_evaluations"):
            limit = getattr(budget, name)
            if limit is not None and (
                isinstance(limit, bool) or not isinstance(limit, int) or limit < 1
            ):
                raise InvalidArgumentError(f"budget {name} must be a whole number >= 1")
        cost = budget.max_cost
        if cost is not None and (
            isinstance(cost, bool) or not isinstance(cost, (int, float)) or cost <= 0
        ):
            raise InvalidArgumentError("budget max_cost must be a positive number")
        return budget

    def to_dict(self) -> dict[str, Any]:
        """The limits (None: none)."""
        return {
            "max_llm_calls": self.max_llm_calls,
            "max_cost": self.max_cost,
            "max_evaluations": self.max_evaluations,
        }


class BudgetStop(Exception):
    """Raised before an evaluation that the budget no longer allows (the search stops)."""


class BudgetMeter:
    """Counts calls, cost and evaluations against a :class:`Budget` while open."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.llm_calls = 0
        self.cost = 0.0
        self.evaluations = 0
        self._lock = threading.Lock()

    def __enter__(self) -> BudgetMeter:
        add_observer(self._observe)
        return self

    def __exit__(self, *exc: object) -> None:
        remove_observer(self._observe)

    def exhausted(self) -> str | None:
        """Which limit is reached, in words; None while there is budget left."""
        b = self.budget
        if b.max_llm_calls is not None and self.llm_calls >= b.max_llm_calls:
            return f"max_llm_calls={b.max_llm_calls} reached ({self.llm_calls} calls)"
        if b.max_cost is not None and self.cost >= b.max_cost:
            return f"max_cost=${b.max_cost:g} reached (${self.cost:.4f})"
        if b.max_evaluations is not None and self.evaluations >= b.max_evaluations:
            return f"max_evaluations={b.max_evaluations} reached ({self.evaluations} rows)"
        return None

    def check(self) -> None:
        """Raise :class:`BudgetStop` when a limit is reached."""
        reason = self.exhausted()
        if reason is not None:
            raise BudgetStop(reason)

    def add_evaluations(self, rows: int) -> None:
        """``rows`` rows were evaluated."""
        with self._lock:
            self.evaluations += rows

    def _observe(self, info: CallInfo) -> EndCallback | None:
        def end(result: Any, error: BaseException | None) -> None:
            cost = getattr(getattr(result, "cost", None), "total_cost", None)
            with self._lock:
                self.llm_calls += 1
                self.cost += float(cost or 0.0)

        return end
