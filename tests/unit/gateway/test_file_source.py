"""The config-file gateway source: MLflow's legacy schema, Ardea's richer form, credentials from
the environment only, and validation errors with file:line, field and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea.gateway.config import GatewaySource
from ardea.gateway.file_source import FileGatewaySource, GatewayConfigError, parse_config

ENV = {"OPENAI_API_KEY": "sk-openai-123456", "ANTHROPIC_API_KEY": "sk-ant-987654"}

LEGACY = """\
endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o-mini
      config:
        openai_api_key: $OPENAI_API_KEY
        openai_api_version: "2024-06-01"
    limit:
      renewal_period: minute
      calls: 10
  - name: chat-b
    endpoint_type: llm/v1/chat
    model:
      provider: anthropic
      name: claude-sonnet-4-5
      config:
        anthropic_api_key: ${ANTHROPIC_API_KEY}
  - name: embed
    endpoint_type: llm/v1/embeddings
    model:
      provider: openai
      name: text-embedding-3-small
      config:
        openai_api_key: $OPENAI_API_KEY
routes:
  - name: ab
    task_type: llm/v1/chat
    destinations:
      - name: chat
        traffic_percentage: 80
      - name: chat-b
        traffic_percentage: 20
    routing_strategy: TRAFFIC_SPLIT
"""

RICH = """\
endpoints:
  - name: chat
    models:
      - {provider: openai, name: gpt-4.1-mini, weight: 3, config: {api_key: $OPENAI_API_KEY}}
      - provider: anthropic
        name: claude-sonnet-4-5
        config: {api_key: $ANTHROPIC_API_KEY, api_base: "https://api.anthropic.com"}
    fallback:
      max_attempts: 2
      on: [error, rate_limit]
      models:
        - {provider: mistralai, name: mistral-small, config: {api_key: $OPENAI_API_KEY}}
    timeout_s: 30
    allow_model_override: true
    cache: {ttl_s: 300}
    limits:
      - {scope: key, requests_per_minute: 60, tokens_per_minute: 100000}
    experiment_id: "7"
    usage_tracking: false
    tags: {team: search}
    workspace: team-a
