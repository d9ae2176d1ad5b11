"""Workspaces: the spaces that hold a team's experiments, models, prompts and webhooks.

Every top-level aggregate (an experiment, a registered model or prompt, a webhook) belongs to
exactly one workspace; what lives under them (runs, traces, logged models, versions, ...)
belongs to its parent's. Names of experiments and registered models are unique per workspace.
The workspace ``default`` always exists: a database that predates workspaces holds everything
there, and a request that names no workspace acts in it.

Workspace names follow MLflow 3.18's rule (Kubernetes label style): 2 to 63 lowercase letters,
digits and inner hyphens, and not one of the reserved path words. So a name is never
path-like (no ``/``, ``.`` or ``..``) and is safe inside artifact paths and SQL literals.

Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from ardea._core.errors import InvalidArgumentError

__all__ = [
    "DEFAULT_WORKSPACE",
    "PERMISSION_LEVELS",
    "RESERVED_WORKSPACE_NAMES",
    "WORKSPACE_NAME_PATTERN",
    "Workspace",
    "WorkspaceDeletionMode",
    "is_workspace_name",
    "validate_workspace_name",
]

DEFAULT_WORKSPACE = "default"
"""The workspace that always exists and cannot be deleted."""

WORKSPACE_NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
"""MLflow's workspace name pattern (with a length of 2 to 63 characters)."""

RESERVED_WORKSPACE_NAMES = frozenset({"workspaces", "api", "ajax-api", "static-files"})
"""Names MLflow refuses: they are path segments of the server's own routes."""

PERMISSION_LEVELS = ("READ", "USE", "EDIT", "MANAGE", "NO_PERMISSIONS")
"""The permission levels a workspace's ``default_permission`` may take (MLflow's)."""

_NAME = re.compile(WORKSPACE_NAME_PATTERN)


def is_workspace_name(name: object) -> bool:
    """Whether ``name`` is a valid workspace name (see :func:`validate_workspace_name`)."""
    return (
        isinstance(name, str)
        and 2 <= len(name) <= 63
        and _NAME.match(name) is not None
        and name not in RESERVED_WORKSPACE_NAMES
    )


def validate_workspace_name(name: object) -> str:
    """``name`` if it is a valid workspace name, with MLflow's messages otherwise.

    Raises:
        InvalidArgumentError: Not a string, not 2-63 characters, not lowercase letters, digits
            and inner hyphens, or reserved.
    """
    if not isinstance(name, str):
        raise InvalidArgumentError(f"Workspace name must be a string, got {type(name).__name__!s}.")
    if not 2 <= len(name) <= 63:
        raise InvalidArgumentError(f"Workspace name '{name}' must be between 2 and 63 characters.")
    if _NAME.match(name) is None:
        raise InvalidArgumentError(
            f"Workspace name '{name}' must match the pattern {WORKSPACE_NAME_PATTERN} "
            "(lowercase alphanumeric with optional internal hyphens)."
        )
    if name in RESERVED_WORKSPACE_NAMES:
        raise InvalidArgumentError(f"Workspace name '{name}' is reserved and cannot be used.")
    return name


class WorkspaceDeletionMode(str, Enum):
    """What deleting a workspace does to what it holds (MLflow's modes)."""

    RESTRICT = "RESTRICT"
    """Refuse while the workspace still holds anything (the default)."""
    CASCADE = "CASCADE"
    """Delete everything it holds (artifacts stay for ``ardea gc``-style cleanup)."""
    SET_DEFAULT = "SET_DEFAULT"
    """Move everything it holds to ``default`` (refused when names would clash)."""


@dataclass(frozen=True, slots=True)
class Workspace:
    """A workspace.

    Attributes:
        name: Its unique name (see :func:`validate_workspace_name`).
        description: Free text, or None.
        default_artifact_root: Root URI of its new experiments' artifacts, or None for the
            server's root (``<root>/workspaces/<name>`` outside ``default``).
        default_permission: What a user without a grant may do in it (one of
            :data:`PERMISSION_LEVELS`), or None for the server's default.
        created: Epoch milliseconds of its creation.
        updated: Epoch milliseconds of its last change.
    """

    name: str
    description: str | None = None
    default_artifact_root: str | None = None
    default_permission: str | None = None
    created: int | None = None
    updated: int | None = None
