"""The SQL workspace store: the ``workspaces`` table of the tracking database.

What a workspace holds is reached only through its
:class:`~ardea.store.sql._db.scope.WorkspaceScope` (counting, deleting or moving it when the
workspace goes). Messages follow MLflow 3.18's SQL workspace store.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import AlreadyExistsError, FailedPreconditionError, InvalidArgumentError
from ardea._core.ids import now_ms
from ardea.entities.workspace import (
    DEFAULT_WORKSPACE,
    PERMISSION_LEVELS,
    Workspace,
    WorkspaceDeletionMode,
    validate_workspace_name,
)
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql.auth.tables import roles, user_grants
from ardea.store.sql.workspaces.tables import workspaces
from ardea.store.validation import validate_artifact_location
from ardea.store.workspaces import UNSET, WorkspaceStore, workspace_not_found

__all__ = [
    "SqlWorkspaceStore",
    "check_artifact_root",
    "check_workspace_name",
    "ensure_default_workspace",
]

_ws = workspaces.c


def check_workspace_name(name: object) -> str:
    """A workspace name to look up: ``default``, or a valid name (InvalidArgumentError)."""
    if name == DEFAULT_WORKSPACE:
        return DEFAULT_WORKSPACE
    return validate_workspace_name(name)


def check_artifact_root(value: object) -> str | None:
    """A workspace's ``default_artifact_root`` as given: None (unset), ``""`` (clear) or a root.

    As MLflow: no fragment or params, and a URI (``s3://bucket/prefix``,
    ``mlflow-artifacts:/prefix``) or an absolute path, never a relative one (a client would
    resolve it against its own working directory).
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidArgumentError("'default_artifact_root' must be a string")
    root = value.strip()
    if not root:
        return ""
    validate_artifact_location(root)
    parsed = urllib.parse.urlparse(root)
    if parsed.fragment or parsed.params:
        raise InvalidArgumentError("'default_artifact_root' URL can't include fragments or params.")
    has_scheme = len(parsed.scheme) > 1  # "C:" is a drive, not a scheme
    if not has_scheme and not os.path.isabs(root):
        raise InvalidArgumentError(
            "Invalid value for 'default_artifact_root'. Expected a URI (for example "
            "'s3://bucket/prefix' or 'mlflow-artifacts:/prefix') or an absolute path, "
            f"got '{root}'."
        )
    return root


def _check_permission(value: object) -> str | None:
    if value is None:
        return None
    if value == "":
        return ""
    if not isinstance(value, str) or value.upper() not in PERMISSION_LEVELS:
        raise InvalidArgumentError(
            f"Invalid default_permission {value!r}: expected one of {', '.join(PERMISSION_LEVELS)}"
        )
    return value.upper()


def ensure_default_workspace(conn: Connection) -> None:
    """Create workspace ``default`` unless it exists (migration ``0011`` creates it)."""
    if conn.execute(sa.select(_ws.name).where(_ws.name == DEFAULT_WORKSPACE)).first():
        return
    now = now_ms()
    conn.execute(
        workspaces.insert().values(
            name=DEFAULT_WORKSPACE,
            description="The default workspace",
            creation_time=now,
            last_update_time=now,
        )
    )


def _entity(row: Any) -> Workspace:
    return Workspace(
        name=row.name,
        description=row.description,
        default_artifact_root=row.default_artifact_root,
        default_permission=row.default_permission,
        created=int(row.creation_time),
        updated=int(row.last_update_time),
    )


def _row(conn: Connection, name: str) -> Any:
    row = conn.execute(sa.select(workspaces).where(_ws.name == name)).first()
    if row is None:
        raise workspace_not_found(name)
    return row


