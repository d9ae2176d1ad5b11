"""Registry entities to and from MLflow's JSON wire shapes (``model_registry.proto``).

As MLflow's server emits them: ``version`` is a string, times are int64 numbers, absent
optional fields and empty lists are left out, ``status`` is the enum name. The server renders
with the ``*_to_json`` functions and a REST client reads back with the ``*_from_json`` ones.
"""

from __future__ import annotations

from typing import Any

from ardea.entities.registry import ModelVersion, RegisteredModel, RegisteredModelAlias

__all__ = [
    "model_version_from_json",
    "model_version_to_json",
    "registered_model_from_json",
    "registered_model_to_json",
]

JSON = dict[str, Any]


def _put(out: JSON, key: str, value: Any) -> None:
    if value is not None and value != []:
        out[key] = value


def _tags(tags: dict[str, str]) -> list[JSON]:
    return [{"key": k, "value": v} for k, v in tags.items()]


def _tags_from(items: list[JSON] | None) -> dict[str, str]:
    return {str(i["key"]): str(i.get("value") or "") for i in items or []}


def model_version_to_json(mv: ModelVersion) -> JSON:
    """ModelVersion message."""
    out: JSON = {
        "name": mv.name,
        "version": str(mv.version),
        "creation_timestamp": mv.creation_timestamp,
        "last_updated_timestamp": mv.last_updated_timestamp,
    }
    _put(out, "user_id", mv.user_id)
    _put(out, "current_stage", mv.current_stage)
    _put(out, "description", mv.description)
    _put(out, "source", mv.source)
    _put(out, "run_id", mv.run_id)
    _put(out, "status", mv.status)
    _put(out, "status_message", mv.status_message or None)
    _put(out, "tags", _tags(mv.tags))
    _put(out, "run_link", mv.run_link)
    _put(out, "aliases", list(mv.aliases))
    _put(out, "model_id", mv.model_id)
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
    out: JSON = {
        "name": rm.name,
        "creation_timestamp": rm.creation_timestamp,
        "last_updated_timestamp": rm.last_updated_timestamp,
    }
    _put(out, "user_id", rm.user_id)
    _put(out, "description", rm.description or None)
    _put(out, "latest_versions", [model_version_to_json(v) for v in rm.latest_versions])
    _put(out, "tags", _tags(rm.tags))
    _put(out, "aliases", [{"alias": a.alias, "version": str(a.version)} for a in rm.aliases])
    _put(out, "deployment_job_id", rm.deployment_job_id or None)
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
