"""``POST /api/3.0/ardea/judges/preview`` and ``GET .../judges/models`` over real SQLite stores,
with the fake LLM provider over HTTP as the server's ``openai:/`` endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures.fake_llm_server import FakeLLMServer, fake_llm  # noqa: F401
from fixtures.otlp_payloads import protobuf_request, span

from .support import Client, assert_error, create_experiment

BASE = "/api/3.0/ardea/judges"
KEY = "sk-judge-preview-never-shown-1234"
INSTRUCTIONS = "Does {{ outputs }} answer {{ inputs }} correctly?"


@pytest.fixture
def llm(
    fake_llm: FakeLLMServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[FakeLLMServer]:
    """The fake provider as the server's only configured provider (openai)."""
    for name in (
        "ARDEA_JUDGE_MODEL",
        "MLFLOW_GENAI_JUDGE_DEFAULT_MODEL",
        "OPENAI_ORG_ID",
        "ANTHROPIC_API_KEY",
        "GOOGLE_API_KEY",
        "GEMINI_API_KEY",
        "MISTRAL_API_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_BEARER_TOKEN_BEDROCK",
        "OLLAMA_HOST",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.openai_base_url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("ARDEA_CREDENTIALS_FILE", str(tmp_path / "credentials.toml"))
    fake_llm.reset()
    yield fake_llm
    fake_llm.reset()


def _trace(client: Client, experiment_id: str, n: int, question: str, answer: str) -> str:
    t = f"{n:032x}"
    attrs = {
        "mlflow.spanType": "CHAIN",
        "mlflow.spanInputs": json.dumps({"question": question}),
        "mlflow.spanOutputs": json.dumps(answer),
    }
    r = client.post(
        "/v1/traces",
        content=protobuf_request([span(t, f"{n:016x}", "root", attributes=attrs)]),
        headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": experiment_id},
    )
    assert r.status_code == 200, r.text
    return f"tr-{t}"


def _label(client: Client, trace_id: str, name: str, value: Any, source: str = "HUMAN") -> None:
    body = {
        "assessment": {
            "assessment_name": name,
            "trace_id": trace_id,
            "source": {"source_type": source, "source_id": "alice"},
            "feedback": {"value": value},
        }
    }
    r = client.post(f"/api/3.0/mlflow/traces/{trace_id}/assessments", json=body)
    assert r.status_code == 200, r.text


@pytest.fixture
def seeded(client: Client) -> tuple[str, list[str]]:
    exp = create_experiment(client, "judges")
    traces = [_trace(client, exp, i + 1, f"q{i}", f"a{i}") for i in range(3)]
    _label(client, traces[0], "correct", True)
    _label(client, traces[1], "correct", False)
    _label(client, traces[2], "correct", True, source="LLM_JUDGE")  # not a human label
    return exp, traces


def _body(exp: str, traces: list[str], **over: Any) -> dict[str, Any]:
    return {
        "experiment_id": exp,
        "name": "correct",
        "instructions": INSTRUCTIONS,
        "model": "openai:/gpt-4.1-mini",
        "feedback_value_type": "boolean",
        "trace_ids": traces,
        **over,
    }


@pytest.mark.parametrize("prefix", ["/api", "/ajax-api"])
def test_preview_judges_each_trace_beside_its_human_label(
    client: Client, llm: FakeLLMServer, seeded: tuple[str, list[str]], prefix: str
) -> None:
    exp, traces = seeded
    for _ in traces:
        llm.queue_json({"result": True, "rationale": "it answers"}, input_tokens=7, output_tokens=3)
    r = client.post(f"{prefix}/3.0/ardea/judges/preview", json=_body(exp, traces))
    assert r.status_code == 200, r.text
    body = r.json()
    assert [row["trace_id"] for row in body["rows"]] == traces
    first, second, third = body["rows"]
    assert (first["value"], first["rationale"], first["error"]) == (True, "it answers", None)
    assert first["human"] == {"value": True, "source_id": "alice"}
    assert second["human"] == {"value": False, "source_id": "alice"}
    assert third["human"] is None  # an LLM_JUDGE feedback is no human label
    assert first["tokens"] == 10 and first["cost"] is not None
    assert "q0" in first["request_preview"]
    assert body["totals"]["judged"] == 3 and body["totals"]["tokens"] == 30
    agreement = body["agreement"]
    assert (agreement["n"], agreement["positive"]) == (2, "True")
    accuracy = next(e for e in agreement["estimates"] if e["name"] == "accuracy")
    assert accuracy["value"] == pytest.approx(0.5) and accuracy["low"] < 0.5 < accuracy["high"]
    names = {e["name"] for e in agreement["estimates"]}
    assert {"kappa", "tpr", "tnr"} <= names
    sent = llm.requests_to("/chat/completions")
    assert len(sent) == 3
    assert all(r.headers.get("authorization") == f"Bearer {KEY}" for r in sent)
    assert KEY not in r.text


def test_preview_stores_nothing(
    client: Client, llm: FakeLLMServer, seeded: tuple[str, list[str]]
) -> None:
    exp, traces = seeded
    r = client.post(f"{BASE}/preview", json=_body(exp, traces[:1]))
    assert r.status_code == 200, r.text
    info = client.get(f"/api/3.0/mlflow/traces/{traces[0]}").json()["trace"]["trace_info"]
    assert len(info["assessments"]) == 1  # the human label only


def test_one_failing_trace_is_an_error_on_its_row(
    client: Client, llm: FakeLLMServer, seeded: tuple[str, list[str]]
) -> None:
    exp, traces = seeded
    llm.queue_error(400, "the model refused", repeat=1)
    r = client.post(f"{BASE}/preview", json=_body(exp, traces[:1]))
    assert r.status_code == 200, r.text
    row = r.json()["rows"][0]
    assert row["value"] is None and "refused" in row["error"]
    assert r.json()["totals"]["errors"] == 1


def test_a_trace_without_the_variable_is_an_error_on_its_row(
    client: Client, llm: FakeLLMServer, seeded: tuple[str, list[str]]
) -> None:
    exp, traces = seeded
    body = _body(exp, traces[:1], instructions="Meets {{ expectations }}? {{ outputs }}")
    r = client.post(f"{BASE}/preview", json=body)
    assert r.status_code == 200, r.text
    assert "no expectations was given" in r.json()["rows"][0]["error"]
    assert llm.requests_to("/chat/completions") == []


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"instructions": "Is {{ answer }} right?"}, "unsupported variables"),
        ({"instructions": "{% if outputs %}Is {{ outputs }} right?"}, "Invalid Jinja2 template"),
        ({"instructions": "No variables at all"}, "at least one variable"),
        ({"model": "anthropic:/claude-sonnet-4-5"}, "no credentials for provider 'anthropic'"),
        ({"model": "gateway:/my-endpoint"}, "cannot run server-side judges"),
        ({"model": "not a uri"}, "Malformed model URI"),
        ({"feedback_value_type": "tri-state"}, "feedback_value_type must be one of"),
        ({"feedback_value_type": "categorical", "categories": ["a"]}, "at least two categories"),
        ({"trace_ids": []}, "at least one trace"),
        ({"trace_ids": [f"tr-{i:032x}" for i in range(51)]}, "at most 50 traces"),
    ],
)
def test_bad_input_is_a_400_before_any_llm_call(
    client: Client,
    llm: FakeLLMServer,
    seeded: tuple[str, list[str]],
    over: dict[str, Any],
    message: str,
) -> None:
    exp, traces = seeded
    r = client.post(f"{BASE}/preview", json=_body(exp, traces, **over))
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", message)
    assert llm.requests_to("/chat/completions") == []


