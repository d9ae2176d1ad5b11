"""Experiments and the run lifecycle through the fluent API, on embedded stores."""

from __future__ import annotations

import pytest

import ardea
from ardea.entities import RunStatus


def test_set_experiment_creates_then_reuses(tracking_uri: str) -> None:
    first = ardea.set_experiment("exp-a")
    again = ardea.set_experiment("exp-a")
    assert first.experiment_id == again.experiment_id
    assert ardea.get_experiment_by_name("exp-a").experiment_id == first.experiment_id
    by_id = ardea.set_experiment(experiment_id=first.experiment_id)
    assert by_id.name == "exp-a"


def test_set_experiment_argument_errors(tracking_uri: str) -> None:
    with pytest.raises(ardea.InvalidArgumentError):
        ardea.set_experiment()
    with pytest.raises(ardea.InvalidArgumentError):
        ardea.set_experiment("a", "1")
    with pytest.raises(ardea.NotFoundError):
        ardea.set_experiment(experiment_id="424242")


def test_set_experiment_refuses_deleted(tracking_uri: str) -> None:
    exp = ardea.set_experiment("gone")
    ardea.get_client().delete_experiment(exp.experiment_id)
    with pytest.raises(ardea.InvalidArgumentError, match="deleted"):
        ardea.set_experiment("gone")


def test_experiment_name_from_env(tracking_uri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "from-env")
    with ardea.start_run() as run:
        pass
    assert ardea.get_experiment(run.info.experiment_id).name == "from-env"


def test_start_run_default_experiment_and_tags(tracking_uri: str) -> None:
    with ardea.start_run(run_name="first", tags={"k": 1}, description="notes") as run:
        assert ardea.active_run().info.run_id == run.info.run_id
    stored = ardea.get_run(run.info.run_id)
    assert stored.info.experiment_id == "0"
    assert stored.info.status == RunStatus.FINISHED.value
    assert stored.info.end_time is not None
    assert stored.info.run_name == "first"
    tags = stored.data.tags
    assert tags["k"] == "1"
    assert tags["mlflow.note.content"] == "notes"
    assert tags["mlflow.runName"] == "first"
    assert tags["mlflow.source.type"] == "LOCAL"
    assert tags["mlflow.user"]
    assert "mlflow.source.name" in tags
    assert ardea.active_run() is None
    assert ardea.last_active_run().info.run_id == run.info.run_id


def test_exception_marks_failed_and_propagates(tracking_uri: str) -> None:
    with pytest.raises(ZeroDivisionError), ardea.start_run() as run:
        1 / 0  # noqa: B018
    assert ardea.get_run(run.info.run_id).info.status == "FAILED"
    assert ardea.active_run() is None


def test_second_run_needs_nested(tracking_uri: str) -> None:
    with ardea.start_run() as outer:
        with pytest.raises(ardea.InvalidArgumentError, match="already active"):
            ardea.start_run()
        with ardea.start_run(nested=True) as inner:
            assert ardea.active_run().info.run_id == inner.info.run_id
        assert ardea.active_run().info.run_id == outer.info.run_id
    child = ardea.get_run(inner.info.run_id)
    assert child.data.tags["mlflow.parentRunId"] == outer.info.run_id
    assert child.info.status == "FINISHED"
    assert "mlflow.parentRunId" not in ardea.get_run(outer.info.run_id).data.tags


def test_end_run_status_and_noop(tracking_uri: str) -> None:
    ardea.end_run()  # nothing active: no error
    run = ardea.start_run()
    ardea.end_run(status="KILLED")
    assert ardea.get_run(run.info.run_id).info.status == "KILLED"
    with pytest.raises(ValueError):
        ardea.end_run(status="NOPE")


def test_a_run_ended_inside_its_block_keeps_its_status(tracking_uri: str) -> None:
    # As MLflow: leaving the with-block ends the run only if it is still active.
    with ardea.start_run() as run:
        ardea.end_run(RunStatus.KILLED.value)
        assert ardea.active_run() is None
    assert ardea.get_run(run.info.run_id).info.status == RunStatus.KILLED.value
    with pytest.raises(ValueError), ardea.start_run() as failed:
        ardea.end_run(RunStatus.FINISHED.value)
        raise ValueError("after the end")
    assert ardea.get_run(failed.info.run_id).info.status == RunStatus.FINISHED.value


def test_resume_run_by_id(tracking_uri: str) -> None:
    with ardea.start_run() as run:
        ardea.log_param("a", 1)
    with ardea.start_run(run_id=run.info.run_id, tags={"resumed": "yes"}):
        assert ardea.get_run(run.info.run_id).info.status == "RUNNING"
        ardea.log_param("b", 2)
    stored = ardea.get_run(run.info.run_id)
    assert stored.data.params == {"a": "1", "b": "2"}
    assert stored.data.tags["resumed"] == "yes"
    assert stored.info.status == "FINISHED"


def test_logging_without_run_starts_one(tracking_uri: str) -> None:
    ardea.log_param("p", "v")
    run = ardea.active_run()
    assert run is not None
    ardea.end_run()
    assert ardea.get_run(run.info.run_id).data.params == {"p": "v"}


def test_tracking_uri_roundtrip(tracking_uri: str) -> None:
    assert ardea.get_tracking_uri() == tracking_uri
    ardea.set_experiment("x")
    ardea.set_tracking_uri(
        tracking_uri + "-other"
        if "sqlite" not in tracking_uri
        else tracking_uri.replace("track.db", "other.db")
    )
    assert ardea.get_experiment_by_name("x") is None
    ardea.set_tracking_uri(tracking_uri)
    assert ardea.get_experiment_by_name("x") is not None


def test_tracking_uri_from_env(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_TRACKING_URI", str(tmp_path / "env-data"))
    ardea.set_tracking_uri(None)
    try:
        assert ardea.get_tracking_uri() == str(tmp_path / "env-data")
        with ardea.start_run():
            ardea.log_param("x", 1)
        assert (tmp_path / "env-data" / "ardea.db").is_file()
    finally:
        ardea.set_tracking_uri(None)
