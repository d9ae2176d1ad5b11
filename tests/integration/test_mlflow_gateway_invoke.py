"""The stock ``mlflow`` client calling a live ``ardea server``'s AI gateway (an endpoint on the
fake provider, made through the client's own management calls):

- ``gateway:/<endpoint>`` judges in ``mlflow.genai.evaluate`` (a ``make_judge`` judge and a
  built-in one), resolved against the tracking server: the fake provider's verdicts land as
  the rows' assessments and read back;
- ``mlflow.metrics.genai``'s ``gateway:/`` model calls;
- the OpenAI-compatible ``/gateway/mlflow/v1/...`` paths the client's gateway provider uses,
  and ``/gateway/<endpoint>/mlflow/invocations``;
- ``mlflow.deployments.get_deploy_client(<server>)``: ``list_endpoints``, ``get_endpoint``,
  ``predict``;
- with ``--auth``: a judge sends the caller's Basic credentials, and needs USE on the
  endpoint (READ gets the 403's message).

Runs in the 3.17.2 pass of ``scripts/test.sh`` too (``test_mlflow_*.py``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests

from fixtures.fake_llm_server import FakeLLMServer, fake_llm

mlflow = pytest.importorskip("mlflow")

from mlflow.store.tracking.rest_store import RestStore  # noqa: E402
from mlflow.utils.rest_utils import MlflowHostCreds  # noqa: E402

__all__ = ["fake_llm"]

pytestmark = pytest.mark.slow

KEY = "sk-judge-SECRET-0123456789"
_n = itertools.count()


@pytest.fixture
def server(
    live_server_factory: Any, fake_llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A server that may call the fake provider on loopback; the client pointed at it."""
    live = live_server_factory(env={"ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS": "1"})
    url = live.url
    for name, value in (
        ("MLFLOW_TRACKING_URI", url),
        ("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0"),
        ("MLFLOW_HTTP_REQUEST_TIMEOUT", "60"),
        ("MLFLOW_DISABLE_TELEMETRY", "true"),
        ("DO_NOT_TRACK", "true"),
    ):
        monkeypatch.setenv(name, value)
    mlflow.set_tracking_uri(url)
    fake_llm.reset()
    yield url
    mlflow.flush_trace_async_logging()
    fake_llm.reset()


def _endpoint(url: str, fake: FakeLLMServer, name: str) -> str:
    """An endpoint ``name`` on the fake provider (model ``m-<name>``), made by mlflow's client."""
    store = RestStore(lambda: MlflowHostCreds(url))
    secret = store.create_gateway_secret(
        f"fake-{name}-{next(_n)}",
        {"api_key": KEY},
        provider="openai",
        auth_config={"api_base": fake.openai_base_url},
    )
    model = store.create_gateway_model_definition(
        f"def-{name}-{next(_n)}", secret.secret_id, "openai", f"m-{name}"
    )
    from mlflow.entities.gateway_endpoint import (
        GatewayEndpointModelConfig,
        GatewayModelLinkageType,
    )

    config = GatewayEndpointModelConfig(
        model_definition_id=model.model_definition_id,
        linkage_type=GatewayModelLinkageType.PRIMARY,
        weight=1.0,
    )
    endpoint = store.create_gateway_endpoint(name, [config])
    return str(endpoint.endpoint_id)


ROWS = [
    {"inputs": {"question": f"{i}+{i}?"}, "outputs": str(2 * i)} for i in range(3)
]  # fmt: skip


def test_gateway_judges_in_mlflow_genai_evaluate(server: str, fake_llm: FakeLLMServer) -> None:
    from mlflow.genai.judges import make_judge
    from mlflow.genai.scorers import Correctness

    _endpoint(server, fake_llm, "judge")
    verdicts = []
    for i in range(2 * len(ROWS)):
        verdict = "yes" if i % 3 else "no"
        rationale = f"scripted rationale {i}"
        verdicts.append((verdict, rationale))
        fake_llm.queue_chat(f'{{"result": "{verdict}", "rationale": "{rationale}"}}')
    quality = make_judge(
        name="quality",
        instructions="Is {{ outputs }} the right answer to {{ inputs }}? Answer yes or no.",
        model="gateway:/judge",
        feedback_value_type=str,
    )
    rows = [dict(r, expectations={"expected_response": r["outputs"]}) for r in ROWS]
    exp = mlflow.set_experiment(f"gateway-judges-{next(_n)}")
    result = mlflow.genai.evaluate(
        data=rows, scorers=[quality, Correctness(model="gateway:/judge")]
    )
    mlflow.flush_trace_async_logging()

    calls = fake_llm.requests_to("/chat/completions")
    assert len(calls) == 2 * len(ROWS)
    assert {c.body["model"] for c in calls} == {"m-judge"}  # through Ardea's gateway
    assert all(c.headers["authorization"] == f"Bearer {KEY}" for c in calls)

    traces = mlflow.search_traces(
        locations=[exp.experiment_id], run_id=result.run_id, return_type="list"
    )
    assert len(traces) == len(ROWS)
    seen = []
    for trace in traces:
        feedback = {a.name: a for a in trace.info.assessments if a.feedback is not None}
        assert set(feedback) == {"quality", "correctness"}
        for assessment in feedback.values():
            assert assessment.source.source_type == "LLM_JUDGE"
            assert assessment.source.source_id == "gateway:/judge"
            seen.append((str(assessment.feedback.value), assessment.rationale))
    assert sorted(seen) == sorted(verdicts)
    assert 0.0 <= result.metrics["correctness/mean"] <= 1.0


