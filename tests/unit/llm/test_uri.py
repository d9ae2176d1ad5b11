"""Model URIs: MLflow's <provider>:/<model>, aliases, and clear errors."""

from __future__ import annotations

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.llm.uri import PROVIDERS, parse_model_uri, provider_spec


@pytest.mark.parametrize(
    ("uri", "provider", "model"),
    [
        ("openai:/gpt-4.1-mini", "openai", "gpt-4.1-mini"),
        ("anthropic:/claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5"),
        ("gemini:/gemini-2.5-flash", "gemini", "gemini-2.5-flash"),
        ("google:/gemini-2.5-pro", "gemini", "gemini-2.5-pro"),
        ("mistral:/mistral-large-latest", "mistral", "mistral-large-latest"),
        ("bedrock:/anthropic.claude-3-5-sonnet-20240620-v1:0", "bedrock",
         "anthropic.claude-3-5-sonnet-20240620-v1:0"),
        ("azure:/my-deployment", "azure", "my-deployment"),
        ("azure_openai:/my-deployment", "azure", "my-deployment"),
        ("ollama:/llama3.2", "ollama", "llama3.2"),
        ("hosted_vllm:/Qwen/Qwen2.5-7B", "vllm", "Qwen/Qwen2.5-7B"),
        ("openai_compatible:/any", "openai-compatible", "any"),
        ("gateway:/my-endpoint", "gateway", "my-endpoint"),
        ("openai://gpt-4o", "openai", "gpt-4o"),  # extra slashes are dropped, as MLflow does
    ],
)  # fmt: skip
def test_mlflow_uris_parse(uri: str, provider: str, model: str) -> None:
    ref = parse_model_uri(uri)
    assert ref.provider is not None and ref.provider.name == provider
    assert ref.model == model
    assert ref.uri == f"{provider}:/{model}"


@pytest.mark.parametrize("uri", ["gpt-4o", "openai:/", ":/gpt-4o", "openai/gpt-4o", ""])
def test_malformed_uris_name_the_expected_form(uri: str) -> None:
    with pytest.raises(InvalidArgumentError, match="<provider>:/<model>"):
        parse_model_uri(uri)


def test_databricks_endpoints_are_refused_clearly() -> None:
    with pytest.raises(InvalidArgumentError, match="Databricks"):
        parse_model_uri("endpoints:/my-endpoint")


def test_an_unknown_scheme_parses_without_a_provider() -> None:
    ref = parse_model_uri("my-server:/model-a")
    assert ref.provider is None and ref.scheme == "my-server"


def test_every_provider_has_a_known_wire() -> None:
    assert {p.wire for p in PROVIDERS.values()} == {"openai", "azure", "anthropic", "gemini",
                                                    "bedrock"}  # fmt: skip
    assert provider_spec("LM_Studio") is PROVIDERS["lmstudio"]
