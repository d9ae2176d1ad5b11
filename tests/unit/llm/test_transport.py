"""Connection pools: async clients are sharded so each holds at most 16 connections."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from ardea.llm.transport import SHARD_CONNECTIONS, AsyncLeanPool, async_pool, lean_pool
from fixtures.fake_llm_server import FakeLLMServer


def test_async_pools_are_sharded_and_handed_out_in_turn() -> None:
    async def main() -> None:
        small = {id(async_pool("small", SHARD_CONNECTIONS)) for _ in range(5)}
        assert len(small) == 1
        big = [async_pool("big", 128) for _ in range(16)]
        assert len({id(c) for c in big}) == 128 // SHARD_CONNECTIONS
        assert big[:8] == big[8:]  # round robin
        limits = big[0]._transport._pool._max_connections  # type: ignore[attr-defined]
        assert limits == SHARD_CONNECTIONS
        grown = {id(async_pool("big", 200)) for _ in range(20)}
        assert len(grown) == 13  # a raised limit gets more shards
        for c in {id(c): c for c in big}.values():
            await c.aclose()

    asyncio.run(main())


def test_the_lean_pool_serves_unless_a_proxy_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)

    async def main() -> None:
        lean = lean_pool("lean", 8, "http://127.0.0.1:9/v1/chat/completions")
        assert isinstance(lean, AsyncLeanPool)
        with pytest.raises(httpx.TransportError):  # nothing listens on port 9
            await lean.request("GET", "http://127.0.0.1:9/", headers={}, content=None, timeout=5)
        monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
        proxied = lean_pool("lean", 8, "https://api.example.com/v1/chat/completions")
        assert isinstance(proxied, httpx.AsyncClient)  # httpx routes through the proxy
        await lean.aclose()
        await proxied.aclose()

    asyncio.run(main())


def test_the_lean_pool_reads_whole_answers(llm: FakeLLMServer) -> None:
    async def main() -> None:
        pool = AsyncLeanPool(4)
        url = llm.openai_base_url + "/chat/completions"
        body = b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}'
        headers = {"content-type": "application/json", "authorization": "Bearer k"}
        answer = await pool.request("POST", url, headers=headers, content=body, timeout=10)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(
            "application/json"
        )
        assert b"choices" in answer.content
        await pool.aclose()

    asyncio.run(main())
