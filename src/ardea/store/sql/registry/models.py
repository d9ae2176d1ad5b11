"""Registered models in the SQL registry store.

Create, get, rename, update, delete, search and tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import AlreadyExistsError
from ardea._core.ids import now_ms
from ardea.entities import PagedList, RegisteredModel
from ardea.store.registry import (
    REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
    REGISTERED_MODELS_MAX_RESULTS_LIMIT,
    Tags,
)
from ardea.store.registry_validation import (
    check_text,
    tag_pairs,
    validate_description,
    validate_model_name,
    validate_registry_tag,
)
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.registry.common import (
    is_unique_violation,
    model_for_write,
    model_not_found,
    search_page,
)
from ardea.store.sql.registry.load import (
    load_registered_models,
    registered_models_from_rows,
    registered_models_wire,
)
from ardea.store.sql.registry.search import registered_models_page
from ardea.store.validation import validate_length

__all__ = ["SqlRegisteredModels"]

T = TypeVar("T")

_MAX_DEPLOYMENT_JOB_ID = 256


def _exists_error(name: str) -> AlreadyExistsError:
    return AlreadyExistsError(f"Registered Model (name={name}) already exists.")


def _load_one(conn: Connection, scope: WorkspaceScope, name: str) -> RegisteredModel:
    found = load_registered_models(conn, scope, [name])
    if not found:
        raise model_not_found(name)
    return found[0]


class SqlRegisteredModels:
    """The registered-model half of :class:`~ardea.store.sql.registry.store.SqlRegistryStore`."""

    _db: Database
    _scope: WorkspaceScope

    def create_registered_model(
        self,
        name: str,
        tags: Tags = (),
        description: str | None = None,
        deployment_job_id: str | None = None,
    ) -> RegisteredModel:
        """Create a registered model; AlreadyExistsError if the name is taken."""
        validate_model_name(name)
        tag_map = tag_pairs(tags)
        validate_description(description)
        if deployment_job_id is not None:
            validate_length("deployment_job_id", deployment_job_id, _MAX_DEPLOYMENT_JOB_ID)
            check_text("deployment_job_id", deployment_job_id)

        scope = self._scope

        def op(conn: Connection) -> RegisteredModel:
            now = now_ms()
            try:
                with conn.begin_nested():
                    conn.execute(
                        scope.insert("registered_models").values(
                            name=name,
                            creation_timestamp=now,
                            last_updated_timestamp=now,
                            description=description,
                            deployment_job_id=deployment_job_id or None,
                        )
                    )
            except sa.exc.IntegrityError as exc:
                if is_unique_violation(exc):
                    raise _exists_error(name) from None
                raise
            if tag_map:
                conn.execute(
                    scope.insert("registered_model_tags"),
                    [{"name": name, "key": k, "value": v} for k, v in tag_map.items()],
                )
            return _load_one(conn, scope, name)

        return self._db.write(op)

    def get_registered_model(self, name: str) -> RegisteredModel:
        """The registered model with its tags, aliases and latest version per stage."""
        validate_model_name(name)
        return self._db.read(lambda conn: _load_one(conn, self._scope, name))

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        """Rename a model; its versions, tags and aliases follow (``ON UPDATE CASCADE``)."""
        validate_model_name(name)
        validate_model_name(new_name, "new_name")

        scope = self._scope

        def op(conn: Connection) -> RegisteredModel:
            model_for_write(conn, scope, name, lock=True)
            if new_name != name:
                rm = scope.registered_models
                if conn.execute(sa.select(rm.c.name).where(rm.c.name == new_name)).first():
                    raise _exists_error(new_name)
                try:
                    with conn.begin_nested():
                        conn.execute(
                            scope.update("registered_models", name=name).values(
                                name=new_name, last_updated_timestamp=now_ms()
                            )
                        )
                except sa.exc.IntegrityError as exc:
                    if is_unique_violation(exc):
                        raise _exists_error(new_name) from None
                    raise
            return _load_one(conn, scope, new_name)

        return self._db.write(op)

    def update_registered_model(
        self, name: str, description: str | None = None, deployment_job_id: str | None = None
    ) -> RegisteredModel:
        """Change the description and/or deployment job id (None leaves a field unchanged)."""
        validate_model_name(name)
        validate_description(description)
        if deployment_job_id is not None:
            validate_length("deployment_job_id", deployment_job_id, _MAX_DEPLOYMENT_JOB_ID)
            check_text("deployment_job_id", deployment_job_id)

        scope = self._scope

        def op(conn: Connection) -> RegisteredModel:
            model_for_write(conn, scope, name)
            values: dict[str, object] = {"last_updated_timestamp": now_ms()}
            if description is not None:
                values["description"] = description
            if deployment_job_id is not None:
                values["deployment_job_id"] = deployment_job_id or None
            conn.execute(scope.update("registered_models", name=name).values(**values))
            return _load_one(conn, scope, name)

        return self._db.write(op)

    def delete_registered_model(self, name: str) -> None:
        """Delete a model with all its versions, tags and aliases."""
        validate_model_name(name)

        scope = self._scope

        def op(conn: Connection) -> None:
            model_for_write(conn, scope, name, lock=True)
            for table in (
                "model_version_tags",
                "registered_model_aliases",
                "model_versions",
                "registered_model_tags",
                "registered_models",
            ):
                conn.execute(scope.delete(table, name=name))

        self._db.write(op)

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        """Models matching the filter (prompts excluded unless asked for), ordered and paged."""
        args = (filter_string, max_results, order_by, page_token)
        return search_page(
            self._db,
            self._scope,
            registered_models_page,
            REGISTERED_MODELS_MAX_RESULTS_LIMIT,
            registered_models_from_rows,
            *args,
        )

    def search_registered_models_wire(
        self,
        filter_string: str | None = None,
        max_results: int = REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[dict[str, Any]]:
        """:meth:`search_registered_models` as MLflow messages built straight from the rows."""
        args = (filter_string, max_results, order_by, page_token)
        return search_page(
            self._db,
            self._scope,
            registered_models_page,
            REGISTERED_MODELS_MAX_RESULTS_LIMIT,
            registered_models_wire,
            *args,
        )

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        """Set (or overwrite) a model tag."""
        validate_model_name(name)
        validate_registry_tag(key, value)

        def op(conn: Connection) -> None:
            model_for_write(conn, self._scope, name)
            self._scope.upsert(
                conn,
                "registered_model_tags",
                [{"name": name, "key": key, "value": value}],
                ("name", "key"),
                ("value",),
            )

        self._db.write(op)

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        """Delete a model tag (no error if it is not set; NotFoundError for a missing model)."""
        validate_model_name(name)
        validate_registry_tag(key, "")

        def op(conn: Connection) -> None:
            model_for_write(conn, self._scope, name)
            conn.execute(self._scope.delete("registered_model_tags", name=name, key=key))

        self._db.write(op)
