"""The purge store (``ardea gc``) on every database backend; a server's refuses.

Checks what a plan lists (and what it keeps), that a purge removes an entity with everything
that hangs off it (counted in the tables themselves, so a missed cascade shows), that it
never touches active entities, and that entities restored between plan and purge survive.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ardea._core.errors import FailedPreconditionError, NotFoundError
from ardea._core.ids import now_ms
from ardea.entities import Dataset, DatasetInput, Metric, Param, RunTag, Span, TraceInfo
from ardea.store.backend import Backend
from ardea.store.purge import PurgePlan
from fixtures.backends import fresh_sqlite, shared_backend

T0 = 1_700_000_000_000
DAY = 86_400_000


def _sql(backend: Backend, query: str, **params: Any) -> list[Any]:
    import sqlalchemy as sa

    db = backend.tracking.database  # type: ignore[attr-defined]
    return db.read(lambda conn: conn.execute(sa.text(query), params).all())


def _count(backend: Backend, table: str, where: str = "1=1", **params: Any) -> int:
    return int(_sql(backend, f"SELECT COUNT(*) FROM {table} WHERE {where}", **params)[0][0])


def _age(backend: Backend, table: str, column: str, key: str, value: str, when: int) -> None:
    """Backdate a deletion (runs.deleted_time, experiments.last_update_time, ...)."""
    import sqlalchemy as sa

    db = backend.tracking.database  # type: ignore[attr-defined]
    db.write(
        lambda conn: conn.execute(
            sa.text(f"UPDATE {table} SET {column} = :when WHERE {key} = :value"),
            {"when": when, "value": value},
        )
    )


def _trace(backend: Backend, experiment_id: str, n: int, run_id: str | None = None) -> str:
    trace_id = f"tr-{n:032x}"
    metadata = {"mlflow.sourceRun": run_id} if run_id else {}
    backend.traces.start_trace(
        TraceInfo(trace_id, experiment_id, T0, 5, "OK", trace_metadata=metadata)
    )
    span = Span(
        trace_id=trace_id,
        span_id=f"{n:016x}",
        parent_span_id=None,
        name="root",
        span_type="CHAIN",
        status_code="OK",
        start_time_ns=T0 * 1_000_000,
        end_time_ns=(T0 + 5) * 1_000_000,
        attributes={},
    )
    backend.traces.log_spans(experiment_id, [span])
    return trace_id


def _full_run(backend: Backend, experiment_id: str, name: str, trace_n: int) -> str:
    """A run with a metric, a param, a tag, a dataset input, an output model and a trace."""
    store = backend.tracking
    run_id = store.create_run(experiment_id, "me", T0, [], name).info.run_id
    store.log_batch(
        run_id,
        metrics=[Metric("loss", 0.5, T0, 0), Metric("loss", 0.25, T0, 1)],
        params=[Param("lr", "0.1")],
        tags=[RunTag("team", "a")],
    )
    dataset = Dataset(name=f"ds-{name}", digest=f"d{trace_n}", source_type="local", source="x")
    store.log_inputs(run_id, [DatasetInput(dataset)])
    _trace(backend, experiment_id, trace_n, run_id)
    return run_id


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def sql_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A fresh, empty database backend of each kind (REST cannot purge: tested apart)."""
    if request.param == "sqlite":
        local = fresh_sqlite(request, tmp_path)
        yield local
        local.close()
    else:
        yield shared_backend(request, request.param)


def test_a_server_backend_refuses_to_purge(rest_backend: Backend) -> None:
    with pytest.raises(FailedPreconditionError, match="needs the database itself"):
        rest_backend.purge.plan_purge()
    with pytest.raises(FailedPreconditionError):
        rest_backend.purge.purge_runs(["x"])


