"""The import store (``Backend.importing``) on every SQL backend; REST backends refuse.

Entities come back through the ordinary stores exactly as they were put: ids, times, states,
version numbers. Each unit is written once: a second put writes nothing but its ledger row.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea._core.errors import NotImplementedFeatureError
from ardea.entities import (
    Dataset,
    DatasetInput,
    Experiment,
    LoggedModel,
    Metric,
    ModelOutput,
    ModelVersion,
    RegisteredModel,
    RegisteredModelAlias,
    Run,
    RunData,
    RunInfo,
    RunInputs,
    RunOutputs,
    ViewType,
)
from ardea.entities.webhook import Webhook, WebhookEvent
from ardea.store.backend import Backend
from ardea.store.importing import ImportedRun
from fixtures import workspaces

SRC = "test-source"
T0 = 1_700_000_000_000


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
        *workspaces.MODES,
    ]
)
def sql_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A fresh SQL backend of each kind (the import store is SQL only)."""
    from fixtures.backends import fresh_sqlite, shared_backend

    if request.param in workspaces.MODES:
        yield from workspaces.run_in_workspace(request, tmp_path)
    elif request.param == "sqlite":
        local = fresh_sqlite(request, tmp_path)
        yield local
        local.close()
    else:
        yield shared_backend(request, request.param)


def _experiment(exp_id: str, name: str) -> Experiment:
    return Experiment(
        experiment_id=exp_id,
        name=name,
        artifact_location="mlflow-artifacts:/{experiment_id}",
        lifecycle_stage="deleted",
        creation_time=T0,
        last_update_time=T0 + 5,
        tags={"team": "a"},
    )


def test_experiments_keep_free_ids_merge_by_name_and_map_taken_ids(sql_backend: Backend) -> None:
    imp = sql_backend.importing
    tracking = sql_backend.tracking
    assert imp.put_experiment(SRC, _experiment("7", "seven")) == ("7", True)
    got = tracking.get_experiment("7")
    assert (got.name, got.lifecycle_stage, got.creation_time, got.last_update_time) == (
        "seven", "deleted", T0, T0 + 5,
    )  # fmt: skip
    assert got.artifact_location == "mlflow-artifacts:/7" and got.tags == {"team": "a"}
    # Same name: the same experiment (merged tags), whatever the source id.
    assert imp.put_experiment(SRC, _experiment("99", "seven")) == ("7", False)
    # A taken id under another name: a new id, after the ones already there.
    new_id, created = imp.put_experiment("another-source", _experiment("7", "other"))
    assert created and new_id not in ("0", "7")
    assert tracking.get_experiment(new_id).artifact_location == f"mlflow-artifacts:/{new_id}"
    # The database's own ids go on after the imported ones (PostgreSQL's sequence moved).
    fresh = tracking.create_experiment("made-here")
    assert int(fresh) > int(new_id)
    assert imp.ledger(SRC, "experiment") == {"7": "7", "99": "7"}
    assert imp.ledger("another-source", "experiment") == {"7": new_id}
    # Default (id 0) merges with the destination's Default.
    assert imp.put_experiment(SRC, _experiment("0", "Default")) == ("0", False)


def _run(exp_id: str, run_id: str = "a" * 32) -> ImportedRun:
    run = Run(
        info=RunInfo(
            run_id=run_id,
            experiment_id=exp_id,
            run_name="r1",
            user_id="ann",
            status="FAILED",
            start_time=T0,
            end_time=T0 + 100,
            artifact_uri=f"mlflow-artifacts:/{exp_id}/{run_id}/artifacts",
            lifecycle_stage="deleted",
        ),
        data=RunData(params={"lr": "0.1"}, tags={"mlflow.runName": "r1", "k": "v"}),
        inputs=RunInputs(
            dataset_inputs=[
                DatasetInput(Dataset("ds", "d1", "code", "{}"), {"mlflow.data.context": "train"})
            ],
            model_inputs=["m-" + "1" * 32],
        ),
        outputs=RunOutputs(model_outputs=[ModelOutput("m-" + "2" * 32, 3)]),
    )
    chunks = (
        [Metric("loss", 1.0 / (s + 1), T0 + s, s) for s in range(0, 500)],
        [Metric("loss", 1.0 / (s + 1), T0 + s, s) for s in range(500, 1000)]
        + [Metric("nan", math.nan, T0, 0, model_id="m-" + "2" * 32)],
    )
    return ImportedRun(run=run, deleted_time=T0 + 200, metrics=chunks)


