"""The deterministic built-ins (no LLM), and EmbeddingSimilarity against the fake provider."""

from __future__ import annotations

from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.scorers import (
    Bleu,
    Chrf,
    Contains,
    CostBudget,
    EmbeddingSimilarity,
    ExactMatch,
    ExpectedToolsCalled,
    JsonSchema,
    JsonValidity,
    Language,
    Latency,
    LevenshteinSimilarity,
    NoErrorSpans,
    PIIDetection,
    RegexMatch,
    ResponseLength,
    RougeL,
    Scorer,
    TokenBudget,
    builtin_scorer_classes,
    run_scorer,
)
from fixtures.fake_llm_server import FakeLLMServer
from fixtures.scorer_traces import agent_trace, rag_trace


def one(scorer: Scorer, **row: Any) -> Any:
    (feedback,) = run_scorer(scorer, **row)
    assert feedback.error is None, feedback.error
    assert feedback.source.source_type == "CODE" and feedback.source.source_id == scorer.name
    return feedback


def expect(text: str) -> dict[str, Any]:
    return {"expected_response": text}


def test_mlflow_code_scorers_answer_like_mlflow() -> None:
    from mlflow.genai import scorers as theirs

    cases = [
        (RegexMatch(pattern=r"\d+"), theirs.RegexMatch(pattern=r"\d+"), ["abc 12", "abc"]),
        (PIIDetection(), theirs.PIIDetection(), ["mail a@b.com", "call 555-123-4567", "hi"]),
        (ResponseLength(max_length=5), theirs.ResponseLength(max_length=5), ["abc", "abcdefg"]),
        (ResponseLength(min_length=2, unit="words"),
         theirs.ResponseLength(min_length=2, unit="words"), ["one", "one two"]),
    ]  # fmt: skip
    for ours, mlflow_scorer, outputs in cases:
        assert ours.name == mlflow_scorer.name
        for output in outputs:
            assert one(ours, outputs=output).value == mlflow_scorer(outputs=output).value


def test_regex_options_and_bad_pattern() -> None:
    assert one(RegexMatch(pattern="abc", match_type="fullmatch"), outputs="abcd").value == "no"
    assert one(RegexMatch(pattern="ABC", case_insensitive=True), outputs="xabc").value == "yes"
    with pytest.raises(InvalidArgumentError, match="Invalid regex"):
        RegexMatch(pattern="(")
    with pytest.raises(InvalidArgumentError, match="pattern"):
        RegexMatch()
    with pytest.raises(InvalidArgumentError, match="match_type"):
        RegexMatch(pattern="a", match_type="match")


def test_pii_detection_checks_card_numbers() -> None:
    assert one(PIIDetection(), outputs="card 4111 1111 1111 1111").value == "no"
    assert one(PIIDetection(pii_types=["email"]), outputs="card 4111 1111 1111 1111").value == "yes"
    assert "ssn" in one(PIIDetection(), outputs="ssn 123-45-6789").rationale


def test_matching_scorers() -> None:
    assert one(ExactMatch(), outputs=" Paris ", expectations=expect("Paris")).value is True
    assert one(ExactMatch(), outputs="paris", expectations=expect("Paris")).value is False
    assert one(
        ExactMatch(case_sensitive=False), outputs="paris", expectations=expect("Paris")
    ).value
    assert one(Contains(substrings=["paris"]), outputs="It is Paris.").value is True
    feedback = one(Contains(), outputs="It is Paris.", expectations={"expected_substrings": ["x"]})
    assert feedback.value is False and "x" in feedback.rationale


def test_json_scorers() -> None:
    assert one(JsonValidity(), outputs='{"a": 1}').value is True
    assert one(JsonValidity(), outputs="{a: 1}").value is False
    schema = {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}
    assert one(JsonSchema(schema=schema), outputs='{"id": 3}').value is True
    bad = one(JsonSchema(schema=schema), outputs={"id": "3"})
    assert bad.value is False and "id" in bad.rationale
    assert one(JsonSchema(), outputs="[]", expectations={"json_schema": {"type": "array"}}).value


