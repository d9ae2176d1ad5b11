"""Credentials: arguments, then each provider's environment variables, then the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea._core import context
from ardea._core.errors import InvalidArgumentError
from ardea.llm.credentials import Secret, load_credentials_file, resolve_config
from ardea.llm.errors import ConfigurationError
from ardea.llm.uri import parse_model_uri


def _cfg(uri: str, **kw: object):  # type: ignore[no-untyped-def]
    return resolve_config(parse_model_uri(uri), **kw)  # type: ignore[arg-type]


def test_openai_reads_its_sdk_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://proxy.local/v1/")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-1")
    cfg = _cfg("openai:/gpt-4o")
    assert cfg.api_key == Secret("sk-env")
    assert cfg.base_url == "http://proxy.local/v1"
    assert dict(cfg.headers)["OpenAI-Organization"] == Secret("org-1")
    assert cfg.missing is None


def test_arguments_beat_the_environment_which_beats_the_file(
    monkeypatch: pytest.MonkeyPatch, isolated_credentials: Path
) -> None:
    isolated_credentials.write_text('[anthropic]\napi_key = "from-file"\nbase_url = "http://f"\n')
    assert _cfg("anthropic:/claude").api_key == Secret("from-file")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "from-env")
    assert _cfg("anthropic:/claude").api_key == Secret("from-env")
    assert _cfg("anthropic:/claude", api_key="from-arg").api_key == Secret("from-arg")
    assert _cfg("anthropic:/claude").base_url == "http://f"


def test_gemini_prefers_google_api_key_as_its_sdk_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "gem")
    assert _cfg("gemini:/g").api_key == Secret("gem")
    monkeypatch.setenv("GOOGLE_API_KEY", "goo")
    assert _cfg("gemini:/g").api_key == Secret("goo")


def test_azure_reads_endpoint_key_and_api_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "az")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://r.openai.azure.com/")
    cfg = _cfg("azure:/dep")
    assert (cfg.base_url, cfg.api_version, cfg.wire) == ("https://r.openai.azure.com",
                                                         "2024-10-21", "azure")  # fmt: skip
    monkeypatch.setenv("OPENAI_API_VERSION", "2025-01-01-preview")
    assert _cfg("azure:/dep").api_version == "2025-01-01-preview"


def test_bedrock_reads_the_aws_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKID")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    cfg = _cfg("bedrock:/amazon.nova-lite-v1:0")
    assert cfg.base_url == "https://bedrock-runtime.eu-west-3.amazonaws.com"
    assert (cfg.aws_access_key_id, cfg.aws_secret_access_key, cfg.aws_session_token) == (
        "AKID", Secret("secret"), Secret("token"))  # fmt: skip


def test_ollama_reads_ollama_host(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _cfg("ollama:/llama3").base_url == "http://localhost:11434/v1"
    monkeypatch.setenv("OLLAMA_HOST", "0.0.0.0:9999")
    assert _cfg("ollama:/llama3").base_url == "http://0.0.0.0:9999/v1"
    assert _cfg("ollama:/llama3").missing is None  # no key needed


def test_gateway_uses_the_tracking_uri_and_its_token(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _cfg("gateway:/e").missing is not None
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking:5000/")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "tok")
    cfg = _cfg("gateway:/e")
    assert cfg.base_url == "http://tracking:5000/gateway/mlflow/v1"
    assert cfg.bearer == Secret("tok")
    context.set_configured_tracking_uri("https://other")
    assert _cfg("gateway:/e").base_url == "https://other/gateway/mlflow/v1"


def test_a_custom_scheme_comes_from_the_file(isolated_credentials: Path) -> None:
    with pytest.raises(InvalidArgumentError, match=r"\[my-vllm\]"):
        _cfg("my-vllm:/m")
    isolated_credentials.write_text(
        '[my-vllm]\nbase_url = "http://gpu:8000/v1"\nheaders = { "X-Team" = "search" }\n'
    )
    cfg = _cfg("my-vllm:/m")
    assert (cfg.provider, cfg.wire, cfg.base_url) == ("my-vllm", "openai", "http://gpu:8000/v1")
    assert dict(cfg.headers) == {"X-Team": Secret("search")}


def test_a_missing_key_fails_at_call_time_naming_the_variable() -> None:
    cfg = _cfg("openai:/gpt-4o")
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        cfg.require()


def test_a_broken_file_is_named_but_not_quoted(isolated_credentials: Path) -> None:
    isolated_credentials.write_text('[openai]\napi_key = "sk-secret-value\n')
    with pytest.raises(InvalidArgumentError) as err:
        load_credentials_file()
    assert str(isolated_credentials) in str(err.value)
    assert "sk-secret-value" not in str(err.value)


def test_configs_with_equal_settings_share_a_fingerprint() -> None:
    a = _cfg("openai:/gpt-4o", api_key="k1", base_url="http://x")
    b = _cfg("openai:/gpt-4o-mini", api_key="k1", base_url="http://x")
    c = _cfg("openai:/gpt-4o", api_key="k2", base_url="http://x")
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()
    assert "k1" not in a.fingerprint()
