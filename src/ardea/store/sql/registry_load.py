"""Loading registry entities from rows, a page at a time (no per-row queries).

Every loader takes keys in the order a search or write produced them and returns entities in
that order, with tags, aliases and (for models) the latest version per stage.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.entities.registry import ModelVersion, RegisteredModel, RegisteredModelAlias
from ardea.store.sql._common import chunked
from ardea.store.sql.registry_tables import (
    DELETED_STAGE,
    model_version_tags,
    model_versions,
    registered_model_aliases,
    registered_model_tags,
    registered_models,
)

__all__ = ["latest_version_rows", "load_model_versions", "load_registered_models", "version_rows"]

_CHUNK = 400


def _alias_map(conn: Connection, names: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
    al = registered_model_aliases
    out: dict[str, list[tuple[str, int]]] = {}
    for part in chunked(list(names), _CHUNK):
        query = sa.select(al.c.name, al.c.alias, al.c.version).where(al.c.name.in_(part))
        for name, alias, version in conn.execute(query):
            out.setdefault(name, []).append((alias, int(version)))
    for items in out.values():
        items.sort()
    return out


def version_rows(conn: Connection, keys: Sequence[tuple[str, int]]) -> list[sa.Row[Any]]:
    """Rows of the (visible) versions with these (name, version) keys, in the keys' order."""
    mv = model_versions
    found: dict[tuple[str, int], sa.Row[Any]] = {}
    for part in chunked(list(dict.fromkeys(keys)), _CHUNK):
        query = sa.select(mv).where(
            sa.tuple_(mv.c.name, mv.c.version).in_(list(part)), mv.c.current_stage != DELETED_STAGE
        )
        for row in conn.execute(query):
            found[(row.name, int(row.version))] = row
    return [found[k] for k in keys if k in found]


def load_model_versions(conn: Connection, rows: Iterable[sa.Row[Any]]) -> list[ModelVersion]:
    """Entities for ``model_versions`` rows (in order), with their tags and aliases."""
    rows = list(rows)
    if not rows:
        return []
    keys = [(r.name, int(r.version)) for r in rows]
    tags: dict[tuple[str, int], dict[str, str]] = {}
    tg = model_version_tags
    for part in chunked(list(dict.fromkeys(keys)), _CHUNK):
        query = sa.select(tg.c.name, tg.c.version, tg.c.key, tg.c.value).where(
            sa.tuple_(tg.c.name, tg.c.version).in_(list(part))
        )
        for name, version, key, value in conn.execute(query):
            tags.setdefault((name, int(version)), {})[key] = value
    aliases = _alias_map(conn, list({k[0] for k in keys}))
    out = []
    for r, key in zip(rows, keys, strict=True):
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


def latest_version_rows(conn: Connection, names: Sequence[str]) -> list[sa.Row[Any]]:
    """The newest visible version row per (model, stage) of ``names``, by name then version."""
    mv = model_versions
    rows: list[sa.Row[Any]] = []
    for part in chunked(list(names), _CHUNK):
        newest = (
            sa.select(mv.c.name, mv.c.current_stage, sa.func.max(mv.c.version).label("version"))
            .where(mv.c.name.in_(part), mv.c.current_stage != DELETED_STAGE)
            .group_by(mv.c.name, mv.c.current_stage)
            .subquery()
        )
        query = (
            sa.select(mv)
            .join(newest, sa.and_(mv.c.name == newest.c.name, mv.c.version == newest.c.version))
            .order_by(mv.c.name, mv.c.version)
        )
        rows.extend(conn.execute(query))
    return rows


def load_registered_models(conn: Connection, names: Sequence[str]) -> list[RegisteredModel]:
    """Registered models by name (in order; missing names are skipped), fully loaded."""
    if not names:
        return []
    rm, tg = registered_models, registered_model_tags
    rows: dict[str, sa.Row[Any]] = {}
    tags: dict[str, dict[str, str]] = {}
    for part in chunked(list(dict.fromkeys(names)), _CHUNK):
        for row in conn.execute(sa.select(rm).where(rm.c.name.in_(part))):
            rows[row.name] = row
        query = sa.select(tg.c.name, tg.c.key, tg.c.value).where(tg.c.name.in_(part))
        for name, key, value in conn.execute(query):
            tags.setdefault(name, {})[key] = value
    present = [n for n in names if n in rows]
    aliases = _alias_map(conn, present)
    latest: dict[str, list[ModelVersion]] = {}
    for version in load_model_versions(conn, latest_version_rows(conn, present)):
        latest.setdefault(version.name, []).append(version)
    out = []
    for name in present:
        r = rows[name]
        out.append(
            RegisteredModel(
                name=name,
                creation_timestamp=int(r.creation_timestamp),
                last_updated_timestamp=int(r.last_updated_timestamp),
                description=r.description,
                user_id=r.user_id,
                deployment_job_id=r.deployment_job_id,
                tags=dict(sorted(tags.get(name, {}).items())),
                aliases=[RegisteredModelAlias(a, v) for a, v in aliases.get(name, [])],
                latest_versions=latest.get(name, []),
            )
        )
    return out
