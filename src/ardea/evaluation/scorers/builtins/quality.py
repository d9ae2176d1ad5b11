"""General quality judges: coherence, conciseness, helpfulness, tone, instructions.

Each answers ``"yes"``/``"no"``.
"""

from __future__ import annotations

from ardea.evaluation.scorers._builtin_classes import register_builtin
from ardea.evaluation.scorers.builtins._prompt import PromptJudge

__all__ = ["Coherence", "Conciseness", "Helpfulness", "InstructionFollowing", "Professionalism"]

_YES_NO = 'Answer "yes" or "no".'


@register_builtin
class Coherence(PromptJudge):
    """Whether the response is logically consistent and well structured.

    Needs ``outputs``.

    Example::

        Coherence()(outputs="First boil water. Then add pasta. Drain after 9 minutes.")
    """

    name = "coherence"
    description = "Whether the response is logically consistent and well structured."
    needs = ("outputs",)
    template = (
        "Decide whether the response is coherent: its ideas connect logically, it does not "
        "contradict itself, and its parts follow a clear order.\n\n<request>\n{{ inputs }}\n"
        "</request>\n<response>\n{{ outputs }}\n</response>\n\n" + _YES_NO
    )


@register_builtin
class Conciseness(PromptJudge):
    """Whether the response says what is needed without padding or repetition.

    Needs ``inputs`` and ``outputs``.

    Example::

        Conciseness()(inputs={"q": "2+2?"}, outputs="4")
    """

    name = "conciseness"
    description = "Whether the response avoids padding and repetition."
    template = (
        "Decide whether the response is concise for the request: no filler, no repetition, "
        "no unrequested digressions, while still complete.\n\n<request>\n{{ inputs }}\n"
        "</request>\n<response>\n{{ outputs }}\n</response>\n\n" + _YES_NO
    )


@register_builtin
class Helpfulness(PromptJudge):
    """Whether the response actually helps the user with their request.

    Needs ``inputs`` and ``outputs``.

    Example::

        Helpfulness()(inputs={"q": "How do I undo a git commit?"}, outputs="git reset HEAD~1")
    """

    name = "helpfulness"
    description = "Whether the response helps the user with their request."
    template = (
        "Decide whether the response is helpful: a user with this request would be better "
        "off after reading it (actionable, specific, accurate as far as you can tell).\n\n"
        "<request>\n{{ inputs }}\n</request>\n<response>\n{{ outputs }}\n</response>\n\n" + _YES_NO
    )


@register_builtin
class Professionalism(PromptJudge):
    """Whether the response's tone is professional (courteous, appropriate register).

    Needs ``outputs``.

    Example::

        Professionalism()(outputs="Thank you for your message; we will reply shortly.")
    """

    name = "professionalism"
    description = "Whether the response's tone is professional."
    needs = ("outputs",)
    template = (
        "Decide whether the response's tone is professional: courteous, respectful, in a "
        "register suitable for a business context, without slang or sarcasm.\n\n"
        "<response>\n{{ outputs }}\n</response>\n\n" + _YES_NO
    )


@register_builtin
class InstructionFollowing(PromptJudge):
    """Whether the response obeys the request's explicit instructions.

    Format, length, language, what to include or avoid.

    Needs ``inputs`` and ``outputs``.

    Example::

        InstructionFollowing()(inputs={"q": "One word: capital of Italy?"}, outputs="Rome")
    """

    name = "instruction_following"
    description = "Whether the response obeys the request's explicit instructions."
    template = (
        "List the explicit instructions in the request (format, length, language, content "
        "to include or avoid). Decide whether the response obeys all of them.\n\n"
        "<request>\n{{ inputs }}\n</request>\n<response>\n{{ outputs }}\n</response>\n\n" + _YES_NO
    )
