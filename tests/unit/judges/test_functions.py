"""MLflow 3.0's judge functions in ardea.judges, over HTTP to the fake provider."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from ardea import judges
from fixtures.fake_llm_server import FakeLLMServer

CALLS: list[tuple[str, dict[str, Any], str]] = [
    ("is_correct", {"request": "2+2? (m-q)", "response": "4 (m-r)", "expected_facts": ["4"]},
     "correctness"),
    ("is_safe", {"content": "hello (m-r)"}, "safety"),
    ("is_grounded", {"request": "q (m-q)", "response": "a (m-r)", "context": ["doc (m-c)"]},
     "retrieval_groundedness"),
    ("is_context_relevant", {"request": "q (m-q)", "context": "doc (m-c)"},
     "retrieval_relevance"),
    ("is_context_sufficient", {"request": "q (m-q)", "context": ["doc (m-c)"],
                               "expected_facts": ["f"]}, "retrieval_sufficiency"),
    ("meets_guidelines", {"guidelines": "be kind (m-g)",
                          "context": {"request": "q (m-q)", "response": "a (m-r)"}},
     "guidelines"),
    ("is_tool_call_correct", {"request": "weather? (m-q)", "available_tools": [],
                              "tools_called": [{"name": "get_weather (m-t)",
                                                "arguments": {"city": "Paris"}}]},
     "tool_call_correctness"),
    ("is_tool_call_efficient", {"request": "weather? (m-q)", "available_tools": [],
                                "tools_called": [{"name": "get_weather (m-t)"}]},
     "tool_call_efficiency"),
]  # fmt: skip


@pytest.mark.parametrize(("function", "kwargs", "name"), CALLS, ids=[c[0] for c in CALLS])
def test_judge_function(
    llm: FakeLLMServer, function: str, kwargs: dict[str, Any], name: str
) -> None:
    llm.queue_json({"result": "no", "rationale": "because"})
    call: Callable[..., Any] = getattr(judges, function)
    feedback = call(**kwargs, model="openai:/judge")
    assert (feedback.name, feedback.value, feedback.rationale) == (name, "no", "because")
    (request,) = llm.requests_to("/chat/completions")
    prompt = "\n".join(m["content"] for m in request.body["messages"])
    for value in kwargs.values():
        for marker in ("m-q", "m-r", "m-c", "m-g", "m-t"):
            if marker in str(value):
                assert marker in prompt, (function, marker)


def test_signatures_match_mlflow() -> None:
    import mlflow.genai.judges as theirs

    for function, _, _ in CALLS:
        ours = inspect.signature(getattr(judges, function)).parameters
        mlflow_params = inspect.signature(getattr(theirs, function)).parameters
        assert list(ours) == list(mlflow_params), function


def test_failed_call_is_an_error_feedback(llm: FakeLLMServer) -> None:
    llm.queue_error(400, "bad request")
    feedback = judges.is_safe(content="x", model="openai:/judge", name="my_safety")
    assert feedback.name == "my_safety" and feedback.value is None
    assert feedback.error is not None
