"""The standalone gateway app (``ardea gateway``): the gateway's paths, /metrics, /health."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from ardea.gateway.proxy import Gateway
from ardea.server.gateway import ASGIApp, gateway_app
from ardea.store.sql.backend import open_sql_backend
from fixtures.fake_llm_server import FakeLLMServer, fake_llm
from fixtures.gateway_server import endpoint, source, target

from .support import Client

__all__ = ["fake_llm"]


def test_standalone_app_serves_the_gateway_metrics_and_health(fake_llm: FakeLLMServer) -> None:
    fake_llm.reset()
    app = gateway_app(Gateway(source(endpoint("chat", (target(fake_llm, "a"),)))))
    client = Client(app)
    try:
        assert client.get("/health").text == "OK"
        body = {"model": "chat", "messages": [{"role": "user", "content": "alone"}]}
        answer = client.post("/gateway/v1/chat/completions", json=body)
        assert answer.json()["choices"][0]["message"]["content"] == "echo: alone"
        assert "x-request-id" in answer.headers
        assert "ardea_gateway_requests_total" in client.get("/metrics").text
        assert client.get("/api/2.0/mlflow/experiments/search").status_code == 404
    finally:
        client.close()


def test_shutdown_writes_the_queued_traces(fake_llm: FakeLLMServer, tmp_path: Path) -> None:
    """The ASGI lifespan's shutdown flushes the trace queue and closes the upstream pool."""
    fake_llm.reset()
    backend = open_sql_backend(f"sqlite:///{tmp_path / 'gw.db'}")
    try:
        experiment_id = backend.tracking.create_experiment("gateway")
        chat = endpoint("chat", (target(fake_llm, "a"),), experiment_id=experiment_id)
        app = gateway_app(Gateway(source(chat), trace_store=backend.traces))
        client = Client(app)
        try:
            body = {"model": "chat", "messages": [{"role": "user", "content": "hi"}]}
            assert client.post("/gateway/v1/chat/completions", json=body).status_code == 200
        finally:
            client.close()
        sent = asyncio.run(_lifespan(app))
        assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
        assert len(backend.traces.search_traces([experiment_id])) == 1
    finally:
        backend.close()


async def _lifespan(app: ASGIApp) -> list[str]:
    inbox = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[str] = []

    async def receive() -> dict[str, Any]:
        return inbox.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message["type"])

    await app({"type": "lifespan"}, receive, send)
    return sent
