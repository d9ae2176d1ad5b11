"""Score prompt candidates: run the app with a candidate's templates, score each row.

One evaluation is ``evaluate()``'s engine (:class:`~ardea.evaluation.harness.Harness`) over
the rows: ``predict_fn`` is called with each row's ``**inputs`` (traced, one trace per row, in
the optimization run's experiment) while :func:`~ardea.prompts._candidates.candidate_templates`
makes ``PromptVersion.format()`` render the candidate, then every scorer runs. A row's score is
``aggregation({scorer name: value})`` when given (MLflow's ``aggregation``), else the mean of
the scorers' numeric values (``True``/``"yes"`` = 1, ``False``/``"no"`` = 0); a failed
prediction or scorer counts 0.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Feedback
from ardea.evaluation.progress import EvalProgress
from ardea.evaluation.rows import EvalItem
from ardea.evaluation.scorers import Scorer
from ardea.prompts._candidates import candidate_templates
from ardea.prompts._template import Template

__all__ = ["Aggregation", "RowScore", "ScoringContext", "numeric", "row_copy"]

Aggregation = Callable[[dict[str, Any]], float]
"""MLflow's ``AggregationFn``: scorer name to value, in; the row's score (higher is better)."""

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RowScore:
    """One row evaluated with one candidate.

    Attributes:
        index: The row's position in its set (training or held-out).
        inputs: The row's inputs.
        outputs: What ``predict_fn`` returned (None when it failed).
        expectations: The row's expectations.
        score: The row's score (see the module).
        scores: Each scorer's value (None: it failed).
        rationales: Each scorer's rationale or error, where it gave one.
        error: Why ``predict_fn`` failed, if it did.
    """

    index: int
    inputs: Any
    outputs: Any
    expectations: dict[str, Any]
    score: float
    scores: dict[str, Any] = field(default_factory=dict)
    rationales: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def numeric(value: Any) -> float | None:
    """A scorer's value as a number (``yes``/``no`` and booleans as 1/0); None otherwise."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.strip().lower() in ("yes", "no"):
        return 1.0 if value.strip().lower() == "yes" else 0.0
    return None


def row_copy(item: EvalItem) -> EvalItem:
    """A fresh row with ``item``'s inputs, expectations, tags and session (nothing predicted)."""
    return EvalItem(
        index=item.index,
        inputs=item.inputs,
        expectations=dict(item.expectations),
        tags=dict(item.tags),
        record_id=item.record_id,
        session_id=item.session_id,
    )


def _row_score(item: EvalItem, aggregation: Aggregation | None) -> RowScore:
    values: dict[str, Any] = {}
    rationales: dict[str, str] = {}
    for fb in item.feedbacks:
        _collect(fb, values, rationales)
    if item.error is not None:
        score = 0.0
    elif aggregation is not None:
        score = float(aggregation({k: v for k, v in values.items() if v is not None}))
    else:
        numbers = []
        for name, value in values.items():
            number = 0.0 if value is None else numeric(value)
            if number is None:
                raise InvalidArgumentError(
                    f"scorer {name!r} returned {value!r}, which is not a number: pass "
                    "aggregation= to turn the scorers' values into one score"
                )
            numbers.append(number)
        score = sum(numbers) / len(numbers) if numbers else 0.0
    return RowScore(item.index, item.inputs, item.outputs, dict(item.expectations), score,
                    values, rationales, item.error)  # fmt: skip


def _collect(fb: Feedback, values: dict[str, Any], rationales: dict[str, str]) -> None:
    if fb.error is not None:
        values[fb.name] = None
        message = getattr(fb.error, "error_message", None) or str(fb.error)
        rationales[fb.name] = f"error: {message}"
        return
    values[fb.name] = fb.value
    if fb.rationale:
        rationales[fb.name] = str(fb.rationale)


@dataclass
class ScoringContext:
    """What every evaluation of the optimization shares.

    Attributes:
        scorers: The scorers.
        predict_fn: The app.
        aggregation: Turns a row's scorer values into its score (None: the mean).
        run_id: The optimization run (the rows' traces point at it; "" for none).
        experiment_id: Where the rows' traces go.
        max_concurrency: Predictions and scorer calls in flight at most.
        progress: The progress bar (rows, errors, tokens, cost).
        fetch_trace: Reads a row's trace back (for scorers that need it).
    """

    scorers: Sequence[Scorer]
    predict_fn: Callable[..., Any]
    aggregation: Aggregation | None
    run_id: str
    experiment_id: str
    max_concurrency: int
    progress: EvalProgress
    fetch_trace: Callable[[str], Any]

    def score(self, templates: Mapping[str, Template], rows: Sequence[EvalItem]) -> list[RowScore]:
        """Each row's score with ``templates`` in force, in order.

        Raises:
            KeyboardInterrupt: Ctrl-C.
            InvalidArgumentError: A scorer's value is not a number and no aggregation is set.
        """
        from ardea.evaluation.harness import Harness

        items = [row_copy(r) for r in rows]
        harness = Harness(
            items,
            self.scorers,
            self.predict_fn,
            run_id=self.run_id,
            experiment_id=self.experiment_id,
            max_concurrency=self.max_concurrency,
            cache=None,
            fetch_trace=self.fetch_trace,
            progress=self.progress,
        )
        with candidate_templates(templates) as used:
            harness.run()
        unused = sorted(set(templates) - used.used)
        if unused and items and all(i.error is None for i in items):
            _log.warning(
                "predict_fn never called format() on the prompts %s: optimizing them cannot "
                "change its answers (load them with ardea.load_prompt and call format())",
                unused,
            )
        return [_row_score(i, self.aggregation) for i in items]
