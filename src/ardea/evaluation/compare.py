"""``ardea.compare_evaluations(run_a, run_b)``: two logged evaluation runs, compared row by row.

Each run's rows are read back from the tracking store: the traces of the run, and on each
the valid feedbacks that run logged (metadata ``mlflow.assessment.sourceRunId``). Rows are
paired by dataset record id (trace tag ``ardea.eval.datasetRecordId``, set when the data was
a managed dataset) and otherwise by a digest of the row's inputs (the root span's inputs);
then :func:`ardea.evaluation.stats.compare_evaluations` does the statistics. Works for runs
logged by ``ardea.evaluate`` and by ``mlflow.genai.evaluate`` alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ardea.evaluation.harness import RECORD_ID_TAG
from ardea.evaluation.record import SOURCE_RUN_ID

if TYPE_CHECKING:
    from ardea.evaluation.stats import EvalRow, EvaluationComparison

__all__ = ["RECORD_ID_TAG", "compare_evaluations", "load_evaluation"]


def _run_id(run: Any) -> str:
    if isinstance(run, str):
        return run
    info = getattr(run, "info", None)
    if info is not None:
        return str(info.run_id)
    return str(run.run_id)


def load_evaluation(run: Any) -> list[EvalRow]:
    """The rows of an evaluation run (a run id, a ``Run`` or an ``EvaluationResult``)."""
    from ardea import fluent
    from ardea.evaluation.stats import EvalRow

    run_id = _run_id(run)
    experiment_id = fluent.get_client().get_run(run_id).info.experiment_id
    traces = fluent.search_traces(experiment_ids=[experiment_id], run_id=run_id, return_type="list")
    rows = []
    for trace in traces:
        scores: dict[str, Any] = {}
        for a in trace.info.assessments:
            if a.kind != "feedback" or not a.valid:
                continue
            if (a.metadata or {}).get(SOURCE_RUN_ID) != run_id:
                continue
            scores[a.name] = None if a.error is not None else a.value
        root = next((s for s in trace.spans if s.parent_span_id is None), None)
        rows.append(
            EvalRow(
                scores=scores,
                record_id=trace.info.tags.get(RECORD_ID_TAG),
                inputs=root.inputs if root is not None else None,
                id=trace.info.trace_id,
            )
        )
    return rows


def compare_evaluations(run_a: Any, run_b: Any, **options: Any) -> EvaluationComparison:
    """Compare baseline run ``run_a`` with candidate run ``run_b``, row by row.

    Args:
        run_a: The baseline evaluation: a run id, a ``Run``, or an ``EvaluationResult``.
        run_b: The candidate evaluation.
        **options: Passed to :func:`ardea.evaluation.stats.compare_evaluations` (``scorers``,
            ``alpha``, ``correction``, ``greater_is_better``, ``noise_floor``, ...).

    Returns:
        The :class:`~ardea.evaluation.stats.EvaluationComparison` (print it for a report;
        ``assert_no_regression(comparison)`` for CI).

    Example::

        comparison = ardea.compare_evaluations(baseline.run_id, candidate.run_id)
        print(comparison)
        ardea.assert_no_regression(comparison)
    """
    from ardea.evaluation.stats import compare_evaluations as compare_rows

    return compare_rows(load_evaluation(run_a), load_evaluation(run_b), **options)
