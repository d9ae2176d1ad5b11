"""OnlineScoringStore contract over SQLite, PostgreSQL and MySQL: active scorers, idempotent
enqueue, atomic claims (threads racing), lapsed leases, completion writing assessments once,
failures with retries and attempts."""

from __future__ import annotations

import json
import threading

import pytest

from ardea.entities import Feedback, TraceInfo
from ardea.entities.online_scoring import KIND_CODE, KIND_JUDGE, WorkItem, WorkKey
from ardea.store.backend import Backend
from ardea.store.online_scoring import MAX_ATTEMPTS

JUDGE = json.dumps(
    {
        "name": "polite",
        "instructions_judge_pydantic_data": {
            "instructions": "Is {{ outputs }} polite?",
            "model": "openai:/gpt-4.1-mini",
        },
    }
)
CODE = json.dumps({"name": "short", "call_source": "return len(outputs) < 10"})


def _setup(backend: Backend, traces: int) -> tuple[str, str, list[str]]:
    exp = backend.tracking.create_experiment("online")
    scorer = backend.scorers.register_scorer(exp, "polite", JUDGE)
    ids = []
    for n in range(traces):
        trace_id = f"tr-{n + 1:032x}"
        backend.traces.start_trace(
            TraceInfo(trace_id=trace_id, experiment_id=exp, request_time=1000, state="OK")
        )
        ids.append(trace_id)
    return exp, scorer.scorer_id, ids


def _items(exp: str, scorer_id: str, ids: list[str], kind: str = KIND_JUDGE) -> list[WorkItem]:
    return [WorkItem(t, exp, scorer_id, 1, kind) for t in ids]


def test_active_scorers_latest_version_and_kind(sql_backend: Backend) -> None:
    exp = sql_backend.tracking.create_experiment("active")
    store = sql_backend.online_scoring
    sql_backend.scorers.register_scorer(exp, "polite", JUDGE)
    sql_backend.scorers.register_scorer(exp, "polite", JUDGE)
    sql_backend.scorers.register_scorer(exp, "short", CODE)
    sql_backend.scorers.register_scorer(exp, "off", JUDGE)
    assert store.active_scorers(exp) == []
    sql_backend.scorers.upsert_online_scoring_config(exp, "polite", 0.5, "tags.env = 'prod'")
    sql_backend.scorers.upsert_online_scoring_config(exp, "short", 1.0)
    sql_backend.scorers.upsert_online_scoring_config(exp, "off", 0.0)
    found = {a.name: a for a in store.active_scorers(exp)}
    assert set(found) == {"polite", "short"}
    assert (found["polite"].version, found["polite"].kind) == (2, KIND_JUDGE)
    assert found["polite"].filter_string == "tags.env = 'prod'"
    assert (found["short"].version, found["short"].kind) == (1, KIND_CODE)
    assert store.active_scorers("not-a-number") == []


def test_enqueue_is_idempotent(sql_backend: Backend) -> None:
    exp, scorer_id, ids = _setup(sql_backend, 3)
    store = sql_backend.online_scoring
    assert store.enqueue(_items(exp, scorer_id, ids[:2])) == 2
    assert store.enqueue(_items(exp, scorer_id, ids)) == 1
    assert store.counts(exp)["pending"] == 3
    assert store.backlog() == 3


def test_claims_never_overlap(sql_backend: Backend) -> None:
    exp, scorer_id, ids = _setup(sql_backend, 40)
    store = sql_backend.online_scoring
    store.enqueue(_items(exp, scorer_id, ids))
    taken: dict[str, list[WorkKey]] = {}

    def worker(name: str) -> None:
        mine: list[WorkKey] = []
        while True:
            got = store.claim(name, kinds=[KIND_JUDGE], limit=3, lease_seconds=60)
            if not got:
                break
            mine += [c.key for c in got]
        taken[name] = mine

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    every = [k for keys in taken.values() for k in keys]
    assert len(every) == len(set(every)) == 40
    assert store.counts(exp)["claimed"] == 40


def test_claim_filters_kind_and_carries_the_scorer(sql_backend: Backend) -> None:
    exp, scorer_id, ids = _setup(sql_backend, 2)
    store = sql_backend.online_scoring
    store.enqueue(_items(exp, scorer_id, ids[:1], KIND_CODE))
    assert store.claim("w", kinds=[KIND_JUDGE], limit=5, lease_seconds=60) == []
    [claimed] = store.claim("w", kinds=[KIND_JUDGE, KIND_CODE], limit=5, lease_seconds=60)
    assert claimed.name == "polite" and claimed.serialized_scorer == JUDGE
    assert claimed.attempts == 1 and claimed.workspace == "default"
    assert claimed.experiment_id == exp


