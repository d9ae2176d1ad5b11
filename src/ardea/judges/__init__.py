"""``ardea.judges``: :func:`make_judge` and the judge functions of ``mlflow.genai.judges``.

The functions (``is_correct``, ``is_safe``, ``is_grounded``, ``is_context_relevant``,
``is_context_sufficient``, ``meets_guidelines``, ``is_tool_call_correct``,
``is_tool_call_efficient``) take MLflow's arguments and return one
:class:`~ardea.entities.Feedback` (with ``error`` set when the judge failed; they never raise
for a failed call).
"""

from __future__ import annotations

import ardea.evaluation.alignment  # noqa: F401 - hands Judge.align its implementation
from ardea.evaluation.scorers.judge import InstructionsJudge, Judge, make_judge
from ardea.judges._functions import (
    CategoricalRating,
    is_context_relevant,
    is_context_sufficient,
    is_correct,
    is_grounded,
    is_safe,
    is_tool_call_correct,
    is_tool_call_efficient,
    meets_guidelines,
)

__all__ = [
    "CategoricalRating",
    "InstructionsJudge",
    "Judge",
    "is_context_relevant",
    "is_context_sufficient",
    "is_correct",
    "is_grounded",
    "is_safe",
    "is_tool_call_correct",
    "is_tool_call_efficient",
    "make_judge",
    "meets_guidelines",
]
