"""Run a judge over labelled rows (concurrently, with progress) and measure its agreement.

Judge calls are awaited at most ``max_concurrency`` at a time; the actual rate is decided by
``ardea.llm``'s per-provider adaptive limiter, as in ``evaluate()``. A row whose judgement fails
(an LLM error, a missing input) has no verdict and counts as missing in the agreement. The
progress bar is ``evaluate``'s (rows, errors, tokens and cost; ``ARDEA_PROGRESS`` decides if it
shows).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ardea.evaluation.alignment.labels import LabelledRow, label_text

if TYPE_CHECKING:
    from ardea.evaluation.scorers.judge import Judge
    from ardea.evaluation.stats.agreement import Agreement

__all__ = ["Verdict", "agreement", "is_binary", "judge_rows", "run_sync"]

T = TypeVar("T")


@dataclass(frozen=True)
class Verdict:
    """The judge's answer on one row: its value and rationale, or the error."""

    value: Any = None
    rationale: str | None = None
    error: str | None = None


def is_binary(judge: Judge) -> bool:
    """Whether the judge answers pass/fail (a ``bool`` or MLflow's yes/no)."""
    from ardea.evaluation.scorers.value_types import YES_NO

    value_type = getattr(judge, "value_type", None)
    return value_type is bool or value_type == YES_NO


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to the end (in a worker thread when an event loop already runs here)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _judge_all(
    judge: Judge, rows: Sequence[LabelledRow], max_concurrency: int, progress: Any
) -> list[Verdict]:
    gate = asyncio.Semaphore(max_concurrency)

    async def one(row: LabelledRow) -> Verdict:
        async with gate:
            try:
                feedback = await judge.arun(
                    inputs=row.inputs,
                    outputs=row.outputs,
                    expectations=row.expectations,
                    trace=row.trace,
                )
            except Exception as exc:
                verdict = Verdict(error=f"{type(exc).__name__}: {exc}")
            else:
                error = feedback.error
                verdict = (
                    Verdict(error=str(getattr(error, "error_message", None) or error))
                    if error is not None
                    else Verdict(feedback.value, feedback.rationale)
                )
        progress.row_done(1 if verdict.error else 0)
        return verdict

    return list(await asyncio.gather(*(one(r) for r in rows)))


def judge_rows(
    judge: Judge, rows: Sequence[LabelledRow], *, max_concurrency: int, show: bool | None = None
) -> list[Verdict]:
    """The judge's verdict on every row, in order (failures are verdicts with ``error``)."""
    from ardea.evaluation.progress import EvalProgress

    if not rows:
        return []
    with EvalProgress(len(rows), show=show) as progress:
        return run_sync(_judge_all(judge, rows, max_concurrency, progress))


def agreement(judge: Judge, verdicts: Sequence[Verdict], rows: Sequence[LabelledRow]) -> Agreement:
    """``judge_agreement`` of the verdicts with the rows' labels (pass/fail: positive True)."""
    from ardea._core.errors import InvalidArgumentError
    from ardea.evaluation.stats.agreement import judge_agreement

    binary = is_binary(judge)
    judged = [label_text(v.value, binary) for v in verdicts]
    human = [label_text(r.label, binary) for r in rows]
    seen = {v for v in [*judged, *human] if v is not None}
    positive = "True" if binary and seen <= {"True", "False"} and len(seen) == 2 else None
    try:
        return judge_agreement(judged, human, positive=positive)
    except InvalidArgumentError:
        return judge_agreement(judged, human)
