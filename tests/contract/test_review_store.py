"""ReviewStore contract: queues, items by hand / filter / judge, assignment, next item, labels
as HUMAN assessments, skip, progress, dataset expectations, bad input (nothing stored), over
every backend (SQLite, REST, PostgreSQL, MySQL, inside workspaces)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ardea._core.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
)
from ardea.entities import Feedback, Span
from ardea.entities.assessment import AssessmentSource
from ardea.entities.feedback import with_fields
from ardea.store.backend import Backend
from ardea.store.review import ITEM_ID_KEY, QUEUE_ID_KEY, ReviewStore

T0 = 1_700_000_000_000
SCHEMAS: list[dict[str, Any]] = [
    {"name": "correct", "type": "pass_fail"},
    {"name": "tone", "type": "categorical", "options": ["polite", "rude"], "required": False},
    {"name": "score", "type": "numeric", "min": 1, "max": 5, "required": False},
    {"name": "notes", "type": "text", "required": False},
    {"name": "expected_response", "type": "expected_answer", "required": False},
]


@pytest.fixture
def store(backend: Backend) -> ReviewStore:
    return backend.review


def tid(n: int) -> str:
    return f"tr-{n:032x}"


def _trace(backend: Backend, exp: str, n: int, session: str | None = None) -> str:
    start = (T0 + n) * 1_000_000
    attrs: dict[str, Any] = {
        "mlflow.spanInputs": {"question": f"q{n}"},
        "mlflow.spanOutputs": f"a{n}",
    }
    if session:
        attrs["session.id"] = session
    root = Span(
        trace_id=tid(n),
        span_id=f"{n:016x}",
        parent_span_id=None,
        name=f"t{n}",
        span_type="CHAIN",
        status_code="OK",
        start_time_ns=start,
        end_time_ns=start + 1_000_000,
        attributes=attrs,
    )
    if backend.remote:
        _send_otlp(backend, exp, root)
    else:
        backend.traces.log_spans(exp, [root])
    return tid(n)


def _send_otlp(backend: Backend, exp: str, span: Span) -> None:
    """A REST backend takes spans over OTLP (OTLP/JSON, through the review store's client)."""
    attrs = [
        {"key": k, "value": {"stringValue": v if isinstance(v, str) else json.dumps(v)}}
        for k, v in span.attributes.items()
    ]
    one = {
        "traceId": span.trace_id.removeprefix("tr-"),
        "spanId": span.span_id,
        "name": span.name,
        "kind": 1,
        "startTimeUnixNano": str(span.start_time_ns),
        "endTimeUnixNano": str(span.end_time_ns),
        "attributes": attrs,
        "status": {"code": 1},
    }
    body = {"resourceSpans": [{"resource": {}, "scopeSpans": [{"scope": {}, "spans": [one]}]}]}
    rest = backend.review._rest  # type: ignore[attr-defined]
    rest.request("POST", "/v1/traces", json=body, headers={"x-mlflow-experiment-id": exp})


def _setup(backend: Backend, n: int = 4) -> tuple[str, list[str]]:
    exp = backend.tracking.create_experiment("review-exp")
    return exp, [_trace(backend, exp, i) for i in range(1, n + 1)]


def test_queue_crud(backend: Backend, store: ReviewStore) -> None:
    exp, _ = _setup(backend, 0)
    queue = store.create_queue(exp, "q1", SCHEMAS, description="d", created_by="alice")
    assert queue.experiment_id == exp and queue.name == "q1"
    # a server sets the creator from the signed-in user (none here)
    assert queue.created_by == (None if backend.remote else "alice")
    assert [s.name for s in queue.label_schemas] == [s["name"] for s in SCHEMAS]
    assert queue.label_schemas[1].options == ("polite", "rude")
    assert store.get_queue(queue.queue_id) == queue
    assert store.list_queues(exp) == [queue]
    assert queue in store.list_queues()
    backend.tracking.delete_experiment(exp)  # a deleted experiment's queues are not listed
    assert queue not in store.list_queues() and store.list_queues(exp) == [queue]
    backend.tracking.restore_experiment(exp)
    with pytest.raises(AlreadyExistsError):
        store.create_queue(exp, "q1", SCHEMAS)
    store.delete_queue(queue.queue_id)
    assert store.list_queues(exp) == []
    with pytest.raises(NotFoundError):
        store.get_queue(queue.queue_id)


@pytest.mark.parametrize(
    "schemas",
    [
        [],
        [{"name": "x", "type": "stars"}],
        [{"name": "x", "type": "categorical"}],
        [{"name": "x", "type": "categorical", "options": ["a", "a"]}],
        [{"name": "x", "type": "numeric", "min": 5, "max": 1}],
        [{"name": "x", "type": "text"}, {"name": "x", "type": "text"}],
        [{"type": "text"}],
    ],
)
def test_bad_schemas_store_nothing(
    backend: Backend, store: ReviewStore, schemas: list[Any]
) -> None:
    exp, _ = _setup(backend, 0)
    with pytest.raises(InvalidArgumentError):
        store.create_queue(exp, "bad", schemas)
    assert store.list_queues(exp) == []


def test_unknown_experiment_and_queue(backend: Backend, store: ReviewStore) -> None:
    with pytest.raises(NotFoundError):
        store.create_queue("987654", "q", SCHEMAS)
    with pytest.raises(NotFoundError):
        store.get_queue("00000000-0000-0000-0000-000000000000")
    with pytest.raises(NotFoundError):
        store.get_item("00000000-0000-0000-0000-000000000000")


def test_add_items_by_hand_and_sessions(backend: Backend, store: ReviewStore) -> None:
    exp, ids = _setup(backend, 3)
    _trace(backend, exp, 10, session="s-1")
    _trace(backend, exp, 11, session="s-1")
    queue = store.create_queue(exp, "q", SCHEMAS)
    added = store.add_items(queue.queue_id, trace_ids=ids[:2])
    assert [(i.trace_id, i.position, i.state, i.source) for i in added] == [
        (ids[0], 1, "pending", "manual"),
        (ids[1], 2, "pending", "manual"),
    ]
    again = store.add_items(queue.queue_id, trace_ids=ids, session_ids=["s-1"])
    assert [(i.trace_id, i.session_id, i.position) for i in again] == [
        (ids[2], None, 3),
        (tid(10), "s-1", 4),
    ]
    with pytest.raises(InvalidArgumentError, match="tr-nope"):
        store.add_items(queue.queue_id, trace_ids=[ids[0], "tr-nope"])
    with pytest.raises(InvalidArgumentError):
        store.add_items(queue.queue_id, session_ids=["no-such-session"])
    with pytest.raises(InvalidArgumentError):
        store.add_items(queue.queue_id)
    assert len(store.list_items(queue.queue_id)) == 4


def test_add_by_filter_and_by_judge(backend: Backend, store: ReviewStore) -> None:
    exp, ids = _setup(backend, 4)
    backend.traces.set_trace_tag(ids[0], "flag", "yes")
    backend.traces.set_trace_tag(ids[2], "flag", "yes")
    judge = AssessmentSource("LLM_JUDGE", "gpt")
    for i, value in enumerate(["no", "yes", False, "fail"]):
        fb = Feedback(name="safety", value=value, source=judge, rationale=f"r{i}")
        backend.traces.create_assessment(with_fields(fb, trace_id=ids[i]))
    human = Feedback(name="safety", value="no", source=AssessmentSource("HUMAN", "bob"))
    backend.traces.create_assessment(with_fields(human, trace_id=ids[1]))
    queue = store.create_queue(exp, "q", SCHEMAS)
    by_filter = store.add_items_by_filter(queue.queue_id, "tag.flag = 'yes'", max_items=10)
    assert sorted(i.trace_id for i in by_filter) == sorted([ids[0], ids[2]])
    assert {i.source for i in by_filter} == {"filter"}
    by_judge = store.add_items_by_judge(queue.queue_id, "safety", max_items=10)
    assert [i.trace_id for i in by_judge] == [ids[3]]  # the others are in already
    other = store.create_queue(exp, "q2", SCHEMAS)
    assert sorted(i.trace_id for i in store.add_items_by_judge(other.queue_id, "safety")) == sorted(
        [ids[0], ids[2], ids[3]]
    )
    with pytest.raises(InvalidArgumentError):
        store.add_items_by_filter(queue.queue_id, "tag.flag === 1")
    with pytest.raises(InvalidArgumentError):
        store.add_items_by_judge(queue.queue_id, "safety", max_items=0)


def test_assign_next_and_progress(backend: Backend, store: ReviewStore) -> None:
    exp, ids = _setup(backend, 5)
    queue = store.create_queue(exp, "q", SCHEMAS)
    items = store.add_items(queue.queue_id, trace_ids=ids)
    assigned = store.assign_items(queue.queue_id, ["ann", "ben"], [i.item_id for i in items[:4]])
    assert [i.assignee for i in assigned] == ["ann", "ben", "ann", "ben"]
    first = store.next_item(queue.queue_id, "ben")
    assert first is not None and first.item_id == items[1].item_id
    later = store.next_item(queue.queue_id, "ben", after_position=first.position)
    assert later is not None and later.item_id == items[3].item_id
    # after their own, an unassigned one (which becomes theirs)
    free = store.next_item(queue.queue_id, "ben", after_position=later.position)
    assert free is not None and free.item_id == items[4].item_id and free.assignee == "ben"
    assert [i.item_id for i in store.list_items(queue.queue_id, assignee="ann")] == [
        items[0].item_id,
        items[2].item_id,
    ]
    progress = store.progress(queue.queue_id)
    assert (progress.pending, progress.done, progress.skipped, progress.total) == (5, 0, 0, 5)
    empty = store.create_queue(exp, "empty", SCHEMAS)
    many = store.progress_of([empty.queue_id, queue.queue_id])
    assert [(p.queue_id, p.total) for p in many] == [(empty.queue_id, 0), (queue.queue_id, 5)]
    assert many[1] == progress
    assert [(r.reviewer, r.pending) for r in progress.reviewers] == [("ann", 2), ("ben", 3)]
    page = store.list_items(queue.queue_id, max_results=2)
    assert len(page) == 2 and page.token
    rest = store.list_items(queue.queue_id, max_results=10, page_token=page.token)
    assert [i.position for i in rest] == [3, 4, 5] and rest.token is None


def test_submit_labels_are_human_assessments(backend: Backend, store: ReviewStore) -> None:
    exp, ids = _setup(backend, 2)
    queue = store.create_queue(exp, "q", SCHEMAS)
    items = store.add_items(queue.queue_id, trace_ids=ids)
    store.assign_items(queue.queue_id, ["ann"], [items[0].item_id])
    labels = {"correct": "fail", "tone": "rude", "score": 2, "expected_response": "Paris"}
    done = store.submit_labels(items[0].item_id, "ann", labels, comment="wrong city")
    assert done.state == "done" and done.reviewed_by == "ann" and len(done.assessment_ids) == 4
    found = {a.name: a for a in backend.traces.get_trace_info(ids[0]).assessments}
    assert found["correct"].value is False and found["correct"].kind == "feedback"
    assert found["expected_response"].kind == "expectation"
    assert found["expected_response"].value == "Paris"
    for a in found.values():
        assert (a.source_type, a.source_id) == ("HUMAN", "ann")
        assert a.metadata[QUEUE_ID_KEY] == queue.queue_id
        assert a.metadata[ITEM_ID_KEY] == items[0].item_id
    assert found["tone"].rationale == "wrong city"
    # labelled again: the earlier labels are overridden, not duplicated
    store.submit_labels(items[0].item_id, "ann", {"correct": True})
    valid = [a for a in backend.traces.get_trace_info(ids[0]).assessments if a.valid]
    assert sorted((a.name, a.value) for a in valid if a.name == "correct") == [("correct", True)]
    skipped = store.skip_item(items[1].item_id, "ben")
    assert skipped.state == "skipped" and skipped.assignee == "ben"
    with pytest.raises(FailedPreconditionError):
        store.skip_item(items[1].item_id, "ben")
    progress = store.progress(queue.queue_id)
    assert (progress.pending, progress.done, progress.skipped) == (0, 1, 1)
    assert store.next_item(queue.queue_id, "ann") is None


@pytest.mark.parametrize(
    "labels",
    [
        {},
        {"tone": "rude"},  # 'correct' is required
        {"correct": "maybe"},
        {"correct": True, "tone": "angry"},
        {"correct": True, "score": 9},
        {"correct": True, "score": "3"},
        {"correct": True, "unknown": 1},
        "pass",
    ],
)
def test_bad_labels_store_nothing(backend: Backend, store: ReviewStore, labels: Any) -> None:
    exp, ids = _setup(backend, 1)
    queue = store.create_queue(exp, "q", SCHEMAS)
    (item,) = store.add_items(queue.queue_id, trace_ids=ids)
    with pytest.raises(InvalidArgumentError):
        store.submit_labels(item.item_id, "ann", labels)
    assert store.get_item(item.item_id).state == "pending"
    assert backend.traces.get_trace_info(ids[0]).assessments == []


def test_someone_elses_item_is_refused(backend: Backend, store: ReviewStore) -> None:
    exp, ids = _setup(backend, 1)
    queue = store.create_queue(exp, "q", SCHEMAS)
    (item,) = store.add_items(queue.queue_id, trace_ids=ids)
    store.assign_items(queue.queue_id, ["ann"])
    with pytest.raises(PermissionDeniedError):
        store.submit_labels(item.item_id, "ben", {"correct": True})
    with pytest.raises(PermissionDeniedError):
        store.skip_item(item.item_id, "ben")
    assert store.next_item(queue.queue_id, "ben") is None
    assert store.get_item(item.item_id).state == "pending"
    assert backend.traces.get_trace_info(ids[0]).assessments == []


def test_labels_become_dataset_expectations(backend: Backend, store: ReviewStore) -> None:
    exp, ids = _setup(backend, 3)
    queue = store.create_queue(exp, "q", SCHEMAS)
    items = store.add_items(queue.queue_id, trace_ids=ids)
    store.submit_labels(items[0].item_id, "ann", {"correct": True, "expected_response": "A1"})
    store.submit_labels(items[1].item_id, "ann", {"correct": False, "score": 1})
    dataset = backend.datasets.create_dataset("reviewed", experiment_ids=[exp])
    with pytest.raises(InvalidArgumentError):
        store.to_dataset(queue.queue_id, dataset.dataset_id, [items[2].item_id])  # pending
    assert store.to_dataset(queue.queue_id, dataset.dataset_id) == 2
    records = sorted(backend.datasets.get_records(dataset.dataset_id), key=lambda r: str(r.inputs))
    assert [r.inputs for r in records] == [{"question": "q1"}, {"question": "q2"}]
    assert records[0].expectations == {"correct": True, "expected_response": "A1"}
    assert records[1].expectations == {"correct": False, "score": 1}
    assert records[0].outputs == "a1"
    with pytest.raises(NotFoundError):
        store.to_dataset(queue.queue_id, "d-doesnotexist")
