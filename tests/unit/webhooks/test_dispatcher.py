"""The dispatcher against a real local receiver and a real SQLite webhook store: retries and
backoff on 5xx, no retry on 4xx, connection errors, the bounded queue, disabled hooks, the
SSRF guard at delivery time, and draining on close."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ardea._core.secrets import SecretCipher
from ardea.entities.webhook import WebhookEvent, WebhookTarget
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.webhooks.store import SqlWebhookStore
from ardea.webhooks.dispatcher import WebhookDispatcher, drain_seconds
from ardea.webhooks.payloads import ALIAS_SET, MODEL_VERSION_CREATED, RegistryChange
from fixtures.webhook_receiver import Receiver

MV = WebhookEvent("MODEL_VERSION", "CREATED")
CHANGE = RegistryChange(MODEL_VERSION_CREATED, "m", {"version": 1, "source": "s"})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlWebhookStore]:
    tracking_backend = open_sql_backend(f"sqlite:///{tmp_path / 'w.db'}")
    tracking = tracking_backend.tracking
    yield SqlWebhookStore(tracking.database, SecretCipher("unit"))
    tracking_backend.close()


def _dispatcher(store: SqlWebhookStore, **kw: object) -> WebhookDispatcher:
    return WebhookDispatcher(store, backoff=0.0, cache_ttl=0.0, **kw)  # type: ignore[arg-type]


def test_5xx_is_retried_up_to_max_attempts(store: SqlWebhookStore, receiver: Receiver) -> None:
    store.create_webhook("h", receiver.url + "/x", [MV], secret="s")
    receiver.fail_first["/x"] = 10
    d = _dispatcher(store, max_attempts=3)
    assert d.submit(CHANGE)
    assert d.wait_idle(60)
    assert [x.answered for x in receiver.at("/x")] == [500, 500, 500]
    d.close()


def test_4xx_is_not_retried_and_success_stops(store: SqlWebhookStore, receiver: Receiver) -> None:
    d = _dispatcher(store, max_attempts=3)
    target = WebhookTarget("id", receiver.url + "/ok")
    result = d.deliver(target, MV, {"name": "m"})
    assert result.success and result.response_status == 200
    assert len(receiver.at("/ok")) == 1
    receiver.status_for["/gone"] = 410
    gone = d.deliver(WebhookTarget("id", receiver.url + "/gone"), MV, {})
    assert not gone.success and gone.response_status == 410 and gone.response_body == "boom"
    assert len(receiver.at("/gone")) == 1
    d.close()


def test_connection_errors_are_reported(
    store: SqlWebhookStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_WEBHOOKS_ALLOW_PRIVATE", "1")  # a closed port on loopback
    d = _dispatcher(store, max_attempts=2, timeout=2.0)
    result = d.deliver(WebhookTarget("id", "http://127.0.0.1:1/"), MV, {})
    assert not result.success and result.response_status is None
    assert "ConnectError" in (result.error_message or "")
    d.close()


def test_disabled_and_unsubscribed_hooks_get_nothing(
    store: SqlWebhookStore, receiver: Receiver
) -> None:
    store.create_webhook("off", receiver.url + "/off", [MV], status="DISABLED")
    store.create_webhook("other", receiver.url + "/other", ["prompt_version.created"])
    on = store.create_webhook("on", receiver.url + "/on", [MV])
    d = _dispatcher(store)
    d.submit(CHANGE)
    assert d.wait_idle(60)
    assert len(receiver.at("/on")) == 1
    assert receiver.at("/off") == [] and receiver.at("/other") == []
    store.delete_webhook(on.webhook_id)
    d.invalidate()
    d.submit(CHANGE)
    assert d.wait_idle(60)
    assert len(receiver.at("/on")) == 1
    d.close()


def test_full_queue_drops_and_closed_dispatcher_refuses(
    store: SqlWebhookStore, receiver: Receiver
) -> None:
    store.create_webhook("a", receiver.url + "/a", ["model_version_alias.created"])
    entered, release = threading.Event(), threading.Event()

    def slow_is_prompt(_name: str) -> bool:
        entered.set()
        release.wait(30)
        return False

    d = WebhookDispatcher(store, slow_is_prompt, workers=1, queue_size=1, backoff=0.0)
    change = RegistryChange(ALIAS_SET, "m", {"alias": "x", "version": 1})
    assert d.submit(change)
    assert entered.wait(30)  # the worker holds the first change
    assert d.submit(change)  # fills the queue
    assert not d.submit(change)  # dropped, never blocks
    release.set()
    assert d.wait_idle(60)
    assert len(receiver.at("/a")) == 2
    d.close()
    assert not d.submit(change)


# -- SSRF guard at delivery time ---------------------------------------------------------------


def test_delivery_to_a_private_address_is_refused_once(
    store: SqlWebhookStore,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A row stored while the opt-out was on is refused at delivery once the guard is back."""
    store.create_webhook("ip", receiver.url + "/ip", [MV], secret="s3cr3t-value")
    by_name = receiver.url.replace("127.0.0.1", "localhost") + "/name"
    store.create_webhook("name", by_name, [MV])
    monkeypatch.delenv("ARDEA_WEBHOOKS_ALLOW_PRIVATE")
    d = _dispatcher(store, max_attempts=3)
    with caplog.at_level(logging.WARNING, logger="ardea.webhooks.dispatcher"):
        assert d.submit(CHANGE)
        assert d.wait_idle(60)
    assert receiver.arrivals("/ip") == 0 and receiver.arrivals("/name") == 0
    assert d.stats()["refused"] == 2  # one try each: a refusal is never retried
    assert d.stats()["delivered"] == d.stats()["failed"] == 0
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 2 and "loopback" in refused[0]
    assert "s3cr3t-value" not in caplog.text
    hook_id = store.list_webhooks()[0].webhook_id
    result = d.send_test(hook_id)
    assert not result.success and "refused" in (result.error_message or "")
    assert receiver.arrivals("/ip") == 0 and receiver.arrivals("/name") == 0
    d.close()


