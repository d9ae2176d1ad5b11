"""``ardea.compare_evaluations(run_a, run_b)``: two logged evaluation runs, compared row by row.

Each run's rows are read back with :func:`ardea.evaluation.logged.load_evaluation`, the same
loader the server's compare route uses, so the SDK and the web UI pair rows alike: by dataset
record id (trace tag ``ardea.eval.datasetRecordId``), else by the digest of the row's full
inputs that ``ardea.evaluate`` tags (``ardea.eval.inputsDigest``), else (runs logged by
``mlflow.genai.evaluate``) by the trace's request preview. Then
:func:`ardea.evaluation.stats.compare_evaluations` does the statistics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ardea.evaluation.harness import RECORD_ID_TAG

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
    from ardea.evaluation import logged
    from ardea.evaluation.stats import EvalRow

    backend = fluent.get_client().backend
    evaluation = logged.load_evaluation(backend.tracking, backend.traces, _run_id(run))
    return [EvalRow(**row.stats_row()) for row in evaluation.rows]


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
