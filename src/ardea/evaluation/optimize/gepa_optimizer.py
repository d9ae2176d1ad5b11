"""Prompt optimization on the ``gepa`` package (reflective prompt evolution).

GEPA runs the app with candidate templates on training rows (through
:meth:`~ardea.evaluation.optimize.base.SearchTask.evaluate`), shows the reflection model the
rows with their outputs, expectations, scores and the scorers' rationales, and asks it for a
better template; it keeps the candidates that score best on the training rows (its validation
set: the held-out rows stay unseen until ``optimize_prompts`` checks the winner). Each prompt
is one GEPA component. The reflection model is called through ``ardea.llm``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.alignment.base import check_counts
from ardea.evaluation.gepa_support import QuietLogger, import_gepa, reflection_lm
from ardea.evaluation.optimize.base import BasePromptOptimizer, SearchTask
from ardea.evaluation.optimize.scoring import RowScore
from ardea.evaluation.rows import EvalItem

__all__ = ["GepaPromptOptimizer"]


def feedback_text(row: RowScore) -> str:
    """What the reflection model is told about one evaluated row."""
    if row.error:
        return f"Score {row.score:g}. The app failed: {row.error}"
    parts = [f"Score {row.score:g} (1 is best)."]
    if row.expectations:
        parts.append(f"Expected: {json.dumps(row.expectations, default=str)}.")
    for name, value in row.scores.items():
        why = row.rationales.get(name)
        parts.append(f"{name}: {value!r}" + (f" ({why})" if why else "") + ".")
    return " ".join(parts)


class _Adapter:
    """gepa's ``GEPAAdapter``: data are training rows, a candidate maps prompt names to text."""

    def __init__(self, task: SearchTask) -> None:
        self.task = task
        self.propose_new_texts = None

    def evaluate(
        self, batch: list[EvalItem], candidate: dict[str, str], capture_traces: bool = False
    ) -> Any:
        from gepa.core.adapter import EvaluationBatch

        rows = self.task.evaluate(candidate, batch)
        return EvaluationBatch(
            outputs=[r.outputs for r in rows],
            scores=[r.score for r in rows],
            trajectories=rows if capture_traces else None,
        )

    def make_reflective_dataset(
        self, candidate: dict[str, str], eval_batch: Any, components_to_update: list[str]
    ) -> Mapping[str, Sequence[Mapping[str, Any]]]:
        records = [
            {
                "Inputs": json.dumps(row.inputs, default=str),
                "Generated Outputs": json.dumps(row.outputs, default=str),
                "Feedback": feedback_text(row),
            }
            for row in eval_batch.trajectories or []
        ]
        return {name: records for name in components_to_update}


class _Stopper:
    """GEPA's stop condition (and callback): the budget is spent, or the search is stuck.

    Stuck: ``patience`` iterations in a row proposed nothing (e.g. a reflection model that
    keeps failing, whose errors GEPA swallows and retries until its metric-call budget, or
    minibatches that all score full marks already).
    """

    def __init__(self, task: SearchTask, patience: int = 10) -> None:
        self.task = task
        self.patience = patience
        self.idle = 0

    def on_iteration_start(self, event: Any) -> None:
        """An iteration starts."""
        self.idle += 1

    def on_proposal_end(self, event: Any) -> None:
        """A proposal was made: the search moves."""
        self.idle = 0

    def __call__(self, state: Any) -> bool:
        return self.task.meter.exhausted() is not None or self.idle >= self.patience


class GepaPromptOptimizer(BasePromptOptimizer):
    """Evolves the prompts with GEPA (see the module); MLflow's ``GepaPromptOptimizer``.

    Args:
        reflection_model: Model URI that proposes new templates (``openai:/gpt-4.1``).
        max_metric_calls: GEPA's budget of row evaluations.
        display_progress_bar: Show GEPA's own bar (Ardea's progress shows anyway).
        gepa_kwargs: More arguments for ``gepa.optimize`` (e.g. ``reflection_minibatch_size``).
        seed: GEPA's random seed.

    Raises:
        InvalidArgumentError: ``gepa`` is not installed, or a bad setting.
    """

    name: ClassVar[str] = "gepa"

    def __init__(
        self,
        reflection_model: str,
        max_metric_calls: int = 100,
        display_progress_bar: bool = False,
        gepa_kwargs: dict[str, Any] | None = None,
        *,
        seed: int = 0,
    ) -> None:
        if not isinstance(reflection_model, str) or ":/" not in reflection_model:
            raise InvalidArgumentError(
                f"reflection_model must be a model URI like 'openai:/gpt-4.1', "
                f"got {reflection_model!r}"
            )
        check_counts(1, max_metric_calls=max_metric_calls)
        import_gepa()  # a missing package is said before any call
        self.reflection_model = reflection_model
        self.max_metric_calls = max_metric_calls
        self.display_progress_bar = display_progress_bar
        self.gepa_kwargs = dict(gepa_kwargs or {})
        self.seed = seed

    def params(self) -> dict[str, Any]:
        """The optimizer's settings."""
        return {
            "reflection_model": self.reflection_model,
            "max_metric_calls": self.max_metric_calls,
            "seed": self.seed,
            "gepa_kwargs": {k: repr(v) for k, v in self.gepa_kwargs.items()},
        }

    def expected_evaluations(self, train_rows: int) -> int | None:
        """GEPA's ``max_metric_calls``."""
        return self.max_metric_calls

    def optimize(self, task: SearchTask) -> None:
        """Run GEPA from the starting prompts until ``max_metric_calls`` or the budget."""
        gepa = import_gepa()
        stopper = _Stopper(task)
        kwargs: dict[str, Any] = {
            "reflection_minibatch_size": min(3, len(task.train)),
            "logger": QuietLogger(),
            "display_progress_bar": self.display_progress_bar,
            "raise_on_exception": False,
            "seed": self.seed,
            **self.gepa_kwargs,
        }
        gepa.optimize(
            seed_candidate=dict(task.targets),
            trainset=list(task.train),
            valset=list(task.train),
            adapter=_Adapter(task),
            reflection_lm=reflection_lm(self.reflection_model),
            max_metric_calls=self.max_metric_calls,
            stop_callbacks=[stopper],
            callbacks=[stopper],
            **kwargs,
        )
