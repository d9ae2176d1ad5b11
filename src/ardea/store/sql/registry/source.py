"""Resolving a model version's ``source`` to where its files are (inside the write).

``models:/m-<id>`` (any ``models:/<id>`` without a slash or ``@``) names an MLflow 3 logged
model in the same database: its artifact location is the download URI and its source run the
version's run. ``models:/<name>/<version>``, ``models:/<name>/latest``,
``models:/<name>/<stage>`` and ``models:/<name>@<alias>`` name another registered version,
whose download URI is copied. Any other source is its own download URI.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import ArdeaError, InvalidArgumentError
from ardea.store.registry_validation import canonical_stage, parse_version
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.registry.common import version_for_write
from ardea.store.sql.registry.tables import DELETED_STAGE
from ardea.store.sql.tracking import tables as t

__all__ = ["ResolvedSource", "resolve_source"]


@dataclass(frozen=True, slots=True)
class ResolvedSource:
    """What a source names: its download URI and, for a logged model, its ids."""

    storage_location: str | None = None
    run_id: str | None = None
    model_id: str | None = None


def _fail(source: str, reason: str) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"Unable to fetch model from model URI source artifact location '{source}'. Error: {reason}"
    )


def _latest(conn: Connection, scope: WorkspaceScope, name: str, stage: str | None) -> int:
    mv = scope.model_versions
    query = sa.select(sa.func.max(mv.c.version)).where(
        mv.c.name == name, mv.c.current_stage != DELETED_STAGE
    )
    if stage is not None:
        query = query.where(mv.c.current_stage == stage)
    return int(conn.execute(query).scalar() or 0)


def _registered(conn: Connection, scope: WorkspaceScope, source: str, path: str) -> ResolvedSource:
    if "@" in path and "/" not in path:
        name, _, alias = path.partition("@")
        al = scope.registered_model_aliases
        found = conn.execute(
            sa.select(al.c.version).where(al.c.name == name, al.c.alias == alias)
        ).scalar()
        if found is None:
            raise _fail(source, f"Registered model alias {alias} not found.")
        number = int(found)
    else:
        name, _, ref = path.partition("/")
        if not name or not ref or "/" in ref:
            raise _fail(source, "expected models:/<name>/<version> or models:/<name>@<alias>")
        if ref.isdigit():
            number = parse_version(ref)
        elif ref.lower() == "latest":
            number = _latest(conn, scope, name, None)
        else:
            number = _latest(conn, scope, name, canonical_stage(ref))
    try:
        row = version_for_write(conn, scope, name, number)
    except ArdeaError as exc:
        raise _fail(source, exc.message) from None
    return ResolvedSource(row.storage_location or row.source, row.run_id, row.model_id)


def resolve_source(conn: Connection, scope: WorkspaceScope, source: str) -> ResolvedSource:
    """Resolve ``source`` (see the module docstring) in ``scope``.

    Raises:
        InvalidArgumentError: It names nothing there.
    """
    if not source.lower().startswith("models:/"):
        return ResolvedSource()
    path = source[len("models:/") :].strip("/")
    if "/" in path or "@" in path:
        return _registered(conn, scope, source, path)
    lm = t.logged_models
    row = conn.execute(
        sa.select(lm.c.artifact_location, lm.c.source_run_id).where(
            lm.c.model_id == path, scope.owns_experiment(lm.c.experiment_id)
        )
    ).first()
    if row is None:
        raise _fail(source, f"Logged model with ID '{path}' not found.")
    return ResolvedSource(row.artifact_location, row.source_run_id, path)
