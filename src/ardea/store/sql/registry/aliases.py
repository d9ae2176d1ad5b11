"""Aliases and latest versions in the SQL registry store."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import ModelVersion
from ardea.entities.registry import MODEL_VERSION_STAGES
from ardea.store.registry_validation import (
    canonical_stage,
    parse_version,
    validate_alias,
    validate_model_name,
    validate_settable_alias,
)
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.registry.common import model_for_write, version_for_write
from ardea.store.sql.registry.load import latest_version_rows, load_model_versions
from ardea.store.sql.registry.tables import DELETED_STAGE
from ardea.store.sql.registry.versions import load_version

__all__ = ["SqlRegistryAliases"]


class SqlRegistryAliases:
    """Aliases and latest-version lookups of the SQL registry store."""

    _db: Database
    _scope: WorkspaceScope

    def set_registered_model_alias(self, name: str, alias: str, version: int | str) -> None:
        """Point ``alias`` at a version (moving it if it pointed elsewhere)."""
        validate_model_name(name)
        validate_settable_alias(alias)
        number = parse_version(version)

        scope = self._scope

        def op(conn: Connection) -> None:
            model_for_write(conn, scope, name)
            version_for_write(conn, scope, name, number)
            scope.upsert(
                conn,
                "registered_model_aliases",
                [{"name": name, "alias": alias, "version": number}],
                ("name", "alias"),
                ("version",),
            )

        self._db.write(op)

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias (no error if it is not set; NotFoundError for a missing model)."""
        validate_model_name(name)
        validate_alias(alias)

        def op(conn: Connection) -> None:
            model_for_write(conn, self._scope, name)
            conn.execute(self._scope.delete("registered_model_aliases", name=name, alias=alias))

        self._db.write(op)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """The version an alias points at; ``latest`` (any case) is the highest version."""
        validate_model_name(name)
        validate_alias(alias)

        scope = self._scope

        def op(conn: Connection) -> ModelVersion:
            model_for_write(conn, scope, name)
            if alias.lower() == "latest":
                mv = scope.model_versions
                number = conn.execute(
                    sa.select(sa.func.max(mv.c.version)).where(
                        mv.c.name == name, mv.c.current_stage != DELETED_STAGE
                    )
                ).scalar()
                if number is None:
                    raise NotFoundError(f"Latest version not found for model {name}.")
            else:
                al = scope.registered_model_aliases
                number = conn.execute(
                    sa.select(al.c.version).where(al.c.name == name, al.c.alias == alias)
                ).scalar()
                if number is None:
                    raise InvalidArgumentError(f"Registered model alias {alias} not found.")
            return load_version(conn, scope, name, int(number))

        return self._db.read(op)

    def get_latest_versions(self, name: str, stages: Sequence[str] = ()) -> list[ModelVersion]:
        """The newest version in each of ``stages`` (all stages when empty)."""
        validate_model_name(name)
        wanted = {canonical_stage(s) for s in stages or ()} or set(MODEL_VERSION_STAGES)

        scope = self._scope

        def op(conn: Connection) -> list[ModelVersion]:
            model_for_write(conn, scope, name)
            rows = [
                r for r in latest_version_rows(conn, scope, [name]) if r.current_stage in wanted
            ]
            return load_model_versions(conn, scope, rows)

        return self._db.read(op)
