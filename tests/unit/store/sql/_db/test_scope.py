"""The workspace scope: which tables it owns, its statements, and its refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from ardea.store.sql import schema  # noqa: F401 - every aggregate's tables
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope, owned_tables
from ardea.store.sql.backend import open_sql_backend

OWNED = {
    "experiments",
    "registered_models",
    "registered_model_tags",
    "model_versions",
    "model_version_tags",
    "registered_model_aliases",
    "webhooks",
    "evaluation_datasets",
    "gateway_secrets",
    "gateway_model_definitions",
    "gateway_endpoints",
    "gateway_budget_policies",
    "gateway_guardrails",
}


def test_the_owned_tables_are_those_with_a_workspace_column() -> None:
    assert set(owned_tables()) == OWNED


@pytest.mark.parametrize("bad", ["../x", "a' OR '1'='1", "Team", ""])
def test_a_scope_needs_a_workspace_name(bad: str) -> None:
    with pytest.raises(ValueError, match="Not a workspace name"):
        WorkspaceScope(bad)


def test_scopes_compare_by_name_and_cache_their_statements() -> None:
    assert WorkspaceScope("team-a") == WorkspaceScope("team-a") != DEFAULT_SCOPE
    assert len({WorkspaceScope("team-a"), WorkspaceScope("team-a")}) == 1
    scope = WorkspaceScope("team-a")
    assert scope.experiments is scope.experiments
    assert scope.sql_table("model_versions") == (
        "(SELECT * FROM model_versions WHERE workspace = 'team-a')"
    )
    with pytest.raises(KeyError):
        scope.table("runs")  # runs belong to their experiment's workspace: no column


def test_statements_keep_to_their_workspace(tmp_path: Path) -> None:
    backend = open_sql_backend(f"sqlite:///{tmp_path / 'scope.db'}")
    backend.workspaces.create_workspace("team-a")
    mine = backend.scoped("team-a").tracking.create_experiment("e")
    theirs = backend.tracking.create_experiment("e")
    scope = WorkspaceScope("team-a")
    db = backend.tracking.database  # type: ignore[attr-defined]

    def read(conn: sa.Connection) -> tuple[list[int], list[int], bool]:
        ids = [int(mine), int(theirs), 999]
        visible = list(conn.execute(scope.experiment_ids(ids)).scalars())
        names = list(conn.execute(sa.select(scope.experiments.c.experiment_id)).scalars())
        return visible, names, scope.taken_anywhere(conn, "experiments", experiment_id=theirs)

    assert db.read(read) == ([int(mine)], [int(mine)], True)
    counts = db.read(scope.content_counts)
    assert counts == {"experiments": 1}
    backend.close()
