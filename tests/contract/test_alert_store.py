"""AlertStore contract: rule CRUD and bad input (nothing stored) over every backend (SQLite,
REST, PostgreSQL, MySQL, inside workspaces); evaluation (every kind, hysteresis, minimum
samples, one event per change, also with two evaluators on one database) over the SQL ones."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from ardea._core.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from ardea.entities import Assessment, Span
from ardea.entities.alerts import AlertRule
from ardea.store.alerts import AlertStore
from ardea.store.backend import Backend

MS = 1_000_000
T0 = 1_700_000_000_000
NOW = T0 + 60_000  # a 60 s window ending here holds [T0, NOW)
RULE: dict[str, Any] = {
    "name": "errors",
    "kind": "error_rate_above",
    "threshold": 0.2,
    "window_seconds": 60,
}


@pytest.fixture
def store(backend: Backend) -> AlertStore:
    return backend.alerts


def _root(n: int, start_ms: int, duration_ms: int, status: str = "OK") -> Span:
    return Span(
        trace_id=f"tr-{n:032x}",
        span_id=f"{n:016x}",
        parent_span_id=None,
        name=f"t{n}",
        span_type="AGENT",
        status_code=status,
        start_time_ns=start_ms * MS,
        end_time_ns=(start_ms + duration_ms) * MS,
        attributes={},
    )


def _llm(n: int, start_ms: int, cost: float) -> Span:
    return Span(
        trace_id=f"tr-{n:032x}",
        span_id=f"{n + 1000:016x}",
        parent_span_id=f"{n:016x}",
        name="llm",
        span_type="LLM",
        status_code="OK",
        start_time_ns=start_ms * MS,
        end_time_ns=(start_ms + 10) * MS,
        attributes={"mlflow.llm.cost": {"total_cost": cost}},
    )


def _seed(backend: Backend, exp: str, base: int = T0, first: int = 1, error: bool = True) -> None:
    """Four traces from ``base``: 100..400 ms, the second an ERROR (unless ``error`` is
    False), the first with a cost of 0.25; feedback ``correct``: true, "no", "yes", false."""
    spans = [
        _root(first, base, 100),
        _llm(first, base + 1, 0.25),
        _root(first + 1, base + 100, 200, "ERROR" if error else "OK"),
        _root(first + 2, base + 200, 300),
        _root(first + 3, base + 300, 400),
    ]
    backend.traces.log_spans(exp, spans)
    for n, value in zip(range(first, first + 4), (True, "no", "yes", False), strict=True):
        backend.traces.create_assessment(
            Assessment("", f"tr-{n:032x}", "correct", "feedback", value)
        )


# -- CRUD (every backend) ---------------------------------------------------------------------


def test_rule_crud(backend: Backend, store: AlertStore) -> None:
    exp = backend.tracking.create_experiment("alerts")
    rule = store.create_rule(exp, {**RULE, "description": "d"}, created_by="alice")
    assert (rule.experiment_id, rule.name, rule.kind, rule.state) == (
        exp, "errors", "error_rate_above", "OK",
    )  # fmt: skip
    assert (rule.threshold, rule.window_seconds, rule.min_samples) == (0.2, 60, 1)
    assert rule.enabled and rule.description == "d"
    assert rule.created_by == (None if backend.remote else "alice")
    assert store.get_rule(rule.rule_id) == rule
    assert store.list_rules(exp) == [rule]
    assert rule in store.list_rules()
    changed = store.update_rule(rule.rule_id, {"threshold": 0.5, "recovery_threshold": 0.3})
    assert (changed.threshold, changed.recovery_threshold, changed.name) == (0.5, 0.3, "errors")
    cleared = store.update_rule(rule.rule_id, {"recovery_threshold": None, "enabled": False})
    assert cleared.recovery_threshold is None and cleared.enabled is False
    assert store.experiment_of_rule(rule.rule_id) == exp
    with pytest.raises(AlreadyExistsError):
        store.create_rule(exp, RULE)
    backend.tracking.delete_experiment(exp)  # a deleted experiment's rules are not listed
    assert all(r.rule_id != rule.rule_id for r in store.list_rules())
    backend.tracking.restore_experiment(exp)
    assert list(store.list_events(experiment_id=exp)) == []
    store.delete_rule(rule.rule_id)
    assert store.list_rules(exp) == []
    with pytest.raises(NotFoundError):
        store.get_rule(rule.rule_id)
    with pytest.raises(NotFoundError):
        store.update_rule(rule.rule_id, {"threshold": 0.1})


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "nope"},
        {"name": ""},
        {"threshold": None},
        {"threshold": 1.5},
        {"threshold": -1},
        {"window_seconds": 5},
        {"window_seconds": 10**9},
        {"judge": "correct"},
        {"kind": "pass_rate_below"},
        {"recovery_threshold": 0.5},  # above an error-rate threshold of 0.2: never resolves
        {"min_samples": 0},
        {"enabled": "yes"},
        {"kind": "latency_p99_above", "threshold": "NaN"},
    ],
)
def test_bad_rules_store_nothing(
    backend: Backend, store: AlertStore, fields: dict[str, Any]
) -> None:
    exp = backend.tracking.create_experiment("alerts-bad")
    good = store.create_rule(exp, {**RULE, "name": "good"})
    with pytest.raises(InvalidArgumentError):
        store.create_rule(exp, {**RULE, **fields})
    with pytest.raises(InvalidArgumentError):
        store.update_rule(good.rule_id, fields)
    assert store.list_rules(exp) == [good]


def test_unknown_experiment_and_other_ids(backend: Backend, store: AlertStore) -> None:
    with pytest.raises((NotFoundError, InvalidArgumentError)):
        store.create_rule("987654", RULE)
    with pytest.raises(InvalidArgumentError):
        store.create_rule("not-a-number", RULE)
    with pytest.raises(NotFoundError):
        store.get_rule("00000000-0000-0000-0000-000000000000")


# -- evaluation (SQL backends) ----------------------------------------------------------------


def _rule(store: AlertStore, exp: str, **fields: Any) -> AlertRule:
    return store.create_rule(exp, {**RULE, **fields})


def test_every_kind_measures_its_window(sql_backend: Backend) -> None:
    store = sql_backend.alerts
    exp = sql_backend.tracking.create_experiment("measures")
    _seed(sql_backend, exp)
    _seed(sql_backend, exp, base=T0 - 120_000, first=11, error=False)  # before the window
    rules = {
        "errors": _rule(store, exp),
        "p99": _rule(store, exp, name="p99", kind="latency_p99_above", threshold=500),
        "cost": _rule(store, exp, name="cost", kind="cost_per_day_above", threshold=100),
        "pass": _rule(
            store, exp, name="pass", kind="pass_rate_below", judge="correct", threshold=0.6
        ),
        "quiet": _rule(store, exp, name="quiet", min_samples=10),
    }
    changes = store.evaluate(NOW)
    fired = {c.rule.name for c in changes}
    assert fired == {"errors", "cost", "pass"}
    seen = {name: store.get_rule(r.rule_id) for name, r in rules.items()}
    assert seen["errors"].last_value == pytest.approx(0.25) and seen["errors"].last_samples == 4
    assert seen["p99"].last_value == pytest.approx(397.0) and seen["p99"].state == "OK"
    assert seen["cost"].last_value == pytest.approx(0.25 * 86_400_000 / 60_000)
    assert seen["pass"].last_value == pytest.approx(0.5) and seen["pass"].last_samples == 4
    assert seen["quiet"].state == "OK" and seen["quiet"].last_samples == 4  # too few samples
    assert seen["errors"].state == "FIRING" and seen["errors"].state_since == NOW
    assert store.evaluate(NOW) == []  # nothing changed: no second event
    events = list(store.list_events(experiment_id=exp))
    assert sorted(e.rule_name for e in events) == ["cost", "errors", "pass"]
    assert all(e.kind == "FIRED" and e.sequence == 1 and e.time == NOW for e in events)


def test_hysteresis_and_resolution(sql_backend: Backend) -> None:
    store = sql_backend.alerts
    exp = sql_backend.tracking.create_experiment("hysteresis")
    _seed(sql_backend, exp)
    rule = _rule(store, exp, recovery_threshold=0.1)
    [fired] = store.evaluate(NOW)
    assert (fired.event.kind, fired.event.value, fired.event.threshold) == ("FIRED", 0.25, 0.2)
    assert fired.rule.state == "FIRING" and fired.workspace == sql_backend.workspace
    # 1 error in 5 traces: 0.2 is not above the threshold, but not back to 0.1 either
    sql_backend.traces.log_spans(exp, [_root(5, T0 + 400, 10)])
    assert store.evaluate(NOW) == [] and store.get_rule(rule.rule_id).state == "FIRING"
    # 1 in 10: resolved
    sql_backend.traces.log_spans(exp, [_root(n, T0 + 500 + n, 10) for n in range(6, 11)])
    [resolved] = store.evaluate(NOW)
    assert (resolved.event.kind, resolved.event.threshold) == ("RESOLVED", 0.1)
    assert resolved.event.sequence == 2 and resolved.rule.state == "OK"
    # an empty window leaves the state as it is
    assert store.evaluate(NOW + 10 * 60_000) == []
    events = store.list_events(rule_id=rule.rule_id)
    assert [e.kind for e in events] == ["RESOLVED", "FIRED"]  # newest first
    page = store.list_events(rule_id=rule.rule_id, max_results=1)
    assert len(page) == 1 and page.token
    rest = store.list_events(rule_id=rule.rule_id, max_results=1, page_token=page.token)
    assert [e.kind for e in rest] == ["FIRED"] and rest.token is None


def test_disabled_rules_and_deleted_experiments_are_not_evaluated(sql_backend: Backend) -> None:
    store = sql_backend.alerts
    exp = sql_backend.tracking.create_experiment("disabled")
    _seed(sql_backend, exp)
    _rule(store, exp, enabled=False)
    gone = sql_backend.tracking.create_experiment("gone")
    _seed(sql_backend, gone, first=21)
    _rule(store, gone)
    sql_backend.tracking.delete_experiment(gone)
    assert store.evaluate(NOW) == []


def test_a_stale_evaluator_records_nothing(sql_backend: Backend) -> None:
    """Two evaluators that read the same state: the second's compare-and-set changes nothing."""
    store = sql_backend.alerts
    exp = sql_backend.tracking.create_experiment("stale")
    _seed(sql_backend, exp)
    rule = _rule(store, exp)
    import sqlalchemy as sa

    from ardea.store.sql.alerts.tables import alert_rules

    db = store._db  # type: ignore[attr-defined]
    stale = db.read(
        lambda conn: conn.execute(
            sa.select(alert_rules, sa.literal("default").label("workspace")).where(
                alert_rules.c.rule_id == rule.rule_id
            )
        ).one()
    )
    assert len(store.evaluate(NOW)) == 1
    assert store._evaluate_one(stale, NOW) is None  # type: ignore[attr-defined]
    assert len(store.list_events(rule_id=rule.rule_id)) == 1


