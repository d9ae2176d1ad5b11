"""Model versions in the SQL registry store.

Create (numbered inside the write transaction), get, update, delete, search, tags, download
URI and legacy stage transitions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError
from ardea._core.ids import now_ms
from ardea.entities import ModelVersion, ModelVersionStatus, PagedList
from ardea.store.registry import (
    MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
    MODEL_VERSIONS_MAX_RESULTS_LIMIT,
    Tags,
)
from ardea.store.registry_validation import (
    canonical_stage,
    check_text,
    parse_version,
    tag_pairs,
    validate_description,
    validate_model_name,
    validate_registry_tag,
)
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.registry.common import (
    model_for_write,
    search_page,
    touch_model,
    version_for_write,
)
from ardea.store.sql.registry.load import load_model_versions, model_versions_wire
from ardea.store.sql.registry.search import model_versions_page
from ardea.store.sql.registry.source import resolve_source
from ardea.store.sql.registry.tables import DELETED_STAGE
from ardea.store.validation import validate_length

__all__ = ["SqlModelVersions", "load_version"]

T = TypeVar("T")

_MAX_ID = 256


def load_version(conn: Connection, scope: WorkspaceScope, name: str, version: int) -> ModelVersion:
    """One visible version with its tags and aliases (NotFoundError when absent)."""
    return load_model_versions(conn, scope, [version_for_write(conn, scope, name, version)])[0]


def _next_version(conn: Connection, scope: WorkspaceScope, name: str) -> int:
    """max(version) + 1 over every version ever registered (deleted ones included).

    The caller holds the registered model's row lock, so this is serialized per model.
    """
    mv, in_workspace = scope.base("model_versions")
    query: Any = sa.select(sa.func.max(mv.c.version)).where(in_workspace, mv.c.name == name)
    if conn.dialect.name in ("mysql", "mariadb"):
        query = query.with_for_update()  # a locking read sees the newest committed rows
    return int(conn.execute(query).scalar() or 0) + 1


class SqlModelVersions:
    """The model-version half of :class:`~ardea.store.sql.registry.store.SqlRegistryStore`."""

    _db: Database
    _scope: WorkspaceScope

    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        tags: Tags = (),
        run_link: str | None = None,
        description: str | None = None,
        model_id: str | None = None,
        user_id: str | None = None,
    ) -> ModelVersion:
        """Register the next version (max + 1, in one transaction) of an existing model."""
        validate_model_name(name)
        if not isinstance(source, str) or not source:
            raise InvalidArgumentError(
                "Missing value for required parameter 'source'. See the API docs for more "
                "information about request parameters."
            )
        tag_map = tag_pairs(tags)
        validate_description(description)
        for field, value in (("run_id", run_id), ("model_id", model_id), ("user_id", user_id)):
            if value is not None:
                validate_length(field, value, _MAX_ID if field != "model_id" else 64)
        if run_link is not None:
            validate_length("run_link", run_link, 10_000)
        for field, value in (
            ("source", source),
            ("run_id", run_id),
            ("model_id", model_id),
            ("user_id", user_id),
            ("run_link", run_link),
        ):
            check_text(field, value)

        scope = self._scope

        def op(conn: Connection) -> ModelVersion:
            resolved = resolve_source(conn, scope, source)
            model_for_write(conn, scope, name, lock=True)  # serializes numbering per model
            version = _next_version(conn, scope, name)
            now = now_ms()
            conn.execute(
                scope.insert("model_versions").values(
                    name=name,
                    version=version,
                    creation_timestamp=now,
                    last_updated_timestamp=now,
                    current_stage="None",
                    source=source,
                    storage_location=resolved.storage_location,
                    run_id=run_id or resolved.run_id,
                    model_id=model_id or resolved.model_id,
                    description=description,
                    user_id=user_id or None,
                    run_link=run_link or None,
                    status=ModelVersionStatus.READY.value,
                )
            )
            if tag_map:
                conn.execute(
                    scope.insert("model_version_tags"),
                    [
                        {"name": name, "version": version, "key": k, "value": v}
                        for k, v in tag_map.items()
                    ],
                )
            touch_model(conn, scope, name, now)
            return load_version(conn, scope, name, version)

        return self._db.write(op)

    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        """One version with its tags and aliases."""
        validate_model_name(name)
        number = parse_version(version)
        return self._db.read(lambda conn: load_version(conn, self._scope, name, number))

    def update_model_version(
        self, name: str, version: int | str, description: str | None = None
    ) -> ModelVersion:
        """Change a version's description (None leaves it unchanged)."""
        validate_model_name(name)
        number = parse_version(version)
        validate_description(description)

        scope = self._scope

        def op(conn: Connection) -> ModelVersion:
            version_for_write(conn, scope, name, number)
            values: dict[str, object] = {"last_updated_timestamp": now_ms()}
            if description is not None:
                values["description"] = description
            conn.execute(scope.update("model_versions", name=name, version=number).values(**values))
            return load_version(conn, scope, name, number)

        return self._db.write(op)

    def delete_model_version(self, name: str, version: int | str) -> None:
        """Delete a version (its tags and the aliases pointing at it); its number stays taken."""
        validate_model_name(name)
        number = parse_version(version)

        scope = self._scope

        def op(conn: Connection) -> None:
            version_for_write(conn, scope, name, number)
            now = now_ms()
            conn.execute(scope.delete("registered_model_aliases", name=name, version=number))
            conn.execute(scope.delete("model_version_tags", name=name, version=number))
            conn.execute(
                scope.update("model_versions", name=name, version=number).values(
                    current_stage=DELETED_STAGE,
                    last_updated_timestamp=now,
                    description=None,
                    user_id=None,
                    source="REDACTED-SOURCE-PATH",
                    storage_location=None,
                    run_id=None,
                    run_link=None,
                    status_message=None,
                )
            )
            touch_model(conn, scope, name, now)

        self._db.write(op)

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        """Versions matching the filter (prompt versions excluded unless asked), paged."""
        args = (filter_string, max_results, order_by, page_token)
        return search_page(
            self._db,
            self._scope,
            model_versions_page,
            MODEL_VERSIONS_MAX_RESULTS_LIMIT,
            load_model_versions,
            *args,
        )

    def search_model_versions_wire(
        self,
        filter_string: str | None = None,
        max_results: int = MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[dict[str, Any]]:
        """:meth:`search_model_versions` as MLflow messages built straight from the rows."""
        args = (filter_string, max_results, order_by, page_token)
        return search_page(
            self._db,
            self._scope,
            model_versions_page,
            MODEL_VERSIONS_MAX_RESULTS_LIMIT,
            model_versions_wire,
            *args,
        )

    def set_model_version_tag(self, name: str, version: int | str, key: str, value: str) -> None:
        """Set (or overwrite) a version tag."""
        validate_model_name(name)
        number = parse_version(version)
        validate_registry_tag(key, value)

        def op(conn: Connection) -> None:
            version_for_write(conn, self._scope, name, number)
            self._scope.upsert(
                conn,
                "model_version_tags",
                [{"name": name, "version": number, "key": key, "value": value}],
                ("name", "version", "key"),
                ("value",),
            )

        self._db.write(op)

    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None:
        """Delete a version tag (no error if it is not set)."""
        validate_model_name(name)
        number = parse_version(version)
        validate_registry_tag(key, "")

        def op(conn: Connection) -> None:
            version_for_write(conn, self._scope, name, number)
            conn.execute(
                self._scope.delete("model_version_tags", name=name, version=number, key=key)
            )

        self._db.write(op)

    def get_model_version_download_uri(self, name: str, version: int | str) -> str:
        """Where the version's files are (the logged model's artifacts for ``models:/m-``)."""
        return self.get_model_version(name, version).download_uri

    def transition_model_version_stage(
        self, name: str, version: int | str, stage: str, archive_existing_versions: bool = False
    ) -> ModelVersion:
        """Move a version to a legacy stage, optionally archiving the others in that stage."""
        validate_model_name(name)
        number = parse_version(version)
        target = canonical_stage(stage, active_only=bool(archive_existing_versions))

        scope = self._scope

        def op(conn: Connection) -> ModelVersion:
            version_for_write(conn, scope, name, number)
            now = now_ms()
            if archive_existing_versions:
                mv, in_workspace = scope.base("model_versions")
                conn.execute(
                    mv.update()
                    .where(
                        in_workspace,
                        mv.c.name == name,
                        mv.c.version != number,
                        mv.c.current_stage == target,
                    )
                    .values(current_stage="Archived", last_updated_timestamp=now)
                )
            conn.execute(
                scope.update("model_versions", name=name, version=number).values(
                    current_stage=target, last_updated_timestamp=now
                )
            )
            touch_model(conn, scope, name, now)
            return load_version(conn, scope, name, number)

        return self._db.write(op)
