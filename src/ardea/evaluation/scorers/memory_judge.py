"""The MemAlign-style aligned judge: the base judge plus guidelines and retrieved examples.

:class:`MemoryJudge` is a ``make_judge`` judge (same instructions, model, answer type) whose
prompt gains, after the rendered task:

- the guidelines distilled from where the base judge disagreed with people (its semantic
  memory), and
- the ``retrieval_k`` labelled examples most similar to the row being judged, each with the
  human's verdict (its episodic memory; :mod:`ardea.evaluation.scorers.retrieval`).

It serializes as MLflow's ``memory_augmented_judge_data`` (``base_judge``,
``semantic_memory`` of ``{guideline_text, source_trace_ids}``, ``episodic_trace_ids``,
``reflection_lm``, ``retrieval_k``, ``embedding_model``, ``embedding_dim``) plus
``ardea_examples``: the examples themselves (text and label), so the judge rebuilds without
fetching traces. The guidelines and examples are part of the judge cache's key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ardea.evaluation.scorers.judge import InstructionsJudge

__all__ = ["EMBEDDING_DIM", "EXAMPLE_CHARS", "Example", "MemoryJudge", "example_text"]

EXAMPLE_CHARS = 2_000
"""Characters of one example kept (inputs and outputs together)."""

EMBEDDING_DIM = 512
"""``embedding_dim`` written for MLflow (its default; Ardea uses the model's own dimension)."""


@dataclass(frozen=True)
class Example:
    """One labelled example in the judge's episodic memory.

    Attributes:
        key: The trace id (or ``row-<hash>`` for a row without a trace) it came from.
        text: Its inputs and outputs as text (what retrieval compares and the prompt shows).
        label: The human's verdict.
    """

    key: str
    text: str
    label: Any


def example_text(inputs: Any, outputs: Any) -> str:
    """The text of a row for retrieval and for the prompt (cut at :data:`EXAMPLE_CHARS`)."""
    from ardea.evaluation.scorers.trace_view import to_text

    text = f"Inputs: {to_text(inputs)}\nOutputs: {to_text(outputs)}"
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


class MemoryJudge(InstructionsJudge):
    """A judge with distilled guidelines and retrieved labelled examples (see the module).

    Args:
        base: The judge it aligns (its instructions, model and answer type are kept).
        guidelines: Distilled guidelines, most important first.
        examples: The labelled examples to retrieve from.
        retrieval_k: Examples shown per judgement.
        embedding_model: Model URI for retrieval embeddings; None: TF-IDF.
        reflection_model: The model that distilled the guidelines (lineage only).
        guideline_sources: Per guideline, the rows it came from (lineage only).
    """

    base: InstructionsJudge
    """The judge this one aligns."""

    def __init__(
        self,
        base: InstructionsJudge,
        *,
        guidelines: Sequence[str] = (),
        examples: Sequence[Example] = (),
        retrieval_k: int = 5,
        embedding_model: str | None = None,
        reflection_model: str | None = None,
        guideline_sources: Sequence[Sequence[str]] | None = None,
    ) -> None:
        from ardea._core.errors import InvalidArgumentError
        from ardea.evaluation.scorers.retrieval import Retriever

        if isinstance(base, MemoryJudge):
            base = base.base
        if not isinstance(retrieval_k, int) or retrieval_k < 0:
            raise InvalidArgumentError(f"retrieval_k must be a whole number >= 0: {retrieval_k}")
        super().__init__(
            base.name,
            base.instructions,
            feedback_value_type=base.value_type,
            generate_rationale_first=base.generate_rationale_first,
            include_timing_in_conversation=base.include_timing_in_conversation,
            model=base._model,
            description=base.description,
            aggregations=base.aggregations,
            timeout=base.timeout,
            inference_params=base.inference_params,
            base_url=base.base_url,
            extra_headers=base._extra_headers,
            max_input_chars=base.max_input_chars,
        )
        self.base = base
        self.guidelines = [str(g) for g in guidelines]
        self.guideline_sources = [list(s) for s in (guideline_sources or [])]
        self.examples = list(examples)
        self.retrieval_k = retrieval_k
        self.embedding_model = embedding_model
        self.reflection_model = reflection_model
        self._retriever = Retriever([e.text for e in self.examples], embedding_model)

    def prompt_template(self) -> Any:
        """The instructions, guidelines, examples and retrieval settings (the cache key)."""
        return (
            self.instructions,
            tuple(self.guidelines),
            tuple((e.key, e.text, repr(e.label)) for e in self.examples),
            self.retrieval_k,
            self.embedding_model,
        )

    def retrieve(self, inputs: Any, outputs: Any) -> list[Example]:
        """The examples most similar to this row, best first."""
        if not self.retrieval_k or not self.examples:
            return []
        query = example_text(inputs, outputs)
        return [self.examples[i] for i in self._retriever.nearest(query, self.retrieval_k)]

    def user_prompt(
        self,
        *,
        inputs: Any,
        outputs: Any,
        expectations: dict[str, Any] | None,
        trace: Any,
        session: list[Any] | None,
    ) -> str:
        """The rendered task, then the guidelines, then the retrieved examples."""
        task = super().user_prompt(
            inputs=inputs, outputs=outputs, expectations=expectations, trace=trace, session=session
        )
        parts = [task]
        if self.guidelines:
            lines = "\n".join(f"- {g}" for g in self.guidelines)
            parts.append(f"Guidelines learned from human reviewers (follow them):\n{lines}")
        shown = self.retrieve(inputs, outputs)
        if shown:
            blocks = "\n\n".join(
                f"<example>\n{e.text}\nHuman verdict: {e.label}\n</example>" for e in shown
            )
            parts.append(f"Similar cases already judged by human reviewers:\n{blocks}")
        return "\n\n".join(parts)

    def memory_augmented_judge_data(self) -> dict[str, Any]:
        """MLflow's ``memory_augmented_judge_data``, plus ``ardea_examples``."""
        sources = self.guideline_sources + [[]] * (
            len(self.guidelines) - len(self.guideline_sources)
        )
        return {
            "base_judge": self.base.to_dict(),
            "semantic_memory": [
                {"guideline_text": g, "source_trace_ids": list(s)}
                for g, s in zip(self.guidelines, sources, strict=False)
            ],
            "episodic_trace_ids": [e.key for e in self.examples if not e.key.startswith("row-")],
            "reflection_lm": self.reflection_model,
            "retrieval_k": self.retrieval_k,
            "embedding_model": self.embedding_model,
            "embedding_dim": EMBEDDING_DIM,
            "ardea_examples": [asdict(e) for e in self.examples],
        }

    @classmethod
    def from_memory_data(cls, data: Mapping[str, Any]) -> MemoryJudge:
        """The judge :meth:`memory_augmented_judge_data` describes.

        Raises:
            InvalidArgumentError: The base judge is not a ``make_judge`` judge.
        """
        from ardea._core.errors import InvalidArgumentError

        base = InstructionsJudge.from_json(dict(data.get("base_judge") or {}))
        if not isinstance(base, InstructionsJudge):
            raise InvalidArgumentError("a memory-augmented judge needs a make_judge base judge")
        memory = [g for g in data.get("semantic_memory") or [] if isinstance(g, Mapping)]
        examples = [
            Example(str(e.get("key", "")), str(e.get("text", "")), e.get("label"))
            for e in data.get("ardea_examples") or []
            if isinstance(e, Mapping)
        ]
        return cls(
            base,
            guidelines=[str(g.get("guideline_text", "")) for g in memory],
            guideline_sources=[list(g.get("source_trace_ids") or []) for g in memory],
            examples=examples,
            retrieval_k=int(data.get("retrieval_k") or 0),
            embedding_model=data.get("embedding_model"),
            reflection_model=data.get("reflection_lm"),
        )
