"""The webhook REST API's SSRF guard (400, nothing stored) and the app's shutdown, which
drains queued deliveries, on a real app over SQLite with a real local receiver."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps
from fixtures import webhook_receiver as wr
from fixtures.webhook_receiver import Receiver

from .support import Client

API = "/api/2.0/mlflow/webhooks"
EVENTS = [{"entity": "REGISTERED_MODEL", "action": "CREATED"}]

receiver = wr.receiver  # the fixture


def _create(client: Any, url: str) -> Any:
    return client.post(API, json={"name": "h", "url": url, "events": EVENTS, "secret": "k3y"})


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/x",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
        "http://10.0.0.1/",
        "http://localhost:8080/x",
    ],
)
def test_create_to_a_private_address_is_400_and_stores_nothing(client: Client, url: str) -> None:
    r = _create(client, url)
    assert r.status_code == 400, r.text
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "ARDEA_WEBHOOKS_ALLOW_PRIVATE" in r.json()["message"]
    assert client.get(API).json().get("webhooks", []) == []


def test_update_to_a_private_address_is_400_and_changes_nothing(client: Client) -> None:
    hook = _create(client, "https://8.8.8.8/hook").json()["webhook"]
    r = client.patch(f"{API}/{hook['webhook_id']}", json={"url": "http://10.1.2.3/x"})
    assert r.status_code == 400 and r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert client.get(f"{API}/{hook['webhook_id']}").json()["webhook"] == hook


def test_opt_out_allows_a_private_address(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_WEBHOOKS_ALLOW_PRIVATE", "1")
    r = _create(client, "http://127.0.0.1:1/x")
    assert r.status_code == 200 and r.json()["webhook"]["url"] == "http://127.0.0.1:1/x"


def test_shutdown_drains_queued_deliveries(
    deps: ServerDeps, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_WEBHOOKS_DRAIN_SECONDS", "120")
    app = create_app(deps)
    gate = receiver.hold("/drain")
    with TestClient(app, base_url="http://localhost") as http:
        assert _create(http, receiver.url + "/drain").status_code == 200
        for i in range(3):
            r = http.post("/api/2.0/mlflow/registered-models/create", json={"name": f"m{i}"})
            assert r.status_code == 200, r.text
        _wait_until(lambda: receiver.arrivals("/drain") >= 1)  # held: the rest stay queued
        dispatcher = app.state.ardea.webhooks.dispatcher

        def release_once_closing() -> None:
            _wait_until(lambda: dispatcher.closed)
            gate.set()

        releaser = threading.Thread(target=release_once_closing, daemon=True)
        releaser.start()
    # Leaving the block ran the lifespan shutdown: it closed the dispatcher while three
    # events were pending, and returned only after they were delivered.
    releaser.join(60)
    got = receiver.at("/drain")
    assert len(got) == 3
    assert sorted(d.json["data"]["name"] for d in got) == ["m0", "m1", "m2"]
    assert dispatcher.stats()["dropped"] == 0


def _wait_until(check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail("condition not reached")
        time.sleep(0.02)
