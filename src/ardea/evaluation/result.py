"""What ``evaluate`` returns: MLflow's ``EvaluationResult`` shape plus Ardea's summary."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ardea.evaluation.quality import CriterionResult
from ardea.evaluation.rows import EvalItem
from ardea.evaluation.sessions import EvalSession

if TYPE_CHECKING:
    from ardea.evaluation.stats import ScorerSummary

__all__ = ["EvaluationResult", "EvaluationSummary"]

_UNBUILT: Any = object()


class EvaluationSummary(Mapping[str, "ScorerSummary"]):
    """Each scorer's summary (value with a 95% interval), by feedback name; prints as a table.

    Args:
        summaries: ``{name: ScorerSummary}`` (see :func:`ardea.evaluation.stats.summarize`).
    """

    def __init__(self, summaries: Mapping[str, ScorerSummary]) -> None:
        self._summaries = dict(summaries)

    def __getitem__(self, name: str) -> ScorerSummary:
        return self._summaries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._summaries)

    def __len__(self) -> int:
        return len(self._summaries)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values."""
        return {k: v.to_dict() for k, v in self._summaries.items()}

    def __str__(self) -> str:
        return "\n".join(str(s) for s in self._summaries.values()) or "(no scores)"


@dataclass
class EvaluationResult:
    """The outcome of :func:`~ardea.evaluation.evaluate` (as ``mlflow.genai.evaluate``'s).

    Attributes:
        run_id: The evaluation run.
        metrics: The run metrics as logged (``<scorer>/mean``, ..., ``<scorer>/ci_low``/``_high``).
        result_df: One row per evaluated row: ``trace_id``, ``<name>/value`` per feedback,
            ``inputs``, ``outputs``, ``expectations``, ``error``, ``record_id``, and
            ``session_id`` when there are sessions (a session scorer's value is on its
            session's first row, as MLflow) (needs pandas; None without it). Built from
            ``rows`` on first access, so an evaluation whose table is not read does not
            import pandas.
        rows: The rows as Ardea kept them (feedbacks included).
        sessions: The sessions scored by session-level scorers (their feedbacks included).
        quality_criteria: Each ``quality_criteria`` condition's outcome (value, pass/fail,
            and whether it holds over the metric's 95% interval).
        interrupted: The evaluation was stopped by Ctrl-C (only finished rows were logged).
        llm_calls: LLM calls made while it ran; ``cache_hits``: judgements taken from the cache.
        tokens: Tokens of those calls; ``cost``: their USD cost where the model is priced.
        log_errors: Assessments the store refused (the rest were logged).
    """

    run_id: str
    metrics: dict[str, float]
    rows: list[EvalItem] = field(default_factory=list, repr=False)
    sessions: list[EvalSession] = field(default_factory=list, repr=False)
    quality_criteria: list[CriterionResult] = field(default_factory=list)
    interrupted: bool = False
    llm_calls: int = 0
    cache_hits: int = 0
    tokens: int = 0
    cost: float = 0.0
    log_errors: list[str] = field(default_factory=list, repr=False)
    _summary: EvaluationSummary | None = field(default=None, repr=False)
    _frame: Any = field(default=_UNBUILT, repr=False, compare=False)

    @property
    def result_df(self) -> Any:
        """The per-row table (a pandas DataFrame; None without pandas), built once from rows."""
        if self._frame is _UNBUILT:
            self._frame = result_frame(self.rows, self.sessions)
        return self._frame

    @property
    def passed_quality_criteria(self) -> bool | None:
        """Whether the evaluation met its quality criteria.

        True when every criterion passed, False when one failed, None when there are none
        or one could not be measured (and none failed).
        """
        if not self.quality_criteria:
            return None
        outcomes = [c.passed for c in self.quality_criteria]
        if False in outcomes:
            return False
        return True if all(outcomes) else None

    @property
    def tables(self) -> dict[str, Any]:
        """MLflow 2's name for the per-row table: ``{"eval_results": result_df}``."""
        return {"eval_results": self.result_df}

    def summary(self) -> EvaluationSummary:
        """Each scorer's mean (or pass rate) with its 95% interval; ``print`` it for a table."""
        return self._summary if self._summary is not None else EvaluationSummary({})

    @property
    def errors(self) -> int:
        """Rows whose prediction failed plus feedbacks that carry an error."""
        rows = sum(
            (1 if r.error else 0) + sum(1 for f in r.feedbacks if f.error is not None)
            for r in self.rows
        )
        return rows + sum(1 for s in self.sessions for f in s.feedbacks if f.error is not None)


def result_frame(items: list[EvalItem], sessions: list[EvalSession] | None = None) -> Any:
    """The ``result_df`` of finished ``items`` (None without pandas)."""
    try:
        import pandas as pd
    except ImportError:
        return None
    anchored = {id(s.anchor): s for s in sessions or [] if s.done and s.anchor is not None}
    records = []
    for item in items:
        if not item.done:
            continue
        row: dict[str, Any] = {"trace_id": item.trace_id}
        session = anchored.get(id(item))
        for f in item.feedbacks + (session.feedbacks if session is not None else []):
            row[f"{f.name}/value"] = None if f.error is not None else f.value
        row.update(
            {
                "inputs": item.inputs,
                "outputs": item.outputs,
                "expectations": item.expectations or None,
                "error": item.error,
                "record_id": item.record_id,
            }
        )
        if sessions:
            row["session_id"] = item.session_id
        records.append(row)
    return pd.DataFrame.from_records(records)
