"""ardea.llm tests: the fake provider, and no provider credentials from the machine."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_TESTS = str(Path(__file__).resolve().parents[2])
if _TESTS not in sys.path:  # tests/ holds the shared fixture modules
    sys.path.insert(0, _TESTS)

from fixtures.fake_llm_server import FakeLLMServer, fake_llm  # noqa: E402, F401

PROVIDER_ENV = (
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID",
    "OPENAI_API_VERSION", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_AD_TOKEN",
    "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "GEMINI_API_KEY",
    "GOOGLE_API_KEY", "MISTRAL_API_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_BEARER_TOKEN_BEDROCK",
    "OLLAMA_HOST", "VLLM_API_KEY", "ARDEA_TRACKING_URI", "MLFLOW_TRACKING_URI",
    "ARDEA_TRACKING_TOKEN", "MLFLOW_TRACKING_TOKEN", "ARDEA_TRACKING_USERNAME",
    "MLFLOW_TRACKING_USERNAME", "ARDEA_TRACKING_PASSWORD", "MLFLOW_TRACKING_PASSWORD",
)  # fmt: skip


@pytest.fixture(autouse=True)
def isolated_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No provider variable from the environment; the credentials file is tmp_path's."""
    for name in PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "credentials.toml"
    monkeypatch.setenv("ARDEA_CREDENTIALS_FILE", str(path))
    from ardea._core import context

    saved = context.configured_tracking_uri()
    context.set_configured_tracking_uri(None)
    yield path
    context.set_configured_tracking_uri(saved)


@pytest.fixture
def llm(fake_llm: FakeLLMServer) -> Iterator[FakeLLMServer]:  # noqa: F811
    """The session's fake provider, reset (no queued replies, no latency)."""
    fake_llm.reset()
    yield fake_llm
    fake_llm.reset()
