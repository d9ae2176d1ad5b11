"""Webhooks end to end against a live ``ardea server``: signed deliveries of registry events
to a real local receiver, retry after a 500, the test endpoint, and secrets that never leave
the server (nor sit in its database in plaintext); a server without the opt-out refuses
private destinations, and a graceful stop delivers what is still queued."""

from __future__ import annotations

import stat
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ardea.client import ArdeaClient
from ardea.store.rest.registry import RestRegistryStore
from ardea.webhooks.signing import (
    DELIVERY_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)
from fixtures import webhook_receiver as wr
from fixtures.webhook_receiver import Delivery, Receiver

pytestmark = pytest.mark.slow

receiver = wr.receiver  # the fixture


@pytest.fixture
def live_server(live_server_factory: Any) -> Any:
    """A fresh server that may deliver to the loopback receiver (SSRF guard opted out)."""
    return wr.start_live_server(live_server_factory)


SECRET = "whsec-integration-5b1e0d77"
PROMPT = {"mlflow.prompt.is_prompt": "true"}


@pytest.fixture
def client(live_server: Any) -> Iterator[ArdeaClient]:
    c = ArdeaClient(live_server.url)
    yield c
    c.close()


@pytest.fixture
def registry(live_server: Any) -> Iterator[RestRegistryStore]:
    store = RestRegistryStore(live_server.url)
    yield store
    store.close()


def _header(d: Delivery, name: str) -> str:
    return next(v for k, v in d.headers.items() if k.lower() == name.lower())


def _signed(d: Delivery, secret: str = SECRET) -> bool:
    return verify_signature(
        secret,
        _header(d, DELIVERY_ID_HEADER),
        _header(d, TIMESTAMP_HEADER),
        d.body,
        _header(d, SIGNATURE_HEADER),
    )


def test_delivery_is_signed_and_retried_after_500(
    client: ArdeaClient, registry: RestRegistryStore, receiver: Receiver
) -> None:
    receiver.fail_first["/flaky"] = 1
    client.create_webhook(
        "flaky", receiver.url + "/flaky", ["model_version.created"], secret=SECRET
    )
    registry.create_registered_model("fraud")
    mv = registry.create_model_version(
        "fraud", "s3://bucket/fraud/1", tags={"team": "risk"}, description="first"
    )
    first, second = receiver.wait_for("/flaky", 2)
    assert (first.answered, second.answered) == (500, 200)
    assert first.body == second.body  # the same delivery, sent again
    assert _header(first, DELIVERY_ID_HEADER) == _header(second, DELIVERY_ID_HEADER)
    assert _signed(first) and _signed(second)
    assert not _signed(second, "wrong-secret")
    doc = second.json
    assert (doc["entity"], doc["action"]) == ("model_version", "created")
    assert doc["data"] == {
        "name": "fraud",
        "version": str(mv.version),
        "source": "s3://bucket/fraud/1",
        "run_id": None,
        "tags": {"team": "risk"},
        "description": "first",
    }
    assert doc["timestamp"].endswith("+00:00")
    assert _header(second, "Content-Type") == "application/json"