# -- draining on close -------------------------------------------------------------------------


def test_close_delivers_what_is_queued(store: SqlWebhookStore, receiver: Receiver) -> None:
    store.create_webhook("slow", receiver.url + "/slow", [MV])
    gate = receiver.hold("/slow")
    d = _dispatcher(store, workers=1)
    for _ in range(3):
        assert d.submit(CHANGE)
    wait_until(lambda: receiver.arrivals("/slow") == 1)  # the first one is held
    outcome: list[int] = []
    closer = threading.Thread(target=lambda: outcome.append(d.close(timeout=120)))
    closer.start()
    wait_until(lambda: d.closed)
    assert not d.submit(CHANGE)  # closing: no new work
    gate.set()  # the receiver answers: the queued deliveries go out during the drain
    closer.join(120)
    assert outcome == [0]
    assert len(receiver.at("/slow")) == 3
    assert d.stats()["delivered"] == 3 and d.stats()["dropped"] == 0


def test_close_drops_what_is_left_after_the_grace_period(
    store: SqlWebhookStore, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    store.create_webhook("stuck", receiver.url + "/stuck", [MV])
    gate = receiver.hold("/stuck")
    d = _dispatcher(store, workers=1)
    for _ in range(3):
        assert d.submit(CHANGE)
    wait_until(lambda: receiver.arrivals("/stuck") == 1)
    with caplog.at_level(logging.WARNING, logger="ardea.webhooks.dispatcher"):
        assert d.close(timeout=0.0) == 3  # one in flight, two queued: nothing can finish
    assert "3 event(s)" in caplog.text and "dropped" in caplog.text
    assert d.stats()["dropped"] == 3
    gate.set()
    assert d.wait_idle(60)  # the in-flight one ends; the queued ones were discarded
    assert receiver.arrivals("/stuck") == 1
    assert d.close() == 0


def test_drain_seconds_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert drain_seconds() == 5.0
    monkeypatch.setenv("ARDEA_WEBHOOKS_DRAIN_SECONDS", "0.5")
    assert drain_seconds() == 0.5
    for bad in ("-1", "soon", "inf", "nan"):
        monkeypatch.setenv("ARDEA_WEBHOOKS_DRAIN_SECONDS", bad)
        assert drain_seconds() == 5.0


def wait_until(check: Callable[[], bool], timeout: float = 60) -> None:
    """Poll ``check`` until it holds (fails the test after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail("condition not reached")
        time.sleep(0.02)
