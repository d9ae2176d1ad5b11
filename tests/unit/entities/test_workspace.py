"""Workspace names: MLflow 3.18's rule, so a name is never path-like."""

from __future__ import annotations

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities.workspace import is_workspace_name, validate_workspace_name


@pytest.mark.parametrize("name", ["default", "team-a", "a1", "x" * 63, "0-9"])
def test_good_names(name: str) -> None:
    assert is_workspace_name(name)
    assert validate_workspace_name(name) == name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("a", "between 2 and 63"),
        ("x" * 64, "between 2 and 63"),
        ("Team", "must match"),
        ("team_a", "must match"),
        ("-team", "must match"),
        ("team-", "must match"),
        ("..", "must match"),
        ("../etc", "must match"),
        ("a/b", "must match"),
        ("a.b", "must match"),
        ("workspaces", "reserved"),
        ("ajax-api", "reserved"),
        (7, "must be a string"),
    ],
)
def test_bad_names(name: object, why: str) -> None:
    assert not is_workspace_name(name)
    with pytest.raises(InvalidArgumentError, match=why):
        validate_workspace_name(name)