class SqlWorkspaceStore(WorkspaceStore):
    """Workspaces in a SQL database.

    Args:
        database: An open database at the current schema (the backend closes it).
        on_change: Called with a workspace's name after it was changed or deleted (the
            backend drops its cached stores of it).
    """

    def __init__(self, database: Database, on_change: Callable[[str], None] | None = None) -> None:
        self._db = database
        self._on_change = on_change or (lambda _name: None)

    def list_workspaces(self) -> list[Workspace]:
        """Every workspace, by name."""
        query = sa.select(workspaces).order_by(_ws.name)
        return self._db.read(lambda conn: [_entity(r) for r in conn.execute(query)])

    def get_workspace(self, name: str) -> Workspace:
        """One workspace; NotFoundError if there is none with that name."""
        check_workspace_name(name)
        return self._db.read(lambda conn: _entity(_row(conn, name)))

    def create_workspace(
        self,
        name: str,
        description: str | None = None,
        default_artifact_root: str | None = None,
        default_permission: str | None = None,
    ) -> Workspace:
        """Create a workspace (never ``default``, which always exists)."""
        if name == DEFAULT_WORKSPACE:
            raise InvalidArgumentError(
                f"The '{DEFAULT_WORKSPACE}' workspace is reserved and cannot be created"
            )
        validate_workspace_name(name)
        if description is not None and not isinstance(description, str):
            raise InvalidArgumentError("'description' must be a string")
        root = check_artifact_root(default_artifact_root) or None
        permission = _check_permission(default_permission) or None
        now = now_ms()

        def op(conn: Connection) -> Workspace:
            try:
                with conn.begin_nested():
                    conn.execute(
                        workspaces.insert().values(
                            name=name,
                            description=description,
                            default_artifact_root=root,
                            default_permission=permission,
                            creation_time=now,
                            last_update_time=now,
                        )
                    )
            except sa.exc.IntegrityError:
                raise AlreadyExistsError(f"Workspace '{name}' already exists.") from None
            return _entity(_row(conn, name))

        created = self._db.write(op)
        self._on_change(name)
        return created

    def update_workspace(
        self,
        name: str,
        description: str | None = UNSET,
        default_artifact_root: str | None = UNSET,
        default_permission: str | None = UNSET,
    ) -> Workspace:
        """Change the given fields (None leaves one unchanged, ``""`` clears it)."""
        check_workspace_name(name)
        values: dict[str, Any] = {}
        if description is not None:
            if not isinstance(description, str):
                raise InvalidArgumentError("'description' must be a string")
            values["description"] = description
        root = check_artifact_root(default_artifact_root)
        if root is not None:
            values["default_artifact_root"] = root or None
        permission = _check_permission(default_permission)
        if permission is not None:
            values["default_permission"] = permission or None

        def op(conn: Connection) -> Workspace:
            _row(conn, name)
            if values:
                conn.execute(
                    workspaces.update()
                    .where(_ws.name == name)
                    .values(last_update_time=now_ms(), **values)
                )
            return _entity(_row(conn, name))

        updated = self._db.write(op)
        self._on_change(name)
        return updated

    def delete_workspace(
        self, name: str, mode: WorkspaceDeletionMode = WorkspaceDeletionMode.RESTRICT
    ) -> None:
        """Delete a workspace; ``mode`` says what happens to what it holds (see the contract)."""
        if name == DEFAULT_WORKSPACE:
            raise InvalidArgumentError(
                f"The '{DEFAULT_WORKSPACE}' workspace is reserved and cannot be deleted"
            )
        validate_workspace_name(name)
        try:
            mode = WorkspaceDeletionMode(mode)
        except ValueError:
            raise InvalidArgumentError(
                f"Invalid deletion mode '{mode}'. Must be one of: "
                f"{', '.join(m.value for m in WorkspaceDeletionMode)}"
            ) from None
        scope = WorkspaceScope(name)

        def op(conn: Connection) -> None:
            _row(conn, name)
            if mode is WorkspaceDeletionMode.RESTRICT:
                for table, count in scope.content_counts(conn).items():
                    raise FailedPreconditionError(
                        f"Cannot delete workspace '{name}': table '{table}' still contains "
                        f"{count} resource(s). Remove or reassign them before deleting the "
                        "workspace."
                    )
            elif mode is WorkspaceDeletionMode.CASCADE:
                scope.delete_content(conn)
            else:
                conflicts = scope.name_conflicts(conn, DEFAULT_SCOPE)
                if conflicts:
                    details = "\n".join(f"  - {c}" for c in conflicts)
                    raise FailedPreconditionError(
                        f"Cannot reassign resources from workspace '{name}' to "
                        f"'{DEFAULT_WORKSPACE}': the following resources already exist in the "
                        f"default workspace and would cause conflicts:\n{details}\n"
                        "Rename or remove the conflicting resources before retrying."
                    )
                scope.move_content(conn, DEFAULT_SCOPE)
            # Its permission grants and roles go with it (assignments and role grants by
            # cascade): a later workspace of the same name starts with nobody's grants.
            conn.execute(user_grants.delete().where(user_grants.c.workspace == name))
            conn.execute(roles.delete().where(roles.c.workspace == name))
            conn.execute(workspaces.delete().where(_ws.name == name))

        try:
            self._db.write(op)
        finally:
            self._on_change(name)

    def __repr__(self) -> str:
        return f"SqlWorkspaceStore({self._db.url.split('@')[-1]!r})"
