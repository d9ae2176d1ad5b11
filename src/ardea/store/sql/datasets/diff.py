"""The diff of two versions: read only the records that changed between them.

A record differs between versions ``a < b`` exactly when one of its rows starts or ends in
``(a, b]``. Those rows name the records; the rows valid at ``a`` and at ``b`` of just those
records give the before and after. The cost follows the size of the change, not the dataset.
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.entities.dataset import RECORD_FIELDS, DatasetDiff, DatasetRecord, RecordChange
from ardea.store.sql._db.common import chunked
from ardea.store.sql.datasets.rows import at_version, record_entity
from ardea.store.sql.datasets.tables import dataset_records, dataset_versions

__all__ = ["diff_versions"]

_R = dataset_records


def _tags_at(conn: Connection, dataset_id: str, version: int) -> dict[str, str]:
    dv = dataset_versions
    text = conn.execute(
        sa.select(dv.c.tags).where(dv.c.dataset_id == dataset_id, dv.c.version == version)
    ).scalar_one()
    found: dict[str, str] = orjson.loads(text)
    return found


def _changed_ids(conn: Connection, dataset_id: str, low: int, high: int) -> list[str]:
    starts = sa.and_(_R.c.valid_from > low, _R.c.valid_from <= high)
    ends = sa.and_(_R.c.valid_to > low, _R.c.valid_to <= high)
    query = (
        sa.select(_R.c.dataset_record_id)
        .where(_R.c.dataset_id == dataset_id, sa.or_(starts, ends))
        .distinct()
    )
    return sorted(conn.execute(query).scalars())


def _rows_at(
    conn: Connection, dataset_id: str, ids: list[str], version: int
) -> dict[str, DatasetRecord]:
    out: dict[str, DatasetRecord] = {}
    for part in chunked(ids):
        query = sa.select(_R).where(
            _R.c.dataset_id == dataset_id, _R.c.dataset_record_id.in_(part), at_version(version)
        )
        for row in conn.execute(query):
            out[row.dataset_record_id] = record_entity(row)
    return out


def _fields(before: DatasetRecord, after: DatasetRecord) -> tuple[str, ...]:
    old: dict[str, Any] = before.content()
    new: dict[str, Any] = after.content()
    return tuple(name for name in RECORD_FIELDS if old[name] != new[name])


def diff_versions(conn: Connection, dataset_id: str, a: int, b: int) -> DatasetDiff:
    """Records added, removed and changed from version ``a`` to ``b`` (either order)."""
    low, high = min(a, b), max(a, b)
    ids = _changed_ids(conn, dataset_id, low, high) if low != high else []
    before, after = _rows_at(conn, dataset_id, ids, a), _rows_at(conn, dataset_id, ids, b)
    added: list[RecordChange] = []
    removed: list[RecordChange] = []
    changed: list[RecordChange] = []
    for rid in ids:
        old, new = before.get(rid), after.get(rid)
        if old is None and new is not None:
            present = tuple(k for k, v in new.content().items() if v is not None)
            added.append(RecordChange(rid, None, new, present))
        elif new is None and old is not None:
            present = tuple(k for k, v in old.content().items() if v is not None)
            removed.append(RecordChange(rid, old, None, present))
        elif old is not None and new is not None:
            fields = _fields(old, new)
            if fields:
                changed.append(RecordChange(rid, old, new, fields))
    return DatasetDiff(
        dataset_id=dataset_id,
        from_version=a,
        to_version=b,
        added=tuple(added),
        removed=tuple(removed),
        changed=tuple(changed),
        tags_before=_tags_at(conn, dataset_id, a),
        tags_after=_tags_at(conn, dataset_id, b),
    )
