""":class:`PromptJudge`: a built-in judge is a prompt template plus the inputs it needs.

Templates are plain ``{{ name }}`` text (no Jinja2: a row's values are substituted once and
never interpreted). The values a template may use:

=====================  ==========================================================================
``inputs``             the row's inputs (from the trace's root span when only a trace is given)
``outputs``            the row's outputs (idem)
``expectations``       all expectations
``expected_response``  ``expectations["expected_response"]``
``expected_facts``     ``expectations["expected_facts"]``, one per line
``expected``           the expected facts, else the expected response
``guidelines``         the judge's ``guidelines=``, else ``expectations["guidelines"]``
``context``            documents of the trace's RETRIEVER spans, else ``inputs["context"]``
                       or ``expectations["context"]``
``tool_calls``         calls of the trace's TOOL spans (name, arguments, result)
``expected_tool_calls``  ``expectations["expected_tool_calls"]``
``trace``              the compact trace view (:mod:`~ardea.evaluation.scorers.trace_view`)
``conversation``       the session's turns (``session=``)
=====================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ardea.evaluation.scorers import trace_view
from ardea.evaluation.scorers.judge import Judge, JudgeInputError

__all__ = ["NEEDS_TEXT", "PromptJudge", "ScoreJudge"]

NEEDS_TEXT = {
    "inputs": "inputs",
    "outputs": "outputs",
    "expectations": "expectations",
    "expected_response": "expectations 'expected_response'",
    "expected_facts": "expectations 'expected_facts'",
    "expected": "expectations 'expected_response' or 'expected_facts'",
    "guidelines": "guidelines (guidelines= or expectations 'guidelines')",
    "context": "retrieved context (a trace with RETRIEVER spans, or inputs/expectations 'context')",
    "tool_calls": "a trace with TOOL spans",
    "expected_tool_calls": "expectations 'expected_tool_calls'",
    "trace": "a trace",
    "conversation": "a session (the traces of one conversation)",
    "reference": "a reference (expectations 'expected_response'/'expected_facts', or context)",
}
"""How an error feedback names each need."""


def _context(inputs: Any, expectations: Mapping[str, Any], trace: Any) -> Any:
    docs = trace_view.retrieved_documents(trace)
    if docs:
        return docs
    if isinstance(inputs, Mapping) and inputs.get("context") is not None:
        return inputs["context"]
    return expectations.get("context")


def _lines(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(f"- {v}" for v in value)
    return value


class PromptJudge(Judge):
    """A built-in judge: :attr:`template` rendered with the values :attr:`needs` names."""

    template: ClassVar[str] = ""
    needs: ClassVar[tuple[str, ...]] = ("inputs", "outputs")
    optional: ClassVar[tuple[str, ...]] = ()
    """Values used when present (rendered as ``(none)`` otherwise)."""

    def values(
        self,
        *,
        inputs: Any,
        outputs: Any,
        expectations: dict[str, Any] | None,
        trace: Any,
        session: list[Any] | None,
    ) -> dict[str, Any]:
        """Every value a template may use (None where the row has none)."""
        exp = expectations or {}
        facts = exp.get("expected_facts")
        guidelines = getattr(self, "guidelines", None) or exp.get("guidelines")
        calls = trace_view.tool_calls(trace) if trace is not None else []
        return {
            "inputs": inputs,
            "outputs": outputs,
            "expectations": expectations or None,
            "expected_response": exp.get("expected_response"),
            "expected_facts": _lines(facts) if facts else None,
            "expected": _lines(facts) if facts else exp.get("expected_response"),
            "guidelines": _lines([guidelines] if isinstance(guidelines, str) else guidelines)
            if guidelines
            else None,
            "context": _context(inputs, exp, trace),
            "tool_calls": calls or None,
            "expected_tool_calls": exp.get("expected_tool_calls"),
            "trace": trace_view.render_trace(trace) if trace is not None else None,
            "conversation": trace_view.conversation(session) if session else None,
        }

    def prompt_template(self) -> Any:
        """:attr:`template`."""
        return self.template

    def prompt_values(
        self,
        *,
        inputs: Any,
        outputs: Any,
        expectations: dict[str, Any] | None,
        trace: Any,
        session: list[Any] | None,
    ) -> dict[str, str]:
        """The text of each value :attr:`template` uses (``(none)`` where the row has none).

        Raises:
            JudgeInputError: A value in :attr:`needs` is missing, or one is too long.
        """
        from ardea.prompts._template import template_variables

        values = self.values(
            inputs=inputs, outputs=outputs, expectations=expectations, trace=trace, session=session
        )
        values.update(getattr(self, "given", None) or {})
        missing = [n for n in self.needs if values.get(n) in (None, "", [], {})]
        if missing:
            wanted = "; ".join(NEEDS_TEXT.get(n, n) for n in missing)
            raise JudgeInputError(f"{type(self).__name__} ({self.name}) needs {wanted}")
        used = template_variables(self.template)
        return {
            name: "(none)" if values.get(name) is None else self.field(name, values[name])
            for name in used
        }

    def user_prompt(
        self,
        *,
        inputs: Any,
        outputs: Any,
        expectations: dict[str, Any] | None,
        trace: Any,
        session: list[Any] | None,
    ) -> str:
        """:attr:`template` with the row's values.

        Raises:
            JudgeInputError: A value in :attr:`needs` is missing, or one is too long.
        """
        from ardea.prompts._template import render

        filled = self.prompt_values(
            inputs=inputs, outputs=outputs, expectations=expectations, trace=trace, session=session
        )
        return str(render(self.template, filled))


class ScoreJudge(PromptJudge):
    """A built-in judge whose result is a score from 0 to 1 (averaged by ``evaluate``)."""

    value_type: Any = float
    default_aggregations: ClassVar[list[Any] | None] = ["mean"]

    def response_schema(self) -> dict[str, Any]:
        """``{result: number in [0, 1], rationale}``."""
        schema = super().response_schema()
        schema["properties"]["result"] = {"type": "number", "minimum": 0, "maximum": 1}
        return schema
