"""MemAlign-style alignment: distil guidelines from disagreements, remember labelled examples.

1. The rows where the judge's verdict differs from the human label are shown (at most
   ``max_disagreements``, with the judge's rationale) to the reflection model, which answers
   a JSON object ``{"guidelines": ["...", ...]}``: at most ``max_guidelines`` short, general
   rules that would have made the judge agree with the people. One ``ardea.llm`` call.
2. Every training row becomes a labelled example (its inputs, outputs and human label).
3. The candidate is a :class:`~ardea.evaluation.scorers.memory_judge.MemoryJudge`: at scoring
   time its prompt holds the guidelines and the ``retrieval_k`` most similar examples.

The reflection model: ``reflection_model=``, else the judge's own model. Aligning an aligned
judge again keeps its guidelines and examples (new ones last; the oldest beyond
``max_guidelines`` / ``max_examples`` are dropped; a row seen again keeps its new label).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from ardea.evaluation.alignment.base import AlignmentOptimizer, check_counts
from ardea.evaluation.alignment.labels import LabelledRow, label_text
from ardea.evaluation.alignment.scoring import Verdict, is_binary
from ardea.evaluation.scorers.judge import InstructionsJudge
from ardea.evaluation.scorers.memory_judge import Example, MemoryJudge, example_text

__all__ = ["DISTILL_SYSTEM", "MemAlignOptimizer"]

DISTILL_SYSTEM = (
    "You distil evaluation guidelines for an LLM judge from the cases where its verdicts "
    "disagreed with human reviewers. Write short, general rules (not about one case) that "
    "would make the judge reach the humans' verdicts. Reply with a JSON object "
    '{"guidelines": [...]} holding at most {limit} guidelines, most important first.'
)
"""The reflection model's system message."""

_SCHEMA = {
    "type": "object",
    "properties": {"guidelines": {"type": "array", "items": {"type": "string"}}},
    "required": ["guidelines"],
    "additionalProperties": False,
}


class MemAlignOptimizer(AlignmentOptimizer):
    """Guidelines plus retrieved examples (see the module).

    Args:
        reflection_model: Model URI that distils the guidelines (default: the judge's model).
        retrieval_k: Examples retrieved per judgement.
        embedding_model: Model URI for retrieval embeddings; None: TF-IDF on words.
        max_guidelines: Guidelines kept at most.
        max_disagreements: Disagreements shown to the reflection model at most.
        max_examples: Training rows kept as examples at most (in training order).
    """

    name: ClassVar[str] = "memalign"

    def __init__(
        self,
        *,
        reflection_model: str | None = None,
        retrieval_k: int = 5,
        embedding_model: str | None = None,
        max_guidelines: int = 10,
        max_disagreements: int = 50,
        max_examples: int = 200,
    ) -> None:
        check_counts(
            0,
            retrieval_k=retrieval_k,
            max_guidelines=max_guidelines,
            max_disagreements=max_disagreements,
            max_examples=max_examples,
        )
        self.reflection_model = reflection_model
        self.retrieval_k = retrieval_k
        self.embedding_model = embedding_model
        self.max_guidelines = max_guidelines
        self.max_disagreements = max_disagreements
        self.max_examples = max_examples

    def params(self) -> dict[str, Any]:
        """The optimizer's settings."""
        return {
            "reflection_model": self.reflection_model,
            "retrieval_k": self.retrieval_k,
            "embedding_model": self.embedding_model,
            "max_guidelines": self.max_guidelines,
            "max_disagreements": self.max_disagreements,
            "max_examples": self.max_examples,
        }

    def _prompt(
        self, judge: InstructionsJudge, cases: Sequence[tuple[LabelledRow, Verdict]]
    ) -> str:
        blocks = []
        for row, verdict in cases:
            said = "error" if verdict.error else repr(verdict.value)
            blocks.append(
                f"<case>\n{example_text(row.inputs, row.outputs)}\n"
                f"Judge verdict: {said}\nJudge rationale: {verdict.rationale or '-'}\n"
                f"Human verdict: {row.label!r}\n</case>"
            )
        return (
            f"The judge's instructions:\n<instructions>\n{judge.instructions}\n</instructions>"
            f"\n\nCases where the judge and the humans disagreed:\n\n" + "\n\n".join(blocks)
        )

    def distil(
        self, judge: InstructionsJudge, cases: Sequence[tuple[LabelledRow, Verdict]]
    ) -> list[str]:
        """The guidelines the reflection model draws from ``cases`` (no call when empty)."""
        from ardea.llm import get_client

        if not cases or not self.max_guidelines:
            return []
        client = get_client(self.reflection_model or judge.model)
        result = client.chat(
            [
                {
                    "role": "system",
                    "content": DISTILL_SYSTEM.replace("{limit}", str(self.max_guidelines)),
                },
                {"role": "user", "content": self._prompt(judge, cases)},
            ],
            response_schema=_SCHEMA,
            schema_name="guidelines",
            temperature=0.0,
        )
        parsed = result.parsed if isinstance(result.parsed, dict) else {}
        found = [str(g).strip() for g in parsed.get("guidelines") or [] if str(g).strip()]
        return list(dict.fromkeys(found))[: self.max_guidelines]

    def optimize(
        self,
        judge: InstructionsJudge,
        train: Sequence[LabelledRow],
        verdicts: Sequence[Verdict],
        *,
        max_concurrency: int,
    ) -> InstructionsJudge:
        """The judge with distilled guidelines and the training rows as examples."""
        binary = is_binary(judge)
        cases = [
            (row, v)
            for row, v in zip(train, verdicts, strict=True)
            if v.error or label_text(v.value, binary) != label_text(row.label, binary)
        ][: self.max_disagreements]
        found = self.distil(judge, cases)
        examples = [
            Example(row.key, example_text(row.inputs, row.outputs), row.label)
            for row in train[: self.max_examples]
        ]
        guidelines, sources = list(found), [[row.key for row, _ in cases] for _ in found]
        if isinstance(judge, MemoryJudge):  # aligning again: keep what it already learnt
            old = [g for g in judge.guidelines if g not in found]
            old_sources = judge.guideline_sources + [[]] * len(judge.guidelines)
            guidelines = (old + guidelines)[-self.max_guidelines :] if self.max_guidelines else []
            sources = (
                ([old_sources[judge.guidelines.index(g)] for g in old] + sources)[
                    -len(guidelines) :
                ]
                if guidelines
                else []
            )
            new_keys = {e.key for e in examples}
            kept = [e for e in judge.examples if e.key not in new_keys]
            examples = (kept + examples)[-self.max_examples :] if self.max_examples else []
        return MemoryJudge(
            judge,
            guidelines=guidelines,
            guideline_sources=sources,
            examples=examples,
            retrieval_k=self.retrieval_k,
            embedding_model=self.embedding_model,
            reflection_model=self.reflection_model or judge.model,
        )