def test_the_request_cannot_set_a_base_url_or_headers(
    client: Client, llm: FakeLLMServer, seeded: tuple[str, list[str]]
) -> None:
    exp, traces = seeded
    body = _body(exp, traces[:1], base_url="http://169.254.169.254/", extra_headers={"x": "y"})
    r = client.post(f"{BASE}/preview", json=body)
    assert r.status_code == 200, r.text  # unknown fields are ignored, as on MLflow's routes
    (sent,) = llm.requests_to("/chat/completions")  # the server's own base URL, not the body's
    assert "x" not in sent.headers


def test_a_trace_of_another_experiment_is_a_404(
    client: Client, llm: FakeLLMServer, seeded: tuple[str, list[str]]
) -> None:
    exp, traces = seeded
    other = create_experiment(client, "other")
    foreign = _trace(client, other, 99, "q", "a")
    r = client.post(f"{BASE}/preview", json=_body(exp, [traces[0], foreign]))
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST", foreign)
    r = client.post(f"{BASE}/preview", json=_body(exp, [f"tr-{7:032x}"]))
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST", "not found")
    assert llm.requests_to("/chat/completions") == []


def test_categorical_judge_and_agreement_without_binary_measures(
    client: Client, llm: FakeLLMServer, seeded: tuple[str, list[str]]
) -> None:
    exp, traces = seeded
    _label(client, traces[2], "tone", "warm")
    llm.queue_json({"result": "warm", "rationale": "friendly"})
    body = _body(
        exp, traces[2:], name="tone", feedback_value_type="categorical", categories=["warm", "cold"]
    )
    r = client.post(f"{BASE}/preview", json=body)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["rows"][0]["value"] == "warm"
    assert answer["agreement"]["n"] == 1
    sent = llm.requests_to("/chat/completions")[0].body
    assert "warm" in json.dumps(sent["response_format"])


def test_models_lists_configured_providers_only(client: Client, llm: FakeLLMServer) -> None:
    r = client.get(f"{BASE}/models")
    assert r.status_code == 200, r.text
    body = r.json()
    assert "openai" in body["providers"] and "anthropic" not in body["providers"]
    assert "gateway" not in body["providers"] and "ollama" not in body["providers"]
    assert body["default_model"] == "openai:/gpt-4.1-mini"
    assert KEY not in r.text and llm.openai_base_url not in r.text
