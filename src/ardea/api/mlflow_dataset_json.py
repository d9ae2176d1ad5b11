"""Evaluation datasets on MLflow's wire (``datasets.proto``) and Ardea's version extras.

MLflow's JSON-inside-JSON: a dataset's ``tags`` is a JSON *string* of the tag map (``schema``
and ``profile`` are JSON strings too); an upsert's ``records`` is a JSON string of the record
list, and so is GetDatasetRecords' ``records`` answer. Records inside that string are plain
JSON objects (MLflow's ``DatasetRecord.to_dict``). Ardea adds ``version`` to the dataset (a
field MLflow's clients ignore).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ardea.entities.dataset import (
    DatasetDiff,
    DatasetRecord,
    DatasetVersion,
    EvaluationDataset,
    RecordChange,
)

__all__ = [
    "dataset_from_json",
    "dataset_to_json",
    "diff_from_json",
    "diff_to_json",
    "record_from_json",
    "record_to_json",
    "version_from_json",
    "version_to_json",
]


def dataset_to_json(d: EvaluationDataset) -> dict[str, Any]:
    """The ``Dataset`` message (``tags`` as a JSON string), with Ardea's ``version``."""
    out: dict[str, Any] = {
        "dataset_id": d.dataset_id,
        "name": d.name,
        "tags": json.dumps(d.tags),
        "digest": d.digest,
        "created_time": d.created_time,
        "last_update_time": d.last_update_time,
        "experiment_ids": list(d.experiment_ids),
        "version": d.version,
    }
    for key in ("schema", "profile", "created_by", "last_updated_by"):
        value = getattr(d, key)
        if value is not None:
            out[key] = value
    return out


def dataset_from_json(d: Mapping[str, Any]) -> EvaluationDataset:
    """Parse a ``Dataset`` message (Ardea's or MLflow's)."""
    tags = d.get("tags")
    return EvaluationDataset(
        dataset_id=str(d["dataset_id"]),
        name=str(d.get("name", "")),
        tags=json.loads(tags) if isinstance(tags, str) and tags else dict(tags or {}),
        schema=d.get("schema"),
        profile=d.get("profile"),
        digest=str(d.get("digest") or ""),
        created_time=int(d.get("created_time") or 0),
        last_update_time=int(d.get("last_update_time") or 0),
        created_by=d.get("created_by"),
        last_updated_by=d.get("last_updated_by"),
        experiment_ids=tuple(str(e) for e in d.get("experiment_ids") or ()),
        version=int(d.get("version") or 1),
    )


def record_to_json(r: DatasetRecord) -> dict[str, Any]:
    """One record as MLflow's ``DatasetRecord.to_dict`` renders it (absent fields left out)."""
    out: dict[str, Any] = {
        "dataset_record_id": r.dataset_record_id,
        "dataset_id": r.dataset_id,
        "inputs": r.inputs,
        "tags": r.tags,
        "created_time": r.created_time,
        "last_update_time": r.last_update_time,
    }
    for key in (
        "outputs",
        "expectations",
        "source",
        "source_id",
        "source_type",
        "created_by",
        "last_updated_by",
    ):
        value = getattr(r, key)
        if value is not None:
            out[key] = value
    return out


def record_from_json(d: Mapping[str, Any]) -> DatasetRecord:
    """Parse one record of a GetDatasetRecords answer."""
    return DatasetRecord(
        dataset_record_id=str(d["dataset_record_id"]),
        dataset_id=str(d.get("dataset_id", "")),
        inputs=dict(d.get("inputs") or {}),
        outputs=d.get("outputs"),
        expectations=d.get("expectations"),
        tags=dict(d.get("tags") or {}),
        source=d.get("source"),
        source_type=d.get("source_type"),
        source_id=d.get("source_id"),
        created_time=int(d.get("created_time") or 0),
        last_update_time=int(d.get("last_update_time") or 0),
        created_by=d.get("created_by"),
        last_updated_by=d.get("last_updated_by"),
    )


def version_to_json(v: DatasetVersion) -> dict[str, Any]:
    """One version (Ardea's ``/ardea/datasets/{id}/versions`` answer item)."""
    out: dict[str, Any] = {
        "dataset_id": v.dataset_id,
        "version": v.version,
        "digest": v.digest,
        "num_records": v.num_records,
        "change": v.change,
        "inserted": v.inserted,
        "updated": v.updated,
        "deleted": v.deleted,
        "tags": v.tags,
        "created_time": v.created_time,
    }
    if v.created_by is not None:
        out["created_by"] = v.created_by
    return out


def version_from_json(d: Mapping[str, Any]) -> DatasetVersion:
    """Parse one version."""
    return DatasetVersion(
        dataset_id=str(d["dataset_id"]),
        version=int(d["version"]),
        digest=str(d.get("digest") or ""),
        num_records=int(d.get("num_records") or 0),
        change=str(d.get("change") or ""),
        inserted=int(d.get("inserted") or 0),
        updated=int(d.get("updated") or 0),
        deleted=int(d.get("deleted") or 0),
        tags=dict(d.get("tags") or {}),
        created_time=int(d.get("created_time") or 0),
        created_by=d.get("created_by"),
    )


def _change_to_json(c: RecordChange) -> dict[str, Any]:
    out: dict[str, Any] = {"dataset_record_id": c.dataset_record_id, "fields": list(c.fields)}
    if c.before is not None:
        out["before"] = record_to_json(c.before)
    if c.after is not None:
        out["after"] = record_to_json(c.after)
    return out


def _change_from_json(d: Mapping[str, Any]) -> RecordChange:
    before, after = d.get("before"), d.get("after")
    return RecordChange(
        dataset_record_id=str(d["dataset_record_id"]),
        before=record_from_json(before) if before else None,
        after=record_from_json(after) if after else None,
        fields=tuple(d.get("fields") or ()),
    )


def diff_to_json(diff: DatasetDiff) -> dict[str, Any]:
    """A diff (Ardea's ``/ardea/datasets/{id}/diff`` answer)."""
    return {
        "dataset_id": diff.dataset_id,
        "from_version": diff.from_version,
        "to_version": diff.to_version,
        "added": [_change_to_json(c) for c in diff.added],
        "removed": [_change_to_json(c) for c in diff.removed],
        "changed": [_change_to_json(c) for c in diff.changed],
        "tags_before": diff.tags_before,
        "tags_after": diff.tags_after,
    }


def diff_from_json(d: Mapping[str, Any]) -> DatasetDiff:
    """Parse a diff."""
    return DatasetDiff(
        dataset_id=str(d["dataset_id"]),
        from_version=int(d["from_version"]),
        to_version=int(d["to_version"]),
        added=tuple(_change_from_json(c) for c in d.get("added") or ()),
        removed=tuple(_change_from_json(c) for c in d.get("removed") or ()),
        changed=tuple(_change_from_json(c) for c in d.get("changed") or ()),
        tags_before=dict(d.get("tags_before") or {}),
        tags_after=dict(d.get("tags_after") or {}),
    )
