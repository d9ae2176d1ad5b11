"""A workspace's view of the proxied artifact store keeps it in ``workspaces/<name>/``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.store.artifacts.local import LocalArtifactStore
from ardea.store.artifacts.workspace import WorkspaceArtifactStore, workspace_path


@pytest.mark.parametrize(
    ("workspace", "path", "stored"),
    [
        ("team-a", "", "workspaces/team-a"),
        ("team-a", "1/run/artifacts/x.txt", "workspaces/team-a/1/run/artifacts/x.txt"),
        ("team-a", "workspaces/team-a/1/x.txt", "workspaces/team-a/1/x.txt"),
        ("default", "", ""),
        ("default", "0/run/x.txt", "0/run/x.txt"),
        ("default", "workspaces/default/x", "workspaces/default/x"),
    ],
)
def test_paths(workspace: str, path: str, stored: str) -> None:
    assert workspace_path(workspace, path) == stored


@pytest.mark.parametrize("workspace", ["team-a", "default"])
@pytest.mark.parametrize(
    "path", ["workspaces/team-b/x", "WORKSPACES/team-b/x", "workspaces", "workspaces/"]
)
def test_other_workspaces_are_refused(workspace: str, path: str) -> None:
    with pytest.raises(InvalidArgumentError):
        workspace_path(workspace, path)


def test_the_view_writes_reads_and_lists_inside_its_folder(tmp_path: Path) -> None:
    root = LocalArtifactStore(str(tmp_path))
    team = WorkspaceArtifactStore(root, "team-a")
    default = WorkspaceArtifactStore(root, "default")
    team.put("1/x.txt", b"a")
    default.put("0/y.txt", b"d")
    assert (tmp_path / "workspaces/team-a/1/x.txt").read_bytes() == b"a"
    assert team.get("1/x.txt") == b"a" and team.get("workspaces/team-a/1/x.txt") == b"a"
    assert [Path(i.path).name for i in team.list("")] == ["1"]
    assert [Path(i.path).name for i in default.list("")] == ["0"]  # not "workspaces"
    with pytest.raises(InvalidArgumentError):
        default.get("workspaces/team-a/1/x.txt")
    with pytest.raises(InvalidArgumentError):
        default.delete("")
    team.delete("1")
    assert not (tmp_path / "workspaces/team-a/1").exists()
    assert (tmp_path / "0/y.txt").exists()