def test_text_similarities() -> None:
    row = {"outputs": "the cat sat on the mat", "expectations": expect("the cat sat on the mat")}
    for scorer in (Bleu(), Chrf(), RougeL(), LevenshteinSimilarity()):
        assert one(scorer, **row).value == pytest.approx(1.0)
    lev = one(LevenshteinSimilarity(), outputs="kitten", expectations=expect("sitting"))
    assert lev.value == pytest.approx(1 - 3 / 7, abs=1e-6)
    rouge = one(
        RougeL(),
        outputs="the cat was found under the bed",
        expectations=expect("the cat was under the bed"),
    )
    assert rouge.value == pytest.approx(12 / 13, abs=1e-6)  # LCS 6 of 7 and 6 tokens
    assert one(Bleu(), outputs="completely different", expectations=expect("the cat")).value < 0.2
    assert Bleu().aggregations == ["mean"]


def test_missing_expectation_is_an_error_feedback() -> None:
    (feedback,) = run_scorer(Bleu(), outputs="x")
    assert feedback.error is not None and "expected_response" in (
        feedback.error.error_message or ""
    )


def test_trace_budgets_and_latency() -> None:
    rag = rag_trace()
    assert one(Latency(), trace=rag).value == pytest.approx(0.12)
    assert one(Latency(max_seconds=1), trace=rag).value is True
    assert one(Latency(max_seconds=0.1), trace=rag).value is False
    assert one(TokenBudget(max_tokens=55), trace=rag).value is True
    assert one(TokenBudget(max_tokens=54), trace=rag).value is False
    assert one(CostBudget(max_cost_usd=0.002), trace=rag).value is True
    assert one(CostBudget(max_cost_usd=0.001), trace=rag).value is False
    (feedback,) = run_scorer(CostBudget(max_cost_usd=1), trace=agent_trace())
    assert "no span" in (feedback.error.error_message or "")  # type: ignore[union-attr]
    (feedback,) = run_scorer(Latency(), outputs="no trace")
    assert "needs a trace" in (feedback.error.error_message or "")  # type: ignore[union-attr]
    with pytest.raises(InvalidArgumentError):
        TokenBudget()


def test_trace_structure_scorers() -> None:
    agent = agent_trace()
    failed = one(NoErrorSpans(), trace=agent)
    assert failed.value is False and "get_weather" in failed.rationale
    assert one(NoErrorSpans(), trace=rag_trace()).value is True
    calls = {"expected_tool_calls": [{"name": "get_weather"}]}
    assert one(ExpectedToolsCalled(), trace=agent, expectations=calls).value is True
    other = {"expected_tool_calls": [{"name": "get_weather"}, {"name": "book"}]}
    assert one(ExpectedToolsCalled(ordered=True), trace=agent, expectations=other).value is False


def test_language() -> None:
    assert one(Language(), outputs="The weather is lovely today, isn't it?").value == "en"
    assert one(Language(expected="fr"), outputs="Bonjour, comment allez-vous ?").value is True
    german = {"expected_language": "de"}
    assert one(Language(), outputs="The weather is nice.", expectations=german).value is False


def test_embedding_similarity_over_http(llm: FakeLLMServer) -> None:
    scorer = EmbeddingSimilarity(model="openai:/text-embedding-3-small")
    same = one(scorer, outputs="hello there", expectations=expect("hello there"))
    assert same.value == pytest.approx(1.0)
    (request,) = llm.requests_to("/embeddings")
    assert request.body["input"] == ["hello there", "hello there"]
    assert scorer.calls_llm and scorer.cache_key(outputs="a", expectations=expect("b"))


def test_every_builtin_documents_an_example() -> None:
    classes = builtin_scorer_classes()
    assert len(classes) >= 60
    for cls in classes:
        assert cls.__doc__ and "Example::" in cls.__doc__, cls.__name__
        assert cls.description, cls.__name__