def test_plan_lists_deleted_entities_and_never_active_ones(sql_backend: Backend) -> None:
    b = sql_backend
    exp = b.tracking.create_experiment("plan")
    gone = _full_run(b, exp, "gone", 1)
    kept = _full_run(b, exp, "kept", 2)
    b.tracking.delete_run(gone)
    model = b.tracking.create_logged_model(exp, "m1")
    active_model = b.tracking.create_logged_model(exp, "m2")
    b.tracking.delete_logged_model(model.model_id)
    dead = b.tracking.create_experiment("dead")
    inside = _full_run(b, dead, "inside", 3)
    b.tracking.create_logged_model(dead, "m3")
    b.tracking.delete_experiment(dead)

    plan = b.purge.plan_purge()

    assert [e.entity_id for e in plan.experiments] == [dead]
    (e,) = plan.experiments
    assert (e.name, e.runs, e.logged_models, e.traces) == ("dead", 1, 1, 1)
    assert e.artifact_uris == (f"mlflow-artifacts:/{dead}",)
    assert [r.entity_id for r in plan.runs] == [gone]  # not `inside`: it goes with `dead`
    (r,) = plan.runs
    assert (r.name, r.experiment_id, r.traces) == ("gone", exp, 1)
    assert r.artifact_uris[0] == f"mlflow-artifacts:/{exp}/{gone}"
    assert [m.entity_id for m in plan.logged_models] == [model.model_id]
    assert plan.logged_models[0].artifact_uris == (
        f"mlflow-artifacts:/{exp}/models/{model.model_id}",
    )
    assert plan.kept == () and plan.size == 3 and not plan.empty
    listed = {p.entity_id for p in (*plan.experiments, *plan.runs, *plan.logged_models)}
    assert not listed & {kept, inside, active_model.model_id, exp, "0"}


def test_purge_runs_removes_everything_logged_and_linked(sql_backend: Backend) -> None:
    b = sql_backend
    exp = b.tracking.create_experiment("runs")
    gone = _full_run(b, exp, "gone", 11)
    kept = _full_run(b, exp, "kept", 12)
    b.tracking.delete_run(gone)

    assert b.purge.purge_runs([gone]) == [gone]

    with pytest.raises(NotFoundError):
        b.tracking.get_run(gone)
    for table in ("run_tags", "params", "latest_metrics", "metric_series", "run_inputs"):
        assert _count(b, table, "run_id = :r", r=gone) == 0, table
    assert _count(b, "traces", "run_id = :r", r=gone) == 0
    assert _count(b, "spans", "trace_id = :t", t=f"tr-{11:032x}") == 0
    with pytest.raises(NotFoundError):
        b.traces.get_trace_info(f"tr-{11:032x}")
    # The active run beside it is whole.
    run = b.tracking.get_run(kept)
    assert run.data.params == {"lr": "0.1"} and run.data.tags["team"] == "a"
    assert [m.value for m in b.tracking.get_metric_history(kept, "loss")] == [0.5, 0.25]
    assert b.traces.get_trace_info(f"tr-{12:032x}").run_id == kept
    assert _count(b, "metrics") == 2


def test_purge_experiments_cascades_and_leaves_others_alone(sql_backend: Backend) -> None:
    b = sql_backend
    dead = b.tracking.create_experiment("dead", tags=[("k", "v")])
    dead_run = _full_run(b, dead, "r1", 21)
    _trace(b, dead, 22)  # a trace of the experiment, linked to no run
    b.tracking.create_logged_model(dead, "m", params=[("p", "1")], tags=[("t", "1")])
    alive = b.tracking.create_experiment("alive")
    alive_run = _full_run(b, alive, "r2", 23)
    b.tracking.delete_experiment(dead)

    assert b.purge.purge_experiments([dead]) == [dead]

    with pytest.raises(NotFoundError):
        b.tracking.get_experiment(dead)
    eid = int(dead)
    for table in ("runs", "logged_models", "traces", "datasets", "experiment_tags"):
        assert _count(b, table, "experiment_id = :e", e=eid) == 0, table
    for table in ("run_tags", "params", "latest_metrics", "metric_series", "run_inputs"):
        assert _count(b, table, "run_id = :r", r=dead_run) == 0, table
    assert _count(b, "logged_model_params") == 0 and _count(b, "logged_model_tags") == 0
    assert _count(b, "spans") == 1  # the alive experiment's trace
    assert _count(b, "metrics") == 2
    assert b.tracking.get_run(alive_run).info.lifecycle_stage == "active"
    assert b.tracking.get_experiment(alive).name == "alive"
    assert b.tracking.get_experiment("0").name == "Default"


