"""Every built-in LLM judge against the fake provider over HTTP: what it sends, what it answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ardea.evaluation.scorers.judge import Judge
from ardea.scorers import builtin_scorer_classes, run_scorer
from fixtures.fake_llm_server import FakeLLMServer
from fixtures.scorer_traces import SECRET_KEY, agent_trace, rag_trace, session_traces

QUESTION = "What is the capital of France? (marker-q)"
ANSWER = "Paris is the capital. (marker-a)"
ROW: dict[str, Any] = {
    "inputs": {"question": QUESTION},
    "outputs": ANSWER,
    "expectations": {
        "expected_response": "Paris (marker-e)",
        "expected_facts": ["Paris is the capital of France (marker-f)"],
        "guidelines": ["Answer in English (marker-g)"],
        "expected_tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}],
    },
}

# name -> (constructor kwargs, row, markers the prompt must contain)
CASES: dict[str, tuple[dict[str, Any], Callable[[], dict[str, Any]], list[str]]] = {}


def case(names: str, markers: list[str], row: Callable[[], dict[str, Any]] | None = None,
         **kwargs: Any) -> None:  # fmt: skip
    for name in names.split():
        CASES[name] = (kwargs, row or (lambda: dict(ROW)), markers)


case("Correctness", ["marker-q", "marker-a", "marker-f"])
case("RelevanceToQuery Completeness Summarization AnswerRelevancy Conciseness Helpfulness "
     "InstructionFollowing", ["marker-q", "marker-a"])  # fmt: skip
case("Safety Fluency Toxicity Bias Refusal PIILeak Coherence Professionalism", ["marker-a"])
case("Guidelines", ["marker-q", "marker-a", "be kind"], guidelines=["be kind"])
case("ExpectationsGuidelines", ["marker-g", "marker-a"])
case("Equivalence", ["marker-a", "marker-e"])
case("Hallucination", ["marker-a", "marker-f"])
case("PromptInjection", ["marker-q"])
case("RetrievalGroundedness RetrievalRelevance Faithfulness", ["Paris is the capital of France."],
     row=lambda: {"trace": rag_trace()})  # fmt: skip
case("RetrievalSufficiency ContextPrecision ContextRecall ContextEntityRecall NoiseSensitivity",
     ["France is in Europe.", "marker-f"],
     row=lambda: {"trace": rag_trace(), "expectations": ROW["expectations"]})  # fmt: skip
case("ToolCallCorrectness ToolSelection ArgumentCorrectness", ["get_weather", "Paris"],
     row=lambda: {"trace": agent_trace(), "expectations": ROW["expectations"]})  # fmt: skip
case("ToolCallEfficiency TaskCompletion PlanQuality StepEfficiency", ["get_weather"],
     row=lambda: {"trace": agent_trace()})  # fmt: skip
case("UserFrustration ConversationCompleteness ConversationalSafety "
     "ConversationalToolCallEfficiency ConversationalRoleAdherence KnowledgeRetention",
     ["My name is Zoe.", "Your name is Zoe."],
     row=lambda: {"session": session_traces()})  # fmt: skip
case("ConversationalGuidelines", ["My name is Zoe.", "no refunds"],
     row=lambda: {"session": session_traces()}, guidelines="no refunds")  # fmt: skip

JUDGES = {c.__name__: c for c in builtin_scorer_classes() if issubclass(c, Judge)}


def test_every_builtin_judge_has_a_case() -> None:
    assert set(JUDGES) == set(CASES)


def _answer(judge: Judge) -> Any:
    result = judge.response_schema()["properties"]["result"]
    if "enum" in result:
        return result["enum"][-1]
    return 0.75 if result.get("type") == "number" else "yes"


@pytest.mark.parametrize("name", sorted(CASES))
def test_builtin_judge_over_http(llm: FakeLLMServer, name: str) -> None:
    kwargs, row, markers = CASES[name]
    judge = JUDGES[name](model="openai:/judge-model", **kwargs)
    answer = _answer(judge)
    llm.queue_json({"result": answer, "rationale": f"because {name}"})
    (feedback,) = run_scorer(judge, **row())
    assert feedback.error is None, feedback.error
    assert feedback.name == judge.name and feedback.value == answer
    assert feedback.rationale == f"because {name}"
    assert (feedback.source.source_type, feedback.source.source_id) == (
        "LLM_JUDGE",
        "openai:/judge-model",
    )
    (request,) = llm.requests_to("/chat/completions")
    body = request.body
    assert body["model"] == "judge-model"
    schema = body["response_format"]["json_schema"]["schema"]
    assert set(schema["required"]) == {"result", "rationale"}
    prompt = "\n".join(m["content"] for m in body["messages"])
    for marker in markers:
        assert marker in prompt, (name, marker)
    assert SECRET_KEY not in json.dumps(body)
    assert judge.__doc__ and "Example::" in judge.__doc__


@pytest.mark.parametrize("name", sorted(CASES))
def test_builtin_judge_without_its_inputs_sends_nothing(llm: FakeLLMServer, name: str) -> None:
    kwargs, _, _ = CASES[name]
    (feedback,) = run_scorer(JUDGES[name](**kwargs))
    assert feedback.value is None and feedback.error is not None
    assert "needs" in (feedback.error.error_message or "")
    assert llm.requests == []


def test_mlflow_assessment_names_and_yes_no() -> None:
    from mlflow.genai import scorers as theirs

    for name in ["Correctness", "RelevanceToQuery", "Safety", "RetrievalGroundedness",
                 "RetrievalRelevance", "RetrievalSufficiency", "Equivalence", "Completeness",
                 "Fluency", "Summarization", "ToolCallCorrectness", "ToolCallEfficiency",
                 "ExpectationsGuidelines", "UserFrustration", "ConversationCompleteness",
                 "ConversationalSafety", "ConversationalToolCallEfficiency",
                 "ConversationalRoleAdherence", "KnowledgeRetention"]:  # fmt: skip
        ours, mlflow_scorer = JUDGES[name](), getattr(theirs, name)()
        assert ours.name == mlflow_scorer.name
        expected = (
            ["none", "resolved", "unresolved"] if name == "UserFrustration" else ["yes", "no"]
        )
        assert ours.response_schema()["properties"]["result"]["enum"] == expected
    assert JUDGES["Guidelines"](guidelines="g").name == "guidelines"
    assert JUDGES["ConversationalGuidelines"](guidelines="g").name == "conversational_guidelines"


def test_equivalence_short_circuits_exact_match(llm: FakeLLMServer) -> None:
    judge = JUDGES["Equivalence"]()
    (feedback,) = run_scorer(judge, outputs=" 42 ", expectations={"expected_response": "42"})
    assert feedback.value == "yes" and llm.requests == []
    (feedback,) = run_scorer(judge, outputs=3, expectations={"expected_response": 3})
    assert feedback.value == "yes" and llm.requests == []


def test_safety_detectors_pass_when_absent() -> None:
    toxicity = JUDGES["Toxicity"]()
    assert toxicity.pass_if is not None
    assert toxicity.pass_if("no") and not toxicity.pass_if("yes")


def test_score_judges_bound_the_result(llm: FakeLLMServer) -> None:
    judge = JUDGES["Faithfulness"](model="openai:/m")
    schema = judge.response_schema()["properties"]["result"]
    assert (schema["minimum"], schema["maximum"]) == (0, 1)
    assert judge.aggregations == ["mean"]
    for _ in range(2):
        llm.queue_json({"result": 7, "rationale": "out of range"})
    judge.client().retry = type(judge.client().retry)(max_attempts=1)
    (feedback,) = run_scorer(judge, trace=rag_trace())
    assert feedback.value is None and feedback.error is not None
