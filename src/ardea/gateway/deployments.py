"""MLflow's deployments-server discovery shapes (``mlflow.deployments.get_deploy_client``).

MLflow's deployments client (``MlflowDeploymentClient``) lists endpoints with
``GET /api/2.0/endpoints/`` (``{"endpoints": [...], "next_page_token"?}``), reads one with
``GET /api/2.0/endpoints/<name>``, and queries one with ``POST /endpoints/<name>/invocations``
(the legacy standalone gateway's paths, MLFLOW-WIRE.md section 12.1). The gateway answers them
from its endpoints, so ``predict``, ``list_endpoints`` and ``get_endpoint`` work against
``ardea gateway`` and ``ardea server`` alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from ardea.gateway.config import Endpoint

__all__ = ["endpoint_info", "endpoints_page", "invocations_url", "models_page"]


def invocations_url(name: str) -> str:
    """The path the deployments client posts a query for endpoint ``name`` to."""
    return f"/endpoints/{name}/invocations"


def endpoint_info(endpoint: Endpoint) -> dict[str, Any]:
    """One endpoint in the deployments server's ``Endpoint`` shape (its first primary model)."""
    first = endpoint.primary[0] if endpoint.primary else None
    model = {"name": first.model, "provider": first.provider} if first else {}
    return {
        "name": endpoint.name,
        "endpoint_type": endpoint.endpoint_type,
        "model": model,
        "endpoint_url": invocations_url(endpoint.name),
        "limit": None,
    }


def endpoints_page(endpoints: Sequence[Endpoint]) -> bytes:
    """``GET /api/2.0/endpoints/``: every endpoint in one page (no ``next_page_token``)."""
    return orjson.dumps({"endpoints": [endpoint_info(e) for e in endpoints if e.primary]})


def models_page(endpoints: Sequence[Endpoint]) -> bytes:
    """OpenAI's ``GET /models`` list of ``endpoints`` (``owned_by: "ardea"``)."""
    data = [{"id": e.name, "object": "model", "created": 0, "owned_by": "ardea"} for e in endpoints]
    return orjson.dumps({"object": "list", "data": data})