@pytest.mark.postgres
def test_two_evaluators_on_one_postgres_record_each_change_once(
    postgres_uri: str, request: pytest.FixtureRequest
) -> None:
    from ardea.store.sql.backend import open_sql_backend
    from fixtures.backends import shared_backend

    first = shared_backend(request, "postgres")
    second = open_sql_backend(first.uri)
    try:
        exp = first.tracking.create_experiment("replicas")
        _seed(first, exp)
        rules = [_rule(first.alerts, exp, name=f"r{i}") for i in range(20)]
        barrier = threading.Barrier(2)
        found: list[int] = []

        def run(backend: Backend) -> None:
            barrier.wait()
            found.append(len(backend.alerts.evaluate(NOW)))

        threads = [threading.Thread(target=run, args=(b,)) for b in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(found) == len(rules)
        for rule in rules:
            assert [e.sequence for e in first.alerts.list_events(rule_id=rule.rule_id)] == [1]
    finally:
        second.close()


def test_purging_the_experiment_removes_its_rules_and_events(sql_backend: Backend) -> None:
    store = sql_backend.alerts
    exp = sql_backend.tracking.create_experiment("purged")
    _seed(sql_backend, exp)
    rule = _rule(store, exp)
    assert len(store.evaluate(NOW)) == 1
    sql_backend.tracking.delete_experiment(exp)
    assert sql_backend.purge.purge_experiments([exp]) == [exp]
    with pytest.raises(NotFoundError):
        store.get_rule(rule.rule_id)
    assert store.evaluate(NOW) == []
