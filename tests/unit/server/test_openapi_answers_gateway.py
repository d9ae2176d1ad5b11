"""Gateway management answers match the response schemas of the OpenAPI document.

An app is driven through every ``/mlflow/gateway`` operation and Ardea's gateway usage read
(success and error answers), each answer checked by :class:`CheckedClient` against the app's
own document; the last test asserts that every such operation answered a success.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .openapi_check import CheckedClient, checked_app, gateway_module_path

G = "/api/3.0/mlflow/gateway"
AJAX = "/ajax-api/3.0/mlflow/gateway"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckedClient]:
    with checked_app(Path(tmp_path_factory.mktemp("openapi-gateway"))) as checked:
        yield checked


def test_gateway_operations(api: CheckedClient) -> None:
    secret = api.json(
        "POST",
        G + "/secrets/create",
        json={
            "secret_name": "k",
            "secret_value": {"api_key": "sk-0123456789"},
            "provider": "openai",
        },
    )["secret"]
    sid = secret["secret_id"]
    api.call(
        "POST", G + "/secrets/create", json={"secret_name": "k", "secret_value": "x"}, status=400
    )
    api.json("GET", G + "/secrets/get", params={"secret_name": "k"})
    api.call("GET", G + "/secrets/get", params={"secret_id": "s-missing"}, status=404)
    api.json(
        "POST",
        G + "/secrets/update",
        json={"secret_id": sid, "secret_value": {"api_key": "sk-9876543210"}},
    )
    api.json("GET", G + "/secrets/list")
    d = api.json(
        "POST",
        G + "/model-definitions/create",
        json={"name": "m", "provider": "openai", "model_name": "gpt", "secret_id": sid},
    )["model_definition"]["model_definition_id"]
    api.json("GET", G + "/model-definitions/get", params={"model_definition_id": d})
    api.json("GET", G + "/model-definitions/list")
    api.json(
        "POST",
        G + "/model-definitions/update",
        json={"model_definition_id": d, "model_name": "gpt-2"},
    )
    d2 = api.json(
        "POST",
        G + "/model-definitions/create",
        json={"name": "m2", "provider": "openai", "model_name": "x"},
    )["model_definition"]["model_definition_id"]
    e = api.json(
        "POST",
        G + "/endpoints/create",
        json={
            "name": "chat",
            "model_configs": [{"model_definition_id": d, "weight": 2}],
            "usage_tracking": False,
        },
    )["endpoint"]["endpoint_id"]
    api.call("POST", G + "/endpoints/create", json={"name": "x", "model_configs": []}, status=400)
    api.json("GET", G + "/endpoints/get", params={"name": "chat"})
    api.json("GET", G + "/endpoints/list")
    api.json("POST", G + "/endpoints/update", json={"endpoint_id": e, "name": "chat2"})
    api.json(
        "POST",
        G + "/endpoints/models/attach",
        json={
            "endpoint_id": e,
            "model_config": {"model_definition_id": d2, "linkage_type": "FALLBACK"},
        },
    )
    api.json(
        "POST", G + "/endpoints/models/detach", json={"endpoint_id": e, "model_definition_id": d2}
    )
    api.json("POST", G + "/endpoints/set-tag", json={"endpoint_id": e, "key": "k", "value": "v"})
    api.json("DELETE", G + "/endpoints/delete-tag", json={"endpoint_id": e, "key": "k"})
    binding = {"endpoint_id": e, "resource_type": "scorer", "resource_id": "sc-1"}
    api.json("POST", G + "/endpoints/bindings/create", json=binding)
    api.json("GET", G + "/endpoints/bindings/list", params={"endpoint_id": e})
    api.json("DELETE", G + "/endpoints/bindings/delete", json=binding)
    api.call("DELETE", G + "/model-definitions/delete", json={"model_definition_id": d}, status=400)

    budget = {
        "budget_amount": 10,
        "duration": {"unit": "DAYS", "value": 1},
        "target_scope": "GLOBAL",
        "budget_action": "ALERT",
    }
    bp = api.json("POST", G + "/budgets/create", json=budget)["budget_policy"]["budget_policy_id"]
    api.json("GET", G + "/budgets/get", params={"budget_policy_id": bp})
    api.json("POST", G + "/budgets/update", json={"budget_policy_id": bp, "budget_amount": 5})
    api.json("GET", G + "/budgets/list")
    api.json("GET", G + "/budgets/windows")
    api.json("DELETE", G + "/budgets/delete", json={"budget_policy_id": bp})

    guard = {"name": "pii", "scorer_id": "sc-1", "stage": "BEFORE", "action": "SANITIZATION"}
    gr = api.json("POST", G + "/guardrails/create", json=guard)["guardrail"]["guardrail_id"]
    api.json("GET", G + "/guardrails/get", params={"guardrail_id": gr})
    api.json("GET", G + "/guardrails/list")
    link = {"endpoint_id": e, "guardrail_id": gr}
    api.json("POST", G + "/guardrails/add-to-endpoint", json={**link, "execution_order": 1})
    api.json("GET", G + "/guardrails/list-for-endpoint", params={"endpoint_id": e})
    api.json("PATCH", G + "/guardrails/update-config", json={**link, "execution_order": 2})
    api.json("DELETE", G + "/guardrails/remove-from-endpoint", json=link)
    api.json("DELETE", G + "/guardrails/delete", json={"guardrail_id": gr})
    patterns = {**guard, "name": "p", "scorer_id": "ardea:patterns", "config": {"pii": ["email"]}}
    gr = api.json("POST", G + "/guardrails/create", json=patterns)["guardrail"]["guardrail_id"]
    api.json(
        "PATCH",
        G + "/guardrails/update",
        json={"guardrail_id": gr, "config": {"patterns": {"t": "T-[0-9]+"}}},
    )
    api.json("DELETE", G + "/guardrails/delete", json={"guardrail_id": gr})

    api.json("GET", AJAX + "/supported-providers")
    api.json("GET", AJAX + "/supported-models", params={"provider": "openai"})
    api.json("GET", AJAX + "/provider-config", params={"provider": "openai"})
    api.call("GET", AJAX + "/provider-config", status=400)
    api.json("GET", AJAX + "/secrets/config")

    api.json("DELETE", G + "/endpoints/delete", json={"endpoint_id": e})
    api.json("DELETE", G + "/model-definitions/delete", json={"model_definition_id": d})
    api.json("DELETE", G + "/secrets/delete", json={"secret_id": sid})


def test_gateway_usage(api: CheckedClient) -> None:
    usage = "/api/3.0/ardea/gateway/usage"
    answer = api.json("GET", usage, params={"group_by": "model", "bucket": "day"})
    assert answer["groups"] == [] and answer["totals"]["latency_ms_avg"] is None
    api.call("GET", usage, params={"bucket": "week"}, status=400)


def test_every_gateway_operation_was_checked(api: CheckedClient) -> None:
    assert api.unchecked(gateway_module_path) == []
