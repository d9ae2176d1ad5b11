"""The standalone gateway app (``ardea gateway``): the gateway's paths, /metrics, /health."""

from __future__ import annotations

from ardea.gateway.proxy import Gateway
from ardea.server.gateway import gateway_app
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
