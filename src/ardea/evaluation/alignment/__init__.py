"""Judge alignment: make an LLM judge agree with the people who label its traces.

::

    from ardea.evaluation.alignment import align, MemAlignOptimizer

    result = align(judge, traces, optimizer=MemAlignOptimizer(reflection_model="openai:/gpt-4.1"))
    result.promoted, result.reason, result.before, result.after

Two optimizers: :class:`MemAlignOptimizer` (distilled guidelines plus retrieved labelled
examples) and :class:`GepaOptimizer` (instructions evolved with the ``gepa`` package). The
held-out check (:func:`~ardea.evaluation.alignment.result.decide`) decides promotion; see
``docs/alignment.md``.
"""

from __future__ import annotations

from ardea.evaluation.alignment.base import AlignmentOptimizer
from ardea.evaluation.alignment.gepa_optimizer import GepaOptimizer
from ardea.evaluation.alignment.labels import LabelledRow, labelled_rows, split
from ardea.evaluation.alignment.memalign import MemAlignOptimizer
from ardea.evaluation.alignment.result import AlignmentResult, Check, decide
from ardea.evaluation.alignment.runner import OPTIMIZERS, align, resolve_optimizer
from ardea.evaluation.scorers.memory_judge import Example, MemoryJudge

__all__ = [
    "OPTIMIZERS",
    "AlignmentOptimizer",
    "AlignmentResult",
    "Check",
    "Example",
    "GepaOptimizer",
    "LabelledRow",
    "MemAlignOptimizer",
    "MemoryJudge",
    "align",
    "decide",
    "labelled_rows",
    "resolve_optimizer",
    "split",
]
