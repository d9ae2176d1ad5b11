"""Registry entities to and from MLflow's JSON wire shapes (``model_registry.proto``).

As MLflow's server emits them: ``version`` is a string, times are int64 numbers, absent
optional fields and empty lists are left out (but a version's ``description`` is always there,
``""`` when it has none), ``status`` is the enum name. The server renders
with the ``*_to_json`` functions and a REST client reads back with the ``*_from_json`` ones.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from ardea.entities.registry import ModelVersion, RegisteredModel, RegisteredModelAlias

__all__ = [
    "model_message",
    "model_version_from_json",
    "model_version_to_json",
    "registered_model_from_json",
    "registered_model_to_json",
    "version_message",
]

JSON = dict[str, Any]


def _put(out: JSON, key: str, value: Any) -> None:
    if value is not None and value != []:
        out[key] = value


def _tags_from(items: list[JSON] | None) -> dict[str, str]:
    return {str(i["key"]): str(i.get("value") or "") for i in items or []}


def model_version_to_json(mv: ModelVersion) -> JSON:
    """ModelVersion message."""
    return version_message(mv, mv.tags.items(), mv.aliases)


def version_message(v: Any, tags: Collection[tuple[str, str]], aliases: list[str]) -> JSON:
    """ModelVersion message from anything with the entity's scalar fields (entity or row).

    The SQL store renders search pages straight from its rows with this; ``tags`` are
    ``(key, value)`` pairs in the order to emit them.
    """
    out: JSON = {
        "name": v.name,
        "version": str(v.version),
        "creation_timestamp": int(v.creation_timestamp),
        "last_updated_timestamp": int(v.last_updated_timestamp),
        # Always present, "" for none: MLflow's server stores the request's "" and sends it.
        "description": v.description or "",
    }
    # Inlined rather than ``_put`` calls: a search page renders thousands of these.
    optional = (
        ("user_id", v.user_id),
        ("current_stage", v.current_stage),
        ("source", v.source),
        ("run_id", v.run_id),
        ("status", v.status),
        ("status_message", v.status_message or None),
    )
    for key, value in optional:
        if value is not None:
            out[key] = value
    if tags:
        out["tags"] = [{"key": k, "value": val} for k, val in tags]
    if v.run_link is not None:
        out["run_link"] = v.run_link
    if aliases:
        out["aliases"] = list(aliases)
    if v.model_id is not None:
        out["model_id"] = v.model_id
    return out


def model_version_from_json(d: JSON) -> ModelVersion:
    """Parse a ModelVersion message (``version`` as a string or a number)."""
    return ModelVersion(
        name=str(d["name"]),
        version=int(d["version"]),
        creation_timestamp=int(d.get("creation_timestamp") or 0),
        last_updated_timestamp=int(d.get("last_updated_timestamp") or 0),
        current_stage=str(d.get("current_stage") or "None"),
        source=str(d.get("source") or ""),
        run_id=d.get("run_id") or None,
        model_id=d.get("model_id") or None,
        description=d.get("description"),
        user_id=d.get("user_id") or None,
        run_link=d.get("run_link") or None,
        status=str(d.get("status") or "READY"),
        status_message=d.get("status_message") or None,
        tags=_tags_from(d.get("tags")),
        aliases=[str(a) for a in d.get("aliases") or []],
    )


def registered_model_to_json(rm: RegisteredModel) -> JSON:
    """RegisteredModel message."""
    aliases = [(a.alias, a.version) for a in rm.aliases]
    latest = [model_version_to_json(v) for v in rm.latest_versions]
    return model_message(rm, rm.tags.items(), aliases, latest)


def model_message(
    m: Any, tags: Iterable[tuple[str, str]], aliases: list[tuple[str, int]], latest: list[JSON]
) -> JSON:
    """RegisteredModel message from anything with the entity's scalar fields (entity or row).

    ``latest`` holds the ModelVersion messages of the newest version per stage.
    """
    out: JSON = {
        "name": m.name,
        "creation_timestamp": int(m.creation_timestamp),
        "last_updated_timestamp": int(m.last_updated_timestamp),
    }
    _put(out, "user_id", m.user_id)
    _put(out, "description", m.description or None)
    _put(out, "latest_versions", latest)
    _put(out, "tags", [{"key": k, "value": v} for k, v in tags])
    _put(out, "aliases", [{"alias": a, "version": str(v)} for a, v in aliases])
    _put(out, "deployment_job_id", m.deployment_job_id or None)
    return out


def registered_model_from_json(d: JSON) -> RegisteredModel:
    """Parse a RegisteredModel message."""
    return RegisteredModel(
        name=str(d["name"]),
        creation_timestamp=int(d.get("creation_timestamp") or 0),
        last_updated_timestamp=int(d.get("last_updated_timestamp") or 0),
        description=d.get("description"),
        user_id=d.get("user_id") or None,
        deployment_job_id=d.get("deployment_job_id") or None,
        tags=_tags_from(d.get("tags")),
        aliases=[
            RegisteredModelAlias(str(a["alias"]), int(a["version"])) for a in d.get("aliases") or []
        ],
        latest_versions=[model_version_from_json(v) for v in d.get("latest_versions") or []],
    )