def test_mlflow_metrics_gateway_model_and_the_openai_paths(
    server: str, fake_llm: FakeLLMServer
) -> None:
    from mlflow.metrics.genai.model_utils import score_model_on_payload

    _endpoint(server, fake_llm, "chat")
    answer = score_model_on_payload("gateway:/chat", "hello gateway")
    assert "echo: hello gateway" in str(answer)
    assert fake_llm.requests[-1].body["model"] == "m-chat"

    models = httpx.get(f"{server}/gateway/mlflow/v1/models").json()
    assert "chat" in [m["id"] for m in models["data"]]
    user = [{"role": "user", "content": "hi there"}]
    chat = httpx.post(
        f"{server}/gateway/mlflow/v1/chat/completions", json={"model": "chat", "messages": user}
    )
    assert chat.json()["choices"][0]["message"]["content"] == "echo: hi there"
    unified = httpx.post(f"{server}/gateway/chat/mlflow/invocations", json={"messages": user})
    assert unified.json()["choices"][0]["message"]["content"] == "echo: hi there"
    missing = httpx.post(f"{server}/gateway/nope/mlflow/invocations", json={"messages": user})
    assert missing.status_code == 404
    assert missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_mlflow_deployments_client(server: str, fake_llm: FakeLLMServer) -> None:
    from mlflow.deployments import get_deploy_client

    _endpoint(server, fake_llm, "deployed")
    client = get_deploy_client(server)
    listed = {e.name: e for e in client.list_endpoints()}
    assert listed["deployed"].endpoint_type == "llm/v1/chat"
    assert listed["deployed"].model.name == "m-deployed"
    assert listed["deployed"].model.provider == "openai"
    one = client.get_endpoint("deployed")
    assert one.endpoint_url == f"{server}/endpoints/deployed/invocations"
    user = [{"role": "user", "content": "hello deployments"}]
    reply = client.predict(endpoint="deployed", inputs={"messages": user})
    assert reply["choices"][0]["message"]["content"] == "echo: hello deployments"
    assert fake_llm.requests[-1].body["model"] == "m-deployed"
    # The client raises requests' HTTPError with the answer's text.
    with pytest.raises(requests.HTTPError, match="RESOURCE_DOES_NOT_EXIST"):
        client.predict(endpoint="nope", inputs={"messages": user})
    with pytest.raises(requests.HTTPError, match="No gateway endpoint named 'nope'"):
        client.get_endpoint("nope")


def test_a_gateway_judge_on_a_server_with_auth_needs_use_on_the_endpoint(
    live_server_factory: Any, fake_llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlflow.genai.judges import make_judge
    from mlflow.server import get_app_client

    admin_password = "first admin password"
    live = live_server_factory(
        "--auth",
        env={
            "ARDEA_ADMIN_PASSWORD": admin_password,
            "ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS": "1",
        },
    )
    url = live.url
    for name, value in (
        ("MLFLOW_TRACKING_URI", url),
        ("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0"),
        ("MLFLOW_DISABLE_TELEMETRY", "true"),
        ("MLFLOW_TRACKING_USERNAME", "admin"),
        ("MLFLOW_TRACKING_PASSWORD", admin_password),
    ):
        monkeypatch.setenv(name, value)
    mlflow.set_tracking_uri(url)
    fake_llm.reset()
    store = RestStore(lambda: MlflowHostCreds(url, username="admin", password=admin_password))
    secret = store.create_gateway_secret(
        "fake",
        {"api_key": KEY},
        provider="openai",
        auth_config={"api_base": fake_llm.openai_base_url},
    )
    model = store.create_gateway_model_definition("def", secret.secret_id, "openai", "m-judge")
    from mlflow.entities.gateway_endpoint import (
        GatewayEndpointModelConfig,
        GatewayModelLinkageType,
    )

    config = GatewayEndpointModelConfig(
        model_definition_id=model.model_definition_id,
        linkage_type=GatewayModelLinkageType.PRIMARY,
        weight=1.0,
    )
    endpoint = store.create_gateway_endpoint("judge", [config])
    app = get_app_client("basic-auth", tracking_uri=url)
    app.create_user("carol", "carol's password 1")
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "carol")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "carol's password 1")
    quality = make_judge(
        name="quality",
        instructions="Is {{ outputs }} the answer to {{ inputs }}? Answer yes or no.",
        model="gateway:/judge",
        feedback_value_type=str,
    )
    # carol's Basic credentials go with the judge's call: READ is not enough to call.
    with pytest.raises(mlflow.exceptions.MlflowException, match="USE on gateway endpoint"):
        quality(inputs={"q": "1+1"}, outputs="2")
    assert fake_llm.requests_to("/chat/completions") == []
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "admin")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", admin_password)
    app.grant_user_permission("carol", "gateway_endpoint", endpoint.endpoint_id, "USE")
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "carol")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "carol's password 1")
    fake_llm.queue_chat('{"result": "yes", "rationale": "carol may use it"}')
    verdict = quality(inputs={"q": "1+1"}, outputs="2")
    assert (verdict.value, verdict.rationale) == ("yes", "carol may use it")
    (call,) = fake_llm.requests_to("/chat/completions")
    assert call.body["model"] == "m-judge"
    assert call.headers["authorization"] == f"Bearer {KEY}"  # never carol's credentials
