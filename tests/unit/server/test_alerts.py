"""``/api/3.0/ardea/alerts/...`` and the server's alert evaluator.

On a server with ``--auth``: ``rita`` holds only the default READ (she sees rules and events,
and cannot create, change or delete them); ``ed`` holds EDIT (creates and changes rules, but
deleting needs MANAGE). Bad input is a 4xx in MLflow's error shape and stores nothing. The
evaluator (run one pass at a time here) records a rule's changes and delivers each to the
webhooks subscribed to ``alert.fired`` / ``alert.resolved``, signed like every delivery.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from ardea.entities import Span
from ardea.server.alerts import interval_seconds
from ardea.server.deps import ServerDeps
from ardea.webhooks.signing import (
    DELIVERY_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)
from fixtures.auth_app import ADMIN, ED, RITA, app, client, exp, ok
from fixtures.webhook_receiver import Receiver, receiver

from .support import assert_error

__all__ = ["app", "client", "exp", "receiver"]

A = "/api/3.0/ardea/alerts"
RULE = {"name": "errors", "kind": "error_rate_above", "threshold": 0.2, "window_seconds": 600}


def _traces(deps: ServerDeps, exp: str, first: int, statuses: list[str]) -> None:
    now = int(time.time() * 1000) - 5000
    spans = [
        Span(
            trace_id=f"tr-{n:032x}",
            span_id=f"{n:016x}",
            parent_span_id=None,
            name="root",
            span_type="CHAIN",
            status_code=status,
            start_time_ns=(now + n) * 1_000_000,
            end_time_ns=(now + n + 10) * 1_000_000,
            attributes={},
        )
        for n, status in enumerate(statuses, start=first)
    ]
    deps.backend.traces.log_spans(exp, spans)


def test_access_follows_the_experiment(client: httpx.Client, exp: str) -> None:
    body = {"experiment_id": exp, **RULE}
    assert_error(
        client.post(A + "/rules/create", json=body, headers=RITA), 403, "PERMISSION_DENIED"
    )
    rule = ok(client.post(A + "/rules/create", json=body, headers=ED))["rule"]
    assert rule["created_by"] == "ed" and rule["state"] == "OK"
    rid = rule["rule_id"]
    listed = ok(client.get(A + "/rules/list", params={"experiment_id": exp}, headers=RITA))
    assert [r["rule_id"] for r in listed["rules"]] == [rid]
    assert ok(client.get(A + "/rules/get", params={"rule_id": rid}, headers=RITA))["rule"] == rule
    events = ok(client.get(A + "/events/list", params={"rule_id": rid}, headers=RITA))
    assert events == {"events": []}
    change = {"rule_id": rid, "threshold": 0.5}
    assert_error(
        client.post(A + "/rules/update", json=change, headers=RITA), 403, "PERMISSION_DENIED"
    )
    assert ok(client.post(A + "/rules/update", json=change, headers=ED))["rule"]["threshold"] == 0.5
    gone = {"rule_id": rid}
    assert_error(client.post(A + "/rules/delete", json=gone, headers=ED), 403, "PERMISSION_DENIED")
    assert ok(client.post(A + "/rules/delete", json=gone, headers=ADMIN)) == {}
    assert_error(
        client.get(A + "/rules/get", params=gone, headers=ADMIN), 404, "RESOURCE_DOES_NOT_EXIST"
    )


@pytest.mark.parametrize(
    ("change", "contains"),
    [
        ({"kind": "sometimes"}, "'kind' must be one of"),
        ({"threshold": 2}, "rate in [0, 1]"),
        ({"threshold": "lots"}, "threshold"),
        ({"window_seconds": 1}, "window_seconds"),
        ({"judge": "correct"}, "pass_rate_below rules only"),
        ({"recovery_threshold": 0.9}, "never resolve"),
        ({"enabled": "yes"}, "enabled"),
        ({"min_samples": -1}, "min_samples"),
    ],
)
def test_bad_input_is_a_400_and_stores_nothing(
    client: httpx.Client, exp: str, change: dict[str, Any], contains: str
) -> None:
    good = ok(client.post(A + "/rules/create", json={"experiment_id": exp, **RULE}, headers=ADMIN))
    bad = {"experiment_id": exp, **RULE, "name": "bad", **change}
    r = client.post(A + "/rules/create", json=bad, headers=ADMIN)
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", contains)
    r = client.post(
        A + "/rules/update", json={"rule_id": good["rule"]["rule_id"], **change}, headers=ADMIN
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", contains)
    listed = ok(client.get(A + "/rules/list", params={"experiment_id": exp}, headers=ADMIN))
    assert listed["rules"] == [good["rule"]]


def test_missing_fields_duplicates_and_unknown_ids(client: httpx.Client, exp: str) -> None:
    r = client.post(A + "/rules/create", json={"experiment_id": exp, "name": "x"}, headers=ADMIN)
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")
    ok(client.post(A + "/rules/create", json={"experiment_id": exp, **RULE}, headers=ADMIN))
    r = client.post(A + "/rules/create", json={"experiment_id": exp, **RULE}, headers=ADMIN)
    assert_error(r, 400, "RESOURCE_ALREADY_EXISTS")  # MLflow's status for it
    r = client.post(A + "/rules/create", json={"experiment_id": "424242", **RULE}, headers=ADMIN)
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST")
    assert_error(client.get(A + "/events/list", headers=ADMIN), 400, "INVALID_PARAMETER_VALUE")
    r = client.get(
        A + "/events/list", params={"experiment_id": exp, "max_results": 0}, headers=ADMIN
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "max_results")
    r = client.post(A + "/rules/update", json={"rule_id": "nope", "threshold": 0.1}, headers=ADMIN)
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST")


def _hook(client: httpx.Client, url: str, events: list[str]) -> None:
    body = {
        "name": "alerts",
        "url": url,
        "events": [{"entity": "alert", "action": e} for e in events],
        "secret": "alert-secret",
    }
    ok(client.post("/api/2.0/mlflow/webhooks", json=body, headers=ADMIN))


def _verify(delivery: Any) -> None:
    headers = {k.lower(): v for k, v in delivery.headers.items()}
    assert verify_signature(
        "alert-secret",
        headers[DELIVERY_ID_HEADER.lower()],
        headers[TIMESTAMP_HEADER.lower()],
        delivery.body,
        headers[SIGNATURE_HEADER.lower()],
    )


def test_the_evaluator_fires_resolves_and_delivers_signed_webhooks(
    app: Any, client: httpx.Client, deps: ServerDeps, exp: str, receiver: Receiver
) -> None:
    _hook(client, receiver.url + "/alerts", ["fired", "resolved"])
    body = {"experiment_id": exp, **RULE, "recovery_threshold": 0.1, "min_samples": 4}
    rule = ok(client.post(A + "/rules/create", json=body, headers=ADMIN))["rule"]
    evaluator = app.state.ardea.alerts
    _traces(deps, exp, 1, ["OK", "ERROR"])  # two samples: below min_samples
    assert evaluator.evaluate_once() == []
    _traces(deps, exp, 3, ["OK", "ERROR"])  # 2 errors in 4
    [fired] = evaluator.evaluate_once()
    assert fired.event.kind == "FIRED" and fired.event.value == 0.5
    (delivery,) = receiver.wait_for("/alerts", 1)
    _verify(delivery)
    doc = delivery.json
    assert (doc["entity"], doc["action"]) == ("alert", "fired")
    data = doc["data"]
    assert (data["rule_id"], data["rule_name"], data["experiment_id"]) == (
        rule["rule_id"],
        "errors",
        exp,
    )
    assert (data["event"], data["state"], data["value"], data["threshold"]) == (
        "FIRED",
        "FIRING",
        0.5,
        0.2,
    )
    got = ok(client.get(A + "/rules/get", params={"rule_id": rule["rule_id"]}, headers=RITA))
    assert got["rule"]["state"] == "FIRING" and got["rule"]["last_value"] == 0.5
    assert evaluator.evaluate_once() == []  # still firing: nothing new
    _traces(deps, exp, 5, ["OK"] * 16)  # 2 errors in 20 = 0.1: back to the recovery threshold
    [resolved] = evaluator.evaluate_once()
    assert resolved.event.kind == "RESOLVED"
    deliveries = receiver.wait_for("/alerts", 2)
    assert deliveries[1].json["action"] == "resolved"
    _verify(deliveries[1])
    events = ok(client.get(A + "/events/list", params={"experiment_id": exp}, headers=RITA))[
        "events"
    ]
    assert [(e["kind"], e["sequence"]) for e in events] == [("RESOLVED", 2), ("FIRED", 1)]


def test_only_subscribed_events_are_delivered(
    app: Any, client: httpx.Client, deps: ServerDeps, exp: str, receiver: Receiver
) -> None:
    _hook(client, receiver.url + "/resolved-only", ["resolved"])
    ok(client.post(A + "/rules/create", json={"experiment_id": exp, **RULE}, headers=ADMIN))
    _traces(deps, exp, 1, ["ERROR"])
    assert len(app.state.ardea.alerts.evaluate_once()) == 1
    _traces(deps, exp, 2, ["OK"] * 9)
    assert len(app.state.ardea.alerts.evaluate_once()) == 1
    (only,) = receiver.wait_for("/resolved-only", 1)
    assert only.json["action"] == "resolved"


def test_interval_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert interval_seconds() == 60
    monkeypatch.setenv("ARDEA_ALERTS_INTERVAL_SECONDS", "0")  # ARDEA_ALERTS=0 is the off switch
    assert interval_seconds() == 0.2
    monkeypatch.setenv("ARDEA_ALERTS_INTERVAL_SECONDS", "5")
    assert interval_seconds() == 5
    for bad in ("soon", "-5", "inf"):
        monkeypatch.setenv("ARDEA_ALERTS_INTERVAL_SECONDS", bad)
        assert interval_seconds() == 60