def test_purging_an_experiment_drops_its_grants(sql_backend: Backend) -> None:
    b = sql_backend
    auth = b.require_auth()
    ada = auth.create_user("ada", None)
    dead, alive = b.tracking.create_experiment("dead"), b.tracking.create_experiment("alive")
    role = auth.create_role("r")
    for eid in (dead, alive):
        auth.grant(ada.id, "experiment", eid, "MANAGE")
        auth.add_role_grant(role.id, "experiment", eid, "READ")
    b.tracking.delete_experiment(dead)
    assert b.purge.purge_experiments([dead]) == [dead]
    assert [g.resource_id for g in auth.list_grants(user_id=ada.id)] == [alive]
    assert [g.resource_pattern for g in auth.list_role_grants(role.id)] == [alive]


def test_purge_logged_models(sql_backend: Backend) -> None:
    b = sql_backend
    exp = b.tracking.create_experiment("models")
    gone = b.tracking.create_logged_model(exp, "gone", params=[("p", "1")], tags=[("t", "1")])
    kept = b.tracking.create_logged_model(exp, "kept", params=[("p", "2")])
    b.tracking.delete_logged_model(gone.model_id)
    assert b.purge.purge_logged_models([gone.model_id, kept.model_id]) == [gone.model_id]
    with pytest.raises(NotFoundError):
        b.tracking.get_logged_model(gone.model_id, allow_deleted=True)
    assert _count(b, "logged_model_params") == 1 and _count(b, "logged_model_tags") == 0
    assert b.tracking.get_logged_model(kept.model_id).params == {"p": "2"}


def test_deleted_before_keeps_recent_deletions(sql_backend: Backend) -> None:
    b = sql_backend
    exp = b.tracking.create_experiment("age")
    old = b.tracking.create_run(exp, "me", T0, [], "old").info.run_id
    new = b.tracking.create_run(exp, "me", T0, [], "new").info.run_id
    b.tracking.delete_run(old)
    b.tracking.delete_run(new)
    _age(b, "runs", "deleted_time", "run_id", old, now_ms() - 40 * DAY)
    old_exp = b.tracking.create_experiment("old-exp")
    b.tracking.delete_experiment(old_exp)
    _age(b, "experiments", "last_update_time", "experiment_id", old_exp, now_ms() - 40 * DAY)
    new_exp = b.tracking.create_experiment("new-exp")
    b.tracking.delete_experiment(new_exp)

    plan = b.purge.plan_purge(deleted_before=now_ms() - 30 * DAY)
    assert [r.entity_id for r in plan.runs] == [old]
    assert [e.entity_id for e in plan.experiments] == [old_exp]
    everything = b.purge.plan_purge()
    assert {r.entity_id for r in everything.runs} == {old, new}
    assert {e.entity_id for e in everything.experiments} == {old_exp, new_exp}


def test_named_ids_are_checked_and_limit_the_plan(sql_backend: Backend) -> None:
    b = sql_backend
    exp = b.tracking.create_experiment("named")
    a = b.tracking.create_run(exp, "me", T0, [], "a").info.run_id
    c = b.tracking.create_run(exp, "me", T0, [], "c").info.run_id
    active = b.tracking.create_run(exp, "me", T0, [], "active").info.run_id
    b.tracking.delete_run(a)
    b.tracking.delete_run(c)
    other = b.tracking.create_experiment("other")
    b.tracking.delete_experiment(other)

    plan = b.purge.plan_purge(run_ids=[a])
    assert [r.entity_id for r in plan.runs] == [a]
    assert plan.experiments == () and plan.logged_models == ()  # kinds not named: nothing
    with pytest.raises(NotFoundError, match="does not exist"):
        b.purge.plan_purge(run_ids=["f" * 32])
    with pytest.raises(FailedPreconditionError, match="is active"):
        b.purge.plan_purge(run_ids=[a, active])
    with pytest.raises(FailedPreconditionError, match="too recently"):
        b.purge.plan_purge(run_ids=[a], deleted_before=now_ms() - DAY)
    with pytest.raises(FailedPreconditionError, match="is active"):
        b.purge.plan_purge(experiment_ids=[exp])
    with pytest.raises(NotFoundError):
        b.purge.plan_purge(experiment_ids=["987654"])
    assert [e.entity_id for e in b.purge.plan_purge(experiment_ids=[other]).experiments] == [other]