def test_a_run_comes_back_as_it_was_and_only_once(sql_backend: Backend) -> None:
    imp = sql_backend.importing
    exp_id, _ = imp.put_experiment(SRC, _experiment("3", "runs-here"))
    assert imp.put_run(SRC, _run(exp_id)) is True
    got = sql_backend.tracking.get_run("a" * 32)
    i = got.info
    assert (i.run_name, i.user_id, i.status, i.start_time, i.end_time, i.lifecycle_stage) == (
        "r1", "ann", "FAILED", T0, T0 + 100, "deleted",
    )  # fmt: skip
    assert got.data.params == {"lr": "0.1"} and got.data.tags["k"] == "v"
    assert [d.dataset.name for d in got.inputs.dataset_inputs] == ["ds"]
    assert got.inputs.dataset_inputs[0].tags == {"mlflow.data.context": "train"}
    assert got.inputs.model_inputs == ["m-" + "1" * 32]
    assert got.outputs.model_outputs == [ModelOutput("m-" + "2" * 32, 3)]
    history = sql_backend.tracking.get_metric_history("a" * 32, "loss")
    assert len(history) == 1000 and history[-1].step == 999
    assert math.isnan(sql_backend.tracking.get_metric_history("a" * 32, "nan")[0].value)
    latest = {m.key: m for m in got.data.metrics}
    assert latest["loss"].step == 999
    # Again: nothing written, the ledger has it once.
    assert imp.put_run(SRC, _run(exp_id)) is False
    assert len(sql_backend.tracking.get_metric_history("a" * 32, "loss")) == 1000
    assert imp.ledger(SRC, "run") == {"a" * 32: "a" * 32}
    present = imp.count_present(
        SRC,
        {"run": ["a" * 32, "b" * 32], "metric_points": ["a" * 32], "dataset_inputs": ["a" * 32]},
    )
    assert present == {"run": 1, "metric_points": 1001, "dataset_inputs": 1}
    runs = sql_backend.tracking.search_runs([exp_id], run_view_type=ViewType.ALL)
    assert [r.info.run_id for r in runs] == ["a" * 32]


def test_logged_models_registry_and_webhooks_keep_ids_numbers_and_times(
    sql_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_SECRET_KEY", "import test key")  # server databases have no key file
    imp = sql_backend.importing
    exp_id, _ = imp.put_experiment(SRC, _experiment("4", "models-here"))
    model = LoggedModel(
        model_id="m-" + "2" * 32,
        experiment_id=exp_id,
        name="model",
        artifact_location=f"mlflow-artifacts:/{exp_id}/models/m-{'2' * 32}/artifacts",
        creation_timestamp=T0,
        last_updated_timestamp=T0 + 1,
        status="LOGGED_MODEL_READY",
        source_run_id="a" * 32,
        tags={"t": "1"},
        params={"p": "2"},
    )
    assert imp.put_logged_model(SRC, model) is True
    assert imp.put_logged_model(SRC, model) is False
    got = sql_backend.tracking.get_logged_model(model.model_id)
    assert (got.status, got.creation_timestamp, got.tags, got.params) == (
        "LOGGED_MODEL_READY", T0, {"t": "1"}, {"p": "2"},
    )  # fmt: skip

    versions = [
        ModelVersion("clf", 1, T0, T0, source=f"models:/{model.model_id}", run_id="a" * 32,
                     model_id=model.model_id, tags={"v": "1"}),
        ModelVersion("clf", 2, T0 + 1, T0 + 1, current_stage="Deleted_Internal", source="x"),
        ModelVersion("clf", 3, T0 + 2, T0 + 3, current_stage="Production", source="y",
                     description="third", user_id="bob"),
    ]  # fmt: skip
    registered = RegisteredModel(
        "clf", T0, T0 + 9, description="d", tags={"domain": "toy"},
        aliases=[RegisteredModelAlias("champion", 3), RegisteredModelAlias("gone", 2)],
    )  # fmt: skip
    assert imp.put_registered_model(SRC, registered, versions) is True
    assert imp.put_registered_model(SRC, registered, versions) is False
    reg = sql_backend.registry
    rm = reg.get_registered_model("clf")
    assert (rm.creation_timestamp, rm.last_updated_timestamp, rm.description) == (T0, T0 + 9, "d")
    assert rm.tags == {"domain": "toy"}
    assert [(a.alias, a.version) for a in rm.aliases] == [("champion", 3)]
    v3 = reg.get_model_version("clf", 3)
    assert (v3.current_stage, v3.description, v3.user_id, v3.creation_timestamp) == (
        "Production", "third", "bob", T0 + 2,
    )  # fmt: skip
    assert reg.get_model_version("clf", 1).model_id == model.model_id
    # The deleted version 2 keeps its number: the next registration is 4.
    assert reg.create_model_version("clf", "z").version == 4
    present = imp.count_present(SRC, {"model_versions": ["clf"], "aliases": ["clf"]})
    assert present == {"model_versions": 3, "aliases": 1}

    hook = Webhook(
        webhook_id="11111111-2222-3333-4444-555555555555",
        name="hook",
        url="https://hooks.example.com/x",
        events=(WebhookEvent("model_version", "created"),),  # MLflow's lower-case spelling
        status="ACTIVE",
        description="d",
        creation_timestamp=T0,
        last_updated_timestamp=T0 + 1,
    )
    assert imp.put_webhook(SRC, hook, "s3cret") is True
    assert imp.put_webhook(SRC, hook, "s3cret") is False
    got_hook = sql_backend.webhooks.get_webhook(hook.webhook_id)
    assert [str(e) for e in got_hook.events] == ["model_version.created"]
    assert got_hook.creation_timestamp == T0
    assert sql_backend.webhooks.get_target(hook.webhook_id).secret == "s3cret"


def test_a_rest_backend_refuses_imports(request: pytest.FixtureRequest) -> None:
    remote: Backend = request.getfixturevalue("rest_backend")
    with pytest.raises(NotImplementedFeatureError, match="database"):
        remote.importing.put_experiment(SRC, _experiment("5", "x"))
