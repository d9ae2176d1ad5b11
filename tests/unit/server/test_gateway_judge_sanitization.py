"""SANITIZATION by a judge guardrail on ``ardea server``'s gateway, as MLflow defines it: a
failing judge hands the payload to the guardrail's action endpoint, whose JSON answer goes on
in place of the original (the decision ``redacted`` on the trace); a guardrail without an
action endpoint, or an action endpoint that answers no JSON object, blocks (fails closed).
Real ``openai`` SDK, registered ``make_judge`` scorer, the fake provider for all three LLM
calls (judge, sanitizer, endpoint)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from ardea.evaluation.scorers.serialize import scorer_to_dict
from ardea.scorers import make_judge
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from fixtures.fake_llm_server import FakeLLMServer, fake_llm
from fixtures.gateway_server import GatewayServer

__all__ = ["fake_llm"]

G = "/api/3.0/mlflow/gateway"


@pytest.fixture
def fake(
    fake_llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[FakeLLMServer]:
    monkeypatch.setenv("ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS", "1")
    monkeypatch.delenv("ARDEA_GATEWAY_REDIS_URL", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.openai_base_url)  # the judge's provider
    monkeypatch.setenv("OPENAI_API_KEY", "sk-judge-0123456789")
    monkeypatch.setenv("ARDEA_CREDENTIALS_FILE", str(tmp_path / "credentials.toml"))
    fake_llm.reset()
    yield fake_llm
    fake_llm.reset()


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    b = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}", artifacts_destination=str(tmp_path / "a")
    )
    yield b
    b.close()


def _ok(base: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(base + G + path, json=body)
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def _endpoints(base: str, fake: FakeLLMServer, experiment_id: str) -> dict[str, str]:
    secret = _ok(
        base,
        "/secrets/create",
        {
            "secret_name": "fake",
            "secret_value": {"api_key": "sk-sanitize-0123456789"},
            "provider": "openai",
            "auth_config": {"api_base": fake.openai_base_url},
        },
    )["secret"]["secret_id"]
    definition = _ok(
        base,
        "/model-definitions/create",
        {"name": "m", "provider": "openai", "model_name": "gpt-4.1-mini", "secret_id": secret},
    )["model_definition"]["model_definition_id"]
    ids = {}
    for name in ("chat", "sanitizer"):
        body = {
            "name": name,
            "model_configs": [{"model_definition_id": definition}],
            "experiment_id": experiment_id,
            "usage_tracking": True,
        }
        ids[name] = _ok(base, "/endpoints/create", body)["endpoint"]["endpoint_id"]
    return ids


def _guardrail(base: str, scorer_id: str, name: str, endpoint_id: str, **kw: Any) -> None:
    body = {
        "name": name,
        "scorer_id": scorer_id,
        "scorer_version": 1,
        "stage": "BEFORE",
        "action": "SANITIZATION",
        **kw,
    }
    gid = _ok(base, "/guardrails/create", body)["guardrail"]["guardrail_id"]
    _ok(base, "/guardrails/add-to-endpoint", {"endpoint_id": endpoint_id, "guardrail_id": gid})


def _chat_decisions(backend: Backend, experiment_id: str, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while True:
        traces = backend.traces.search_traces([experiment_id])
        spans = [backend.traces.get_trace(t.trace_id).spans[0] for t in traces]
        guarded = [s for s in spans if "ardea.gateway.guardrails" in s.attributes]
        if len(guarded) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(guarded) == count
    newest = max(guarded, key=lambda s: s.start_time_ns)
    found: list[dict[str, Any]] = json.loads(newest.attributes["ardea.gateway.guardrails"])
    return found


def test_a_failing_judge_sanitizes_through_its_action_endpoint_or_blocks(
    backend: Backend, fake: FakeLLMServer
) -> None:
    experiment_id = backend.tracking.create_experiment("gw")
    judge = make_judge(
        name="polite",
        instructions="Is this polite? {{ outputs }}",
        feedback_value_type=bool,
        model="openai:/gpt-4.1-mini",
    )
    version = backend.scorers.register_scorer(
        experiment_id, "polite", json.dumps(scorer_to_dict(judge))
    )
    with GatewayServer(None, backend) as server:
        base = server.base_url
        ids = _endpoints(base, fake, experiment_id)
        _guardrail(
            base, version.scorer_id, "tone", ids["chat"], action_endpoint_id=ids["sanitizer"]
        )
        client = openai.OpenAI(base_url=base + "/gateway/v1", api_key="x", max_retries=0)
        rude = [{"role": "user", "content": "answer me now, idiot"}]
        polite = {"messages": [{"role": "user", "content": "please answer me"}], "model": "chat"}
        fake.queue_json({"result": False, "rationale": "An insult."})  # the judge
        fake.queue_chat(json.dumps(polite))  # the action endpoint's rewrite
        fake.queue_chat("Of course.")  # the endpoint itself
        answer = client.chat.completions.create(model="chat", messages=rude)  # type: ignore[arg-type]
        assert answer.choices[0].message.content == "Of course."
        calls = fake.requests_to("/chat/completions")
        assert len(calls) == 3
        prompt = calls[1].body["messages"][0]["content"]
        assert "You are a content sanitizer" in prompt and "An insult." in prompt
        assert "answer me now, idiot" in prompt
        assert calls[2].body["messages"] == polite["messages"]  # the rewrite went on
        decision = _chat_decisions(backend, experiment_id, 1)[0]
        assert (decision["name"], decision["outcome"]) == ("tone", "redacted")

        fake.reset()
        fake.queue_json({"result": False, "rationale": "An insult."})
        fake.queue_chat("I cannot rewrite that.")  # not a JSON object: fails closed
        with pytest.raises(openai.BadRequestError) as blocked:
            client.chat.completions.create(model="chat", messages=rude)  # type: ignore[arg-type]
        error = blocked.value.response.json()["error"]
        assert error["code"] == "guardrail_blocked" and "sanitization failed" in error["message"]
        assert len(fake.requests_to("/chat/completions")) == 2  # the endpoint was not called
        decision = _chat_decisions(backend, experiment_id, 2)[0]
        assert decision["outcome"] == "blocked"
