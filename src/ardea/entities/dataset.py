"""Evaluation datasets: the dataset, its records, its versions and a diff between two versions.

MLflow's shapes (``datasets.proto``, MLFLOW-WIRE.md section 11.4): a dataset (``d-`` and 32
hex) has a name, tags, a schema and a profile (JSON strings), a digest, times and creators,
and the experiments it is linked to. A record (``dr-`` and 32 hex) has ``inputs`` (its
identity: two records with the same inputs are one record), ``expectations``, ``outputs``,
``tags`` and a ``source`` (``{source_type, source_data}``, ``source_type`` one of
:data:`SOURCE_TYPES`).

Ardea's addition is versioning: every change to a dataset's records or tags makes a new
:class:`DatasetVersion` (1, 2, ...), and any version's records can be read back and compared
(:class:`DatasetDiff`). The digest identifies the records' content (see
:func:`ardea.entities.dataset_records.content_digest`).

Pure: no database, no HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DATASET_ID_PREFIX",
    "RECORD_ID_PREFIX",
    "RECORD_FIELDS",
    "SOURCE_TYPES",
    "DatasetDiff",
    "DatasetRecord",
    "DatasetVersion",
    "EvaluationDataset",
    "RecordChange",
]

DATASET_ID_PREFIX = "d-"
"""Dataset ids are ``d-`` and 32 hex characters (MLflow's)."""
RECORD_ID_PREFIX = "dr-"
"""Record ids are ``dr-`` and 32 hex characters (MLflow's)."""
SOURCE_TYPES = ("UNSPECIFIED", "TRACE", "HUMAN", "DOCUMENT", "CODE")
"""The record source types (MLflow's ``DatasetRecordSourceType``)."""
RECORD_FIELDS = ("inputs", "outputs", "expectations", "tags", "source")
"""The content fields of a record, in the order a diff names them."""


@dataclass(frozen=True)
class EvaluationDataset:
    """An evaluation dataset's metadata (its records are read separately, page by page).

    Attributes:
        dataset_id: ``d-`` and 32 hex characters.
        name: Any non-empty name (not unique, as in MLflow).
        tags: Tag key -> value.
        schema: JSON string ``{"inputs": {...}, "outputs": ..., "expectations": {...},
            "version": "1.0"}`` (field -> inferred type), or None before the first record.
        profile: JSON string ``{"num_records": n}``, or None when there is no record.
        digest: 16 hex characters identifying the records' content.
        created_time: Epoch milliseconds.
        last_update_time: Epoch milliseconds.
        created_by: The creator (the ``mlflow.user`` tag at creation), or None.
        last_updated_by: The last writer, or None.
        experiment_ids: The experiments the dataset is linked to.
        version: The current version (1 at creation; Ardea's addition).
    """

    dataset_id: str
    name: str
    tags: dict[str, str] = field(default_factory=dict)
    schema: str | None = None
    profile: str | None = None
    digest: str = ""
    created_time: int = 0
    last_update_time: int = 0
    created_by: str | None = None
    last_updated_by: str | None = None
    experiment_ids: tuple[str, ...] = ()
    version: int = 1


@dataclass(frozen=True)
class DatasetRecord:
    """One record of a dataset (at some version).

    Attributes:
        dataset_record_id: ``dr-`` and 32 hex characters; the same across versions.
        dataset_id: The dataset it belongs to.
        inputs: The record's inputs (its identity within the dataset).
        outputs: Any JSON value, or None.
        expectations: Expectation name -> value, or None.
        tags: Tag key -> value.
        source: ``{"source_type": ..., "source_data": {...}}``, or None.
        source_type: The source's type, or None.
        source_id: The trace id of a TRACE source, else ``source_data["source_id"]``.
        created_time: Epoch milliseconds of the first version that had the record.
        last_update_time: Epoch milliseconds of the record's last change.
        created_by: Who created it, or None.
        last_updated_by: Who changed it last, or None.
    """

    dataset_record_id: str
    dataset_id: str
    inputs: dict[str, Any]
    outputs: Any = None
    expectations: dict[str, Any] | None = None
    tags: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] | None = None
    source_type: str | None = None
    source_id: str | None = None
    created_time: int = 0
    last_update_time: int = 0
    created_by: str | None = None
    last_updated_by: str | None = None

    def content(self) -> dict[str, Any]:
        """The fields a version compares (:data:`RECORD_FIELDS`)."""
        return {name: getattr(self, name) for name in RECORD_FIELDS}


@dataclass(frozen=True)
class DatasetVersion:
    """One version of a dataset: what a change made.

    Attributes:
        dataset_id: The dataset.
        version: 1 for the new dataset, then one more per change.
        digest: The records' content digest at this version.
        num_records: How many records the version has.
        change: What made it: ``create``, ``upsert_records``, ``delete_records``,
            ``set_tags`` or ``delete_tag``.
        inserted: Records the change added.
        updated: Records the change altered.
        deleted: Records the change removed.
        tags: The dataset's tags at this version.
        created_time: Epoch milliseconds.
        created_by: Who made the change, or None.
    """

    dataset_id: str
    version: int
    digest: str
    num_records: int
    change: str
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    tags: dict[str, str] = field(default_factory=dict)
    created_time: int = 0
    created_by: str | None = None


@dataclass(frozen=True)
class RecordChange:
    """A record that differs between two versions.

    Attributes:
        dataset_record_id: The record.
        before: The record at the older version (None: it was added).
        after: The record at the newer version (None: it was removed).
        fields: The content fields that differ (all of :data:`RECORD_FIELDS` the record has
            for an added or removed one).
    """

    dataset_record_id: str
    before: DatasetRecord | None
    after: DatasetRecord | None
    fields: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """``added``, ``removed`` or ``changed``."""
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"


@dataclass(frozen=True)
class DatasetDiff:
    """What changed from version ``from_version`` to ``to_version`` of a dataset.

    Attributes:
        dataset_id: The dataset.
        from_version: The older version.
        to_version: The newer version.
        added: Records in ``to_version`` only.
        removed: Records in ``from_version`` only.
        changed: Records in both whose content differs.
        tags_before: The tags at ``from_version``.
        tags_after: The tags at ``to_version``.
    """

    dataset_id: str
    from_version: int
    to_version: int
    added: tuple[RecordChange, ...] = ()
    removed: tuple[RecordChange, ...] = ()
    changed: tuple[RecordChange, ...] = ()
    tags_before: dict[str, str] = field(default_factory=dict)
    tags_after: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when the two versions have the same records and tags."""
        return not (self.added or self.removed or self.changed) and (
            self.tags_before == self.tags_after
        )
