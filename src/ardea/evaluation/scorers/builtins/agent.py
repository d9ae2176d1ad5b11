"""The agent set: finishing, planning, tool choice and arguments, needless steps.

Did the agent finish, plan well, pick the right tools and arguments, and take no needless
steps? Each reads the trace (compact view, tool calls) and answers
``"yes"``/``"no"``.
"""

from __future__ import annotations

from ardea.evaluation.scorers._builtin_classes import register_builtin
from ardea.evaluation.scorers.builtins._prompt import PromptJudge

__all__ = [
    "ArgumentCorrectness",
    "PlanQuality",
    "StepEfficiency",
    "TaskCompletion",
    "ToolSelection",
]

_YES_NO = 'Answer "yes" or "no".'


@register_builtin
class TaskCompletion(PromptJudge):
    """Whether the agent accomplished the user's task (from the trace and final output).

    Needs a trace.

    Example::

        TaskCompletion()(trace=trace)
    """

    name = "task_completion"
    description = "Whether the agent accomplished the user's task."
    needs = ("trace",)
    template = (
        "From the agent's trace, decide whether it accomplished the task the user asked for: "
        "the final response delivers what was requested, and any actions required were "
        "actually carried out (tool results confirm them).\n\n<trace>\n{{ trace }}\n</trace>"
        "\n\n" + _YES_NO
    )


@register_builtin
class PlanQuality(PromptJudge):
    """Whether the agent's plan (its sequence of steps) was sound for the task.

    Needs a trace.

    Example::

        PlanQuality()(trace=trace)
    """

    name = "plan_quality"
    description = "Whether the agent's sequence of steps was a sound plan for the task."
    needs = ("trace",)
    template = (
        "From the agent's trace, decide whether the plan it followed was sound: its steps "
        "are logical, in a sensible order, cover what the task requires, and respond to what "
        "earlier steps returned.\n\n<trace>\n{{ trace }}\n</trace>\n\n" + _YES_NO
    )


@register_builtin
class ToolSelection(PromptJudge):
    """Whether the agent chose appropriate tools (and no inappropriate ones) for the task.

    Needs a trace with TOOL spans; ``expected_tool_calls`` are used when given.

    Example::

        ToolSelection()(trace=trace)
    """

    name = "tool_selection"
    description = "Whether the agent chose appropriate tools for the task."
    needs = ("inputs", "tool_calls")
    template = (
        "Decide whether the agent selected the right tools for the request: each tool it "
        "called was appropriate, and no clearly needed tool was left out. Judge the choice "
        "of tools, not their arguments.\n\n<request>\n{{ inputs }}\n</request>\n"
        "<tool_calls>\n{{ tool_calls }}\n</tool_calls>\n"
        "<expected_tool_calls>\n{{ expected_tool_calls }}\n</expected_tool_calls>\n\n" + _YES_NO
    )


@register_builtin
class ArgumentCorrectness(PromptJudge):
    """Whether the arguments of each tool call were correct given the request and context.

    Needs a trace with TOOL spans.

    Example::

        ArgumentCorrectness()(trace=trace)
    """

    name = "argument_correctness"
    description = "Whether the tool calls' arguments were correct."
    needs = ("inputs", "tool_calls")
    template = (
        "Decide whether every tool call's arguments are correct: they carry the right values "
        "from the request and from earlier results, in the right format, with nothing "
        "invented.\n\n<request>\n{{ inputs }}\n</request>\n<tool_calls>\n{{ tool_calls }}\n"
        "</tool_calls>\n\n" + _YES_NO
    )


@register_builtin
class StepEfficiency(PromptJudge):
    """Whether the agent reached its result without needless steps, loops or retries.

    Needs a trace.

    Example::

        StepEfficiency()(trace=trace)
    """

    name = "step_efficiency"
    description = "Whether the agent took no needless steps."
    needs = ("trace",)
    template = (
        "From the agent's trace, decide whether it was efficient: no loops, no repeated "
        "steps, no calls whose results went unused, no detours a direct path would avoid.\n\n"
        "<trace>\n{{ trace }}\n</trace>\n\n" + _YES_NO
    )
