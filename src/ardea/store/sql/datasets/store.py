"""The SQL dataset store: :class:`SqlDatasetStore` on a tracking :class:`Database`.

Every change locks the dataset's row (``FOR UPDATE`` on PostgreSQL and MySQL; SQLite has one
writer), writes its record rows as the next version (:mod:`.changes`), appends the version's
row and updates the dataset's digest, schema, profile and times, in one transaction: two
concurrent writers make two versions, one after the other.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea._core.ids import now_ms
from ardea.entities import PagedList
from ardea.entities.dataset import (
    DATASET_ID_PREFIX,
    DatasetDiff,
    DatasetRecord,
    DatasetVersion,
    EvaluationDataset,
)
from ardea.entities.dataset_records import (
    MLFLOW_USER_TAG,
    SUM_MODULUS,
    add_to_schema,
    content_digest,
    parse_records,
)
from ardea.store.datasets import (
    DATASETS_MAX_RESULTS_DEFAULT,
    RECORDS_MAX_RESULTS_DEFAULT,
    DatasetStore,
    UpsertResult,
)
from ardea.store.search.paging import encode_page_token, offset_from_token
from ardea.store.sql._db.common import upsert
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql.datasets import changes, rows
from ardea.store.sql.datasets.checks import (
    check_dataset_id,
    check_max_results,
    check_name,
    check_tags,
    experiment_numbers,
)
from ardea.store.sql.datasets.diff import diff_versions
from ardea.store.sql.datasets.search import search_page
from ardea.store.sql.datasets.tables import (
    dataset_experiments,
    dataset_tags,
    dataset_versions,
)

__all__ = ["SqlDatasetStore"]

_TABLE = "evaluation_datasets"


def _not_found(dataset_id: str) -> NotFoundError:
    return NotFoundError(f"Evaluation dataset with id '{dataset_id}' not found")


class SqlDatasetStore(DatasetStore):
    """Evaluation datasets in a SQL database.

    Args:
        database: An open database at the current schema, shared with the backend's other
            SQL stores; the backend closes it.
        scope: The workspace the store sees and writes to (``default`` when omitted).
    """

    def __init__(self, database: Database, scope: WorkspaceScope = DEFAULT_SCOPE) -> None:
        self._db = database
        self._scope = scope

    @property
    def database(self) -> Database:
        """The underlying :class:`Database`."""
        return self._db

    # -- reads ---------------------------------------------------------------------------------

    def _row(self, conn: Connection, dataset_id: str, *, lock: bool = False) -> Any:
        if lock:
            row = self._scope.locked_row(conn, _TABLE, dataset_id=dataset_id)
        else:
            ds = self._scope.evaluation_datasets
            row = conn.execute(sa.select(ds).where(ds.c.dataset_id == dataset_id)).first()
        if row is None:
            raise _not_found(dataset_id)
        return row

    def _load(self, conn: Connection, dataset_id: str) -> EvaluationDataset:
        row = self._row(conn, dataset_id)
        tags = rows.tags_of(conn, [dataset_id])[dataset_id]
        links = rows.experiments_of(conn, [dataset_id])[dataset_id]
        return rows.dataset_entity(row, tags, links)

    def get_dataset(self, dataset_id: str) -> EvaluationDataset:
        """One dataset's metadata."""
        check_dataset_id(dataset_id)
        return self._db.read(lambda conn: self._load(conn, dataset_id))

    def search_datasets(
        self,
        experiment_ids: Sequence[str] | None = None,
        filter_string: str | None = None,
        max_results: int = DATASETS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[EvaluationDataset]:
        """Datasets matching the filter, paged (offset tokens, as MLflow's)."""
        check_max_results(max_results, 1000)
        offset = offset_from_token(page_token)
        numbers = experiment_numbers(experiment_ids or [])

        def op(conn: Connection) -> PagedList[EvaluationDataset]:
            found = search_page(
                conn, self._scope, numbers, filter_string, order_by, offset, max_results + 1
            )
            more = len(found) > max_results
            found = found[:max_results]
            ids = [r.dataset_id for r in found]
            tags, links = rows.tags_of(conn, ids), rows.experiments_of(conn, ids)
            items = [rows.dataset_entity(r, tags[r.dataset_id], links[r.dataset_id]) for r in found]
            token = encode_page_token({"offset": offset + max_results}) if more else None
            return PagedList(items, token)

        return self._db.read(op)

    def get_records(
        self,
        dataset_id: str,
        max_results: int = RECORDS_MAX_RESULTS_DEFAULT,
        page_token: str | None = None,
        version: int | None = None,
    ) -> PagedList[DatasetRecord]:
        """A page of the current version's (or ``version``'s) records."""
        check_dataset_id(dataset_id)
        check_max_results(max_results, 10_000)

        def op(conn: Connection) -> PagedList[DatasetRecord]:
            row = self._row(conn, dataset_id)
            if version is not None and not 1 <= version <= row.version:
                raise NotFoundError(
                    f"Evaluation dataset '{dataset_id}' has no version {version} "
                    f"(its versions are 1 to {row.version})"
                )
            live = None if version is None or version == row.version else version
            items, token = rows.records_page(conn, dataset_id, live, max_results, page_token)
            return PagedList(items, token)

        return self._db.read(op)

    def get_experiment_ids(self, dataset_id: str) -> list[str]:
        """The linked experiments."""
        return list(self.get_dataset(dataset_id).experiment_ids)

    def list_versions(
        self, dataset_id: str, max_results: int = 100, page_token: str | None = None
    ) -> PagedList[DatasetVersion]:
        """Versions, newest first."""
        check_dataset_id(dataset_id)
        check_max_results(max_results, 1000)
        offset = offset_from_token(page_token)
        dv = dataset_versions

        def op(conn: Connection) -> PagedList[DatasetVersion]:
            self._row(conn, dataset_id)
            found = conn.execute(
                sa.select(dv)
                .where(dv.c.dataset_id == dataset_id)
                .order_by(dv.c.version.desc())
                .limit(max_results + 1)
                .offset(offset)
            ).all()
            more = len(found) > max_results
            items = [_version(r) for r in found[:max_results]]
            token = encode_page_token({"offset": offset + max_results}) if more else None
            return PagedList(items, token)

        return self._db.read(op)

    def diff_versions(self, dataset_id: str, from_version: int, to_version: int) -> DatasetDiff:
        """What changed from one version to another."""
        check_dataset_id(dataset_id)

        def op(conn: Connection) -> DatasetDiff:
            row = self._row(conn, dataset_id)
            for v in (from_version, to_version):
                if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= row.version:
                    raise InvalidArgumentError(
                        f"Invalid version {v!r}: dataset '{dataset_id}' has versions 1 to "
                        f"{row.version}"
                    )
            return diff_versions(conn, dataset_id, from_version, to_version)

        return self._db.read(op)

    # -- writes --------------------------------------------------------------------------------

    def create_dataset(
        self,
        name: str,
        tags: Mapping[str, str] | None = None,
        experiment_ids: Sequence[str] | None = None,
    ) -> EvaluationDataset:
        """Create a dataset (version 1)."""
        check_name(name)
        clean = check_tags(tags or {})
        numbers = experiment_numbers(experiment_ids or [])
        dataset_id = DATASET_ID_PREFIX + uuid.uuid4().hex
        now = now_ms()
        user = clean.get(MLFLOW_USER_TAG)
        scope = self._scope

        def op(conn: Connection) -> EvaluationDataset:
            for number in numbers:
                scope.experiment_row(conn, number)  # NotFoundError for another workspace's
            conn.execute(
                scope.insert(_TABLE).values(
                    dataset_id=dataset_id,
                    name=name,
                    schema=None,
                    profile=None,
                    digest=content_digest(0),
                    content_sum=f"{0:064x}",
                    version=1,
                    num_records=0,
                    created_time=now,
                    last_update_time=now,
                    created_by=user,
                    last_updated_by=user,
                )
            )
            _write_tags(conn, dataset_id, clean)
            if numbers:
                conn.execute(
                    dataset_experiments.insert(),
                    [{"dataset_id": dataset_id, "experiment_id": n} for n in numbers],
                )
            _add_version(conn, dataset_id, 1, content_digest(0), 0, "create", clean, now, user)
            return self._load(conn, dataset_id)

        return self._db.write(op)

    def delete_dataset(self, dataset_id: str) -> None:
        """Delete a dataset and everything under it (ON DELETE CASCADE)."""
        check_dataset_id(dataset_id)

        def op(conn: Connection) -> None:
            if conn.execute(self._scope.delete(_TABLE, dataset_id=dataset_id)).rowcount == 0:
                raise _not_found(dataset_id)

        self._db.write(op)

    def set_tags(self, dataset_id: str, tags: Mapping[str, Any]) -> EvaluationDataset:
        """Merge tags (None values skipped); a new version when a value changes."""
        check_dataset_id(dataset_id)
        clean = check_tags({k: v for k, v in tags.items() if v is not None}, stringify=True)

        def op(conn: Connection) -> EvaluationDataset:
            row = self._row(conn, dataset_id, lock=True)
            current = rows.tags_of(conn, [dataset_id])[dataset_id]
            after = {**current, **clean}
            if after != current:
                _write_tags(conn, dataset_id, clean)
                self._bump(conn, row, "set_tags", after, changes.Change(), None)
            return self._load(conn, dataset_id)

        return self._db.write(op)

    def delete_tag(self, dataset_id: str, key: str) -> None:
        """Delete one tag; a new version when it was there."""
        check_dataset_id(dataset_id)
        if not isinstance(key, str) or not key:
            raise InvalidArgumentError(f"Invalid tag key {key!r}")

        def op(conn: Connection) -> None:
            row = self._row(conn, dataset_id, lock=True)
            gone = conn.execute(
                dataset_tags.delete().where(
                    dataset_tags.c.dataset_id == dataset_id, dataset_tags.c.key == key
                )
            ).rowcount
            if gone:
                after = rows.tags_of(conn, [dataset_id])[dataset_id]
                self._bump(conn, row, "delete_tag", after, changes.Change(), None)

        self._db.write(op)

    def upsert_records(self, dataset_id: str, records: Sequence[Mapping[str, Any]]) -> UpsertResult:
        """Insert or merge records as the next version."""
        check_dataset_id(dataset_id)
        parsed = parse_records(records)
        user = next((r.user for r in reversed(parsed) if r.user), None)

        def op(conn: Connection) -> UpsertResult:
            row = self._row(conn, dataset_id, lock=True)
            version = row.version + 1
            change = changes.upsert_records(conn, dataset_id, parsed, version, now_ms())
            if not change.changed:
                return UpsertResult(change.inserted, change.updated, row.version)
            schema = add_to_schema(rows.load(row.schema), parsed)
            tags = rows.tags_of(conn, [dataset_id])[dataset_id]
            self._bump(conn, row, "upsert_records", tags, change, user, schema=schema)
            return UpsertResult(change.inserted, change.updated, version)

        return self._db.write(op)

    def delete_records(self, dataset_id: str, record_ids: Sequence[str]) -> int:
        """Delete records by id as the next version (none found: no version)."""
        check_dataset_id(dataset_id)
        if isinstance(record_ids, str) or not all(isinstance(r, str) for r in record_ids):
            raise InvalidArgumentError("dataset_record_ids must be a list of strings")

        def op(conn: Connection) -> int:
            row = self._row(conn, dataset_id, lock=True)
            change = changes.delete_records(conn, dataset_id, record_ids, row.version + 1)
            if change.changed:
                tags = rows.tags_of(conn, [dataset_id])[dataset_id]
                self._bump(conn, row, "delete_records", tags, change, None)
            return change.deleted

        return self._db.write(op)

    def add_to_experiments(
        self, dataset_id: str, experiment_ids: Sequence[str]
    ) -> EvaluationDataset:
        """Link more experiments (each must exist in the workspace)."""
        check_dataset_id(dataset_id)
        numbers = experiment_numbers(experiment_ids)
        scope = self._scope
        de = dataset_experiments

        def op(conn: Connection) -> EvaluationDataset:
            self._row(conn, dataset_id, lock=True)
            for number in numbers:
                scope.experiment_row(conn, number)
            have = set(
                conn.execute(
                    sa.select(de.c.experiment_id).where(de.c.dataset_id == dataset_id)
                ).scalars()
            )
            new = [n for n in dict.fromkeys(numbers) if n not in have]
            if new:
                conn.execute(
                    de.insert(), [{"dataset_id": dataset_id, "experiment_id": n} for n in new]
                )
                self._touch(conn, dataset_id)
            return self._load(conn, dataset_id)

        return self._db.write(op)

    def remove_from_experiments(
        self, dataset_id: str, experiment_ids: Sequence[str]
    ) -> EvaluationDataset:
        """Unlink experiments (those not linked ignored)."""
        check_dataset_id(dataset_id)
        numbers = experiment_numbers(experiment_ids)
        de = dataset_experiments

        def op(conn: Connection) -> EvaluationDataset:
            self._row(conn, dataset_id, lock=True)
            if numbers:
                gone = conn.execute(
                    de.delete().where(
                        de.c.dataset_id == dataset_id, de.c.experiment_id.in_(numbers)
                    )
                ).rowcount
                if gone:
                    self._touch(conn, dataset_id)
            return self._load(conn, dataset_id)

        return self._db.write(op)

    # -- helpers -------------------------------------------------------------------------------

    def _touch(self, conn: Connection, dataset_id: str) -> None:
        conn.execute(
            self._scope.update(_TABLE, dataset_id=dataset_id).values(last_update_time=now_ms())
        )

    def _bump(
        self,
        conn: Connection,
        row: Any,
        change_name: str,
        tags: dict[str, str],
        change: changes.Change,
        user: str | None,
        *,
        schema: dict[str, Any] | None = None,
    ) -> None:
        """Record version ``row.version + 1`` and bring the dataset's row up to it."""
        version = row.version + 1
        total = (int(row.content_sum, 16) + change.sum_delta) % SUM_MODULUS
        count = row.num_records + change.count_delta
        digest = content_digest(total)
        now = now_ms()
        values: dict[str, Any] = {
            "version": version,
            "digest": digest,
            "content_sum": f"{total:064x}",
            "num_records": count,
            "profile": orjson.dumps({"num_records": count}).decode() if count else None,
            "last_update_time": now,
        }
        if user is not None:
            values["last_updated_by"] = user
        if schema is not None:
            values["schema"] = orjson.dumps(schema).decode()
        conn.execute(self._scope.update(_TABLE, dataset_id=row.dataset_id).values(**values))
        _add_version(
            conn, row.dataset_id, version, digest, count, change_name, tags, now, user, change
        )

    def __repr__(self) -> str:
        return f"SqlDatasetStore({self._db.url.split('@')[-1]!r}, {self._scope.name!r})"


def _write_tags(conn: Connection, dataset_id: str, tags: Mapping[str, str]) -> None:
    rows_ = [{"dataset_id": dataset_id, "key": k, "value": v} for k, v in tags.items()]
    upsert(conn, dataset_tags, rows_, ["dataset_id", "key"], ["value"])


def _add_version(
    conn: Connection,
    dataset_id: str,
    version: int,
    digest: str,
    num_records: int,
    change_name: str,
    tags: Mapping[str, str],
    now: int,
    user: str | None,
    change: changes.Change | None = None,
) -> None:
    done = change or changes.Change()
    conn.execute(
        dataset_versions.insert().values(
            dataset_id=dataset_id,
            version=version,
            digest=digest,
            num_records=num_records,
            change=change_name,
            inserted=done.inserted,
            updated=done.updated,
            deleted=done.deleted,
            tags=orjson.dumps(dict(tags)).decode(),
            created_time=now,
            created_by=user,
        )
    )


def _version(row: Any) -> DatasetVersion:
    return DatasetVersion(
        dataset_id=row.dataset_id,
        version=row.version,
        digest=row.digest,
        num_records=row.num_records,
        change=row.change,
        inserted=row.inserted,
        updated=row.updated,
        deleted=row.deleted,
        tags=orjson.loads(row.tags),
        created_time=row.created_time,
        created_by=row.created_by,
    )
