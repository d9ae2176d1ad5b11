"""MLflow's deployments-client shapes of the gateway's endpoints."""

from __future__ import annotations

import orjson

from ardea.gateway.config import Endpoint, ModelTarget
from ardea.gateway.deployments import endpoint_info, endpoints_page, invocations_url


def _endpoint(name: str, *targets: ModelTarget) -> Endpoint:
    return Endpoint(f"e-{name}", name, "default", "llm/v1/embeddings", targets)


def test_an_endpoint_in_the_deployments_shape() -> None:
    target = ModelTarget("d-1", "small", "openai", "text-embedding-3-small")
    other = ModelTarget("d-2", "big", "mistral", "mistral-embed")
    assert endpoint_info(_endpoint("emb", target, other)) == {
        "name": "emb",
        "endpoint_type": "llm/v1/embeddings",
        "model": {"name": "text-embedding-3-small", "provider": "openai"},
        "endpoint_url": "/endpoints/emb/invocations",
        "limit": None,
    }
    assert invocations_url("x") == "/endpoints/x/invocations"


def test_the_list_is_one_page_without_endpoints_that_have_no_target() -> None:
    target = ModelTarget("d-1", "small", "openai", "m")
    page = orjson.loads(endpoints_page([_endpoint("a", target), _endpoint("empty")]))
    assert [e["name"] for e in page["endpoints"]] == ["a"]
    assert "next_page_token" not in page
