"""DatabaseGatewaySource: stored endpoints resolved for the request path, cached with a TTL,
refreshed at once after this process's writes and within the TTL after another's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities.gateway import ModelConfig
from ardea.gateway.config import Endpoint, GatewaySource, RetryPolicy
from ardea.gateway.db_source import DatabaseGatewaySource
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.gateway.store import SqlGatewayStore

KEY = "sk-test-0123456789"


@pytest.fixture
def backend() -> Iterator[Backend]:
    opened = open_sql_backend("sqlite:///:memory:")
    yield opened
    opened.close()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _endpoint(backend: Backend) -> str:
    g = backend.gateway
    secret = g.create_secret(
        "k",
        {"api_key": KEY},
        "openai",
        {"api_base": "https://llm.example.com/v1", "api_version": "2024-01"},
    )
    one = g.create_model_definition("small", "openai", "gpt-4.1-mini", secret.secret_id)
    two = g.create_model_definition("claude", "anthropic", "claude-sonnet", secret.secret_id)
    three = g.create_model_definition("bedrock", "amazon-bedrock", "llama", None)
    endpoint = g.create_endpoint(
        "chat",
        [
            ModelConfig(one.model_definition_id, "PRIMARY", 3.0),
            ModelConfig(two.model_definition_id, "PRIMARY", 1.0),
            ModelConfig(three.model_definition_id, "FALLBACK", 1.0, 2),
            ModelConfig(two.model_definition_id, "FALLBACK", 1.0, 1),
        ],
        fallback_strategy="SEQUENTIAL",
        options={
            "timeout_s": 30,
            "cache_ttl_s": 300,
            "allow_model_override": True,
            "retry": {"retries": 2, "backoff_s": 0.5, "on": ["error"]},
            "limits": [{"scope": "user", "requests_per_minute": 10, "tokens_per_minute": 1000}],
        },
    )
    guard = g.create_guardrail("pii", "sc-1", "BEFORE", "SANITIZATION")
    g.add_guardrail_to_endpoint(endpoint.endpoint_id, guard.guardrail_id, 1)
    g.set_endpoint_tag(endpoint.endpoint_id, "team", "search")
    return endpoint.endpoint_id


def test_resolves_stored_endpoints(backend: Backend) -> None:
    endpoint_id = _endpoint(backend)
    source: GatewaySource = DatabaseGatewaySource(lambda ws: backend.scoped(ws).gateway)
    found = source.endpoint("default", "chat")
    assert isinstance(found, Endpoint)
    assert found.endpoint_id == endpoint_id and found.workspace == "default"
    assert [(t.name, t.provider, t.weight) for t in found.primary] == [
        ("claude", "anthropic", 1.0),
        ("small", "openai", 3.0),
    ]
    assert found.primary[1].base_url == "https://llm.example.com/v1"
    assert found.primary[1].options == {"api_version": "2024-01"}
    assert found.fallback is not None
    assert [t.name for t in found.fallback.targets] == ["claude", "bedrock"]
    assert found.fallback.targets[1].provider == "bedrock"  # normalized to ardea.llm's name
    assert found.fallback.max_attempts == 3
    assert (found.timeout_s, found.cache_ttl_s, found.allow_model_override) == (30.0, 300, True)
    assert found.limits[0].scope == "user" and found.limits[0].tokens_per_minute == 1000
    assert found.retry == RetryPolicy(2, 0.5, 5.0, frozenset({"error"}))
    assert len(found.guardrail_ids) == 1 and found.tags == {"team": "search"}
    assert source.endpoint("default", "missing") is None
    assert source.endpoint("no-such-workspace", "chat") is None
    assert source.endpoints("Not A Workspace!") == []
    assert [e.name for e in source.endpoints("default")] == ["chat"]
    assert source.credentials(found.primary[0]) == {"api_key": KEY}
    assert source.credentials(found.fallback.targets[1]) == {}


def test_own_writes_apply_at_once(backend: Backend) -> None:
    _endpoint(backend)
    clock = Clock()
    source = DatabaseGatewaySource(lambda ws: backend.scoped(ws).gateway, clock=clock)
    first = source.endpoint("default", "chat")
    generation = source.generation
    assert first is not None
    backend.gateway.update_endpoint(first.endpoint_id, options={"timeout_s": 5})
    assert source.generation != generation
    updated = source.endpoint("default", "chat")
    assert updated is not None and updated.timeout_s == 5.0
    secret_id = first.primary[0].secret_ref
    assert secret_id is not None
    assert source.credentials(first.primary[0]) == {"api_key": KEY}
    backend.gateway.update_secret(secret_id, {"api_key": "sk-rotated-000000"})
    assert source.credentials(first.primary[0]) == {"api_key": "sk-rotated-000000"}


def test_other_replicas_writes_within_the_ttl(backend: Backend) -> None:
    _endpoint(backend)
    clock = Clock()
    source = DatabaseGatewaySource(lambda ws: backend.scoped(ws).gateway, ttl_s=60, clock=clock)
    first = source.endpoint("default", "chat")
    assert first is not None
    generation = source.generation
    # Another replica: its own store on the same database (its writes do not move ours).
    db = backend.tracking.database  # type: ignore[attr-defined]
    other = SqlGatewayStore(db, backend.gateway.cipher)  # type: ignore[attr-defined]
    other.update_endpoint(first.endpoint_id, options={"timeout_s": 7})
    clock.now = 59.0
    stale = source.endpoint("default", "chat")
    assert stale is not None and stale.timeout_s == 30.0  # still cached
    assert source.generation == generation
    clock.now = 60.0
    fresh = source.endpoint("default", "chat")
    assert fresh is not None and fresh.timeout_s == 7.0
    assert source.generation != generation


@pytest.mark.parametrize(
    ("retry", "message"),
    [
        ({"retries": 99}, "'options.retry.retries' must be an integer from 0 to 10"),
        ({"on": ["sometimes"]}, "'options.retry.on' must be a list of"),
        ({"backoff_s": -1}, "'options.retry.backoff_s' must be a positive number"),
        ({"wait": 1}, "'options.retry' has unknown keys: wait"),
    ],
)
def test_a_bad_stored_retry_option_is_refused(
    backend: Backend, retry: dict[str, Any], message: str
) -> None:
    endpoint_id = _endpoint(backend)
    with pytest.raises(InvalidArgumentError, match=re.escape(message)):
        backend.gateway.update_endpoint(endpoint_id, options={"retry": retry})
