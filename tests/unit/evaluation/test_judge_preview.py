"""What the server may call for a judge preview (:mod:`ardea.evaluation.judge_preview`): the
providers it holds credentials for, read from the environment and the credentials file only."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.judge_preview import (
    JudgeDraft,
    build_draft_judge,
    check_server_model,
    server_providers,
)
from ardea.llm.uri import PROVIDERS

_ENV = {v for p in PROVIDERS.values() for v in (*p.key_env, *p.base_url_env)} | {
    "OLLAMA_HOST",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_BEARER_TOKEN_BEDROCK",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AZURE_OPENAI_AD_TOKEN",
    "ANTHROPIC_AUTH_TOKEN",
}


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No provider variable set; the credentials file (absent until written) in ``tmp_path``."""
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "credentials.toml"
    monkeypatch.setenv("ARDEA_CREDENTIALS_FILE", str(path))
    return path


def test_nothing_configured_means_no_provider(credentials: Path) -> None:
    assert server_providers() == []
    with pytest.raises(InvalidArgumentError, match="no credentials for provider 'openai'"):
        check_server_model("openai:/gpt-4.1-mini")


def test_keys_from_the_environment_and_the_file(
    credentials: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant")
    credentials.write_text(
        '[mistral]\napi_key = "m"\n\n[my-vllm]\nbase_url = "http://gpu:8000/v1"\n',
        encoding="utf-8",
    )
    assert server_providers() == ["anthropic", "mistral", "my-vllm"]
    assert check_server_model("my-vllm:/llama") == "my-vllm:/llama"
    assert check_server_model("anthropic:/claude-sonnet-4-5")


def test_local_servers_only_with_an_explicit_base_url(
    credentials: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InvalidArgumentError, match="'ollama'"):
        check_server_model("ollama:/llama3")  # not by its localhost default
    monkeypatch.setenv("OLLAMA_HOST", "gpu-box:11434")
    assert "ollama" in server_providers()
    assert check_server_model("ollama:/llama3")


def test_the_gateway_is_never_called(credentials: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk")
    assert "gateway" not in server_providers()
    with pytest.raises(InvalidArgumentError, match="cannot run server-side judges"):
        check_server_model("gateway:/endpoint")


def test_draft_value_types(credentials: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk")
    draft = JudgeDraft("tone", "Tone of {{ outputs }}?", "openai:/gpt-4.1-mini")
    assert build_draft_judge(draft).value_type is bool
    numeric = JudgeDraft("score", "Score {{ outputs }}", "openai:/m", "number")
    assert build_draft_judge(numeric).value_type is float
    cat = JudgeDraft("tone", "Tone of {{ outputs }}?", "openai:/m", "categorical", ("warm", "cold"))
    assert build_draft_judge(cat).value_type == Literal["warm", "cold"]
    with pytest.raises(InvalidArgumentError, match="only for feedback_value_type=categorical"):
        build_draft_judge(JudgeDraft("t", "{{ outputs }}", "openai:/m", "boolean", ("a", "b")))
