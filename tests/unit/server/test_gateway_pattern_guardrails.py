"""Regex/PII guardrails stored over MLflow's guardrails REST with Ardea's ``config``.

``guardrails/create`` with ``scorer_id: ardea:patterns`` and ``config: {patterns, pii}``,
``guardrails/update`` and ``update-config`` replacing it; bad patterns (RE2 refuses them, or
they are too large) are a 400 naming the field, with nothing stored. Calls go through the
real ``openai`` SDK to the fake provider; the stock ``mlflow`` client still reads the
guardrails (it ignores the extension field).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from mlflow.store.tracking.rest_store import RestStore
from mlflow.utils.rest_utils import MlflowHostCreds

from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from fixtures.fake_llm_server import FakeLLMServer, fake_llm
from fixtures.gateway_server import GatewayServer

__all__ = ["fake_llm"]

G = "/api/3.0/mlflow/gateway"


@pytest.fixture
def backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    monkeypatch.setenv("ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS", "1")
    monkeypatch.delenv("ARDEA_GATEWAY_REDIS_URL", raising=False)
    b = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}", artifacts_destination=str(tmp_path / "a")
    )
    yield b
    b.close()


@pytest.fixture
def fake(fake_llm: FakeLLMServer) -> Iterator[FakeLLMServer]:
    fake_llm.reset()
    yield fake_llm
    fake_llm.reset()


def _send(base: str, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
    if method == "GET":
        return httpx.get(base + G + path, params=body)
    return httpx.request(method, base + G + path, json=body)


def _ok(base: str, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = _send(base, method, path, body)
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def _endpoint(base: str, fake: FakeLLMServer, experiment_id: str) -> str:
    secret = _ok(
        base,
        "POST",
        "/secrets/create",
        {
            "secret_name": "fake",
            "secret_value": {"api_key": "sk-patterns-0123456789"},
            "provider": "openai",
            "auth_config": {"api_base": fake.openai_base_url},
        },
    )["secret"]
    definition = _ok(
        base,
        "POST",
        "/model-definitions/create",
        {
            "name": "m",
            "provider": "openai",
            "model_name": "gpt-4.1-mini",
            "secret_id": secret["secret_id"],
        },
    )["model_definition"]
    body = {
        "name": "chat",
        "model_configs": [{"model_definition_id": definition["model_definition_id"]}],
        "experiment_id": experiment_id,
        "usage_tracking": True,
    }
    return str(_ok(base, "POST", "/endpoints/create", body)["endpoint"]["endpoint_id"])


def _sent(fake: FakeLLMServer) -> str:
    return str(fake.requests_to("/chat/completions")[-1].body["messages"][0]["content"])


def _decisions(backend: Backend, experiment_id: str, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while len(traces := backend.traces.search_traces([experiment_id])) < count:
        assert time.monotonic() < deadline, "the trace was not written"
        time.sleep(0.05)
    newest = max(traces, key=lambda t: t.request_time)
    span = backend.traces.get_trace(newest.trace_id).spans[0]
    found: list[dict[str, Any]] = json.loads(span.attributes["ardea.gateway.guardrails"])
    return found


def test_pattern_guardrails_are_created_and_updated_over_rest_with_their_config(
    backend: Backend, fake: FakeLLMServer
) -> None:
    experiment_id = backend.tracking.create_experiment("gw")
    with GatewayServer(None, backend) as server:
        base = server.base_url
        endpoint_id = _endpoint(base, fake, experiment_id)
        config = {"patterns": {"ticket": r"TCK-\d+"}, "pii": ["email"]}
        made = _ok(
            base,
            "POST",
            "/guardrails/create",
            {
                "name": "mask",
                "scorer_id": "ardea:patterns",
                "stage": "BEFORE",
                "action": "SANITIZATION",
                "config": config,
            },
        )["guardrail"]
        assert made["config"] == config and made["scorer"]["scorer_id"] == "ardea:patterns"
        gid = made["guardrail_id"]
        link = {"endpoint_id": endpoint_id, "guardrail_id": gid}
        _ok(base, "POST", "/guardrails/add-to-endpoint", link)

        client = openai.OpenAI(base_url=base + "/gateway/v1", api_key="x", max_retries=0)
        text = [{"role": "user", "content": "TCK-42 from ann@example.com"}]
        assert client.chat.completions.create(model="chat", messages=text).choices  # type: ignore[arg-type]
        assert _sent(fake) == "[REDACTED:ticket] from [REDACTED:email]"
        decision = _decisions(backend, experiment_id, 1)[0]
        assert decision["outcome"] == "redacted" and decision["name"] == "mask"
        assert "TCK-42" not in json.dumps(decision)

        # update-config (MLflow's route, with Ardea's config): a new pattern, and the order
        new = {"patterns": {"order": r"ORD-[0-9]{3}"}}
        r = _ok(
            base,
            "PATCH",
            "/guardrails/update-config",
            {**link, "config": new, "execution_order": 2},
        )["config"]
        assert r["guardrail"]["config"] == new and r["execution_order"] == 2
        text = [{"role": "user", "content": "TCK-42 ORD-123"}]
        client.chat.completions.create(model="chat", messages=text)  # type: ignore[arg-type]
        assert _sent(fake) == "TCK-42 [REDACTED:order]"

        # guardrails/update (Ardea's): the config alone
        got = _ok(base, "PATCH", "/guardrails/update", {"guardrail_id": gid, "config": config})
        assert got["guardrail"]["config"] == config

        # the stock mlflow client reads it (and ignores the extension field)
        store = RestStore(lambda: MlflowHostCreds(base))
        assert store.get_gateway_guardrail(gid).name == "mask"
        assert [g.guardrail_id for g in store.list_gateway_guardrails()] == [gid]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"patterns": {"bad": r"(a)\1"}}, "config.patterns.bad: not a valid regular expression"),
        ({"patterns": {"look": r"x(?=y)"}}, "config.patterns.look: not a valid regular"),
        ({"patterns": {"huge": r"\pL{1000}"}}, "pattern too large"),
        ({"patterns": {"long": "a" * 1001}}, "longer than 1000 characters"),
        ({"pii": ["dna"]}, "unknown PII detector(s) dna"),
        ({}, "give 'patterns'"),
        (None, "give 'patterns'"),
    ],
)
def test_a_bad_config_is_a_400_and_nothing_is_stored(
    backend: Backend, fake: FakeLLMServer, config: dict[str, Any] | None, message: str
) -> None:
    with GatewayServer(None, backend) as server:
        base = server.base_url
        body: dict[str, Any] = {
            "name": "g",
            "scorer_id": "ardea:patterns",
            "stage": "BEFORE",
            "action": "VALIDATION",
        }
        if config is not None:
            body["config"] = config
        r = _send(base, "POST", "/guardrails/create", body)
        assert r.status_code == 400, r.text
        assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
        assert message in r.json()["message"]
        assert _ok(base, "GET", "/guardrails/list", {}).get("guardrails", []) == []

        good = {"patterns": {"ok": "OK-[0-9]+"}}
        gid = _ok(base, "POST", "/guardrails/create", {**body, "config": good})["guardrail"][
            "guardrail_id"
        ]
        if config is not None:
            r = _send(base, "PATCH", "/guardrails/update", {"guardrail_id": gid, "config": config})
            assert r.status_code == 400 and message in r.json()["message"]
        stored = _ok(base, "GET", "/guardrails/get", {"guardrail_id": gid})["guardrail"]
        assert stored["config"] == good


def test_a_config_on_a_scorer_guardrail_is_refused(backend: Backend) -> None:
    with GatewayServer(None, backend) as server:
        r = _send(
            server.base_url,
            "POST",
            "/guardrails/create",
            {
                "name": "g",
                "scorer_id": "ardea:pii:email",
                "stage": "BEFORE",
                "action": "VALIDATION",
                "config": {"patterns": {"x": "x"}},
            },
        )
        assert r.status_code == 400 and "pattern guardrails only" in r.json()["message"]
