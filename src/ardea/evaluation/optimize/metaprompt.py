"""MetaPrompt: an LLM rewrites the prompt from an analysis of the rows it fails worst.

Each iteration takes the best candidate so far, picks its ``num_failures`` lowest-scoring
training rows (rows that score full marks are never shown), and asks the reflection model,
for one prompt at a time (in turn), to analyse why the prompt fails them and to write a
better template that keeps the same template variables. The new candidate is scored on all
training rows; the search keeps the best. It stops after ``num_iterations``, when every row
scores full marks, or when the budget is spent. A rewrite that drops or adds a variable is
refused without being scored.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.alignment.base import check_counts
from ardea.evaluation.optimize.base import BasePromptOptimizer, Candidate, SearchTask
from ardea.evaluation.optimize.gepa_optimizer import feedback_text
from ardea.prompts._template import template_variables

__all__ = ["METAPROMPT_SYSTEM", "MetaPromptOptimizer"]

METAPROMPT_SYSTEM = (
    "You are an expert prompt engineer. You improve a prompt template from an analysis of "
    "the examples it fails. Keep every template variable written exactly as in the current "
    "template ({{ name }}), and keep what already works. Answer with JSON: 'analysis' (why "
    "the prompt fails these examples) and 'template' (the complete improved template)."
)
"""The reflection model's instructions."""

_SCHEMA = {
    "type": "object",
    "properties": {"analysis": {"type": "string"}, "template": {"type": "string"}},
    "required": ["analysis", "template"],
    "additionalProperties": False,
}


class MetaPromptOptimizer(BasePromptOptimizer):
    """Rewrites prompts from failure analyses (see the module); MLflow's ``MetaPromptOptimizer``.

    Args:
        reflection_model: Model URI that analyses and rewrites (``openai:/gpt-4.1``).
        lm_kwargs: More arguments for the reflection call (``temperature``, ``max_tokens``).
        guidelines: Extra instructions for the rewrite (e.g. "stay under 100 words").
        num_iterations: Rewrites at most.
        num_failures: Worst rows shown per rewrite.

    Raises:
        InvalidArgumentError: A bad setting.
    """

    name: ClassVar[str] = "metaprompt"

    def __init__(
        self,
        reflection_model: str,
        lm_kwargs: dict[str, Any] | None = None,
        guidelines: str | None = None,
        *,
        num_iterations: int = 3,
        num_failures: int = 5,
    ) -> None:
        if not isinstance(reflection_model, str) or ":/" not in reflection_model:
            raise InvalidArgumentError(
                f"reflection_model must be a model URI like 'openai:/gpt-4.1', "
                f"got {reflection_model!r}"
            )
        if lm_kwargs is not None and not isinstance(lm_kwargs, dict):
            raise InvalidArgumentError("lm_kwargs must be a dict")
        unknown = set(lm_kwargs or {}) - {"temperature", "max_tokens"}
        if unknown:
            raise InvalidArgumentError(f"lm_kwargs supports temperature and max_tokens, got "
                                       f"{sorted(unknown)}")  # fmt: skip
        check_counts(1, num_iterations=num_iterations, num_failures=num_failures)
        self.reflection_model = reflection_model
        self.lm_kwargs = dict(lm_kwargs or {})
        self.guidelines = guidelines
        self.num_iterations = num_iterations
        self.num_failures = num_failures

    def params(self) -> dict[str, Any]:
        """The optimizer's settings."""
        return {
            "reflection_model": self.reflection_model,
            "lm_kwargs": self.lm_kwargs,
            "guidelines": self.guidelines,
            "num_iterations": self.num_iterations,
            "num_failures": self.num_failures,
        }

    def expected_evaluations(self, train_rows: int) -> int | None:
        """One scoring of the training rows per iteration."""
        return self.num_iterations * train_rows

    def optimize(self, task: SearchTask) -> None:
        """Rewrite, score, keep the best, ``num_iterations`` times at most."""
        from ardea.llm import get_client

        client = get_client(self.reflection_model)
        names = sorted(task.targets)
        for iteration in range(self.num_iterations):
            best = task.best()
            failing = sorted((r for r in best.rows if r.score < 1.0), key=lambda r: r.score)
            if not failing:
                return
            task.meter.check()
            name = names[iteration % len(names)]
            reply = client.chat(
                self._messages(name, best, failing[: self.num_failures]),
                response_schema=_SCHEMA,
                schema_name="prompt_rewrite",
                **self.lm_kwargs,
            )
            parsed = reply.parsed if isinstance(reply.parsed, dict) else {}
            text = parsed.get("template")
            if not isinstance(text, str) or not text.strip() or text == best.templates[name]:
                continue
            if not self._same_variables(task, name, best.templates[name], text):
                continue
            task.evaluate({**best.templates, name: text})

    @staticmethod
    def _same_variables(task: SearchTask, name: str, old: str, new: str) -> bool:
        try:
            before = template_variables(task.templates({name: old})[name])
            after = template_variables(task.templates({name: new})[name])
        except Exception:
            return False
        return before == after

    def _messages(self, name: str, best: Candidate, failing: list[Any]) -> list[dict[str, str]]:
        examples = "\n\n".join(
            f"<example>\nInputs: {json.dumps(r.inputs, default=str)}\n"
            f"Output: {json.dumps(r.outputs, default=str)}\n{feedback_text(r)}\n</example>"
            for r in failing
        )
        guidelines = f"\nGuidelines for the rewrite: {self.guidelines}" if self.guidelines else ""
        user = (
            f"Current template of prompt {name!r}:\n<template>\n{best.templates[name]}\n"
            f"</template>\n\nIts mean score on the training examples is {best.score:.3f}. "
            f"The examples it fails worst:\n\n{examples}{guidelines}"
        )
        return [{"role": "system", "content": METAPROMPT_SYSTEM}, {"role": "user", "content": user}]
