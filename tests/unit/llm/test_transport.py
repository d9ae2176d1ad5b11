"""Connection pools: async clients are sharded so each holds at most 16 connections."""

from __future__ import annotations

import asyncio

from ardea.llm.transport import SHARD_CONNECTIONS, async_pool


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
