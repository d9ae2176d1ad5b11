"""MLflow 3.0's judge functions, on Ardea's built-in judges."""

from __future__ import annotations

from enum import Enum
from typing import Any

from ardea.entities import Feedback
from ardea.evaluation.scorers.builtins._prompt import PromptJudge
from ardea.evaluation.scorers.builtins.mlflow_judges import (
    Correctness,
    Guidelines,
    RetrievalGroundedness,
    RetrievalRelevance,
    RetrievalSufficiency,
    Safety,
    ToolCallCorrectness,
    ToolCallEfficiency,
)
from ardea.evaluation.scorers.run import run_scorer

__all__ = [
    "CategoricalRating",
    "is_context_relevant",
    "is_context_sufficient",
    "is_correct",
    "is_grounded",
    "is_safe",
    "is_tool_call_correct",
    "is_tool_call_efficient",
    "meets_guidelines",
]


class CategoricalRating(str, Enum):
    """MLflow's yes/no verdict values."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


def _judge(judge: PromptJudge, given: dict[str, Any] | None = None, **row: Any) -> Feedback:
    judge.given = given or {}  # type: ignore[attr-defined]
    feedbacks = run_scorer(judge, **row)
    return feedbacks[0]


def _options(
    name: str | None, model: str | None, extra_headers: dict[str, str] | None
) -> dict[str, Any]:
    options: dict[str, Any] = {"model": model, "extra_headers": extra_headers}
    if name is not None:
        options["name"] = name
    return options


def is_correct(
    *,
    request: str,
    response: str,
    expected_facts: list[str] | None = None,
    expected_response: str | None = None,
    name: str | None = None,
    model: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> Feedback:
    """Whether ``response`` agrees with the expected facts/response ("yes"/"no")."""
    expectations = {"expected_facts": expected_facts, "expected_response": expected_response}
    return _judge(
        Correctness(**_options(name, model, extra_headers)),
        inputs=request,
        outputs=response,
        expectations={k: v for k, v in expectations.items() if v is not None},
    )


def is_safe(
    *,
    content: str,
    name: str | None = None,
    model: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> Feedback:
    """Whether ``content`` is safe ("yes"/"no")."""
    return _judge(Safety(**_options(name, model, extra_headers)), outputs=content)


def is_grounded(
    *,
    request: str,
    response: str,
    context: Any,
    name: str | None = None,
    model: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> Feedback:
    """Whether ``response`` is supported by ``context`` ("yes"/"no")."""
    return _judge(
        RetrievalGroundedness(**_options(name, model, extra_headers)),
        {"context": context},
        inputs=request,
        outputs=response,
    )


def is_context_relevant(
    *,
    request: str,
    context: Any,
    name: str | None = None,
    model: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> Feedback:
    """Whether ``context`` is relevant to ``request`` ("yes"/"no")."""
    return _judge(
        RetrievalRelevance(**_options(name, model, extra_headers)),
        {"context": context},
        inputs=request,
    )


def is_context_sufficient(
    *,
    request: str,
    context: Any,
    expected_facts: list[str],
    expected_response: str | None = None,
    name: str | None = None,
    model: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> Feedback:
    """Whether ``context`` holds everything the expected answer needs ("yes"/"no")."""
    expectations: dict[str, Any] = {"expected_facts": expected_facts}
    if expected_response is not None:
        expectations["expected_response"] = expected_response
    return _judge(
        RetrievalSufficiency(**_options(name, model, extra_headers)),
        {"context": context},
        inputs=request,
        expectations=expectations,
    )


def meets_guidelines(
    *,
    guidelines: str | list[str],
    context: dict[str, Any],
    name: str | None = None,
    model: str | None = None,
    extra_headers: dict[str, str] | None = None,
    model_api: Any = None,
) -> Feedback:
    """Whether ``context`` (e.g. ``{"request": ..., "response": ...}``) follows ``guidelines``."""
    del model_api
    ctx = dict(context or {})
    return _judge(
        Guidelines(guidelines=guidelines, **_options(name, model, extra_headers)),
        inputs=ctx.pop("request", ctx or None),
        outputs=ctx.pop("response", None) or context,
    )


def _calls(tools_called: list[Any]) -> list[dict[str, Any]]:
    out = []
    for call in tools_called or []:
        if isinstance(call, dict):
            out.append(call)
        else:
            out.append(
                {
                    "name": getattr(call, "name", None),
                    "arguments": getattr(call, "arguments", None),
                    "result": getattr(call, "outputs", None),
                }
            )
    return out


def is_tool_call_correct(
    *,
    request: str,
    tools_called: list[Any],
    available_tools: list[Any],
    expected_tool_calls: list[Any] | None = None,
    include_arguments: bool = True,
    check_order: bool = False,
    name: str | None = None,
    model: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> Feedback:
    """Whether the right tools were called with the right arguments ("yes"/"no")."""
    del available_tools, include_arguments, check_order
    given: dict[str, Any] = {"tool_calls": _calls(tools_called)}
    if expected_tool_calls is not None:
        given["expected_tool_calls"] = _calls(expected_tool_calls)
    return _judge(
        ToolCallCorrectness(**_options(name, model, extra_headers)), given, inputs=request
    )


def is_tool_call_efficient(
    *,
    request: str,
    tools_called: list[Any],
    available_tools: list[Any],
    name: str | None = None,
    model: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> Feedback:
    """Whether the tool calls avoid redundancy ("yes"/"no")."""
    del available_tools
    return _judge(
        ToolCallEfficiency(**_options(name, model, extra_headers)),
        {"tool_calls": _calls(tools_called)},
        inputs=request,
    )
