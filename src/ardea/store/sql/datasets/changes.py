"""The record changes of one new version: upserts and deletes, inside the caller's transaction.

Each function works on the live rows of one (locked) dataset and answers a :class:`Change`:
what to add to the dataset's content sum and record count, and the counts MLflow reports.
Old rows are closed (``valid_to`` = the new version, ``live_hash`` NULL), new ones written
with ``valid_from`` = the new version; nothing is written when nothing changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.entities.dataset import RECORD_FIELDS, RECORD_ID_PREFIX
from ardea.entities.dataset_records import NewRecord, content_hash, merge_record
from ardea.store.sql._db.common import chunked
from ardea.store.sql.datasets.rows import dump, insert_rows, load, source_id_of
from ardea.store.sql.datasets.tables import dataset_records

__all__ = ["Change", "delete_records", "upsert_records"]

_R = dataset_records


@dataclass
class Change:
    """What a change did to the live records.

    Attributes:
        inserted: Records added.
        updated: Records merged (MLflow's count, whether or not their content changed).
        deleted: Records removed.
        sum_delta: What to add to the content sum (modulo 2^256 by the caller).
        count_delta: What to add to the record count.
        changed: Whether any row was written (a new version is due).
    """

    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    sum_delta: int = 0
    count_delta: int = 0
    changed: bool = False


def _close(
    conn: Connection, dataset_id: str, keys: Sequence[tuple[str, int]], version: int
) -> None:
    for rid, valid_from in keys:
        conn.execute(
            _R.update()
            .where(
                _R.c.dataset_record_id == rid,
                _R.c.valid_from == valid_from,
                _R.c.dataset_id == dataset_id,
            )
            .values(valid_to=version, live_hash=None)
        )


def _live_by_hash(conn: Connection, dataset_id: str, hashes: Sequence[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for part in chunked(list(hashes)):
        query = sa.select(_R).where(_R.c.dataset_id == dataset_id, _R.c.live_hash.in_(part))
        for row in conn.execute(query):
            found[row.input_hash] = row
    return found


def _row(
    dataset_id: str,
    rid: str,
    version: int,
    hash_: str,
    content: dict[str, Any],
    times: tuple[int, int],
    users: tuple[str | None, str | None],
) -> dict[str, Any]:
    source = content["source"]
    return {
        "dataset_record_id": rid,
        "valid_from": version,
        "valid_to": None,
        "dataset_id": dataset_id,
        "input_hash": hash_,
        "live_hash": hash_,
        "content_hash": f"{content_hash(content):064x}",
        **{name: dump(content[name]) for name in RECORD_FIELDS},
        "source_type": source.get("source_type") if source else None,
        "source_id": source_id_of(source),
        "created_time": times[0],
        "last_update_time": times[1],
        "created_by": users[0],
        "last_updated_by": users[1],
    }


def upsert_records(
    conn: Connection,
    dataset_id: str,
    records: Sequence[NewRecord],
    version: int,
    now: int,
) -> Change:
    """Insert or merge ``records`` as version ``version`` (see the module docstring)."""
    change = Change()
    groups: dict[str, list[NewRecord]] = {}
    for r in records:
        groups.setdefault(r.hash, []).append(r)
    live = _live_by_hash(conn, dataset_id, list(groups))
    closed: list[tuple[str, int]] = []
    rows: list[dict[str, Any]] = []
    for hash_, group in groups.items():
        old = live.get(hash_)
        user = next((r.user for r in reversed(group) if r.user), None)
        if old is None:
            first = group[0]
            content: dict[str, Any] = {
                "inputs": first.inputs,
                "outputs": first.outputs if first.has_outputs else {},  # MLflow's default
                "expectations": first.expectations,
                "tags": first.tags,
                "source": first.source,
            }
            for r in group[1:]:
                content = merge_record(content, r)
            change.inserted += 1
            change.updated += len(group) - 1
            rid = RECORD_ID_PREFIX + uuid.uuid4().hex
            creator = first.user
            rows.append(_row(dataset_id, rid, version, hash_, content, (now, now), (creator, user)))
            change.count_delta += 1
        else:
            content = {name: load(getattr(old, name)) for name in RECORD_FIELDS}
            for r in group:
                content = merge_record(content, r)
            change.updated += len(group)
            new_hash = f"{content_hash(content):064x}"
            if new_hash == old.content_hash:
                continue  # merged to the same content: no new row
            closed.append((old.dataset_record_id, old.valid_from))
            change.sum_delta -= int(old.content_hash, 16)
            rows.append(
                _row(
                    dataset_id,
                    old.dataset_record_id,
                    version,
                    hash_,
                    content,
                    (old.created_time, now),
                    (old.created_by, user or old.last_updated_by),
                )
            )
        change.sum_delta += int(rows[-1]["content_hash"], 16)
    _close(conn, dataset_id, closed, version)
    insert_rows(conn, rows)
    change.changed = bool(rows)
    return change


def delete_records(
    conn: Connection, dataset_id: str, record_ids: Sequence[str], version: int
) -> Change:
    """Close the live rows of ``record_ids`` as of ``version`` (unknown ids ignored)."""
    change = Change()
    found: list[Any] = []
    for part in chunked(sorted(set(record_ids))):
        query = sa.select(_R.c.dataset_record_id, _R.c.valid_from, _R.c.content_hash).where(
            _R.c.dataset_id == dataset_id,
            _R.c.valid_to.is_(None),
            _R.c.dataset_record_id.in_(part),
        )
        found += conn.execute(query).all()
    _close(conn, dataset_id, [(r.dataset_record_id, r.valid_from) for r in found], version)
    change.deleted = len(found)
    change.count_delta = -len(found)
    change.sum_delta = -sum(int(r.content_hash, 16) for r in found)
    change.changed = bool(found)
    return change
