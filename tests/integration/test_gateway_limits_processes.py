"""A rate limit is exact at its boundary across two ``ardea server`` processes.

Two real server processes share one database (PostgreSQL, its own schema per test) and,
in the second case, Redis counters (``ARDEA_GATEWAY_REDIS_URL``, the database then a SQLite
file). Callers race through both with the ``openai`` SDK: exactly N calls of the minute pass,
every other one gets OpenAI's 429 with ``Retry-After``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from fixtures.fake_llm_server import FakeLLMServer, fake_llm

from .conftest import LiveServer

__all__ = ["fake_llm"]

G = "/api/3.0/mlflow/gateway"
LIMIT = 12
CALLS = 30
USER = [{"role": "user", "content": "hello"}]
ENV = {"ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS": "1", "ARDEA_SECRET_KEY": "processes test key"}


@pytest.fixture
def postgres_pair(
    live_server_factory: Callable[..., LiveServer], postgres_uri: str
) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two servers on one PostgreSQL schema (their counters in its table)."""
    import sqlalchemy as sa

    from ardea.store.sql._db.engine import normalize_uri

    schema = f"gw_limits_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres_uri else "?"
    uri = f"{postgres_uri}{sep}options=-csearch_path%3D{schema}"
    try:
        first = live_server_factory("--backend-store-uri", uri, env=ENV)
        yield first, live_server_factory("--backend-store-uri", uri, env=ENV)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture
def redis_pair(
    live_server_factory: Callable[..., LiveServer], redis_url: str, tmp_path: Path
) -> tuple[LiveServer, LiveServer]:
    """Two servers on one SQLite file, their counters in Redis."""
    uri = f"sqlite:///{tmp_path / 'shared.db'}"
    env = {**ENV, "ARDEA_GATEWAY_REDIS_URL": redis_url}
    first = live_server_factory("--backend-store-uri", uri, env=env)
    return first, live_server_factory("--backend-store-uri", uri, env=env)


def _ok(base: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(base + G + path, json=body, timeout=30)
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def _limited_endpoint(base: str, fake: FakeLLMServer, name: str) -> None:
    secret = _ok(
        base,
        "/secrets/create",
        {
            "secret_name": f"s-{name}",
            "secret_value": {"api_key": "sk-processes-0123456789"},
            "provider": "openai",
            "auth_config": {"api_base": fake.openai_base_url},
        },
    )["secret"]
    definition = _ok(
        base,
        "/model-definitions/create",
        {
            "name": f"m-{name}",
            "provider": "openai",
            "model_name": "gpt-4.1-mini",
            "secret_id": secret["secret_id"],
        },
    )["model_definition"]
    endpoint = _ok(
        base,
        "/endpoints/create",
        {
            "name": name,
            "model_configs": [{"model_definition_id": definition["model_definition_id"]}],
            "usage_tracking": False,
        },
    )["endpoint"]
    limits = [{"scope": "endpoint", "requests_per_minute": LIMIT}]
    tag = {
        "endpoint_id": endpoint["endpoint_id"],
        "key": "ardea.limits",
        "value": json.dumps(limits),
    }
    _ok(base, "/endpoints/set-tag", tag)


def _call(base: str, name: str) -> tuple[int, dict[str, str], Any]:
    client = openai.OpenAI(base_url=base + "/gateway/v1", api_key="unused", max_retries=0)
    try:
        client.chat.completions.create(model=name, messages=USER)  # type: ignore[arg-type]
    except openai.APIStatusError as exc:
        return exc.status_code, dict(exc.response.headers), exc.response.json()
    return 200, {}, None


def _race(pair: tuple[LiveServer, LiveServer], fake: FakeLLMServer) -> None:
    a, b = pair
    names = [f"chat-{uuid.uuid4().hex[:8]}" for _ in range(3)]
    for name in names:  # made before b loads the workspace: b reads them all at once
        _limited_endpoint(a.url, fake, name)
    for name in names:
        if 60 - time.time() % 60 < 20:  # the calls must share one calendar minute
            time.sleep(60 - time.time() % 60 + 0.1)
        minute = int(time.time() // 60)
        with ThreadPoolExecutor(8) as pool:
            urls = [(a, b)[i % 2].url for i in range(CALLS)]
            results = list(pool.map(_call, urls, [name] * CALLS))
        if int(time.time() // 60) != minute:
            continue  # crossed into the next minute: its counters start over; try again
        passed = [r for r in results if r[0] == 200]
        refused = [r for r in results if r[0] != 200]
        assert len(passed) == LIMIT, [r[0] for r in results]
        for status, headers, body in refused:
            assert status == 429
            assert body["error"]["code"] == "rate_limit_exceeded"
            assert 1 <= int(headers["retry-after"]) <= 60
        return
    raise AssertionError("the calls kept crossing a minute boundary")


@pytest.mark.postgres
def test_a_rate_limit_is_exact_across_two_servers_on_postgresql(
    postgres_pair: tuple[LiveServer, LiveServer], fake_llm: FakeLLMServer
) -> None:
    _race(postgres_pair, fake_llm)


def test_a_rate_limit_is_exact_across_two_servers_on_redis(
    redis_pair: tuple[LiveServer, LiveServer], fake_llm: FakeLLMServer
) -> None:
    _race(redis_pair, fake_llm)