"""


def test_mlflow_legacy_schema(tmp_path: Path) -> None:
    path = tmp_path / "gateway.yaml"
    path.write_text(LEGACY)
    source: GatewaySource = FileGatewaySource(path, env=ENV)
    chat = source.endpoint("default", "chat")
    assert chat is not None and chat.endpoint_type == "llm/v1/chat"
    (target,) = chat.primary
    assert (target.provider, target.model) == ("openai", "gpt-4o-mini")
    assert target.options == {"api_version": "2024-06-01"}
    assert source.credentials(target) == {"api_key": "sk-openai-123456"}
    assert chat.limits[0].requests_per_minute == 10 and chat.limits[0].scope == "endpoint"
    assert _keys_not_in(repr(chat))
    embed = source.endpoint("default", "embed")
    assert embed is not None and embed.endpoint_type == "llm/v1/embeddings"
    ab = source.endpoint("default", "ab")
    assert ab is not None
    assert [(t.provider, t.weight) for t in ab.primary] == [("openai", 80.0), ("anthropic", 20.0)]
    assert source.credentials(ab.primary[1]) == {"api_key": "sk-ant-987654"}
    assert [e.name for e in source.endpoints("default")] == ["ab", "chat", "chat-b", "embed"]


def _keys_not_in(text: str) -> bool:
    return all(v not in text for v in ENV.values())


def test_ardea_rich_form() -> None:
    (endpoint,), credentials = parse_config(RICH, "g.yaml", ENV)
    assert endpoint.workspace == "team-a" and endpoint.endpoint_id == "chat"
    assert [(t.provider, t.weight) for t in endpoint.primary] == [
        ("openai", 3.0),
        ("anthropic", 1.0),
    ]
    assert endpoint.primary[1].base_url == "https://api.anthropic.com"
    assert endpoint.fallback is not None
    assert endpoint.fallback.targets[0].provider == "mistral"  # ardea.llm's name
    assert endpoint.fallback.max_attempts == 2
    assert endpoint.fallback.on == frozenset({"error", "rate_limit"})
    assert (endpoint.timeout_s, endpoint.cache_ttl_s, endpoint.allow_model_override) == (
        30.0,
        300.0,
        True,
    )
    assert endpoint.limits[0].tokens_per_minute == 100000
    assert (endpoint.experiment_id, endpoint.usage_tracking) == ("7", False)
    assert endpoint.tags == {"team": "search"}
    assert credentials[endpoint.primary[0].secret_ref or ""] == {"api_key": "sk-openai-123456"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("endpoints: [\n  {name: x", "g.yaml:2: not valid YAML"),
        ("routes: []\n", "g.yaml:1: (top): expected a map with endpoints"),
        (
            "endpoints:\n  - name: bad name\n    model: {provider: openai, name: m}\n",
            "g.yaml:2: endpoints[0].name: expected a name of letters",
        ),
        (
            "endpoints:\n  - name: a\n    model:\n      provider: openai\n      name: m\n"
            "      config:\n        openai_api_key: sk-literal-key\n",
            "g.yaml:7: endpoints[0].model.config.openai_api_key: a credential must be an "
            "environment reference",
        ),
        (
            "endpoints:\n  - name: a\n    model:\n      provider: openai\n      name: m\n"
            "      config: {api_key: $NOT_SET_ANYWHERE}\n",
            "environment variable NOT_SET_ANYWHERE is not set",
        ),
        (
            "endpoints:\n  - name: a\n    endpoint_type: llm/v9/chat\n"
            "    model: {provider: openai, name: m}\n",
            "g.yaml:3: endpoints[0].endpoint_type: expected one of llm/v1/chat",
        ),
        (
            "endpoints:\n  - name: a\n    modle: {provider: openai, name: m}\n",
            "g.yaml:3: endpoints[0].modle: unknown key",
        ),
        (
            "endpoints:\n  - name: a\n    models:\n"
            "      - {provider: openai, name: m, weight: 0}\n",
            "g.yaml:4: endpoints[0].models[0].weight: expected a positive number",
        ),
        (
            "endpoints:\n  - name: a\n    model: {provider: openai, name: m}\n"
            "    limit: {renewal_period: hour, calls: 5}\n",
            "endpoints[0].limit.renewal_period: only 'minute' is supported",
        ),
        (
            "endpoints:\n  - name: a\n    model: {provider: openai, name: m}\n"
            "  - name: a\n    model: {provider: openai, name: m}\n",
            "g.yaml:4: endpoints[1].name: a second endpoint named 'a'",
        ),
        (
            "endpoints:\n  - name: a\n    model: {provider: openai, name: m}\nroutes:\n"
            "  - name: r\n    destinations:\n      - {name: a, traffic_percentage: 70}\n",
            "routes[0].destinations: traffic percentages sum to 70, not 100",
        ),
        (
            "endpoints:\n  - name: a\n    model:\n      provider: openai\n      name: m\n"
            "      config: {api_base: 'http://127.0.0.1:8000/v1'}\n",
            "ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS",
        ),
    ],
)
def test_validation_errors_say_where_and_what(
    text: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS", raising=False)
    with pytest.raises(GatewayConfigError) as caught:
        parse_config(text, "g.yaml", ENV)
    assert expected in str(caught.value), str(caught.value)
    assert "sk-literal-key" not in str(caught.value)


def test_every_problem_is_listed() -> None:
    text = "endpoints:\n  - name: 'a b'\n    model: {provider: openai}\n    timeout_s: -1\n"
    with pytest.raises(GatewayConfigError) as caught:
        parse_config(text, "g.yaml", ENV)
    message = str(caught.value)
    assert "endpoints[0].name" in message
    assert "endpoints[0].model.name" in message
    assert "endpoints[0].timeout_s" in message


def test_private_upstream_allowed_by_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS", "1")
    text = (
        "endpoints:\n  - name: local\n    model:\n      provider: ollama\n      name: llama3\n"
        "      config: {api_base: 'http://127.0.0.1:11434'}\n"
    )
    (endpoint,), _ = parse_config(text, "g.yaml", ENV)
    assert endpoint.primary[0].base_url == "http://127.0.0.1:11434"


def test_reload_moves_generation_and_keeps_a_good_config(tmp_path: Path) -> None:
    path = tmp_path / "gateway.yaml"
    path.write_text(LEGACY)
    source = FileGatewaySource(path, env=ENV)
    first = source.generation
    assert source.reload() is False and source.generation == first
    path.write_text(LEGACY.replace("gpt-4o-mini", "gpt-4.1-mini"))
    assert source.reload() is True and source.generation != first
    chat = source.endpoint("default", "chat")
    assert chat is not None and chat.primary[0].model == "gpt-4.1-mini"
    path.write_text("endpoints: 3\n")
    with pytest.raises(GatewayConfigError):
        source.reload()
    assert source.endpoint("default", "chat") == chat  # the good config stays
