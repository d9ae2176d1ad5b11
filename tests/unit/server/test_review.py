"""``/api/3.0/ardea/review/...`` on a server with ``--auth``: who may do what, and bad input.

Access follows the queue's experiment: ``rita`` holds only the default READ (she sees queues
and items, and cannot label or take a next item); ``ed`` and ``eve`` hold EDIT and label the
items assigned to them (or to nobody), never each other's. Labels are HUMAN assessments whose
``source_id`` is the signed-in user. Bad input is a 4xx in MLflow's error shape, and nothing
stored changes.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from ardea.auth import accounts
from ardea.entities import Span
from ardea.entities.auth import Permission, ResourceType
from ardea.server.app import create_app
from ardea.server.deps import ServerDeps

from .support import Client, assert_error

ADMIN_PASSWORD = "first admin password"
PASSWORD = "a long enough password 1"
R = "/api/3.0/ardea/review"
SCHEMAS = [
    {"name": "correct", "type": "pass_fail"},
    {"name": "tone", "type": "categorical", "options": ["polite", "rude"], "required": False},
    {"name": "expected_response", "type": "expected_answer", "required": False},
]


def basic(username: str, password: str = PASSWORD) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


ADMIN = basic("admin", ADMIN_PASSWORD)
RITA, ED, EVE = basic("rita"), basic("ed"), basic("eve")


@pytest.fixture
def client(deps: ServerDeps, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    settings = replace(deps.settings, auth_enabled=True)
    c = Client(create_app(replace(deps, settings=settings)))
    yield c
    c.close()


def _ok(r: Any) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def world(client: Client, deps: ServerDeps) -> dict[str, Any]:
    """An experiment with three traces and a queue holding them; ed and eve may EDIT."""
    exp = _ok(
        client.post("/api/2.0/mlflow/experiments/create", json={"name": "rev"}, headers=ADMIN)
    )["experiment_id"]
    traces = []
    for n in range(1, 4):
        start = (1_700_000_000_000 + n) * 1_000_000
        root = Span(
            trace_id=f"tr-{n:032x}",
            span_id=f"{n:016x}",
            parent_span_id=None,
            name="root",
            span_type="CHAIN",
            status_code="OK",
            start_time_ns=start,
            end_time_ns=start + 1_000_000,
            attributes={"mlflow.spanInputs": json.dumps({"q": n})},
        )
        deps.backend.traces.log_spans(exp, [root])
        traces.append(root.trace_id)
    store = deps.backend.require_auth()
    for name in ("rita", "ed", "eve"):
        user = accounts.create_user(store, name, PASSWORD, actor="test")
        if name != "rita":
            store.grant(user.id, ResourceType.EXPERIMENT, exp, Permission.EDIT)
    body = {"experiment_id": exp, "name": "q", "label_schemas": SCHEMAS}
    queue = _ok(client.post(R + "/queues/create", json=body, headers=ADMIN))["queue"]
    assert queue["created_by"] == "admin"
    items = _ok(
        client.post(
            R + "/items/add",
            json={"queue_id": queue["queue_id"], "trace_ids": traces},
            headers=ADMIN,
        )
    )["items"]
    return {"exp": exp, "traces": traces, "queue": queue, "items": items}


def _assessments(client: Client, trace_id: str) -> list[dict[str, Any]]:
    got = _ok(client.get(f"/api/3.0/mlflow/traces/{trace_id}", headers=ADMIN))
    info = got.get("trace", {}).get("trace_info") or got.get("trace_info") or {}
    return list(info.get("assessments") or [])


def test_a_reader_sees_the_queue_but_cannot_label(client: Client, world: dict[str, Any]) -> None:
    qid = world["queue"]["queue_id"]
    item = world["items"][0]
    listed = _ok(
        client.get(R + "/queues/list", params={"experiment_id": world["exp"]}, headers=RITA)
    )
    assert [q["queue_id"] for q in listed["queues"]] == [qid]
    assert listed["progress"][0]["pending"] == 3
    assert (
        len(_ok(client.get(R + "/items/list", params={"queue_id": qid}, headers=RITA))["items"])
        == 3
    )
    submit = {"item_id": item["item_id"], "labels": {"correct": True}}
    assert_error(
        client.post(R + "/items/submit", json=submit, headers=RITA), 403, "PERMISSION_DENIED"
    )
    assert_error(
        client.get(R + "/items/next", params={"queue_id": qid}, headers=RITA),
        403,
        "PERMISSION_DENIED",
    )
    assert_error(
        client.post(R + "/items/skip", json={"item_id": item["item_id"]}, headers=RITA),
        403,
        "PERMISSION_DENIED",
    )
    assert_error(
        client.post(R + "/queues/delete", json={"queue_id": qid}, headers=ED),
        403,
        "PERMISSION_DENIED",
    )  # deleting needs MANAGE
    got = _ok(client.get(R + "/items/get", params={"item_id": item["item_id"]}, headers=RITA))
    assert got["item"]["state"] == "pending" and "assignee" not in got["item"]
    assert _assessments(client, item["trace_id"]) == []


def test_reviewers_see_and_label_their_own_items(client: Client, world: dict[str, Any]) -> None:
    qid = world["queue"]["queue_id"]
    ids = [i["item_id"] for i in world["items"]]
    assigned = _ok(
        client.post(
            R + "/items/assign",
            json={"queue_id": qid, "reviewers": ["ed", "eve"], "item_ids": ids[:2]},
            headers=ADMIN,
        )
    )["items"]
    assert [i["assignee"] for i in assigned] == ["ed", "eve"]
    mine = _ok(
        client.get(R + "/items/list", params={"queue_id": qid, "assignee": "ed"}, headers=ED)
    )
    assert [i["item_id"] for i in mine["items"]] == [ids[0]]
    nxt = _ok(client.get(R + "/items/next", params={"queue_id": qid}, headers=ED))["item"]
    assert nxt["item_id"] == ids[0]
    # eve's item is not ed's to label, nor may ed label as eve
    theirs = {"item_id": ids[1], "labels": {"correct": True}}
    assert_error(
        client.post(R + "/items/submit", json=theirs, headers=ED), 403, "PERMISSION_DENIED"
    )
    as_eve = {"item_id": ids[0], "labels": {"correct": True}, "reviewer": "eve"}
    assert_error(
        client.post(R + "/items/submit", json=as_eve, headers=ED), 403, "PERMISSION_DENIED"
    )
    body = {"item_id": ids[0], "labels": {"correct": "fail", "tone": "rude"}, "comment": "no"}
    done = _ok(client.post(R + "/items/submit", json=body, headers=ED))["item"]
    assert done["state"] == "done" and done["reviewed_by"] == "ed"
    stored = _assessments(client, world["traces"][0])
    assert sorted(a["assessment_name"] for a in stored) == ["correct", "tone"]
    for a in stored:
        assert a["source"] == {"source_type": "HUMAN", "source_id": "ed"}
    # after his own, ed gets the unassigned third item (never eve's)
    after = {"queue_id": qid, "after_position": 1}
    nxt = _ok(client.get(R + "/items/next", params=after, headers=ED))["item"]
    assert nxt["item_id"] == ids[2] and nxt["assignee"] == "ed"
    progress = _ok(client.get(R + "/queues/progress", params={"queue_id": qid}, headers=RITA))
    assert (progress["done"], progress["pending"]) == (1, 2)
    assert {r["reviewer"]: r["done"] for r in progress["reviewers"]} == {"ed": 1, "eve": 0}


def test_bad_input_is_a_clear_4xx_and_changes_nothing(
    client: Client, world: dict[str, Any]
) -> None:
    qid = world["queue"]["queue_id"]
    item = world["items"][0]["item_id"]
    exp = world["exp"]
    bad_creates = [
        {"experiment_id": exp, "name": "x", "label_schemas": []},
        {"experiment_id": exp, "name": "x", "label_schemas": [{"name": "a", "type": "stars"}]},
        {
            "experiment_id": exp,
            "name": "x",
            "label_schemas": [{"name": "a", "type": "categorical"}],
        },
        {"experiment_id": exp, "name": "", "label_schemas": SCHEMAS},
        {"experiment_id": exp, "name": "x", "label_schemas": "pass_fail"},
    ]
    for body in bad_creates:
        assert_error(
            client.post(R + "/queues/create", json=body, headers=ADMIN),
            400,
            "INVALID_PARAMETER_VALUE",
        )
    taken = {"experiment_id": exp, "name": "q", "label_schemas": SCHEMAS}
    r = client.post(R + "/queues/create", json=taken, headers=ADMIN)
    assert r.status_code == 400 and r.json()["error_code"] == "RESOURCE_ALREADY_EXISTS"
    missing = {"experiment_id": "424242", "name": "x", "label_schemas": SCHEMAS}
    assert client.post(R + "/queues/create", json=missing, headers=ADMIN).status_code == 404
    listed = _ok(client.get(R + "/queues/list", params={"experiment_id": exp}, headers=ADMIN))
    assert [q["name"] for q in listed["queues"]] == ["q"]

    for labels in ({}, {"correct": "maybe"}, {"correct": True, "tone": "angry"}, {"zzz": 1}, [1]):
        body = {"item_id": item, "labels": labels}
        assert_error(
            client.post(R + "/items/submit", json=body, headers=ED), 400, "INVALID_PARAMETER_VALUE"
        )
    assert_error(
        client.post(R + "/items/submit", json={"item_id": item}, headers=ED),
        400,
        "INVALID_PARAMETER_VALUE",
        "labels",
    )
    adds = [
        (R + "/items/add", {"queue_id": qid, "trace_ids": ["tr-" + "f" * 32]}),
        (R + "/items/add", {"queue_id": qid}),
        (R + "/items/add-by-filter", {"queue_id": qid, "filter_string": "tag.x === 1"}),
        (R + "/items/add-by-judge", {"queue_id": qid, "judge_name": "j", "max_items": 0}),
        (R + "/items/assign", {"queue_id": qid, "reviewers": ["ed"]}),
    ]
    for path, body in adds:
        assert_error(client.post(path, json=body, headers=ADMIN), 400, "INVALID_PARAMETER_VALUE")
    assert_error(
        client.get(R + "/items/list", params={"queue_id": qid, "state": "bogus"}, headers=ADMIN),
        400,
        "INVALID_PARAMETER_VALUE",
    )
    unknown = {"queue_id": "00000000-0000-0000-0000-000000000000"}
    assert_error(
        client.get(R + "/queues/get", params=unknown, headers=ADMIN), 404, "RESOURCE_DOES_NOT_EXIST"
    )
    got = _ok(client.get(R + "/queues/get", params={"queue_id": qid}, headers=ADMIN))
    assert got["progress"]["total"] == 3 and got["progress"]["pending"] == 3
    items = _ok(client.get(R + "/items/list", params={"queue_id": qid}, headers=ADMIN))["items"]
    assert all("assignee" not in i for i in items)
    assert _assessments(client, world["traces"][0]) == []
    # skipping twice: the second is refused
    _ok(client.post(R + "/items/skip", json={"item_id": item}, headers=ED))
    r = client.post(R + "/items/skip", json={"item_id": item}, headers=ED)
    assert r.status_code == 400 and "pending" in r.json()["message"]
