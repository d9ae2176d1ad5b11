"""The dispatcher against a real local receiver and a real SQLite webhook store: retries and
backoff on 5xx, no retry on 4xx, connection errors, the bounded queue, disabled hooks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.store.sql.tracking import SqlTrackingStore
from ardea.store.sql.webhooks import SqlWebhookStore
from ardea.webhooks.dispatcher import WebhookDispatcher
from ardea.webhooks.entities import WebhookEvent, WebhookTarget
from ardea.webhooks.payloads import ALIAS_SET, MODEL_VERSION_CREATED, RegistryChange
from ardea.webhooks.secrets import SecretCipher
from fixtures.webhook_receiver import Receiver

MV = WebhookEvent("MODEL_VERSION", "CREATED")
CHANGE = RegistryChange(MODEL_VERSION_CREATED, "m", {"version": 1, "source": "s"})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlWebhookStore]:
    tracking = SqlTrackingStore(f"sqlite:///{tmp_path / 'w.db'}")
    yield SqlWebhookStore(tracking.database, SecretCipher("unit"))
    tracking.close()


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


def test_connection_errors_are_reported(store: SqlWebhookStore) -> None:
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
