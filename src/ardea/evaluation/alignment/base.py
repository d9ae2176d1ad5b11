"""The optimizer contract: turn a judge and labelled training rows into a candidate judge."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.alignment.labels import LabelledRow
from ardea.evaluation.alignment.scoring import Verdict
from ardea.evaluation.scorers.judge import InstructionsJudge

__all__ = ["AlignmentOptimizer"]


def check_counts(minimum: int, **values: object) -> None:
    """Refuse any of ``values`` that is not a whole number >= ``minimum`` (an optimizer's knobs).

    Raises:
        InvalidArgumentError: The first bad one, named.
    """
    for label, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise InvalidArgumentError(
                f"{label} must be a whole number >= {minimum}, got {value!r}"
            )


class AlignmentOptimizer(ABC):
    """Proposes an aligned judge from training rows; ``align()`` decides if it is promoted."""

    name: ClassVar[str]
    """The optimizer's name in the lineage (``memalign``, ``gepa``)."""

    @abstractmethod
    def params(self) -> dict[str, Any]:
        """The settings recorded in the lineage (JSON-safe)."""

    @abstractmethod
    def optimize(
        self,
        judge: InstructionsJudge,
        train: Sequence[LabelledRow],
        verdicts: Sequence[Verdict],
        *,
        max_concurrency: int,
    ) -> InstructionsJudge:
        """The candidate judge.

        Args:
            judge: The judge to align.
            train: The training rows (never the held-out ones).
            verdicts: ``judge``'s verdicts on ``train``, in order.
            max_concurrency: Judge calls in flight at most.
        """
