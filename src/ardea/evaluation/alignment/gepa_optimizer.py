"""Alignment on the ``gepa`` package: evolve the judge's instructions against human labels.

GEPA (reflective prompt evolution) runs the judge with candidate instructions on training
rows, scores each row 1 when the verdict matches the human label (else 0), shows the
reflection model the misses (inputs, outputs, the judge's verdict and rationale, the human
label) and asks it for better instructions; it keeps what scores best. Every call goes through
``ardea.llm``: the judge's own model for the task, ``reflection_model`` (default: the
judge's model) for reflection. A candidate whose instructions lose the template variables
cannot run and scores 0.

``gepa`` is optional: ``pip install 'ardea[align]'`` (imported only when this optimizer runs).
``max_metric_calls`` bounds the judge calls GEPA makes (its budget); the training rows are
both GEPA's training and validation set: the held-out rows stay unseen until ``align()``
measures the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.alignment.base import AlignmentOptimizer, check_counts
from ardea.evaluation.alignment.labels import LabelledRow, label_text
from ardea.evaluation.alignment.scoring import Verdict, is_binary, run_sync
from ardea.evaluation.gepa_support import QuietLogger, import_gepa, reflection_lm
from ardea.evaluation.scorers.judge import InstructionsJudge, make_judge
from ardea.evaluation.scorers.memory_judge import example_text

__all__ = ["GepaOptimizer"]

_COMPONENT = "instructions"


def _with_instructions(judge: InstructionsJudge, instructions: str) -> InstructionsJudge:
    """``judge`` with other instructions (InvalidArgumentError when they cannot run)."""
    return make_judge(
        name=judge.name,
        instructions=instructions,
        model=judge._model,
        description=judge.description,
        feedback_value_type=judge.value_type,
        inference_params=judge.inference_params,
        base_url=judge.base_url,
        extra_headers=judge._extra_headers,
        generate_rationale_first=judge.generate_rationale_first,
        include_timing_in_conversation=judge.include_timing_in_conversation,
        aggregations=judge.aggregations,
        timeout=judge.timeout,
        max_input_chars=judge.max_input_chars,
    )


class _Adapter:
    """gepa's ``GEPAAdapter`` for a judge: data are labelled rows, the candidate instructions."""

    def __init__(self, judge: InstructionsJudge, max_concurrency: int) -> None:
        self.judge = judge
        self.max_concurrency = max_concurrency
        self.binary = is_binary(judge)
        self.propose_new_texts = None

    def evaluate(
        self, batch: list[LabelledRow], candidate: dict[str, str], capture_traces: bool = False
    ) -> Any:
        from gepa.core.adapter import EvaluationBatch

        from ardea.evaluation.alignment.scoring import _judge_all

        try:
            judge = _with_instructions(self.judge, candidate[_COMPONENT])
        except InvalidArgumentError as exc:
            verdicts = [Verdict(error=str(exc)) for _ in batch]
        else:
            verdicts = run_sync(_judge_all(judge, batch, self.max_concurrency, _NoProgress()))
        scores = [
            1.0
            if not v.error and label_text(v.value, self.binary) == label_text(r.label, self.binary)
            else 0.0
            for r, v in zip(batch, verdicts, strict=True)
        ]
        trajectories = list(zip(batch, verdicts, strict=True)) if capture_traces else None
        return EvaluationBatch(outputs=verdicts, scores=scores, trajectories=trajectories)

    def make_reflective_dataset(
        self, candidate: dict[str, str], eval_batch: Any, components_to_update: list[str]
    ) -> Mapping[str, Sequence[Mapping[str, Any]]]:
        records = []
        for (row, verdict), score in zip(
            eval_batch.trajectories or [], eval_batch.scores, strict=True
        ):
            said = f"error: {verdict.error}" if verdict.error else repr(verdict.value)
            records.append(
                {
                    "Inputs": example_text(row.inputs, row.outputs),
                    "Generated Outputs": f"verdict {said}; rationale: {verdict.rationale or '-'}",
                    "Feedback": (
                        "Correct: the human reviewer agrees."
                        if score
                        else f"Wrong: the human reviewer's verdict is {row.label!r}."
                    ),
                }
            )
        return {name: records for name in components_to_update}


class _NoProgress:
    def row_done(self, errors: int) -> None:
        return None


class GepaOptimizer(AlignmentOptimizer):
    """Evolves the judge's instructions with GEPA (see the module).

    Args:
        reflection_model: Model URI that proposes new instructions (default: the judge's).
        max_metric_calls: GEPA's budget of judge calls.
        reflection_minibatch_size: Rows shown per reflection.
        seed: GEPA's random seed.

    Raises:
        InvalidArgumentError: ``gepa`` is not installed, or a bad setting.
    """

    name: ClassVar[str] = "gepa"

    def __init__(
        self,
        *,
        reflection_model: str | None = None,
        max_metric_calls: int = 200,
        reflection_minibatch_size: int = 5,
        seed: int = 0,
    ) -> None:
        check_counts(
            1,
            max_metric_calls=max_metric_calls,
            reflection_minibatch_size=reflection_minibatch_size,
        )
        import_gepa()  # a missing package is said before any judge call
        self.reflection_model = reflection_model
        self.max_metric_calls = max_metric_calls
        self.reflection_minibatch_size = reflection_minibatch_size
        self.seed = seed

    def params(self) -> dict[str, Any]:
        """The optimizer's settings."""
        return {
            "reflection_model": self.reflection_model,
            "max_metric_calls": self.max_metric_calls,
            "reflection_minibatch_size": self.reflection_minibatch_size,
            "seed": self.seed,
        }

    def optimize(
        self,
        judge: InstructionsJudge,
        train: Sequence[LabelledRow],
        verdicts: Sequence[Verdict],
        *,
        max_concurrency: int,
    ) -> InstructionsJudge:
        """The judge with GEPA's best instructions."""
        gepa = import_gepa()
        reflect = reflection_lm(self.reflection_model or judge.model)
        result = gepa.optimize(
            seed_candidate={_COMPONENT: judge.instructions},
            trainset=list(train),
            valset=list(train),
            adapter=_Adapter(judge, max_concurrency),
            reflection_lm=reflect,
            reflection_minibatch_size=min(self.reflection_minibatch_size, len(train)),
            max_metric_calls=self.max_metric_calls,
            logger=QuietLogger(),
            seed=self.seed,
            display_progress_bar=False,
            raise_on_exception=False,
        )
        best = result.best_candidate
        text = best[_COMPONENT] if isinstance(best, Mapping) else str(best)
        return _with_instructions(judge, text)
