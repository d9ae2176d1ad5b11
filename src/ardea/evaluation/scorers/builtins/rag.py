"""The RAG set users know from RAGAS, written here: each answers a score from 0 to 1.

Context comes from the trace's RETRIEVER spans, else ``inputs["context"]`` or
``expectations["context"]`` (see :mod:`~ardea.evaluation.scorers.builtins._prompt`).
"""

from __future__ import annotations

from ardea.evaluation.scorers._builtin_classes import register_builtin
from ardea.evaluation.scorers.builtins._prompt import ScoreJudge

__all__ = [
    "AnswerRelevancy",
    "ContextEntityRecall",
    "ContextPrecision",
    "ContextRecall",
    "Faithfulness",
    "NoiseSensitivity",
]

_SCORE = "Give the result as a number from 0 to 1."


@register_builtin
class Faithfulness(ScoreJudge):
    """The share of the response's claims that the retrieved context supports (0-1).

    Needs ``outputs`` and context.

    Example::

        Faithfulness()(inputs={"q": "...", "context": ["doc text"]}, outputs="answer")
    """

    name = "faithfulness"
    description = "Share of the response's claims supported by the retrieved context."
    needs = ("outputs", "context")
    template = (
        "Break the response into its individual factual claims. For each, decide whether the "
        "context supports it. The result is the number of supported claims divided by the "
        "number of claims (1 when the response makes no claim).\n\n<request>\n{{ inputs }}\n"
        "</request>\n<context>\n{{ context }}\n</context>\n<response>\n{{ outputs }}\n"
        "</response>\n\n" + _SCORE
    )


@register_builtin
class AnswerRelevancy(ScoreJudge):
    """How directly and fully the response answers the request (0-1).

    Needs ``inputs`` and ``outputs``.

    Example::

        AnswerRelevancy()(inputs={"q": "When was Python released?"}, outputs="In 1991.")
    """

    name = "answer_relevancy"
    description = "How directly and fully the response answers the request."
    template = (
        "Rate how relevant the response is to the request: 1 when it answers exactly what "
        "was asked with nothing off-topic, lower for evasive, partial or padded answers, 0 "
        "when unrelated.\n\n<request>\n{{ inputs }}\n</request>\n<response>\n{{ outputs }}\n"
        "</response>\n\n" + _SCORE
    )


@register_builtin
class ContextPrecision(ScoreJudge):
    """Rank-weighted share of the retrieved chunks useful for the expected answer (0-1).

    Useful chunks ranked first score higher.

    Needs ``inputs``, context and ``expected_response``/``expected_facts``.

    Example::

        ContextPrecision()(trace=trace, expectations={"expected_response": "..."})
    """

    name = "context_precision"
    description = "Rank-weighted share of retrieved chunks useful for the expected answer."
    needs = ("inputs", "context", "expected")
    template = (
        "For each retrieved chunk in order, decide whether it is useful to produce the "
        "expected answer. The result is the average, over the useful chunks, of the "
        "precision at that chunk's rank (useful chunks so far / rank); 0 when none is "
        "useful.\n\n<request>\n{{ inputs }}\n</request>\n<context>\n{{ context }}\n"
        "</context>\n<expected>\n{{ expected }}\n</expected>\n\n" + _SCORE
    )


@register_builtin
class ContextRecall(ScoreJudge):
    """The share of the expected answer's statements the retrieved context supports (0-1).

    Needs context and ``expected_response``/``expected_facts``.

    Example::

        ContextRecall()(trace=trace, expectations={"expected_facts": ["...", "..."]})
    """

    name = "context_recall"
    description = "Share of the expected answer's statements found in the retrieved context."
    needs = ("context", "expected")
    template = (
        "Break the expected answer into statements. For each, decide whether the context "
        "supports it. The result is supported statements divided by statements.\n\n"
        "<context>\n{{ context }}\n</context>\n<expected>\n{{ expected }}\n</expected>\n\n" + _SCORE
    )


@register_builtin
class ContextEntityRecall(ScoreJudge):
    """The share of the expected answer's entities present in the retrieved context (0-1).

    Entities: names, places, dates, numbers.

    Needs context and ``expected_response``/``expected_facts``.

    Example::

        ContextEntityRecall()(trace=trace, expectations={"expected_response": "..."})
    """

    name = "context_entity_recall"
    description = "Share of the expected answer's entities present in the retrieved context."
    needs = ("context", "expected")
    template = (
        "List the entities (people, organisations, places, dates, quantities, named things) "
        "of the expected answer. The result is the number of them that also appear in the "
        "context divided by their number (1 when there are none).\n\n<context>\n{{ context }}"
        "\n</context>\n<expected>\n{{ expected }}\n</expected>\n\n" + _SCORE
    )


@register_builtin
class NoiseSensitivity(ScoreJudge):
    """The share of wrong response claims taken from irrelevant chunks (0-1, lower is better).

    Needs ``outputs``, context and ``expected_response``/``expected_facts``.

    Example::

        NoiseSensitivity()(trace=trace, expectations={"expected_response": "..."})
    """

    name = "noise_sensitivity"
    description = "Share of response claims that are wrong and taken from irrelevant context."
    needs = ("outputs", "context", "expected")
    template = (
        "Break the response into claims. A claim is noise-induced when the expected answer "
        "does not support it and it comes from a retrieved chunk that is irrelevant to the "
        "request. The result is noise-induced claims divided by claims (0 is best).\n\n"
        "<request>\n{{ inputs }}\n</request>\n<context>\n{{ context }}\n</context>\n"
        "<expected>\n{{ expected }}\n</expected>\n<response>\n{{ outputs }}\n</response>\n\n"
        + _SCORE
    )
