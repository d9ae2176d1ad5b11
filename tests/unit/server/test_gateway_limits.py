"""Limits, budgets, guardrails and virtual keys on the embedded gateway, over HTTP.

An ``ardea server`` app (uvicorn on a loopback port) with endpoints managed over MLflow's
REST; calls with the real ``openai`` and ``anthropic`` SDKs to the fake provider.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest

from ardea.auth import accounts
from ardea.auth.tokens import issue_token
from ardea.entities.gateway_keys import KeyScope
from ardea.server.deps import ServerSettings
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.gateway_limits.keys import SqlKeyScopes
from fixtures.fake_llm_server import FakeLLMServer, fake_llm
from fixtures.gateway_server import GatewayServer
from fixtures.webhook_receiver import Receiver, receiver

__all__ = ["fake_llm", "receiver"]

G = "/api/3.0/mlflow/gateway"
ADMIN_PASSWORD = "first admin password"
USER = [{"role": "user", "content": "hello gateway"}]


@pytest.fixture(autouse=True)
def _private_upstreams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS", "1")
    monkeypatch.delenv("ARDEA_GATEWAY_REDIS_URL", raising=False)


@pytest.fixture
def fake(fake_llm: FakeLLMServer) -> Iterator[FakeLLMServer]:
    fake_llm.reset()
    yield fake_llm
    fake_llm.reset()


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    b = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}",
        artifacts_destination=str(tmp_path / "artifacts"),
        lazy_artifacts=False,
    )
    yield b
    b.close()


@pytest.fixture
def server(backend: Backend) -> Iterator[GatewayServer]:
    with GatewayServer(None, backend) as s:
        yield s


def _ok(base: str, path: str, body: dict[str, Any], **kw: Any) -> dict[str, Any]:
    r = httpx.post(base + G + path, json=body, **kw)
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def make_endpoint(
    base: str,
    fake: FakeLLMServer,
    *,
    model_name: str = "gpt-4.1-mini",
    experiment_id: str | None = None,
    **kw: Any,
) -> str:
    """An endpoint ``chat`` on the fake provider; its id."""
    secret = _ok(
        base,
        "/secrets/create",
        {
            "secret_name": "fake",
            "secret_value": {"api_key": "sk-limits-0123456789"},
            "provider": "openai",
            "auth_config": {"api_base": fake.openai_base_url},
        },
        **kw,
    )["secret"]
    definition = _ok(
        base,
        "/model-definitions/create",
        {
            "name": "m",
            "provider": "openai",
            "model_name": model_name,
            "secret_id": secret["secret_id"],
        },
        **kw,
    )["model_definition"]
    body: dict[str, Any] = {
        "name": "chat",
        "model_configs": [{"model_definition_id": definition["model_definition_id"]}],
        "usage_tracking": experiment_id is not None,
    }
    if experiment_id is not None:
        body["experiment_id"] = experiment_id
    endpoint = _ok(base, "/endpoints/create", body, **kw)["endpoint"]
    return str(endpoint["endpoint_id"])


def set_limits(base: str, endpoint_id: str, limits: list[dict[str, Any]], **kw: Any) -> None:
    """The endpoint's ``ardea.limits`` tag."""
    tag = {"endpoint_id": endpoint_id, "key": "ardea.limits", "value": json.dumps(limits)}
    _ok(base, "/endpoints/set-tag", tag, **kw)


def _client(base: str, key: str = "unused") -> openai.OpenAI:
    return openai.OpenAI(base_url=base + "/gateway/v1", api_key=key, max_retries=0)


