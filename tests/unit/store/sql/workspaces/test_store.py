"""The SQL workspace store: CRUD, input checks and the three deletion modes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ardea._core.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
)
from ardea.entities import Metric, Span
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    b = open_sql_backend(f"sqlite:///{tmp_path / 'ws.db'}")
    yield b
    b.close()


def _count(backend: Backend, table: str) -> int:
    db = backend.tracking.database  # type: ignore[attr-defined]
    return int(db.read(lambda c: c.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar()))


def test_crud(backend: Backend) -> None:
    ws = backend.workspaces
    assert [w.name for w in ws.list_workspaces()] == ["default"]
    created = ws.create_workspace("team-a", "A", "s3://b/a", "read")
    assert (created.description, created.default_artifact_root) == ("A", "s3://b/a")
    assert created.default_permission == "READ" and created.created == created.updated
    assert ws.get_workspace("team-a") == created
    with pytest.raises(AlreadyExistsError, match="Workspace 'team-a' already exists"):
        ws.create_workspace("team-a")
    updated = ws.update_workspace("team-a", description="", default_artifact_root="")
    assert (updated.description, updated.default_artifact_root) == ("", None)
    assert updated.default_permission == "READ"  # untouched
    assert ws.update_workspace("default", description="everyone").description == "everyone"
    with pytest.raises(NotFoundError, match="Workspace 'nope' not found"):
        ws.get_workspace("nope")
    with pytest.raises(NotFoundError):
        ws.update_workspace("nope", description="x")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda ws: ws.create_workspace("default"), "reserved and cannot be created"),
        (lambda ws: ws.create_workspace("../etc"), "must match"),
        (lambda ws: ws.create_workspace("ok-name", default_artifact_root="rel/dir"), "absolute"),
        (lambda ws: ws.create_workspace("ok-name", default_artifact_root="s3://b#x"), "fragments"),
        (lambda ws: ws.create_workspace("ok-name", default_permission="OWNER"), "permission"),
        (lambda ws: ws.get_workspace("a/b"), "must match"),
        (lambda ws: ws.delete_workspace("default"), "reserved and cannot be deleted"),
        (lambda ws: ws.delete_workspace("team-a", "EVERYTHING"), "Invalid deletion mode"),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(
    backend: Backend, call: object, match: str
) -> None:
    backend.workspaces.create_workspace("team-a")
    with pytest.raises(InvalidArgumentError, match=match):
        call(backend.workspaces)  # type: ignore[operator]
    assert [w.name for w in backend.workspaces.list_workspaces()] == ["default", "team-a"]


def _fill(team: Backend, trace: str = "1") -> None:
    exp = team.tracking.create_experiment("exp")
    run = team.tracking.create_run(exp).info.run_id
    team.tracking.log_metric(run, Metric("m", 1.0, 1, 0))
    span = Span("tr-" + trace * 32, "1" * 16, None, "root", start_time_ns=1)
    team.traces.log_spans(exp, [span])  # trace ids are global: one per workspace
    team.registry.create_registered_model("model", tags={"t": "1"})
    team.registry.create_model_version("model", "s3://b/1", tags={"v": "1"})
    team.registry.set_registered_model_alias("model", "champion", 1)
    team.webhooks.create_webhook("h", "https://hooks.example.com/x", ["model_version.created"])


def test_restrict_refuses_and_cascade_deletes_everything(backend: Backend) -> None:
    backend.workspaces.create_workspace("team-a")
    _fill(backend.scoped("team-a"))
    _fill(backend, trace="2")  # the same names in default stay
    with pytest.raises(FailedPreconditionError, match="still contains 1 resource"):
        backend.workspaces.delete_workspace("team-a")
    backend.workspaces.delete_workspace("team-a", "CASCADE")
    with pytest.raises(NotFoundError):
        backend.scoped("team-a")
    for table, left in (("experiments", 2), ("runs", 1), ("metrics", 1), ("traces", 1),
                        ("spans", 1), ("registered_models", 1), ("model_versions", 1),
                        ("model_version_tags", 1), ("registered_model_aliases", 1),
                        ("webhooks", 1), ("webhook_events", 1)):  # fmt: skip
        assert _count(backend, table) == left, table


def test_deleting_a_workspace_drops_its_grants_and_roles(backend: Backend) -> None:
    auth = backend.require_auth()
    ada = auth.create_user("ada", None)
    for ws in ("team-a", "team-b"):
        backend.workspaces.create_workspace(ws)
        auth.grant(ada.id, "workspace", ws, "USE", workspace=ws)
        auth.grant(ada.id, "experiment", "7", "EDIT", workspace=ws)
        role = auth.create_role("editors", workspace=ws)
        auth.add_role_grant(role.id, "experiment", "*", "EDIT")
        auth.assign_role(ada.id, role.id)
    backend.workspaces.delete_workspace("team-a")
    assert {g.workspace for g in auth.list_grants(user_id=ada.id)} == {"team-b"}
    assert [r.workspace for r in auth.list_user_roles(ada.id)] == ["team-b"]
    assert [r.workspace for r in auth.list_roles()] == ["team-b"]


def test_set_default_moves_everything_unless_a_name_clashes(backend: Backend) -> None:
    backend.workspaces.create_workspace("team-a")
    _fill(backend.scoped("team-a"))
    backend.tracking.create_experiment("exp")
    with pytest.raises(FailedPreconditionError, match="experiments: 'exp'"):
        backend.workspaces.delete_workspace("team-a", "SET_DEFAULT")
    backend.scoped("team-a").tracking.rename_experiment(
        backend.scoped("team-a").tracking.get_experiment_by_name("exp").experiment_id, "moved"
    )
    backend.workspaces.delete_workspace("team-a", "SET_DEFAULT")
    moved = backend.tracking.get_experiment_by_name("moved")
    assert moved.workspace == "default"
    version = backend.registry.get_model_version_by_alias("model", "champion")
    assert (version.version, version.tags) == (1, {"v": "1"})  # the children followed
    assert [w.name for w in backend.webhooks.list_webhooks()] == ["h"]
