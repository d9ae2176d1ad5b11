"""The real ``mlflow`` 3.18 client's gateway management API (its tracking RestStore's gateway
methods) against a live ``ardea server``: secrets (masked, never returned, never in the
server log or the database file in plaintext), model definitions, endpoints with a traffic
split and fallback, tags, bindings, budgets, guardrails; bad input as a 4xx in MLflow's error
JSON with nothing stored; private provider URLs refused."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

mlflow = pytest.importorskip("mlflow")

import httpx  # noqa: E402
from mlflow.entities.gateway_budget_policy import (  # noqa: E402
    BudgetAction,
    BudgetDuration,
    BudgetDurationUnit,
    BudgetTargetScope,
    BudgetUnit,
)
from mlflow.entities.gateway_endpoint import (  # noqa: E402
    FallbackConfig,
    FallbackStrategy,
    GatewayEndpointModelConfig,
    GatewayEndpointTag,
    GatewayModelLinkageType,
    GatewayResourceType,
    RoutingStrategy,
)
from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.store.tracking.rest_store import RestStore  # noqa: E402
from mlflow.utils.rest_utils import MlflowHostCreds  # noqa: E402

pytestmark = pytest.mark.slow

KEY = "sk-proj-SECRETSECRET-0123456789"
_n = itertools.count()


@pytest.fixture
def store(mlflow_env: str) -> RestStore:
    return RestStore(lambda: MlflowHostCreds(mlflow_env))


def _name(prefix: str) -> str:
    return f"{prefix}-{next(_n)}"


def _everything(url: str) -> dict[str, Any]:
    experiments = mlflow.tracking.MlflowClient().search_experiments()
    out: dict[str, Any] = {"experiments": sorted((e.experiment_id, e.name) for e in experiments)}
    for path in ("secrets/list", "model-definitions/list", "endpoints/list", "budgets/list"):
        r = httpx.get(f"{url}/api/3.0/mlflow/gateway/{path}")
        assert r.status_code == 200, r.text
        out[path] = r.json()
    return out


def test_secret_endpoint_lifecycle(
    store: RestStore, mlflow_env: str, live_server_module: Any
) -> None:
    secret = store.create_gateway_secret(
        _name("openai"),
        {"api_key": KEY},
        provider="openai",
        auth_config={"api_base": "https://api.openai.com/v1"},
    )
    assert secret.secret_id.startswith("s-")
    assert secret.masked_values == {"api_key": "sk-...6789"}
    assert store.get_secret_info(secret_name=secret.secret_name).secret_id == secret.secret_id
    assert secret.secret_id in [s.secret_id for s in store.list_secret_infos(provider="openai")]

    small = store.create_gateway_model_definition(
        _name("small"), secret.secret_id, "openai", "gpt-4.1-mini"
    )
    big = store.create_gateway_model_definition(_name("big"), secret.secret_id, "openai", "gpt-4.1")
    assert small.model_definition_id.startswith("d-") and small.secret_name == secret.secret_name
    endpoint = store.create_gateway_endpoint(
        _name("chat"),
        [
            GatewayEndpointModelConfig(
                small.model_definition_id, GatewayModelLinkageType.PRIMARY, 3.0
            ),
            GatewayEndpointModelConfig(
                big.model_definition_id, GatewayModelLinkageType.PRIMARY, 1.0
            ),
            GatewayEndpointModelConfig(
                big.model_definition_id, GatewayModelLinkageType.FALLBACK, 1.0, 0
            ),
        ],
        routing_strategy=RoutingStrategy.REQUEST_BASED_TRAFFIC_SPLIT,
        fallback_config=FallbackConfig(FallbackStrategy.SEQUENTIAL, 2),
    )
    assert endpoint.endpoint_id.startswith("e-")
    assert sorted((m.linkage_type.value, m.weight) for m in endpoint.model_mappings) == [
        ("FALLBACK", 1.0),
        ("PRIMARY", 1.0),
        ("PRIMARY", 3.0),
    ]
    assert endpoint.fallback_config.max_attempts == 2
    assert endpoint.experiment_id  # usage tracking made gateway/<name>
    experiment = mlflow.tracking.MlflowClient().get_experiment(endpoint.experiment_id)
    assert experiment.name == f"gateway/{endpoint.name}"
    got = store.get_gateway_endpoint(name=endpoint.name)
    assert got.endpoint_id == endpoint.endpoint_id

    store.set_gateway_endpoint_tag(endpoint.endpoint_id, GatewayEndpointTag("team", "search"))
    assert {t.key: t.value for t in store.get_gateway_endpoint(endpoint.endpoint_id).tags} == {
        "team": "search"
    }
    store.delete_gateway_endpoint_tag(endpoint.endpoint_id, "team")

    updated = store.update_gateway_endpoint(endpoint.endpoint_id, name=_name("renamed"))
    assert updated.name != endpoint.name and len(updated.model_mappings) == 3
    store.detach_model_from_endpoint(endpoint.endpoint_id, big.model_definition_id)
    mapping = store.attach_model_to_endpoint(
        endpoint.endpoint_id,
        GatewayEndpointModelConfig(big.model_definition_id, GatewayModelLinkageType.PRIMARY, 2.0),
    )
    assert mapping.weight == 2.0

    binding = store.create_endpoint_binding(
        endpoint.endpoint_id, GatewayResourceType.SCORER, "sc-1"
    )
    assert binding.resource_id == "sc-1"
    assert len(store.list_endpoint_bindings(endpoint_id=endpoint.endpoint_id)) == 1
    store.delete_endpoint_binding(endpoint.endpoint_id, GatewayResourceType.SCORER, "sc-1")

    rotated = store.update_gateway_secret(
        secret.secret_id, secret_value={"api_key": "sk-new-key-99999"}
    )
    assert rotated.masked_values == {"api_key": "sk-...9999"}

    with pytest.raises(MlflowException):
        store.delete_gateway_model_definition(small.model_definition_id)  # still mapped
    store.delete_gateway_endpoint(endpoint.endpoint_id)
    store.delete_gateway_model_definition(small.model_definition_id)
    store.delete_gateway_secret(secret.secret_id)
    with pytest.raises(MlflowException, match=r"RESOURCE_DOES_NOT_EXIST|not found"):
        store.get_secret_info(secret_id=secret.secret_id)

    # The plaintext is in no answer (checked above), no log line and no database byte.
    log = live_server_module.log_text()
    assert KEY not in log and "sk-new-key-99999" not in log
    for path in Path(live_server_module.data_dir).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert KEY.encode() not in data and b"sk-new-key-99999" not in data, path


def test_budgets_and_guardrails(store: RestStore) -> None:
    policy = store.create_budget_policy(
        budget_unit=BudgetUnit.USD,
        budget_amount=100.0,
        duration=BudgetDuration(BudgetDurationUnit.DAYS, 1),
        target_scope=BudgetTargetScope.GLOBAL,
        budget_action=BudgetAction.REJECT,
    )
    assert policy.budget_policy_id.startswith("bp-")
    assert store.get_budget_policy(policy.budget_policy_id).budget_amount == 100.0
    changed = store.update_budget_policy(policy.budget_policy_id, budget_amount=50.0)
    assert changed.budget_amount == 50.0
    assert policy.budget_policy_id in [p.budget_policy_id for p in store.list_budget_policies()]
    store.delete_budget_policy(policy.budget_policy_id)


def test_wire_shapes_and_bad_input(mlflow_env: str, live_server_module: Any) -> None:
    base = f"{mlflow_env}/api/3.0/mlflow/gateway"
    made = httpx.post(
        f"{base}/secrets/create",
        json={"secret_name": _name("raw"), "secret_value": {"api_key": KEY}, "provider": "openai"},
    )
    assert made.status_code == 200, made.text
    body = made.json()["secret"]
    assert set(body) >= {"secret_id", "secret_name", "masked_values", "created_at"}
    assert KEY not in made.text
    before = _everything(mlflow_env)
    bad: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "secrets/create", {"secret_name": "x"}),
        ("POST", "secrets/create", {"secret_name": "x", "secret_value": KEY}),
        ("POST", "secrets/create", {"secret_name": "x", "secret_value": [KEY]}),
        ("POST", "secrets/create", {"secret_name": "x", "secret_value": {"k": 1}}),
        (
            "POST",
            "secrets/create",
            {"secret_name": body["secret_name"], "secret_value": {"k": "v"}},
        ),
        (
            "POST",
            "secrets/create",
            {
                "secret_name": "local",
                "secret_value": {"api_key": "x"},
                "auth_config": {"api_base": "http://127.0.0.1:11434"},
            },
        ),
        ("POST", "model-definitions/create", {"name": "m", "provider": "openai"}),
        ("POST", "model-definitions/create", {"name": "m", "provider": "o p", "model_name": "x"}),
        ("POST", "endpoints/create", {"name": "e", "model_configs": []}),
        (
            "POST",
            "endpoints/create",
            {"name": "e", "model_configs": [{"model_definition_id": "d-x"}]},
        ),
        (
            "POST",
            "endpoints/create",
            {"name": "bad name", "model_configs": [{"model_definition_id": "d-x"}]},
        ),
        ("POST", "budgets/create", {"budget_amount": -1}),
        ("GET", "secrets/get", {}),
        ("GET", "endpoints/get", {"endpoint_id": "e-missing"}),
    ]
    for method, path, payload in bad:
        if method == "GET":
            r = httpx.get(f"{base}/{path}", params=payload)
        else:
            r = httpx.request(method, f"{base}/{path}", json=payload)
        assert 400 <= r.status_code < 500, (path, payload, r.status_code, r.text)
        assert set(r.json()) >= {"error_code", "message"}, r.text
        assert "Traceback" not in r.text and KEY not in r.text
    assert _everything(mlflow_env) == before
    assert KEY not in live_server_module.log_text()
    helpers = httpx.get(f"{mlflow_env}/ajax-api/3.0/mlflow/gateway/supported-providers")
    assert helpers.status_code == 200 and "openai" in helpers.json()["providers"]
    config = httpx.get(
        f"{mlflow_env}/ajax-api/3.0/mlflow/gateway/provider-config", params={"provider": "openai"}
    )
    assert config.status_code == 200 and config.json()["default_mode"] == "api_key"


def test_guardrails_with_the_stock_client(store: RestStore) -> None:
    from mlflow.entities.gateway_guardrail import GuardrailAction, GuardrailStage

    secret = store.create_gateway_secret(_name("g"), {"api_key": KEY}, provider="openai")
    definition = store.create_gateway_model_definition(
        _name("gd"), secret.secret_id, "openai", "gpt-4.1-mini"
    )
    endpoint = store.create_gateway_endpoint(
        _name("guarded"),
        [
            GatewayEndpointModelConfig(
                definition.model_definition_id, GatewayModelLinkageType.PRIMARY, 1.0
            )
        ],
        usage_tracking=False,
    )
    guard = store.create_gateway_guardrail(
        _name("pii"), "sc-1", 1, GuardrailStage.BEFORE, GuardrailAction.SANITIZATION
    )
    assert guard.guardrail_id.startswith("gr-") and guard.stage == GuardrailStage.BEFORE
    assert store.get_gateway_guardrail(guard.guardrail_id).name == guard.name
    config = store.add_guardrail_to_endpoint(endpoint.endpoint_id, guard.guardrail_id, 1)
    assert config.execution_order == 1
    configs = store.list_endpoint_guardrail_configs(endpoint.endpoint_id)
    assert [c.guardrail_id for c in configs] == [guard.guardrail_id]
    store.remove_guardrail_from_endpoint(endpoint.endpoint_id, guard.guardrail_id)
    store.delete_gateway_guardrail(guard.guardrail_id)
