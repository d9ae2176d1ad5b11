"""Counter stores for the limit tests: SQLite, PostgreSQL, MySQL and Redis."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.gateway.limits import open_counter_store
from ardea.store.gateway_limits import CounterStore

_TESTS = str(Path(__file__).resolve().parents[3])
if _TESTS not in sys.path:  # tests/ holds the shared fixture modules
    sys.path.insert(0, _TESTS)

from fixtures.fake_llm_server import FakeLLMServer, fake_llm  # noqa: E402, F401
from fixtures.webhook_receiver import receiver  # noqa: E402, F401


@pytest.fixture
def llm(
    fake_llm: FakeLLMServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[FakeLLMServer]:
    """The fake provider, reset, as the judges' ``openai:/`` endpoint."""
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.openai_base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-guardrails")
    monkeypatch.setenv("ARDEA_CREDENTIALS_FILE", str(tmp_path / "credentials.toml"))
    fake_llm.reset()
    yield fake_llm
    fake_llm.reset()


@pytest.fixture(params=["sqlite", "postgres", "mysql", "redis"])
def store_spec(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """``sql:<uri>`` / ``redis:<url>`` of one backend (skips without its service)."""
    if request.param == "sqlite":
        return f"sql:sqlite:///{tmp_path / 'limits.db'}"
    if request.param == "postgres":
        return "sql:" + str(request.getfixturevalue("postgres_uri"))
    if request.param == "mysql":
        return "sql:" + str(request.getfixturevalue("mysql_uri"))
    return "redis:" + str(request.getfixturevalue("redis_url"))


@pytest.fixture
def counters(store_spec: str) -> Iterator[CounterStore]:
    """An open counter store on ``store_spec``."""
    store = open_counter_store(store_spec)
    yield store
    close = getattr(store, "close", None) or getattr(getattr(store, "_db", None), "close", None)
    if close is not None:
        close()