def test_registry_and_prompt_events(
    client: ArdeaClient, registry: RestRegistryStore, receiver: Receiver
) -> None:
    events = [
        "registered_model.created",
        "model_version.created",
        "model_version_alias.created",
        "model_version_alias.deleted",
        "prompt.created",
        "prompt_version.created",
        "prompt_alias.created",
        "prompt_alias.deleted",
        "model_version_tag.set",
        "model_version_tag.deleted",
        "prompt_tag.set",
        "prompt_tag.deleted",
        "prompt_version_tag.set",
    ]
    client.create_webhook("all", receiver.url + "/all", events, secret=SECRET)
    client.create_webhook("off", receiver.url + "/off", events, status="DISABLED")
    client.create_webhook("unsigned", receiver.url + "/plain", ["prompt_alias.created"])

    registry.create_registered_model("churn", tags={"t": "1"}, description="d")
    registry.create_model_version("churn", "s3://b/churn/1")
    registry.set_registered_model_alias("churn", "champion", 1)
    registry.delete_registered_model_alias("churn", "champion")
    registry.create_registered_model("greet", tags=PROMPT, description="commit")
    registry.create_model_version(
        "greet",
        "dummy-source",
        tags={**PROMPT, "mlflow.prompt.text": "Hi {{name}}", "_mlflow_prompt_type": "text"},
        description="commit",
    )
    registry.set_registered_model_alias("greet", "production", 1)
    registry.delete_registered_model_alias("greet", "production")
    registry.set_model_version_tag("churn", 1, "k", "v")
    registry.delete_model_version_tag("churn", 1, "k")
    registry.set_registered_model_tag("churn", "team", "risk")  # a plain model's tag: no event
    registry.set_registered_model_tag("greet", "team", "nlp")
    registry.delete_registered_model_tag("greet", "team")
    registry.set_model_version_tag("greet", 1, "reviewed", "yes")

    got = receiver.wait_for("/all", 13)
    assert all(_signed(d) for d in got)
    seen = {(d.json["entity"], d.json["action"]): d.json["data"] for d in got}
    assert seen == {
        ("registered_model", "created"): {"name": "churn", "tags": {"t": "1"}, "description": "d"},
        ("model_version", "created"): {
            "name": "churn",
            "version": "1",
            "source": "s3://b/churn/1",
            "run_id": None,
            "tags": {},
            "description": None,
        },
        ("model_version_alias", "created"): {"name": "churn", "alias": "champion", "version": "1"},
        ("model_version_alias", "deleted"): {"name": "churn", "alias": "champion"},
        ("prompt", "created"): {"name": "greet", "tags": {}, "description": "commit"},
        ("prompt_version", "created"): {
            "name": "greet",
            "version": "1",
            "template": "Hi {{name}}",
            "tags": {},
            "description": "commit",
        },
        ("prompt_alias", "created"): {"name": "greet", "alias": "production", "version": "1"},
        ("prompt_alias", "deleted"): {"name": "greet", "alias": "production"},
        ("model_version_tag", "set"): {"name": "churn", "version": "1", "key": "k", "value": "v"},
        ("model_version_tag", "deleted"): {"name": "churn", "version": "1", "key": "k"},
        ("prompt_tag", "set"): {"name": "greet", "key": "team", "value": "nlp"},
        ("prompt_tag", "deleted"): {"name": "greet", "key": "team"},
        ("prompt_version_tag", "set"): {
            "name": "greet",
            "version": "1",
            "key": "reviewed",
            "value": "yes",
        },
    }
    (plain,) = receiver.wait_for("/plain", 1)
    assert SIGNATURE_HEADER.lower() not in {k.lower() for k in plain.headers}
    assert _header(plain, DELIVERY_ID_HEADER) and _header(plain, TIMESTAMP_HEADER)
    # Everything for "all" arrived; the disabled webhook, fed by the same queue, got nothing.
    time.sleep(0.5)
    assert receiver.at("/off") == []
    assert len(receiver.at("/all")) == 13


def test_test_endpoint(client: ArdeaClient, receiver: Receiver) -> None:
    hook = client.create_webhook(
        "probe", receiver.url + "/probe", ["model_version.created", "prompt_alias.created"],
        secret=SECRET,
    )  # fmt: skip
    result = client.test_webhook(hook.webhook_id)
    assert result.success and result.response_status == 200 and result.response_body == "ok"
    (d,) = receiver.at("/probe")
    assert _signed(d)
    assert (d.json["entity"], d.json["action"]) == ("model_version", "created")
    assert d.json["data"]["name"] == "example_model"

    result = client.test_webhook(hook.webhook_id, "prompt_alias.created")
    assert result.success
    assert receiver.at("/probe")[-1].json["entity"] == "prompt_alias"

    receiver.fail_first["/probe"] = 1
    result = client.test_webhook(hook.webhook_id)
    assert not result.success and result.response_status == 500

    dead = client.create_webhook("dead", "http://127.0.0.1:1/x", ["model_version.created"])
    result = client.test_webhook(dead.webhook_id)
    assert not result.success and result.response_status is None
    assert result.error_message


