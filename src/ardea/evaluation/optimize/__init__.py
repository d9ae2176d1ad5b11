"""Prompt optimization: ``optimize_prompts`` with GEPA or MetaPrompt, promoted only on real gains.

See :mod:`ardea.evaluation.optimize.runner` for the steps and docs/prompt-optimization.md for
a runnable example and the differences from MLflow's ``mlflow.genai.optimize_prompts``.
"""

from ardea.evaluation.optimize.base import BasePromptOptimizer, Candidate, SearchTask
from ardea.evaluation.optimize.budget import Budget
from ardea.evaluation.optimize.gepa_optimizer import GepaPromptOptimizer
from ardea.evaluation.optimize.metaprompt import MetaPromptOptimizer
from ardea.evaluation.optimize.result import HeldOutCheck, PromptOptimizationResult
from ardea.evaluation.optimize.runner import optimize_prompts

__all__ = [
    "BasePromptOptimizer",
    "Budget",
    "Candidate",
    "GepaPromptOptimizer",
    "HeldOutCheck",
    "MetaPromptOptimizer",
    "PromptOptimizationResult",
    "SearchTask",
    "optimize_prompts",
]
