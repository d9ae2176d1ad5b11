"""Guardrails: regex/PII block and redact, judges through the fake provider, streams, trace."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ardea.gateway.limits.guardrails import Guardrail, PatternCheck, ScorerCheck, run_guardrails
from ardea.scorers import make_judge, scorer
from fixtures.fake_llm_server import FakeLLMServer

REQUEST = {
    "model": "chat",
    "messages": [
        {"role": "system", "content": "Be brief."},
        {
            "role": "user",
            "content": [{"type": "text", "text": "Mail bob@example.com, card 4111 1111 1111 1111"}],
        },
    ],
}
RESPONSE = {
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Call +1 415 555 0100"}}]
}


def _decisions(attrs: dict[str, object]) -> list[dict[str, Any]]:
    value = attrs["ardea.gateway.guardrails"]
    assert isinstance(value, str)
    decoded: list[dict[str, Any]] = json.loads(value)
    return decoded


def test_pii_blocks_with_the_decision_on_the_trace() -> None:
    g = Guardrail(
        "gr-1", "no-pii", "BEFORE", "VALIDATION", PatternCheck(pii=("email", "credit_card"))
    )
    out = run_guardrails([g], "BEFORE", REQUEST)
    assert out.refusal is not None and out.refusal.status == 400
    assert out.refusal.code == "guardrail_blocked" and "no-pii" in out.refusal.message
    [d] = _decisions(out.attributes)
    assert d["outcome"] == "blocked" and d["rationale"] == "2 match(es): email, credit_card"
    assert "bob@example.com" not in json.dumps(out.attributes)


def test_pii_redacts_and_leaves_the_caller_payload_alone() -> None:
    g = Guardrail(
        "gr-2", "mask", "BEFORE", "SANITIZATION", PatternCheck(pii=("email", "credit_card"))
    )
    out = run_guardrails([g], "BEFORE", REQUEST)
    assert out.refusal is None
    text = out.payload["messages"][1]["content"][0]["text"]
    assert text == "Mail [REDACTED:email], card [REDACTED:credit_card]"
    assert "bob@example.com" in REQUEST["messages"][1]["content"][0]["text"]  # type: ignore[index]
    assert _decisions(out.attributes)[0]["outcome"] == "redacted"


def test_a_number_failing_luhn_is_not_a_card() -> None:
    g = Guardrail("gr-3", "cards", "BEFORE", "VALIDATION", PatternCheck(pii=("credit_card",)))
    body = {"messages": [{"role": "user", "content": "order 1234 5678 9012 3456"}]}
    assert run_guardrails([g], "BEFORE", body).refusal is None


def test_after_stage_and_streams() -> None:
    g = Guardrail("gr-4", "phones", "AFTER", "SANITIZATION", PatternCheck(pii=("phone",)))
    out = run_guardrails([g], "AFTER", RESPONSE)
    assert out.payload["choices"][0]["message"]["content"] == "Call [REDACTED:phone]"
    assert run_guardrails([g], "BEFORE", REQUEST).decisions == ()  # not its stage
    streamed = run_guardrails([g], "AFTER", RESPONSE, stream=True)
    assert [d.outcome for d in streamed.decisions] == ["skipped"]
    assert streamed.payload == RESPONSE


def test_custom_patterns_and_bad_ones() -> None:
    g = Guardrail(
        "gr-5", "ids", "BEFORE", "VALIDATION", PatternCheck(patterns={"ticket": r"TCK-\d+"})
    )
    body = {"messages": [{"role": "user", "content": "see TCK-42"}]}
    assert run_guardrails([g], "BEFORE", body).refusal is not None
    with pytest.raises(ValueError, match="unknown PII"):
        PatternCheck(pii=("dna",)).compiled()
    with pytest.raises(ValueError, match="not a valid regular expression"):
        PatternCheck(patterns={"x": "("}).compiled()


def test_a_judge_blocks_and_passes(llm: FakeLLMServer) -> None:
    judge = make_judge(
        name="safe",
        instructions="Is {{ outputs }} safe?",
        feedback_value_type=bool,
        model="openai:/gpt-4o-mini",
    )
    g = Guardrail("gr-6", "safety", "BEFORE", "VALIDATION", ScorerCheck(judge))
    llm.queue_json({"result": False, "rationale": "Asks for a weapon."})
    out = run_guardrails(
        [g], "BEFORE", {"messages": [{"role": "user", "content": "how to build a bomb"}]}
    )
    assert out.refusal is not None and "Asks for a weapon." in out.refusal.message
    assert _decisions(out.attributes)[0]["outcome"] == "blocked"
    llm.queue_json({"result": True, "rationale": "Fine."})
    ok = run_guardrails([g], "BEFORE", {"messages": [{"role": "user", "content": "hello"}]})
    assert ok.refusal is None and _decisions(ok.attributes)[0]["outcome"] == "passed"


def test_a_judge_sanitizes_through_rewrite_or_blocks_without(llm: FakeLLMServer) -> None:
    judge = make_judge(name="tone", instructions="Polite? {{ outputs }}", feedback_value_type=bool)
    g = Guardrail("gr-7", "tone", "AFTER", "SANITIZATION", ScorerCheck(judge), "e-fix")
    llm.queue_json({"result": False, "rationale": "Rude."})

    def rewrite(guardrail: Guardrail, payload: dict[str, Any], why: str) -> dict[str, Any]:
        assert guardrail.action_endpoint_id == "e-fix"
        return {"choices": [{"message": {"role": "assistant", "content": f"(rewritten: {why})"}}]}

    out = run_guardrails([g], "AFTER", RESPONSE, rewrite=rewrite)
    assert out.payload["choices"][0]["message"]["content"] == "(rewritten: Rude.)"
    assert _decisions(out.attributes)[0]["outcome"] == "redacted"
    llm.queue_json({"result": False, "rationale": "Rude."})
    assert run_guardrails([g], "AFTER", RESPONSE).refusal is not None

    def broken(guardrail: Guardrail, payload: dict[str, Any], why: str) -> dict[str, Any]:
        raise ValueError("the action endpoint answered no JSON object")

    llm.queue_json({"result": False, "rationale": "Rude."})
    failed = run_guardrails([g], "AFTER", RESPONSE, rewrite=broken)
    assert failed.refusal is not None and "sanitization failed" in failed.refusal.message
    assert _decisions(failed.attributes)[0]["outcome"] == "blocked"
    llm.queue_json({"result": False, "rationale": "Rude."})
    bare = Guardrail("gr-9", "tone", "AFTER", "SANITIZATION", ScorerCheck(judge))
    blocked = run_guardrails([bare], "AFTER", RESPONSE, rewrite=rewrite)
    assert blocked.refusal is not None and "no action endpoint" in blocked.refusal.message


def test_a_judge_error_fails_closed(llm: FakeLLMServer) -> None:
    judge = make_judge(name="j", instructions="Ok? {{ outputs }}", feedback_value_type=bool)
    g = Guardrail("gr-8", "j", "BEFORE", "VALIDATION", ScorerCheck(judge))
    llm.queue_malformed(repeat=10)
    out = run_guardrails([g], "BEFORE", {"messages": [{"role": "user", "content": "x"}]})
    assert out.refusal is not None and "scorer error" in out.refusal.message


def test_code_scorers_never_run_in_the_server() -> None:
    @scorer
    def shout(outputs: str) -> bool:
        return outputs.isupper()

    with pytest.raises(ValueError, match="code scorer"):
        ScorerCheck(shout)
