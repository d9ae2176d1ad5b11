"""The SDK's review store over HTTP against ``ardea server --auth`` (a real process).

Each user's stores come from the SDK's REST backend with that user's
``MLFLOW_TRACKING_USERNAME``/``PASSWORD``: the admin creates a queue (its ``created_by`` is the
signed-in admin, whatever the client says); ``ed`` (EDIT on the experiment) takes his next item
and labels it, the labels stored as HUMAN assessments with ``source_id`` ``ed``; ``rita`` (the
default READ) sees the queue and its progress but may not label, skip or take an item; ``ed``
may not label as ``rita``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ardea._core.errors import PermissionDeniedError
from ardea.store.backend import Backend
from ardea.store.rest.backend import open_rest_backend
from fixtures.otlp_payloads import protobuf_request, span

from .conftest import LiveServer

pytestmark = pytest.mark.slow

ADMIN_PASSWORD = "first admin password"
PASSWORDS = {"admin": ADMIN_PASSWORD, "ed": "ed's password 12345", "rita": "rita's password 123"}
SCHEMAS = [
    {"name": "correct", "type": "pass_fail"},
    {"name": "why", "type": "text", "required": False},
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(
        tmp_path_factory.mktemp("review-auth"),
        ("--auth",),
        {"ARDEA_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )
    yield live
    live.kill()


def _admin(server: LiveServer, path: str, **kwargs: Any) -> dict[str, Any]:
    r = httpx.post(f"{server.url}{path}", auth=("admin", ADMIN_PASSWORD), timeout=30, **kwargs)
    assert r.status_code == 200, (path, r.text)
    return r.json() if r.content else {}


def _backend_of(user: str, url: str) -> Backend:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MLFLOW_TRACKING_TOKEN", raising=False)
        mp.delenv("ARDEA_TRACKING_TOKEN", raising=False)
        mp.setenv("MLFLOW_TRACKING_USERNAME", user)
        mp.setenv("MLFLOW_TRACKING_PASSWORD", PASSWORDS[user])
        return open_rest_backend(url)  # reads the credentials now


@pytest.fixture(scope="module")
def world(server: LiveServer) -> Iterator[dict[str, Any]]:
    for user in ("ed", "rita"):
        _admin(
            server,
            "/api/2.0/mlflow/users/create",
            json={"username": user, "password": PASSWORDS[user]},
        )
    exp = _admin(server, "/api/2.0/mlflow/experiments/create", json={"name": "review"})[
        "experiment_id"
    ]
    _admin(
        server,
        "/api/3.0/mlflow/users/permissions/grant",
        json={
            "username": "ed",
            "resource_type": "experiment",
            "resource_id": exp,
            "permission": "EDIT",
        },
    )
    traces = []
    for n in (1, 2):
        attrs = {"mlflow.spanInputs": json.dumps({"q": n}), "mlflow.spanOutputs": json.dumps("a")}
        _admin(
            server,
            "/v1/traces",
            content=protobuf_request([span(f"{n:032x}", f"{n:016x}", "qa", attributes=attrs)]),
            headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp},
        )
        traces.append(f"tr-{n:032x}")
    backends = {user: _backend_of(user, server.url) for user in PASSWORDS}
    yield {"exp": exp, "traces": traces, **backends}
    for backend in backends.values():
        backend.close()


def test_reviewers_over_http(world: dict[str, Any]) -> None:
    admin, ed, rita = world["admin"].review, world["ed"].review, world["rita"].review
    queue = admin.create_queue(world["exp"], "q", SCHEMAS, created_by="someone else")
    assert queue.created_by == "admin"
    items = admin.add_items(queue.queue_id, trace_ids=world["traces"])
    assert [i.state for i in items] == ["pending", "pending"]

    # a reader follows the queue but cannot label, skip or take an item
    assert [q.name for q in rita.list_queues(world["exp"])] == ["q"]
    assert rita.progress(queue.queue_id).pending == 2
    for refused in (
        lambda: rita.submit_labels(items[0].item_id, "", {"correct": True}),
        lambda: rita.skip_item(items[0].item_id, ""),
        lambda: rita.next_item(queue.queue_id, ""),
    ):
        with pytest.raises(PermissionDeniedError):
            refused()

    mine = ed.next_item(queue.queue_id, "")
    assert mine is not None and mine.item_id == items[0].item_id and mine.assignee == "ed"
    with pytest.raises(PermissionDeniedError):
        ed.submit_labels(mine.item_id, "rita", {"correct": True})
    done = ed.submit_labels(mine.item_id, "", {"correct": False, "why": "wrong"}, comment="c")
    assert done.state == "done" and done.reviewed_by == "ed"
    stored = [world["ed"].traces.get_assessment(mine.trace_id, a) for a in done.assessment_ids]
    assert {a.name: a.value for a in stored} == {"correct": False, "why": "wrong"}
    assert {(a.source_type, a.source_id) for a in stored} == {("HUMAN", "ed")}
    progress = rita.progress(queue.queue_id)
    assert (progress.done, progress.pending) == (1, 1)
    assert [(r.reviewer, r.done) for r in progress.reviewers] == [("ed", 1), (None, 0)]
    with pytest.raises(PermissionDeniedError):
        ed.delete_queue(queue.queue_id)  # MANAGE
    admin.delete_queue(queue.queue_id)
