"""Evaluation: scoring an LLM application's outputs and judging the results.

- :func:`evaluate` (also ``ardea.evaluate``): run an app over data, score every row, log it
  as ``mlflow.genai.evaluate`` does (:mod:`.evaluator`, :mod:`.harness`, :mod:`.record`);
- :func:`compare_evaluations` (also ``ardea.compare_evaluations``): two logged evaluation runs
  compared row by row (:mod:`.compare`); :func:`assert_no_regression` for CI;
- ``ardea.evaluation.datasets``: managed evaluation datasets (MLflow's wire, with versions);
- ``ardea.evaluation.logged``: logged evaluation runs read back (rows, summary, comparison)
  for the server's ``/ardea/evaluations`` routes;
- ``ardea.evaluation.scorers``: scorers and LLM judges (re-exported as ``ardea.scorers``);
- ``ardea.evaluation.stats``: the statistics (intervals, paired comparison, repeated runs,
  sample sizes, judge agreement); numpy and scipy only, loaded on first use;
- :func:`align` (also ``ardea.align``): align an LLM judge with human labels
  (``ardea.evaluation.alignment``: MemAlign-style and gepa optimizers, a held-out check);
- :func:`optimize_prompts` (also ``ardea.optimize_prompts``): improve registered prompts with
  GEPA or MetaPrompt, promoted only when a held-out check finds the gain significant
  (``ardea.evaluation.optimize``);
- :mod:`.cache`: the judge cache.

Names load on first use (PEP 562), so ``import ardea.evaluation`` stays light. See
docs/evaluation.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ardea.evaluation.alignment import align
    from ardea.evaluation.cache import JudgeCache
    from ardea.evaluation.compare import compare_evaluations, load_evaluation
    from ardea.evaluation.evaluator import evaluate
    from ardea.evaluation.optimize import optimize_prompts
    from ardea.evaluation.result import EvaluationResult, EvaluationSummary
    from ardea.evaluation.stats import RegressionError, assert_no_regression

_EXPORTS = {
    "JudgeCache": "ardea.evaluation.cache",
    "align": "ardea.evaluation.alignment",
    "compare_evaluations": "ardea.evaluation.compare",
    "load_evaluation": "ardea.evaluation.compare",
    "evaluate": "ardea.evaluation.evaluator",
    "optimize_prompts": "ardea.evaluation.optimize",
    "EvaluationResult": "ardea.evaluation.result",
    "EvaluationSummary": "ardea.evaluation.result",
    "RegressionError": "ardea.evaluation.stats",
    "assert_no_regression": "ardea.evaluation.stats",
}

__all__ = [
    "EvaluationResult",
    "EvaluationSummary",
    "JudgeCache",
    "RegressionError",
    "align",
    "assert_no_regression",
    "compare_evaluations",
    "evaluate",
    "load_evaluation",
    "optimize_prompts",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
