"""make_judge and the Judge machinery against the fake provider over HTTP."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.scorers.judge import DEFAULT_JUDGE_MODEL, InstructionsJudge, JudgeInputError
from ardea.scorers import Correctness, Scorer, arun_scorer, make_judge, run_scorer
from fixtures.fake_llm_server import FakeLLMServer
from fixtures.scorer_traces import SECRET_KEY, rag_trace, span, trace

JUDGE = "openai:/gpt-4.1-mini"


def _body(llm: FakeLLMServer) -> dict[str, Any]:
    (request,) = llm.requests_to("/chat/completions")
    body: dict[str, Any] = request.body
    return body


def _prompt(body: dict[str, Any]) -> str:
    return "\n".join(str(m["content"]) for m in body["messages"])


def test_judge_sends_model_schema_and_rendered_instructions(llm: FakeLLMServer) -> None:
    llm.queue_json({"result": True, "rationale": "Polite greeting."})
    judge = make_judge(
        name="polite",
        instructions="Is the reply {{ outputs }} to {{ inputs }} polite?",
        feedback_value_type=bool,
        model="openai:/gpt-4o-mini",
        inference_params={"temperature": 0, "seed": 7},
    )
    (feedback,) = run_scorer(judge, inputs={"q": "hi there"}, outputs="Hello, friend!")
    assert feedback.error is None
    assert (feedback.name, feedback.value, feedback.rationale) == (
        "polite",
        True,
        "Polite greeting.",
    )
    assert (feedback.source.source_type, feedback.source.source_id) == (
        "LLM_JUDGE",
        "openai:/gpt-4o-mini",
    )
    assert int(feedback.metadata["ardea.judge.input_tokens"]) > 0
    body = _body(llm)
    assert body["model"] == "gpt-4o-mini"
    assert body["temperature"] == 0 and body["seed"] == 7
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["result"] == {"type": "boolean"}
    assert schema["required"] == ["result", "rationale"]
    assert "Hello, friend!" in _prompt(body) and "hi there" in _prompt(body)
    assert SECRET_KEY not in json.dumps(body)
    assert judge.aggregations == ["mean"]


@pytest.mark.parametrize(
    ("value_type", "answer", "schema"),
    [
        (int, 4, {"type": "integer"}),
        (float, 0.5, {"type": "number"}),
        (str, "fine", {"type": "string"}),
        (Literal["good", "bad"], "bad", {"type": "string", "enum": ["good", "bad"]}),
        (dict[str, int], {"a": 1}, {"type": "object", "additionalProperties": {"type": "integer"}}),
        (list[str], ["x"], {"type": "array", "items": {"type": "string"}}),
    ],
)
def test_feedback_value_types(
    llm: FakeLLMServer, value_type: Any, answer: Any, schema: dict[str, Any]
) -> None:
    llm.queue_json({"result": answer, "rationale": "r"})
    judge = make_judge(name="j", instructions="Rate {{ outputs }}", feedback_value_type=value_type)
    (feedback,) = run_scorer(judge, outputs="text")
    assert feedback.value == answer
    assert _body(llm)["response_format"]["json_schema"]["schema"]["properties"]["result"] == schema


def test_default_model_and_environment(llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    judge = make_judge(name="j", instructions="{{ outputs }}")
    assert judge.model == DEFAULT_JUDGE_MODEL == "openai:/gpt-4.1-mini"
    monkeypatch.setenv("MLFLOW_GENAI_JUDGE_DEFAULT_MODEL", "openai:/from-mlflow")
    assert make_judge(name="j", instructions="{{ outputs }}").model == "openai:/from-mlflow"
    monkeypatch.setenv("ARDEA_JUDGE_MODEL", "openai:/from-ardea")
    judge = make_judge(name="j", instructions="{{ outputs }}")
    run_scorer(judge, outputs="x")
    assert _body(llm)["model"] == "from-ardea"


@pytest.mark.parametrize(
    ("instructions", "message"),
    [
        ("No variables at all", "at least one variable"),
        ("{{ outputs }} and {{ custom }}", "unsupported variables"),
        ("{{ conversation }} then {{ outputs }}", "other than {{ expectations }}"),
        ("", "non-empty"),
    ],
)
def test_make_judge_validation(instructions: str, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message.replace("{", r"\{").replace("}", r"\}")):
        make_judge(name="j", instructions=instructions)


def test_make_judge_rejects_bad_options() -> None:
    with pytest.raises(InvalidArgumentError, match="feedback_value_type"):
        make_judge(name="j", instructions="{{ outputs }}", feedback_value_type=set)
    with pytest.raises(InvalidArgumentError):
        make_judge(name="j", instructions="{{ outputs }}", model="not a uri")
    with pytest.raises(InvalidArgumentError, match="extra_headers"):
        make_judge(name="j", instructions="{{ outputs }}", extra_headers={"a": 1})  # type: ignore[dict-item]
    with pytest.raises(InvalidArgumentError, match="name"):
        make_judge(name="", instructions="{{ outputs }}")


def test_conversation_with_expectations_is_allowed(llm: FakeLLMServer) -> None:
    from fixtures.scorer_traces import session_traces

    llm.queue_json({"result": "yes", "rationale": "ok"})
    judge = make_judge(name="c", instructions="Did {{ conversation }} meet {{ expectations }}?")
    assert judge.session_level
    (feedback,) = run_scorer(judge, session=session_traces(), expectations={"goal": "name"})
    assert feedback.value == "yes"
    prompt = _prompt(_body(llm))
    assert prompt.index("My name is Zoe.") < prompt.index("What is my name?")


def test_jinja_instructions_render_in_the_sandbox(llm: FakeLLMServer) -> None:
    llm.queue_json({"result": "yes", "rationale": "ok"})
    judge = make_judge(
        name="j",
        instructions="{% for k, v in expectations.items() %}{{ k }}={{ v }};{% endfor %} "
        "{{ outputs }}",
    )
    run_scorer(judge, outputs="out", expectations={"a": 1, "b": 2})
    assert "a=1;b=2;" in _prompt(_body(llm))
    evil = make_judge(
        name="j", instructions="{% for x in outputs.__class__.__mro__ %}{{ x }}{% endfor %}"
    )
    (feedback,) = run_scorer(evil, outputs=["x"])
    assert feedback.error is not None and feedback.value is None
    assert len(llm.requests_to("/chat/completions")) == 1  # the refused one sent nothing


def test_user_values_are_not_templates(llm: FakeLLMServer) -> None:
    llm.queue_json({"result": "yes", "rationale": "ok"})
    judge = make_judge(name="j", instructions="Judge {{ outputs }}")
    run_scorer(judge, outputs="{{ inputs }} {% raw %}")
    assert "{{ inputs }} {% raw %}" in _prompt(_body(llm))


@pytest.mark.parametrize(
    "script",
    [
        lambda llm: llm.queue_malformed(6),
        lambda llm: [llm.queue_chat("this is not json") for _ in range(2)],
        lambda llm: [llm.queue_json({"result": "maybe", "rationale": "?"}) for _ in range(2)],
        lambda llm: llm.queue_error(401, "bad key"),
    ],
    ids=["malformed-body", "not-json", "wrong-type", "auth-error"],
)
def test_garbage_answers_become_error_feedback(llm: FakeLLMServer, script: Any) -> None:
    script(llm)
    judge = make_judge(
        name="j", instructions="{{ outputs }}", feedback_value_type=bool, model="openai:/m"
    )
    judge.client().retry = type(judge.client().retry)(max_attempts=1)
    (feedback,) = run_scorer(judge, outputs="x")
    assert feedback.value is None
    assert feedback.error is not None and feedback.error.error_code
    assert feedback.name == "j" and feedback.source.source_type == "LLM_JUDGE"
    assert SECRET_KEY not in (feedback.error.error_message or "")


def test_huge_output_is_refused_before_sending(llm: FakeLLMServer) -> None:
    judge = make_judge(name="j", instructions="{{ outputs }}")
    (feedback,) = run_scorer(judge, outputs="x" * 10_000_000)
    assert feedback.error is not None
    assert feedback.error.error_code == "JudgeInputError"
    assert "10,000,000 characters" in (feedback.error.error_message or "")
    assert llm.requests_to("/chat/completions") == []


def test_missing_input_is_an_error_feedback(llm: FakeLLMServer) -> None:
    judge = make_judge(name="j", instructions="{{ inputs }} -> {{ outputs }}")
    (feedback,) = run_scorer(judge, outputs="x")
    assert "{{ inputs }}" in (feedback.error.error_message or "")  # type: ignore[union-attr]
    assert llm.requests_to("/chat/completions") == []


def test_huge_trace_is_sent_as_a_compact_view(llm: FakeLLMServer) -> None:
    spans = [span("root", "root", span_type="AGENT", inputs={"q": "question?"}, outputs="final")]
    spans += [
        span(f"s{i}", f"step-{i}", parent="root", span_type="TOOL", inputs={"i": i}, start=i)
        for i in range(100_000)
    ]
    llm.queue_json({"result": "yes", "rationale": "ok"})
    judge = make_judge(name="j", instructions="Did the agent finish? {{ trace }}")
    (feedback,) = run_scorer(judge, trace=trace(*spans))
    assert feedback.value == "yes"
    prompt = _prompt(_body(llm))
    assert "Spans: 100,001" in prompt and "question?" in prompt
    assert "more spans" in prompt
    assert len(prompt) < 100_000


def test_trace_fills_inputs_and_outputs(llm: FakeLLMServer) -> None:
    llm.queue_json({"result": "yes", "rationale": "ok"})
    judge = make_judge(name="j", instructions="{{ inputs }} => {{ outputs }}")
    (feedback,) = run_scorer(judge, trace=rag_trace("Where is Paris?"))
    assert feedback.value == "yes"
    assert "Where is Paris?" in _prompt(_body(llm))


def test_extra_headers_are_sent_not_serialized(llm: FakeLLMServer) -> None:
    llm.queue_json({"result": "yes", "rationale": "ok"})
    judge = make_judge(
        name="j",
        instructions="{{ outputs }}",
        base_url=llm.openai_base_url,
        extra_headers={"X-Team-Token": "hdr-secret"},
    )
    run_scorer(judge, outputs="x")
    (request,) = llm.requests_to("/chat/completions")
    assert request.headers["x-team-token"] == "hdr-secret"
    assert "hdr-secret" not in judge.to_json() and "hdr-secret" not in repr(judge)


def test_cache_key_is_stable_and_content_addressed(llm: FakeLLMServer) -> None:
    def judge(**kw: Any) -> Any:
        return make_judge(name="j", instructions="{{ outputs }}", **kw)

    key = judge().cache_key(outputs="a")
    assert key == judge().cache_key(outputs="a") and key is not None and len(key) == 64
    assert key != judge().cache_key(outputs="b")
    assert key != judge(model="openai:/other").cache_key(outputs="a")
    assert key != judge(inference_params={"temperature": 1}).cache_key(outputs="a")
    assert key != make_judge(name="j", instructions="Now {{ outputs }}").cache_key(outputs="a")
    assert judge().cache_key(outputs="x" * 1_000_000) is None  # too large to render
    assert judge().calls_llm
    assert llm.requests == []  # computing keys sends nothing


class _CountingJudge(InstructionsJudge):
    """Counts how often its task is rendered."""

    renders = 0

    def user_prompt(self, **row: Any) -> str:
        type(self).renders += 1
        return super().user_prompt(**row)


def test_cache_key_does_not_render_and_tracks_what_the_prompt_uses(llm: FakeLLMServer) -> None:
    _CountingJudge.renders = 0
    judge = _CountingJudge("j", "Is {{ outputs }} right for {{ inputs }}?", model=JUDGE)
    row = {"inputs": {"q": "1+1"}, "outputs": "2", "expectations": {"expected_response": "2"}}
    key = judge.cache_key(**row)
    assert key is not None and _CountingJudge.renders == 0  # no render on a lookup
    assert judge.cache_key(**row) == key  # same inputs hit
    # a field the template does not use does not change the key
    assert judge.cache_key(**{**row, "expectations": {"expected_response": "3"}}) == key
    assert judge.cache_key(**{**row, "expectations": None}) == key
    # whatever the prompt would show does
    assert judge.cache_key(**{**row, "outputs": "3"}) != key
    assert judge.cache_key(**{**row, "inputs": {"q": "1+2"}}) != key
    assert judge.cache_key(**{**row, "inputs": {"q": "1+1", "x": 1}}) != key
    swapped = {"b": 1, "a": 2}
    assert judge.cache_key(**{**row, "inputs": swapped}) != judge.cache_key(
        **{**row, "inputs": {"a": 2, "b": 1}}
    )  # the prompt shows keys in their order
    assert judge.cache_key(**{**row, "inputs": {"q": 1}}) != judge.cache_key(
        **{**row, "inputs": {"q": 1.0}}
    )
    # the judge's identity: template, model, value type, params, name, rationale order
    other = {
        "template": _CountingJudge("j", "Is {{ outputs }} right for {{ inputs }}?!", model=JUDGE),
        "model": _CountingJudge("j", judge.instructions, model="openai:/gpt-4.1"),
        "type": _CountingJudge("j", judge.instructions, model=JUDGE, feedback_value_type=bool),
        "params": _CountingJudge(
            "j", judge.instructions, model=JUDGE, inference_params={"temperature": 0}
        ),
        "name": _CountingJudge("k", judge.instructions, model=JUDGE),
        "first": _CountingJudge(
            "j", judge.instructions, model=JUDGE, generate_rationale_first=True
        ),
    }
    keys = {what: j.cache_key(**row) for what, j in other.items()}
    assert key not in keys.values() and len(set(keys.values())) == len(keys)
    judge.inference_params = {"temperature": 1}  # changed in place: the memo sees it
    assert judge.cache_key(**row) != key
    assert _CountingJudge.renders == 0
    # a row the prompt cannot be made from has no key
    assert judge.cache_key(outputs="2") is None


def test_cache_key_of_jinja_templates_tells_what_jinja_sees(llm: FakeLLMServer) -> None:
    judge = make_judge(
        name="j", instructions="{% for k in inputs %}{{ k }}={{ inputs[k] }};{% endfor %}"
    )
    assert judge.cache_key(inputs={"a": [1, 2]}) == judge.cache_key(inputs={"a": [1, 2]})
    assert judge.cache_key(inputs={"a": [1, 2]}) != judge.cache_key(inputs={"a": (1, 2)})
    assert judge.cache_key(inputs={"a": 1, "b": 2}) != judge.cache_key(inputs={"b": 2, "a": 1})


def test_builtin_judge_keys_follow_their_template_values(llm: FakeLLMServer) -> None:
    judge = Correctness(model=JUDGE)
    row = {"inputs": {"q": "1+1"}, "outputs": "2", "expectations": {"expected_response": "2"}}
    key = judge.cache_key(**row)
    assert key is not None and key == Correctness(model=JUDGE).cache_key(**row)
    assert judge.cache_key(**{**row, "expectations": {"expected_response": "3"}}) != key
    assert judge.cache_key(**{**row, "expectations": {"expected_response": "2", "x": 1}}) == key
    assert judge.cache_key(**{**row, "expectations": None}) is None  # cannot be rendered


def test_arun_scorer_runs_judges_concurrently(llm: FakeLLMServer) -> None:
    judge = make_judge(name="j", instructions="{{ outputs }}", feedback_value_type=bool)

    async def main() -> list[Any]:
        return await asyncio.gather(*(arun_scorer(judge, outputs=f"o{i}") for i in range(8)))

    results = asyncio.run(main())
    assert [len(r) for r in results] == [1] * 8
    assert all(r[0].error is None and r[0].value is True for r in results)
    assert len(llm.requests_to("/chat/completions")) == 8


def test_async_timeout_is_an_error_feedback(llm: FakeLLMServer) -> None:
    llm.queue_delay(5)
    judge = make_judge(name="j", instructions="{{ outputs }}", timeout=0.2)
    (feedback,) = asyncio.run(arun_scorer(judge, outputs="x"))
    assert feedback.error is not None and feedback.error.error_code in ("TIMEOUT", "Timeout")


def test_judge_roundtrips_through_json_and_mlflow(llm: FakeLLMServer) -> None:
    judge = make_judge(
        name="tone",
        instructions="Is {{ outputs }} polite?",
        feedback_value_type=Literal["yes", "no"],
        model="openai:/gpt-4o",
        description="politeness",
    )
    data = json.loads(judge.to_json())
    assert data["instructions_judge_pydantic_data"]["feedback_value_type"]["enum"] == ["yes", "no"]
    again = Scorer.from_json(judge.to_json())
    assert again.cache_key(outputs="x") == judge.cache_key(outputs="x")
    from mlflow.genai.scorers import Scorer as MlflowScorer

    theirs = MlflowScorer.model_validate_json(judge.to_json())
    assert theirs.name == "tone" and theirs.model == "openai:/gpt-4o"
    ours = Scorer.from_json(json.dumps(theirs.model_dump()))
    assert ours.cache_key(outputs="x") == judge.cache_key(outputs="x")


def test_judge_input_error_is_invalid_argument() -> None:
    assert issubclass(JudgeInputError, InvalidArgumentError)


def test_judge_on_anthropic(llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", llm.anthropic_base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET_KEY)
    llm.queue_json({"result": 3, "rationale": "middling"})
    judge = make_judge(
        name="stars",
        instructions="Rate {{ outputs }} from 1 to 5",
        feedback_value_type=int,
        model="anthropic:/claude-sonnet-4-5",
    )
    (feedback,) = run_scorer(judge, outputs="a decent answer")
    assert (feedback.value, feedback.rationale) == (3, "middling")
    assert feedback.source.source_id == "anthropic:/claude-sonnet-4-5"
    (request,) = llm.requests_to("/messages")
    assert request.body["model"] == "claude-sonnet-4-5"
    assert "a decent answer" in json.dumps(request.body)


def test_the_schema_sent_is_one_object_until_the_answer_type_changes(llm: FakeLLMServer) -> None:
    """One schema object per judge (``ardea.llm`` remembers its checks by object), rebuilt
    when what it says changes."""
    judge = make_judge(name="j", instructions="Is {{ outputs }} ok?", feedback_value_type=bool)
    first = judge._call_kwargs()["response_schema"]
    assert judge._call_kwargs()["response_schema"] is first
    assert first == judge.response_schema()
    judge.generate_rationale_first = True
    second = judge._call_kwargs()["response_schema"]
    assert list(second["properties"]) == ["rationale", "result"]
    first["properties"]["result"] = {"type": "string"}  # the sent object changed in place
    judge.generate_rationale_first = False
    judge._call_kwargs()
    third = judge._call_kwargs()["response_schema"]
    assert third["properties"]["result"] == {"type": "boolean"}
    llm.queue_json({"result": True, "rationale": "fine"})
    (feedback,) = run_scorer(judge, outputs="fine")
    assert feedback.value is True
    sent = _body(llm)["response_format"]["json_schema"]["schema"]
    assert sent["properties"]["result"] == {"type": "boolean"}
