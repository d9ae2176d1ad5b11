"""ardea.judges tests: the fake provider as the judges' OpenAI endpoint."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_TESTS = str(Path(__file__).resolve().parents[2])
if _TESTS not in sys.path:  # tests/ holds the shared fixture modules
    sys.path.insert(0, _TESTS)

from fixtures.fake_llm_server import FakeLLMServer, fake_llm  # noqa: E402, F401
from fixtures.scorer_traces import SECRET_KEY  # noqa: E402


@pytest.fixture
def llm(
    fake_llm: FakeLLMServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[FakeLLMServer]:
    """The fake provider, reset, as ``openai:/``."""
    for name in ("ARDEA_JUDGE_MODEL", "MLFLOW_GENAI_JUDGE_DEFAULT_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.openai_base_url)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET_KEY)
    monkeypatch.setenv("ARDEA_CREDENTIALS_FILE", str(tmp_path / "credentials.toml"))
    fake_llm.reset()
    yield fake_llm
    fake_llm.reset()