def test_nothing_active_is_ever_purged(sql_backend: Backend) -> None:
    b = sql_backend
    exp = b.tracking.create_experiment("active")
    run = _full_run(b, exp, "r", 31)
    model = b.tracking.create_logged_model(exp, "m")
    assert b.purge.purge_runs([run]) == []
    assert b.purge.purge_experiments([exp, "0"]) == []
    assert b.purge.purge_logged_models([model.model_id]) == []
    assert b.tracking.get_run(run).data.params == {"lr": "0.1"}
    assert b.tracking.get_experiment(exp).name == "active"
    assert b.tracking.get_logged_model(model.model_id).name == "m"


def test_restored_after_the_plan_survives_the_purge(sql_backend: Backend) -> None:
    b = sql_backend
    exp = b.tracking.create_experiment("restore")
    run = _full_run(b, exp, "r", 41)
    b.tracking.delete_run(run)
    plan = b.purge.plan_purge()
    assert [r.entity_id for r in plan.runs] == [run]
    b.tracking.restore_run(run)
    assert b.purge.purge_runs([r.entity_id for r in plan.runs]) == []
    assert b.tracking.get_run(run).data.tags["team"] == "a"


def test_what_a_model_version_uses_is_kept(sql_backend: Backend) -> None:
    b = sql_backend
    exp = b.tracking.create_experiment("registered")
    run = b.tracking.create_run(exp, "me", T0, [], "r").info.run_id
    model = b.tracking.create_logged_model(exp, "m")
    b.registry.create_registered_model("fraud")
    b.registry.create_model_version("fraud", f"runs:/{run}/model", run_id=run)
    b.registry.create_model_version("fraud", f"models:/{model.model_id}", model_id=model.model_id)
    b.tracking.delete_run(run)
    b.tracking.delete_logged_model(model.model_id)
    holder = b.tracking.create_experiment("holder")
    held = b.tracking.create_run(holder, "me", T0, [], "held").info.run_id
    b.registry.create_model_version("fraud", f"runs:/{held}/model", run_id=held)
    b.tracking.delete_experiment(holder)

    plan = b.purge.plan_purge()
    assert plan.empty
    why = {p.entity_id: p.kept_because for p in plan.kept}
    assert set(why) == {run, model.model_id, holder, held}
    assert "registered model 'fraud' version 1" in (why[run] or "")
    assert "version 2" in (why[model.model_id] or "")
    assert f"its run {held}" in (why[holder] or "")
    assert b.purge.purge_runs([run]) == []
    assert b.purge.purge_logged_models([model.model_id]) == []
    assert b.purge.purge_experiments([holder]) == []
    assert b.tracking.get_run(run).info.lifecycle_stage == "deleted"


def test_a_shared_artifact_location_is_not_deleted_whole(sql_backend: Backend) -> None:
    b = sql_backend
    shared = "s3://bucket/shared"
    first = b.tracking.create_experiment("first", artifact_location=shared)
    b.tracking.create_experiment("second", artifact_location=shared)
    run = b.tracking.create_run(first, "me", T0, [], "r").info.run_id
    b.tracking.delete_experiment(first)
    (e,) = b.purge.plan_purge().experiments
    assert e.artifact_uris == (f"{shared}/{run}",)
    own = b.tracking.create_experiment("own", artifact_location="s3://bucket/own")
    b.tracking.delete_experiment(own)
    plan: PurgePlan = b.purge.plan_purge(experiment_ids=[own])
    assert plan.experiments[0].artifact_uris == ("s3://bucket/own",)