def test_lapsed_lease_is_claimed_again_and_old_holder_cannot_finish(
    sql_backend: Backend,
) -> None:
    exp, scorer_id, ids = _setup(sql_backend, 1)
    store = sql_backend.online_scoring
    store.enqueue(_items(exp, scorer_id, ids))
    [first] = store.claim("crashed", kinds=[KIND_JUDGE], limit=1, lease_seconds=-1)
    [again] = store.claim("alive", kinds=[KIND_JUDGE], limit=1, lease_seconds=60)
    assert again.key == first.key and again.attempts == 2
    feedback = Feedback(name="polite", value=True)
    assert not store.complete(first.key, "crashed", [feedback])
    assert store.complete(again.key, "alive", [feedback])
    assert not store.complete(again.key, "alive", [feedback])  # done: a retry writes nothing
    trace = sql_backend.traces.get_trace_info(ids[0])
    assert [(a.name, a.value) for a in trace.assessments] == [("polite", True)]
    assert store.get_work(again.key)["state"] == "done"


def test_complete_many_writes_each_held_row_once(sql_backend: Backend) -> None:
    exp, scorer_id, ids = _setup(sql_backend, 4)
    store = sql_backend.online_scoring
    store.enqueue(_items(exp, scorer_id, ids))
    mine = store.claim("me", kinds=[KIND_JUDGE], limit=3, lease_seconds=60)
    [theirs] = store.claim("other", kinds=[KIND_JUDGE], limit=1, lease_seconds=60)
    done = [(w.key, [Feedback(name="polite", value=n % 2 == 0)]) for n, w in enumerate(mine)]
    done.append((theirs.key, [Feedback(name="polite", value=True)]))
    assert store.complete_many("me", done) == [True, True, True, False]
    assert store.complete_many("me", done[:2]) == [False, False]  # done: nothing written again
    assert store.complete_many("me", []) == []
    for n, work in enumerate(mine):
        trace = sql_backend.traces.get_trace_info(work.key.trace_id)
        assert [(a.name, a.value) for a in trace.assessments] == [("polite", n % 2 == 0)]
        assert store.get_work(work.key)["state"] == "done"
    assert sql_backend.traces.get_trace_info(theirs.key.trace_id).assessments == []
    assert store.get_work(theirs.key)["state"] == "claimed"


def test_lapsed_leases_give_up_after_max_attempts(sql_backend: Backend) -> None:
    exp, scorer_id, ids = _setup(sql_backend, 1)
    store = sql_backend.online_scoring
    store.enqueue(_items(exp, scorer_id, ids))
    for _ in range(MAX_ATTEMPTS):
        assert store.claim("w", kinds=[KIND_JUDGE], limit=1, lease_seconds=-1)
    assert store.claim("w", kinds=[KIND_JUDGE], limit=1, lease_seconds=60) == []
    row = store.get_work(WorkKey(ids[0], scorer_id, 1))
    assert row["state"] == "failed" and "attempts" in row["error"]


def test_fail_retries_then_fails(sql_backend: Backend) -> None:
    exp, scorer_id, ids = _setup(sql_backend, 1)
    store = sql_backend.online_scoring
    store.enqueue(_items(exp, scorer_id, ids))
    key = WorkKey(ids[0], scorer_id, 1)
    assert not store.fail(key, "nobody", "boom", retry_in=0)
    store.claim("w", kinds=[KIND_JUDGE], limit=1, lease_seconds=60)
    assert store.fail(key, "w", "boom", retry_in=0)
    assert store.get_work(key)["state"] == "pending"
    store.claim("w", kinds=[KIND_JUDGE], limit=1, lease_seconds=60)
    assert store.fail(key, "w", "broken for good")
    row = store.get_work(key)
    assert (row["state"], row["error"], row["attempts"]) == ("failed", "broken for good", 2)
    assert store.claim("w", kinds=[KIND_JUDGE], limit=1, lease_seconds=60) == []


@pytest.mark.parametrize("bad", ["", "x" * 129])
def test_bad_worker_id(sql_backend: Backend, bad: str) -> None:
    from ardea._core.errors import InvalidArgumentError

    with pytest.raises(InvalidArgumentError):
        sql_backend.online_scoring.claim(bad, kinds=[KIND_JUDGE], limit=1, lease_seconds=1)


def test_enqueue_not_before_delays_and_rearms_pending_rows(sql_backend: Backend) -> None:
    exp, scorer_id, ids = _setup(sql_backend, 1)
    store = sql_backend.online_scoring
    far = 4_000_000_000_000
    assert store.enqueue(_items(exp, scorer_id, ids), not_before=far) == 1
    assert store.claim("w", kinds=[KIND_JUDGE], limit=1, lease_seconds=60) == []
    assert store.enqueue(_items(exp, scorer_id, ids), not_before=0) == 0  # re-armed, not new
    [claimed] = store.claim("w", kinds=[KIND_JUDGE], limit=1, lease_seconds=60)
    store.enqueue(_items(exp, scorer_id, ids), not_before=far)  # claimed: left alone
    assert store.get_work(claimed.key)["state"] == "claimed"