def test_secret_never_leaves_the_server(live_server: Any, receiver: Receiver) -> None:
    api = f"{live_server.url}/api/2.0/mlflow/webhooks"
    bodies: list[str] = []
    with httpx.Client(timeout=30) as http:

        def send(method: str, url: str, **kw: Any) -> httpx.Response:
            r = http.request(method, url, **kw)
            bodies.append(r.text)
            return r

        r = send(
            "POST",
            api,
            json={
                "name": "s",
                "url": receiver.url + "/s",
                "events": [{"entity": "MODEL_VERSION", "action": "CREATED"}],
                "secret": SECRET,
                "description": "has a secret",
            },
        )
        assert r.status_code == 200
        webhook_id = r.json()["webhook"]["webhook_id"]
        assert "secret" not in r.json()["webhook"]
        send("GET", api)
        send("GET", f"{api}/{webhook_id}")
        send("PATCH", f"{api}/{webhook_id}", json={"secret": SECRET + "-2", "name": "s2"})
        send("POST", f"{api}/{webhook_id}/test", json={})
        send(
            "POST", api, json={"name": "bad name", "url": "ftp://x", "events": [], "secret": SECRET}
        )
        send("GET", api, params={"max_results": 1})
    assert len(bodies) == 7
    for body in bodies:
        assert SECRET not in body
    (probe,) = receiver.wait_for("/s", 1)
    assert _signed(probe, SECRET + "-2")  # the updated secret signs
    raw = live_server.db_path.read_bytes()
    for p in live_server.data_dir.glob("ardea.db*"):
        raw += p.read_bytes()
    assert SECRET.encode() not in raw
    assert SECRET not in live_server.log_text()
    key_file = live_server.db_path.parent / "ardea-secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_server_refuses_private_destinations_by_default(
    live_server_factory: Any, receiver: Receiver
) -> None:
    server = live_server_factory()  # started without ARDEA_WEBHOOKS_ALLOW_PRIVATE
    api = f"{server.url}/api/2.0/mlflow/webhooks"
    events = [{"entity": "MODEL_VERSION", "action": "CREATED"}]
    with httpx.Client(timeout=30) as http:
        for url in (receiver.url + "/x", "http://169.254.169.254/latest", "http://[::1]/x"):
            r = http.post(api, json={"name": "h", "url": url, "events": events})
            assert r.status_code == 400, r.text
            assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
            assert "ARDEA_WEBHOOKS_ALLOW_PRIVATE" in r.json()["message"]
        assert http.get(api).json().get("webhooks", []) == []
    assert receiver.deliveries == []


def test_graceful_stop_delivers_queued_events(
    live_server_factory: Any, monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    server = wr.start_live_server(
        live_server_factory,
        "--access-log",  # uvicorn then logs "Waiting for application shutdown."
        env={"ARDEA_WEBHOOKS_DRAIN_SECONDS": "120"},
    )
    client = ArdeaClient(server.url)
    client.create_webhook("drain", receiver.url + "/drain", ["registered_model.created"])
    client.close()
    gate = receiver.hold("/drain")
    registry = RestRegistryStore(server.url)
    for i in range(3):
        registry.create_registered_model(f"drain-{i}")
    registry.close()
    deadline = time.monotonic() + 60
    while receiver.arrivals("/drain") < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert receiver.arrivals("/drain") == 2  # both workers held; the third event is queued
    stopper = threading.Thread(target=server.stop, kwargs={"timeout": 120})
    stopper.start()
    while "Waiting for application shutdown" not in server.log_text():
        assert time.monotonic() < deadline + 60, server.log_text()
        time.sleep(0.05)
    gate.set()  # only now can anything be delivered: during the shutdown's drain
    stopper.join(150)
    assert not server.running and "Application shutdown complete" in server.log_text()
    got = receiver.at("/drain")
    assert sorted(d.json["data"]["name"] for d in got) == ["drain-0", "drain-1", "drain-2"]
    assert "dropped" not in server.log_text()