def within_one_minute(test: Callable[[], None]) -> None:
    """Run ``test`` so that it starts and ends in the same calendar minute (rate windows)."""
    for _ in range(3):
        if 60 - time.time() % 60 < 15:
            time.sleep(60 - time.time() % 60 + 0.1)
        minute = int(time.time() // 60)
        test()
        if int(time.time() // 60) == minute:
            return
    raise AssertionError("the test kept crossing a minute boundary")


def test_requests_per_minute_are_exact_at_the_boundary_in_each_api_shape(
    server: GatewayServer, fake: FakeLLMServer
) -> None:
    base = server.base_url
    endpoint_id = make_endpoint(base, fake)
    set_limits(base, endpoint_id, [{"scope": "endpoint", "requests_per_minute": 3}])
    client = _client(base)

    def run() -> None:
        server.app.state.ardea.gateway.guard.limits.store.purge(2**40)
        for _ in range(3):
            assert client.chat.completions.create(model="chat", messages=USER).choices
        with pytest.raises(openai.RateLimitError) as refused:
            client.chat.completions.create(model="chat", messages=USER)
        error = refused.value.response.json()["error"]
        assert error["code"] == "rate_limit_exceeded"
        assert "3 requests per minute (endpoint)" in error["message"]
        retry = int(refused.value.response.headers["retry-after"])
        assert 1 <= retry <= 60
        claude = anthropic.Anthropic(
            base_url=base + "/gateway/anthropic", api_key="unused", max_retries=0
        )
        with pytest.raises(anthropic.RateLimitError) as shaped:
            claude.messages.create(model="chat", max_tokens=10, messages=USER)  # type: ignore[arg-type]
        body = shaped.value.response.json()
        assert body["type"] == "error" and body["error"]["type"] == "rate_limit_error"
        assert shaped.value.response.headers["retry-after"]
        mlflow = httpx.post(
            base + "/gateway/chat/mlflow/invocations", json={"messages": USER}, timeout=30
        )
        assert mlflow.status_code == 429 and mlflow.headers["retry-after"]
        assert mlflow.json()["error_code"] == "RESOURCE_EXHAUSTED"

    within_one_minute(run)
    assert len(fake.requests_to("/chat/completions")) >= 3


def test_a_malformed_limits_tag_is_refused_with_a_400(
    server: GatewayServer, fake: FakeLLMServer
) -> None:
    endpoint_id = make_endpoint(server.base_url, fake)
    for value, expected in (
        ("not json", "not valid JSON"),
        ('[{"scope": "planet", "requests_per_minute": 1}]', "scope"),
        ('[{"scope": "user", "requests_per_minute": 0}]', "positive integer"),
        ('[{"scope": "user"}]', "requests_per_minute and/or tokens_per_minute"),
    ):
        r = httpx.post(
            server.base_url + G + "/endpoints/set-tag",
            json={"endpoint_id": endpoint_id, "key": "ardea.limits", "value": value},
        )
        assert r.status_code == 400, r.text
        assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
        assert expected in r.json()["message"]


def test_tokens_per_minute_settle_to_the_real_usage(
    server: GatewayServer, fake: FakeLLMServer
) -> None:
    base = server.base_url
    endpoint_id = make_endpoint(base, fake)
    # A call reserves ~260 tokens (its text + 256 output): two fit in 300 only when the first
    # was settled to the fake provider's real (small) usage, and the stream's too.
    set_limits(base, endpoint_id, [{"scope": "endpoint", "tokens_per_minute": 300}])
    client = _client(base)

    def run() -> None:
        server.app.state.ardea.gateway.guard.limits.store.purge(2**40)
        first = client.chat.completions.create(model="chat", messages=USER)
        assert first.usage is not None and first.usage.total_tokens < 40
        # a stream settles too (its usage read from the final frames)
        stream = client.chat.completions.create(model="chat", messages=USER, stream=True)
        assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        assert client.chat.completions.create(model="chat", messages=USER).choices
        with pytest.raises(openai.RateLimitError) as refused:
            client.chat.completions.create(model="chat", messages=USER, max_tokens=290)
        assert (
            "300 tokens per minute (endpoint)" in refused.value.response.json()["error"]["message"]
        )

    within_one_minute(run)


def test_a_reject_budget_answers_429_once_spent_and_windows_show_it(
    server: GatewayServer, fake: FakeLLMServer
) -> None:
    base = server.base_url
    endpoint_id = make_endpoint(base, fake)
    policy = _ok(
        base,
        "/budgets/create",
        {
            "budget_amount": 0.000001,
            "budget_unit": "USD",
            "duration": {"unit": "DAYS", "value": 1},
            "target_scope": "ENDPOINT",
            "target_value": endpoint_id,
            "budget_action": "REJECT",
        },
    )["budget_policy"]
    r = httpx.get(base + G + "/budgets/windows")
    assert r.status_code == 200, r.text
    (window,) = r.json()["windows"]
    assert window["budget_policy_id"] == policy["budget_policy_id"]
    assert window["current_spend"] == 0 and window["exceeded"] is False
    assert window["window_end_ms"] - window["window_start_ms"] == 86_400_000
    client = _client(base)
    assert client.chat.completions.create(model="chat", messages=USER).choices  # spends
    with pytest.raises(openai.RateLimitError) as refused:
        client.chat.completions.create(model="chat", messages=USER)
    response = refused.value.response
    assert response.json()["error"]["code"] == "budget_exceeded"
    assert "Budget limit exceeded" in response.json()["error"]["message"]
    assert response.headers["x-should-retry"] == "false"
    assert int(response.headers["retry-after"]) >= 1
    (window,) = httpx.get(base + G + "/budgets/windows").json()["windows"]
    assert window["current_spend"] > 0 and window["exceeded"] is True
    assert len(fake.requests_to("/chat/completions")) == 1


def test_an_alert_budget_sends_its_webhook_once_and_lets_calls_through(
    server: GatewayServer, fake: FakeLLMServer, receiver: Receiver
) -> None:
    base = server.base_url
    hook = {
        "name": "budget",
        "url": receiver.url + "/budget",
        "events": [{"entity": "BUDGET_POLICY", "action": "EXCEEDED"}],
    }
    r = httpx.post(base + "/api/2.0/mlflow/webhooks", json=hook)
    assert r.status_code == 200, r.text
    make_endpoint(base, fake)
    policy = _ok(
        base,
        "/budgets/create",
        {
            "budget_amount": 0.000001,
            "budget_unit": "USD",
            "duration": {"unit": "HOURS", "value": 1},
            "target_scope": "GLOBAL",
            "budget_action": "ALERT",
        },
    )["budget_policy"]
    client = _client(base)
    for _ in range(3):
        assert client.chat.completions.create(model="chat", messages=USER).choices
    (delivery,) = receiver.wait_for("/budget", 1)
    body = delivery.json
    assert body["entity"] == "budget_policy" and body["action"] == "exceeded"
    assert body["data"]["budget_policy_id"] == policy["budget_policy_id"]
    assert body["data"]["current_spend"] > 0
    time.sleep(0.5)  # a second alert would have been sent by now
    assert len(receiver.at("/budget")) == 1


def test_an_unpriced_model_is_flagged_on_the_trace_and_counted(
    server: GatewayServer, fake: FakeLLMServer, backend: Backend
) -> None:
    base = server.base_url
    experiment_id = backend.tracking.create_experiment("gw")
    make_endpoint(base, fake, model_name="no-such-priced-model", experiment_id=experiment_id)
    assert _client(base).chat.completions.create(model="chat", messages=USER).choices
    metrics = httpx.get(base + "/metrics").text
    assert "ardea_gateway_unpriced_calls_total" in metrics
    span = _one_span(backend, experiment_id)
    assert span.attributes["ardea.gateway.cost_unknown"] is True
    assert "mlflow.llm.cost" not in span.attributes


def _one_span(backend: Backend, experiment_id: str, count: int = 1) -> Any:
    deadline = time.monotonic() + 10
    while True:
        traces = backend.traces.search_traces([experiment_id])
        if len(traces) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(traces) == count
    newest = max(traces, key=lambda t: t.request_time)
    return backend.traces.get_trace(newest.trace_id).spans[0]


def _guardrail(base: str, endpoint_id: str, name: str, scorer_id: str, action: str) -> None:
    made = _ok(
        base,
        "/guardrails/create",
        {
            "name": name,
            "scorer_id": scorer_id,
            "scorer_version": 1,
            "stage": "BEFORE",
            "action": action,
        },
    )["guardrail"]
    _ok(
        base,
        "/guardrails/add-to-endpoint",
        {"endpoint_id": endpoint_id, "guardrail_id": made["guardrail_id"]},
    )


def test_guardrails_block_and_redact_with_the_decision_on_the_trace(
    server: GatewayServer, fake: FakeLLMServer, backend: Backend
) -> None:
    base = server.base_url
    experiment_id = backend.tracking.create_experiment("gw")
    endpoint_id = make_endpoint(base, fake, experiment_id=experiment_id)
    _guardrail(base, endpoint_id, "no-cards", "ardea:pii:credit_card", "VALIDATION")
    _guardrail(base, endpoint_id, "hide-emails", "ardea:pii:email", "SANITIZATION")
    client = _client(base)
    card = [{"role": "user", "content": "my card is 4111 1111 1111 1111"}]
    with pytest.raises(openai.BadRequestError) as blocked:
        client.chat.completions.create(model="chat", messages=card)  # type: ignore[arg-type]
    error = blocked.value.response.json()["error"]
    assert error["code"] == "guardrail_blocked" and "no-cards" in error["message"]
    assert "4111" not in error["message"]
    assert fake.requests_to("/chat/completions") == []
    span = _one_span(backend, experiment_id)
    decisions = {d["name"]: d for d in json.loads(span.attributes["ardea.gateway.guardrails"])}
    assert decisions["no-cards"]["outcome"] == "blocked"
    assert decisions["no-cards"]["rationale"] == "1 match(es): credit_card"
    assert span.attributes["ardea.gateway.status"] == 400

    mail = [{"role": "user", "content": "write to ann@example.com"}]
    assert client.chat.completions.create(model="chat", messages=mail).choices  # type: ignore[arg-type]
    sent = fake.requests_to("/chat/completions")[-1].body["messages"][0]["content"]
    assert sent == "write to [REDACTED:email]"
    span = _one_span(backend, experiment_id, 2)
    outcomes = {
        d["name"]: d["outcome"] for d in json.loads(span.attributes["ardea.gateway.guardrails"])
    }
    assert outcomes == {"no-cards": "passed", "hide-emails": "redacted"}


def test_a_guardrail_on_a_code_scorer_or_an_unknown_detector_is_refused(
    server: GatewayServer, backend: Backend
) -> None:
    experiment_id = backend.tracking.create_experiment("scorers")
    code = json.dumps({"name": "mine", "call_source": "return True", "original_func_name": "f"})
    version = backend.scorers.register_scorer(experiment_id, "mine", code)
    for scorer_id, expected in (
        (version.scorer_id, "cannot be a guardrail"),
        ("ardea:pii:email,dna", "unknown PII detector(s) dna"),
    ):
        r = httpx.post(
            server.base_url + G + "/guardrails/create",
            json={
                "name": "g",
                "scorer_id": scorer_id,
                "scorer_version": 1,
                "stage": "BEFORE",
                "action": "VALIDATION",
            },
        )
        assert r.status_code == 400, r.text
        assert expected in r.json()["message"]


def _basic(username: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def test_virtual_keys_expired_401_model_not_allowed_403_and_no_use_403(
    backend: Backend, fake: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    settings = ServerSettings(auth_enabled=True)
    admin = {"headers": _basic("admin", ADMIN_PASSWORD)}
    with GatewayServer(None, backend, replace(settings)) as server:
        base = server.base_url
        endpoint_id = make_endpoint(base, fake, **admin)
        store = backend.require_auth()
        bob = accounts.create_user(store, "bob", "a long enough password 1", actor="test")
        scopes = SqlKeyScopes(store.database)  # type: ignore[attr-defined]

        def key(**scope: Any) -> str:
            issued = issue_token(store, bob, f"k{time.monotonic_ns()}", None, actor="test")
            scopes.set(KeyScope(issued.info.id, **scope))
            return issued.token

        allowed = key(allowed_models=("chat",), metadata={"team": "search"})
        with pytest.raises(openai.PermissionDeniedError) as no_use:
            _client(base, allowed).chat.completions.create(model="chat", messages=USER)
        assert "USE" in no_use.value.response.json()["error"]["message"]
        grant = {
            "username": "bob",
            "resource_type": "gateway_endpoint",
            "resource_id": endpoint_id,
            "permission": "USE",
        }
        r = httpx.post(base + "/api/3.0/mlflow/users/permissions/grant", json=grant, **admin)
        assert r.status_code == 200, r.text
        assert _client(base, allowed).chat.completions.create(model="chat", messages=USER)

        other = key(allowed_models=("gpt-5*",))
        with pytest.raises(openai.PermissionDeniedError) as not_allowed:
            _client(base, other).chat.completions.create(model="chat", messages=USER)
        error = not_allowed.value.response.json()["error"]
        assert error["code"] == "model_not_allowed" and "gpt-5*" in error["message"]

        expired = key(expires=int(time.time() * 1000) - 1000)
        with pytest.raises(openai.AuthenticationError) as gone:
            _client(base, expired).chat.completions.create(model="chat", messages=USER)
        assert gone.value.response.json()["error"]["code"] == "invalid_api_key"


def test_keys_are_created_listed_and_revoked_over_rest_with_their_scope(
    backend: Backend, fake: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    admin = {"headers": _basic("admin", ADMIN_PASSWORD)}
    with GatewayServer(None, backend, ServerSettings(auth_enabled=True)) as server:
        base = server.base_url
        experiment_id = backend.tracking.create_experiment("gw")
        make_endpoint(base, fake, experiment_id=experiment_id, **admin)
        keys = base + "/api/3.0/ardea/gateway/keys"
        body = {
            "name": "search-team",
            "allowed_models": ["chat"],
            "metadata": {"team": "search", "project": "ranker"},
            "expires_in_days": 30,
        }
        r = httpx.post(keys + "/create", json=body, **admin)
        assert r.status_code == 200, r.text
        assert r.headers["cache-control"] == "no-store"
        made, secret = r.json()["key"], r.json()["secret"]
        assert made["allowed_models"] == ["chat"] and made["metadata"]["team"] == "search"
        assert made["expires"] > made["created"] and secret.startswith("ardea_")
        httpx.post(keys + "/create", json={"name": "plain"}, **admin)  # every endpoint it may USE
        listed = httpx.get(keys + "/list", **admin).json()["keys"]
        assert [k["name"] for k in listed] == ["plain", "search-team"]

        client = _client(base, secret)
        assert client.chat.completions.create(model="chat", messages=USER).choices
        span = _one_span(backend, experiment_id)
        assert span.attributes["ardea.gateway.key.team"] == "search"
        assert span.attributes["ardea.gateway.key.prefix"] == made["prefix"]

        r = httpx.post(keys + "/revoke", json={"key_id": made["id"]}, **admin)
        assert r.status_code == 200 and r.json()["key"]["revoked"] > 0
        with pytest.raises(openai.AuthenticationError):
            client.chat.completions.create(model="chat", messages=USER)
        r = httpx.post(keys + "/create", json={"name": "x", "allowed_models": [" "]}, **admin)
        assert r.status_code == 400 and "allowed_models" in r.json()["message"]
