"""Loading registry entities from rows, a page at a time (no per-row queries).

Every loader takes keys in the order a search or write produced them and returns entities in
that order, with tags, aliases and (for models) the latest version per stage.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.api.registry_json import model_message, version_message
from ardea.entities.registry import ModelVersion, RegisteredModel, RegisteredModelAlias
from ardea.store.sql._db.common import chunked, raw_cursor
from ardea.store.sql._db.rows import keyed_rows, raw_rows
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.registry.tables import DELETED_STAGE

__all__ = [
    "ModelRow",
    "VersionRow",
    "latest_version_rows",
    "load_model_versions",
    "load_registered_models",
    "model_versions_wire",
    "registered_models_from_rows",
    "registered_models_wire",
    "version_rows",
]

_CHUNK = 400


class VersionRow(NamedTuple):
    """A ``model_versions`` row read with raw SQL (attribute access like SQLAlchemy's rows).

    The fields are the table's columns in table order (a unit test holds them together).
    """

    name: str
    version: int
    creation_timestamp: int
    last_updated_timestamp: int
    current_stage: str
    source: str
    storage_location: str | None
    run_id: str | None
    model_id: str | None
    description: str | None
    user_id: str | None
    run_link: str | None
    status: str
    status_message: str | None
    workspace: str


class ModelRow(NamedTuple):
    """A ``registered_models`` row read with raw SQL (fields: the columns, in table order)."""

    name: str
    creation_timestamp: int
    last_updated_timestamp: int
    description: str | None
    user_id: str | None
    deployment_job_id: str | None
    workspace: str


_VERSION_COLUMNS = VersionRow._fields
_MODEL_COLUMNS = ModelRow._fields

# Raw DBAPI SQL on the read paths (as ``loaders.raw_rows`` does for runs): building and
# expanding SQLAlchemy ``IN`` selects cost more than SQLite's work for a page of 100 models.


def _q(conn: Connection, name: str) -> str:
    return str(conn.dialect.identifier_preparer.quote(name))


def _alias_map(
    conn: Connection, scope: WorkspaceScope, names: Sequence[str]
) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    columns = ("name", "alias", "version")
    unique = list(dict.fromkeys(names))
    aliases = scope.sql_table("registered_model_aliases")
    for name, alias, version in keyed_rows(conn, aliases, columns, "name", unique):
        out.setdefault(name, []).append((alias, int(version)))
    for items in out.values():
        items.sort()
    return out


def version_rows(
    conn: Connection, scope: WorkspaceScope, keys: Sequence[tuple[str, int]]
) -> list[Any]:
    """Rows of ``scope``'s visible versions with these (name, version) keys, in key order."""
    mv = scope.model_versions
    found: dict[tuple[str, int], Any] = {}
    for part in chunked(list(dict.fromkeys(keys)), _CHUNK):
        query = sa.select(mv).where(
            sa.tuple_(mv.c.name, mv.c.version).in_(list(part)), mv.c.current_stage != DELETED_STAGE
        )
        for row in conn.execute(query):
            found[(row.name, int(row.version))] = row
    return [found[k] for k in keys if k in found]


def _version_parts(
    conn: Connection, scope: WorkspaceScope, rows: Iterable[Any]
) -> tuple[
    list[VersionRow], dict[tuple[str, int], dict[str, str]], dict[str, list[tuple[str, int]]]
]:
    """Rows as :class:`VersionRow`, their tags by (name, version) and their models' aliases."""
    # Plain namedtuples: attribute access on SQLAlchemy rows cost microseconds per field.
    rows = [r if isinstance(r, VersionRow) else VersionRow._make(r) for r in rows]
    if not rows:
        return [], {}, {}
    wanted = {(r.name, int(r.version)) for r in rows}
    names = list({r.name for r in rows})
    tags: dict[tuple[str, int], dict[str, str]] = {}
    columns = ("name", "version", "key", "value")
    version_tags = scope.sql_table("model_version_tags")
    for name, version, key, value in keyed_rows(conn, version_tags, columns, "name", names):
        k = (name, int(version))
        if k in wanted:  # the tags of the models' other versions are skipped
            tags.setdefault(k, {})[key] = value
    return rows, tags, _alias_map(conn, scope, names)


def load_model_versions(
    conn: Connection, scope: WorkspaceScope, rows: Iterable[Any]
) -> list[ModelVersion]:
    """Entities for ``model_versions`` rows of ``scope`` (in order), tags and aliases included.

    Each row has the table's columns in table order (``select(scope.model_versions)``).
    """
    rows, tags, aliases = _version_parts(conn, scope, rows)
    out = []
    for r in rows:
        key = (r.name, int(r.version))
        out.append(
            ModelVersion(
                name=r.name,
                version=key[1],
                creation_timestamp=int(r.creation_timestamp),
                last_updated_timestamp=int(r.last_updated_timestamp),
                current_stage=r.current_stage,
                source=r.source,
                run_id=r.run_id,
                model_id=r.model_id,
                storage_location=r.storage_location,
                description=r.description,
                user_id=r.user_id,
                run_link=r.run_link,
                status=r.status,
                status_message=r.status_message,
                tags=dict(sorted(tags.get(key, {}).items())),
                aliases=[a for a, v in aliases.get(r.name, []) if v == key[1]],
            )
        )
    return out


def model_versions_wire(
    conn: Connection, scope: WorkspaceScope, rows: Iterable[Any]
) -> list[dict[str, Any]]:
    """:func:`load_model_versions` as MLflow ``ModelVersion`` messages, built from the rows."""
    rows, tags, aliases = _version_parts(conn, scope, rows)
    out = []
    for r in rows:
        number = int(r.version)
        found = tags.get((r.name, number))
        names = [a for a, v in aliases[r.name] if v == number] if r.name in aliases else []
        out.append(version_message(r, sorted(found.items()) if found else (), names))
    return out


def latest_version_rows(
    conn: Connection, scope: WorkspaceScope, names: Sequence[str]
) -> list[VersionRow]:
    """The newest visible version row per (model, stage) of ``names`` in ``scope``.

    Ordered by name, then version.
    """
    if not names:
        return []
    cols = ", ".join(f"mv.{_q(conn, c)}" for c in _VERSION_COLUMNS)
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    versions = scope.sql_table("model_versions")
    sql = (
        f"SELECT {cols} FROM {versions} mv JOIN ("
        f"SELECT name, current_stage, MAX(version) AS version FROM {versions} v "
        f"WHERE name IN ({{ids}}) AND current_stage != {mark} GROUP BY name, current_stage"
        ") newest ON mv.name = newest.name AND mv.version = newest.version "
        "ORDER BY mv.name, mv.version"
    )
    rows: list[VersionRow] = []
    for part in chunked(list(dict.fromkeys(names)), _CHUNK):
        rows.extend(map(VersionRow._make, _raw_with(conn, sql, part, DELETED_STAGE)))
    return rows


def _raw_with(conn: Connection, sql: str, ids: Sequence[str], extra: Any) -> list[Any]:
    """``raw_rows`` for SQL whose ``{ids}`` list is followed by one more parameter."""
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    cursor = raw_cursor(conn)
    try:
        cursor.execute(sql.format(ids=", ".join([mark] * len(ids))), (*ids, extra))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def load_registered_models(
    conn: Connection, scope: WorkspaceScope, names: Sequence[str]
) -> list[RegisteredModel]:
    """Registered models of ``scope`` by name, fully loaded (in order; missing ones skipped)."""
    if not names:
        return []
    cols = ", ".join(_q(conn, c) for c in _MODEL_COLUMNS)
    sql = f"SELECT {cols} FROM {scope.sql_table('registered_models')} m WHERE name IN ({{ids}})"
    found = {r[0]: r for r in raw_rows(conn, sql, list(dict.fromkeys(names)))}
    return registered_models_from_rows(conn, scope, [found[n] for n in names if n in found])


def registered_models_from_rows(
    conn: Connection, scope: WorkspaceScope, rows: Iterable[Any]
) -> list[RegisteredModel]:
    """Entities for ``registered_models`` rows of ``scope`` (table column order), in order."""
    rows, tags, aliases, latest = _model_parts(conn, scope, rows)
    versions: dict[str, list[ModelVersion]] = {}
    latest_rows = [v for r in rows for v in latest.get(r.name, [])]
    for v in load_model_versions(conn, scope, latest_rows):
        versions.setdefault(v.name, []).append(v)
    out = []
    for r in rows:
        out.append(
            RegisteredModel(
                name=r.name,
                creation_timestamp=int(r.creation_timestamp),
                last_updated_timestamp=int(r.last_updated_timestamp),
                description=r.description,
                user_id=r.user_id,
                deployment_job_id=r.deployment_job_id,
                tags=dict(sorted(tags.get(r.name, {}).items())),
                aliases=[RegisteredModelAlias(a, v) for a, v in aliases.get(r.name, [])],
                latest_versions=versions.get(r.name, []),
            )
        )
    return out


def registered_models_wire(
    conn: Connection, scope: WorkspaceScope, rows: Iterable[Any]
) -> list[dict[str, Any]]:
    """MLflow ``RegisteredModel`` messages for ``registered_models`` rows (in table order)."""
    rows, tags, aliases, latest = _model_parts(conn, scope, rows)
    all_latest = [v for r in rows for v in latest.get(r.name, [])]
    messages = iter(model_versions_wire(conn, scope, all_latest))
    out = []
    for r in rows:
        found = tags.get(r.name)
        versions = [next(messages) for _ in latest.get(r.name, [])]
        out.append(
            model_message(
                r, sorted(found.items()) if found else (), aliases.get(r.name, []), versions
            )
        )
    return out


def _model_parts(
    conn: Connection, scope: WorkspaceScope, rows: Iterable[Any]
) -> tuple[
    list[ModelRow],
    dict[str, dict[str, str]],
    dict[str, list[tuple[str, int]]],
    dict[str, list[VersionRow]],
]:
    """Rows as :class:`ModelRow`, with the models' tags, aliases and latest version rows."""
    rows = [r if isinstance(r, ModelRow) else ModelRow._make(r) for r in rows]
    if not rows:
        return [], {}, {}, {}
    names = [r.name for r in rows]
    tags: dict[str, dict[str, str]] = {}
    model_tags = scope.sql_table("registered_model_tags")
    sql = f"SELECT name, {_q(conn, 'key')}, value FROM {model_tags} t WHERE name IN ({{ids}})"
    for name, key, value in raw_rows(conn, sql, names):
        tags.setdefault(name, {})[key] = value
    latest: dict[str, list[VersionRow]] = {}
    for version in latest_version_rows(conn, scope, names):
        latest.setdefault(version.name, []).append(version)
    return rows, tags, _alias_map(conn, scope, names), latest
