"""LLMClient against the fake provider over HTTP: every adapter, sync and async."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from ardea._core.errors import NotImplementedFeatureError
from ardea.llm import get_client
from ardea.llm.client import LLMClient
from ardea.llm.errors import ConfigurationError
from fixtures import fake_llm_bedrock as bedrock_wire
from fixtures.fake_llm_server import FakeLLMServer

Factory = Callable[[FakeLLMServer, pytest.MonkeyPatch], LLMClient]

CLIENTS: dict[str, tuple[Factory, str]] = {
    # name: (factory, path the chat request must reach)
    "openai": (lambda f, mp: get_client("openai:/gpt-4o-mini", base_url=f.openai_base_url,
                                        api_key="sk-test"), "/v1/chat/completions"),
    "azure": (lambda f, mp: get_client("azure:/my-deployment", base_url=f.base_url,
                                       api_key="az-test"),
              "/openai/deployments/my-deployment/chat/completions"),
    "anthropic": (lambda f, mp: get_client("anthropic:/claude-3-5-haiku-20241022",
                                           base_url=f.anthropic_base_url, api_key="ak-test"),
                  "/v1/messages"),
    "gemini": (lambda f, mp: get_client("gemini:/gemini-2.5-flash", base_url=f.base_url,
                                        api_key="gk-test"),
               "/v1beta/models/gemini-2.5-flash:generateContent"),
    "mistral": (lambda f, mp: get_client("mistral:/mistral-small-latest",
                                         base_url=f.openai_base_url, api_key="mk-test"),
                "/v1/chat/completions"),
    "bedrock": (lambda f, mp: _bedrock(f, mp, "anthropic.claude-3-5-haiku-20241022-v1:0"),
                "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse"),
    "openai-compatible": (lambda f, mp: get_client("openai-compatible:/local-model",
                                                   base_url=f.openai_base_url),
                          "/v1/chat/completions"),
    "ollama": (lambda f, mp: _env_client(mp, "OLLAMA_HOST", f.base_url, "ollama:/llama3.2"),
               "/v1/chat/completions"),
    "gateway": (lambda f, mp: _env_client(mp, "ARDEA_TRACKING_URI", f.base_url,
                                          "gateway:/my-endpoint"),
                "/gateway/mlflow/v1/chat/completions"),
}  # fmt: skip


def _bedrock(f: FakeLLMServer, mp: pytest.MonkeyPatch, model: str) -> LLMClient:
    mp.setenv("AWS_ACCESS_KEY_ID", bedrock_wire.ACCESS_KEY)
    mp.setenv("AWS_SECRET_ACCESS_KEY", bedrock_wire.SECRET_KEY)
    mp.setenv("AWS_REGION", "us-west-2")
    return get_client(f"bedrock:/{model}", base_url=f.base_url)


def _env_client(mp: pytest.MonkeyPatch, var: str, value: str, uri: str) -> LLMClient:
    mp.setenv(var, value)
    return get_client(uri)


def _run(client: LLMClient, mode: str, *args: object, **kw: object):  # type: ignore[no-untyped-def]
    if mode == "async":
        return asyncio.run(client.achat(*args, **kw))  # type: ignore[arg-type]
    return client.chat(*args, **kw)  # type: ignore[arg-type]


SCHEMA = {
    "type": "object",
    "properties": {"result": {"type": "string", "enum": ["yes", "no"]},
                   "rationale": {"type": "string"}},
    "required": ["result", "rationale"],
}  # fmt: skip


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_chat(name: str, mode: str, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    factory, path = CLIENTS[name]
    client = factory(llm, monkeypatch)
    result = _run(client, mode, [{"role": "system", "content": "Be brief."},
                                 {"role": "user", "content": "hello fake"}],
                  temperature=0, max_tokens=50)  # fmt: skip
    assert result.text == "echo: hello fake"
    assert result.finish_reason == "stop"
    assert result.usage.input_tokens > 0 and result.usage.output_tokens == 3
    assert result.attempts == 1 and result.provider == client.provider
    assert result.latency_s > 0
    (request,) = llm.requests
    assert request.path == path


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_structured_output(
    name: str, mode: str, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = CLIENTS[name][0](llm, monkeypatch)
    result = _run(client, mode, "Is water wet?", response_schema=SCHEMA)
    assert result.parsed == {"result": "yes", "rationale": "fake"}
    body = llm.requests[-1].body
    if name in ("anthropic",):
        assert body["tool_choice"] == {"type": "tool", "name": "response"}
    elif name == "bedrock":
        assert body["toolConfig"]["toolChoice"] == {"tool": {"name": "response"}}
    elif name == "gemini":
        assert body["generationConfig"]["responseSchema"]["properties"]["result"] == {
            "type": "STRING", "enum": ["yes", "no"]}  # fmt: skip
    else:
        assert body["response_format"]["json_schema"]["schema"] == SCHEMA


@pytest.mark.parametrize("name", ["openai", "anthropic", "gemini", "bedrock", "azure"])
def test_tool_calls(name: str, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    client = CLIENTS[name][0](llm, monkeypatch)
    llm.queue_chat(tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}}])
    tools = [{"type": "function", "function": {
        "name": "get_weather", "description": "Weather of a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]  # fmt: skip
    result = client.chat("weather in Paris?", tools=tools, tool_choice="auto")
    (call,) = result.tool_calls
    assert (call.name, call.arguments) == ("get_weather", {"city": "Paris"})
    assert result.finish_reason == "tool_calls" and call.id
    # the tool's answer goes back in the provider's own shape
    follow = client.chat([
        {"role": "user", "content": "weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [{
            "id": call.id, "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
        {"role": "tool", "tool_call_id": call.id, "content": "sunny"},
        {"role": "user", "content": "thanks"},
    ], tools=tools)  # fmt: skip
    assert follow.text.endswith("thanks")  # Anthropic merges the tool result into that turn


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("name", ["openai", "azure", "gemini", "mistral", "gateway"])
def test_embeddings(
    name: str, mode: str, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = CLIENTS[name][0](llm, monkeypatch)
    texts = ["alpha", "beta", "alpha"]
    result = asyncio.run(client.aembed(texts)) if mode == "async" else client.embed(texts)
    assert len(result.vectors) == 3 and len(result.vectors[0]) == 8
    assert result.vectors[0] == result.vectors[2] != result.vectors[1]


def test_bedrock_embeddings_titan_one_text_per_request_and_cohere_batched(
    llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    titan = _bedrock(llm, monkeypatch, "amazon.titan-embed-text-v2:0").embed(["a b", "c"])
    assert len(titan.vectors) == 2 and titan.usage.input_tokens == 3 and titan.attempts == 2
    openai_vectors = CLIENTS["openai"][0](llm, monkeypatch).embed(["a b", "c"]).vectors
    assert titan.vectors == openai_vectors  # the fake's vectors are the same on every wire
    llm.reset()
    cohere = _bedrock(llm, monkeypatch, "cohere.embed-english-v3").embed(["a", "b", "c"])
    assert len(cohere.vectors) == 3 and len(llm.requests) == 1


def test_bedrock_requests_are_signed_and_a_bad_signature_is_refused(
    llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _bedrock(llm, monkeypatch, "amazon.nova-lite-v1:0")
    assert client.chat("hi").text == "echo: hi"
    auth = llm.requests[-1].headers["authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDFAKEBEDROCK/")
    assert "/us-west-2/bedrock/aws4_request" in auth
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "a-wrong-secret")
    from ardea.llm.errors import AuthenticationError

    with pytest.raises(AuthenticationError, match="refused"):
        get_client("bedrock:/amazon.nova-lite-v1:0", base_url=llm.base_url).chat("hi")


def test_bedrock_api_key_is_a_bearer_token(
    llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", bedrock_wire.BEARER_TOKEN)
    client = get_client("bedrock:/amazon.nova-lite-v1:0", base_url=llm.base_url)
    assert client.chat("hi").text == "echo: hi"


def test_cost_comes_from_the_price_table(
    llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    llm.queue_chat("ok", input_tokens=1_000_000, output_tokens=1_000_000)
    result = CLIENTS["openai"][0](llm, monkeypatch).chat("hi")
    assert result.cost is not None and result.cost.total_cost == pytest.approx(0.15 + 0.6)
    local = CLIENTS["ollama"][0](llm, monkeypatch).chat("hi")
    assert local.cost is None  # a local server is never priced


def test_anthropic_cache_tokens_count_in_the_prompt(
    llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    llm.queue_chat("ok", input_tokens=100, cached_input_tokens=60, cache_creation_input_tokens=10)
    result = CLIENTS["anthropic"][0](llm, monkeypatch).chat("hi")
    assert result.usage.input_tokens == 100 + 10  # uncached 40 + read 60 + written 10
    assert (result.usage.cached_input_tokens, result.usage.cache_write_input_tokens) == (60, 10)


def test_a_missing_key_fails_before_sending(llm: FakeLLMServer) -> None:
    client = get_client("openai:/gpt-4o", base_url=llm.openai_base_url)
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        client.chat("hi")
    assert llm.requests == []


def test_anthropic_has_no_embeddings(llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(NotImplementedFeatureError, match="no embeddings API"):
        CLIENTS["anthropic"][0](llm, monkeypatch).embed(["x"])


def test_clients_of_one_config_share_pool_and_limiter(llm: FakeLLMServer) -> None:
    a = get_client("openai:/gpt-4o", base_url=llm.openai_base_url, api_key="k")
    b = get_client("openai:/gpt-4o-mini", base_url=llm.openai_base_url, api_key="k")
    c = get_client("openai:/gpt-4o", base_url=llm.openai_base_url, api_key="other")
    assert a.limiter is b.limiter and a.limiter is not c.limiter
