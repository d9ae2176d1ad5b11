"""``ardea.services.gc``: deleting artifact roots safely, and purging batch by batch."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from ardea.services.gc import UnreachableArtifactsError, collect, delete_root
from ardea.store.backend import Backend
from ardea.store.purge import PurgePlan, PurgeStore


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    from ardea.store.sql.backend import open_sql_backend

    b = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}", artifacts_destination=str(tmp_path / "artifacts")
    )
    yield b
    b.close()


def test_delete_root_of_each_kind(backend: Backend, tmp_path: Path) -> None:
    backend.artifacts.put("1/run/artifacts/a.txt", b"a")
    backend.artifacts.put("1/other/b.txt", b"b")
    delete_root(backend, "mlflow-artifacts:/1/run")
    assert not (tmp_path / "artifacts" / "1" / "run").exists()
    assert (tmp_path / "artifacts" / "1" / "other" / "b.txt").read_bytes() == b"b"

    folder = tmp_path / "elsewhere" / "exp"
    (folder / "deep").mkdir(parents=True)
    (folder / "deep" / "c.txt").write_text("c")
    delete_root(backend, folder.as_uri())
    assert not folder.exists() and folder.parent.is_dir()
    delete_root(backend, str(tmp_path / "never-there"))  # absent: nothing to do
    assert not (tmp_path / "never-there").exists()


@pytest.mark.parametrize(
    "uri",
    [
        "mlflow-artifacts:/",
        "mlflow-artifacts://other-host/1/run",
        "http://host/artifacts/1",
        "s3://whole-bucket",
        "s3://whole-bucket/",
        "/",
        "ftp://host/x",
    ],
)
def test_delete_root_refuses_what_it_cannot_or_must_not_delete(backend: Backend, uri: str) -> None:
    with pytest.raises(UnreachableArtifactsError):
        delete_root(backend, uri)


class _Counting(PurgeStore):
    """Counts the purge calls (transactions) of the store it wraps."""

    def __init__(self, inner: PurgeStore) -> None:
        self.inner = inner
        self.calls: list[tuple[str, int]] = []

    def plan_purge(self, **kwargs: Any) -> PurgePlan:
        return self.inner.plan_purge(**kwargs)

    def purge_runs(self, run_ids: Sequence[str]) -> list[str]:
        self.calls.append(("runs", len(run_ids)))
        return self.inner.purge_runs(run_ids)

    def purge_experiments(self, experiment_ids: Sequence[str]) -> list[str]:
        self.calls.append(("experiments", len(experiment_ids)))
        return self.inner.purge_experiments(experiment_ids)

    def purge_logged_models(self, model_ids: Sequence[str]) -> list[str]:
        self.calls.append(("logged_models", len(model_ids)))
        return self.inner.purge_logged_models(model_ids)


def test_collect_purges_in_batches_and_reports_each_entity(backend: Backend) -> None:
    store = backend.tracking
    eid = store.create_experiment("many")
    run_ids = [store.create_run(eid, "me", 1, [], f"r{i}").info.run_id for i in range(7)]
    for rid in run_ids:
        backend.artifacts_at(f"{eid}/{rid}/artifacts").put("f.txt", b"x")
        store.delete_run(rid)
    counting = _Counting(backend.purge)
    wrapped = dataclasses.replace(backend, purge=counting)
    plan = wrapped.purge.plan_purge()
    store.restore_run(run_ids[0])  # restored after the plan: skipped, rows kept
    seen: list[tuple[str, str]] = []

    result = collect(
        wrapped, plan, batch_size=3, on_done=lambda p, o: seen.append((p.entity_id, o))
    )

    assert counting.calls == [("runs", 3), ("runs", 3), ("runs", 1)]
    assert sorted(p.entity_id for p in result.purged) == sorted(run_ids[1:])
    assert [p.entity_id for p in result.skipped] == [run_ids[0]]
    assert len(seen) == 7 and {o for _, o in seen} == {"purged", "skipped"}
    assert store.get_run(run_ids[0]).info.lifecycle_stage == "active"
    assert result.failed == [] and result.warnings == []


def test_collect_warns_about_unreachable_artifacts_and_still_purges(backend: Backend) -> None:
    store = backend.tracking
    eid = store.create_experiment("remote", artifact_location="http://host/artifacts/x")
    rid = store.create_run(eid, "me", 1, [], "r").info.run_id
    store.delete_run(rid)
    result = collect(backend, backend.purge.plan_purge())
    assert [p.entity_id for p in result.purged] == [rid]
    assert len(result.warnings) == 1 and "'http' URI" in result.warnings[0]


def test_collect_rejects_a_zero_batch(backend: Backend) -> None:
    from ardea._core.errors import InvalidArgumentError

    with pytest.raises(InvalidArgumentError):
        collect(backend, PurgePlan(), batch_size=0)
