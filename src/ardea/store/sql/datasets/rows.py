"""Record and dataset rows: to entities, from upserts, and the reads of one version.

A version ``v`` of a dataset has the record rows with ``valid_from <= v`` and ``valid_to``
NULL or ``> v``; the live rows (the current version) have ``valid_to`` NULL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ardea._core.errors import InvalidArgumentError
from ardea.entities.dataset import DatasetRecord, EvaluationDataset
from ardea.store.search.paging import decode_page_token, encode_page_token
from ardea.store.sql._db.common import chunked
from ardea.store.sql.datasets.tables import dataset_experiments, dataset_records, dataset_tags

__all__ = [
    "INSERT_BYTES",
    "at_version",
    "dataset_entity",
    "dump",
    "insert_rows",
    "load",
    "record_entity",
    "records_page",
    "source_id_of",
    "tags_of",
    "experiments_of",
]

INSERT_BYTES = 4_000_000
"""Most JSON bytes one multi-row INSERT carries (below MySQL's smallest max_allowed_packet)."""

_R = dataset_records


def dump(value: Any) -> str | None:
    """JSON text of a column value (None stays NULL)."""
    return None if value is None else orjson.dumps(value).decode()


def load(text: str | None) -> Any:
    """A JSON column's value."""
    return None if text is None else orjson.loads(text)


def source_id_of(source: dict[str, Any] | None) -> str | None:
    """MLflow's ``source_id``: the trace id of a TRACE source, else ``source_data.source_id``."""
    if not source:
        return None
    data = source.get("source_data") or {}
    key = "trace_id" if source.get("source_type") == "TRACE" else "source_id"
    value = data.get(key)
    return None if value is None else str(value)[:255]


def record_entity(row: Any) -> DatasetRecord:
    """A :class:`DatasetRecord` from a record row."""
    return DatasetRecord(
        dataset_record_id=row.dataset_record_id,
        dataset_id=row.dataset_id,
        inputs=load(row.inputs),
        outputs=load(row.outputs),
        expectations=load(row.expectations),
        tags=load(row.tags) or {},
        source=load(row.source),
        source_type=row.source_type,
        source_id=row.source_id,
        created_time=row.created_time,
        last_update_time=row.last_update_time,
        created_by=row.created_by,
        last_updated_by=row.last_updated_by,
    )


def tags_of(conn: Connection, ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """Each dataset's tags."""
    out: dict[str, dict[str, str]] = {i: {} for i in ids}
    for part in chunked(list(ids)):
        query = sa.select(dataset_tags).where(dataset_tags.c.dataset_id.in_(part))
        for row in conn.execute(query):
            out[row.dataset_id][row.key] = row.value
    return out


def experiments_of(conn: Connection, ids: Sequence[str]) -> dict[str, list[str]]:
    """Each dataset's linked experiment ids (ascending)."""
    out: dict[str, list[str]] = {i: [] for i in ids}
    for part in chunked(list(ids)):
        de = dataset_experiments
        query = (
            sa.select(de.c.dataset_id, de.c.experiment_id)
            .where(de.c.dataset_id.in_(part))
            .order_by(de.c.dataset_id, de.c.experiment_id)
        )
        for dataset_id, experiment_id in conn.execute(query):
            out[dataset_id].append(str(experiment_id))
    return out


def dataset_entity(row: Any, tags: dict[str, str], experiments: list[str]) -> EvaluationDataset:
    """An :class:`EvaluationDataset` from its row, tags and links."""
    return EvaluationDataset(
        dataset_id=row.dataset_id,
        name=row.name,
        tags=tags,
        schema=row.schema,
        profile=row.profile,
        digest=row.digest,
        created_time=row.created_time,
        last_update_time=row.last_update_time,
        created_by=row.created_by,
        last_updated_by=row.last_updated_by,
        experiment_ids=tuple(experiments),
        version=row.version,
    )


def at_version(version: int | None) -> ColumnElement[bool]:
    """The record rows of ``version`` (None: the live rows)."""
    if version is None:
        return _R.c.valid_to.is_(None)
    return sa.and_(
        _R.c.valid_from <= version, sa.or_(_R.c.valid_to.is_(None), _R.c.valid_to > version)
    )


def _cursor(token: str | None) -> tuple[int, str] | None:
    payload = decode_page_token(token)
    if not payload:
        return None
    t, rid = payload.get("t"), payload.get("id")
    if not isinstance(t, int) or isinstance(t, bool) or not isinstance(rid, str):
        raise InvalidArgumentError(f"Invalid page token: {token!r}")
    return t, rid


def records_page(
    conn: Connection,
    dataset_id: str,
    version: int | None,
    max_results: int,
    page_token: str | None,
) -> tuple[list[DatasetRecord], str | None]:
    """One page of a version's records in ``(created_time, dataset_record_id)`` order."""
    query = sa.select(_R).where(_R.c.dataset_id == dataset_id, at_version(version))
    after = _cursor(page_token)
    if after is not None:
        t, rid = after
        query = query.where(
            sa.or_(
                _R.c.created_time > t,
                sa.and_(_R.c.created_time == t, _R.c.dataset_record_id > rid),
            )
        )
    query = query.order_by(_R.c.created_time, _R.c.dataset_record_id).limit(max_results + 1)
    rows = conn.execute(query).all()
    token = None
    if len(rows) > max_results:
        rows = rows[:max_results]
        last = rows[-1]
        token = encode_page_token({"t": last.created_time, "id": last.dataset_record_id})
    return [record_entity(r) for r in rows], token


def _batches(rows: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    size = 0
    for row in rows:
        weight = sum(len(v) for v in row.values() if isinstance(v, str))
        if batch and size + weight > INSERT_BYTES:
            yield batch
            batch, size = [], 0
        batch.append(row)
        size += weight
    if batch:
        yield batch


def insert_rows(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert record rows in batches a MySQL packet can carry."""
    for batch in _batches(rows):
        conn.execute(_R.insert(), batch)
