"""MLflow 3 logged models in the SQL tracking store."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea._core.ids import generate_run_name, new_logged_model_id, now_ms
from ardea.entities import LifecycleStage, LoggedModel, LoggedModelStatus, PagedList
from ardea.store.search.paging import encode_page_token, offset_from_token
from ardea.store.sql._db.common import upsert
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.maintenance import StatsRefresher
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.tracking import tables as t
from ardea.store.sql.tracking.common import experiment_for_write, parse_experiment_id
from ardea.store.sql.tracking.loaders import load_logged_models
from ardea.store.tracking import MODEL_VERSIONS_TAG, LoggedModelRun, parse_model_version_links
from ardea.store.validation import (
    MAX_PARAM_VALUE_LENGTH,
    MAX_TAG_VALUE_LENGTH,
    check_no_nul,
    validate_key,
    validate_length,
    validate_max_results,
)

__all__ = ["SqlLoggedModels"]

ACTIVE = LifecycleStage.ACTIVE.value
DELETED = LifecycleStage.DELETED.value
_FINAL_STATUSES = (
    LoggedModelStatus.LOGGED_MODEL_READY.value,
    LoggedModelStatus.LOGGED_MODEL_UPLOAD_FAILED.value,
)
SEARCH_LOGGED_MODELS_LIMIT = 50000


def _pairs(items: Sequence[tuple[str, str]] | Mapping[str, str], limit: int) -> dict[str, str]:
    pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
    out: dict[str, str] = {}
    for key, value in pairs:
        validate_key(key, "key")
        out[key] = validate_length("value", value, limit)
    return out


def _model_for_write(
    conn: Connection, scope: WorkspaceScope, model_id: str, *, lock: bool = False
) -> sa.Row[str, str]:
    """The active model's ``(model_id, lifecycle_stage)``; NotFoundError otherwise.

    A model of another workspace is not found.

    ``lock`` holds the model's row until the transaction ends (PostgreSQL, MySQL), so that a
    read-modify-write of its tags is not interleaved with another.
    """
    lm = t.logged_models
    stmt = sa.select(lm.c.model_id, lm.c.lifecycle_stage).where(
        lm.c.model_id == model_id, scope.owns_experiment(lm.c.experiment_id)
    )
    if lock and conn.dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    if row is None or row.lifecycle_stage != ACTIVE:
        raise NotFoundError(f"Logged model with ID '{model_id}' not found.")
    return row


def _touch(conn: Connection, model_id: str, **values: Any) -> None:
    lm = t.logged_models
    conn.execute(
        lm.update()
        .where(lm.c.model_id == model_id)
        .values(last_updated_timestamp=now_ms(), **values)
    )


class SqlLoggedModels:
    """The LoggedModelStore part of :class:`SqlTrackingStore`."""

    _db: Database
    _stats: StatsRefresher
    _scope: WorkspaceScope

    def create_logged_model(
        self,
        experiment_id: str,
        name: str | None = None,
        source_run_id: str | None = None,
        tags: Sequence[tuple[str, str]] = (),
        params: Sequence[tuple[str, str]] = (),
        model_type: str | None = None,
    ) -> LoggedModel:
        """Create a PENDING logged model with id ``m-<32 hex>``."""
        eid = parse_experiment_id(experiment_id)
        tag_map = _pairs(tags, MAX_TAG_VALUE_LENGTH)
        param_map = _pairs(params, MAX_PARAM_VALUE_LENGTH)
        model_name = name or generate_run_name()
        validate_length("name", model_name, 500)
        if model_type is not None:
            validate_length("model_type", model_type, 500)
        if source_run_id:
            validate_length("source_run_id", source_run_id, 32)
        model_id = new_logged_model_id()

        def op(conn: Connection) -> LoggedModel:
            exp = experiment_for_write(conn, self._scope, eid, active=True)
            now = now_ms()
            model = LoggedModel(
                model_id=model_id,
                experiment_id=str(eid),
                name=model_name,
                artifact_location=(
                    f"{exp.artifact_location.rstrip('/')}/models/{model_id}/artifacts"
                ),
                creation_timestamp=now,
                last_updated_timestamp=now,
                status=LoggedModelStatus.LOGGED_MODEL_PENDING.value,
                model_type=model_type,
                source_run_id=source_run_id or None,
                lifecycle_stage=ACTIVE,
                tags=dict(tag_map),
                params=dict(param_map),
            )
            conn.execute(
                t.logged_models.insert().values(
                    model_id=model_id,
                    experiment_id=eid,
                    name=model_name,
                    artifact_location=model.artifact_location,
                    creation_timestamp=now,
                    last_updated_timestamp=now,
                    status=model.status,
                    lifecycle_stage=ACTIVE,
                    model_type=model_type,
                    source_run_id=model.source_run_id,
                )
            )
            for table, data in ((t.logged_model_tags, tag_map), (t.logged_model_params, param_map)):
                if data:
                    conn.execute(
                        table.insert(),
                        [{"model_id": model_id, "key": k, "value": v} for k, v in data.items()],
                    )
            return model

        return self._db.write(op)

    def get_logged_model(self, model_id: str, allow_deleted: bool = False) -> LoggedModel:
        """The logged model, with params, tags and metrics logged with its id."""
        check_no_nul("model_id", model_id)
        found = self._db.read(lambda conn: load_logged_models(conn, self._scope, [model_id]))
        if not found or (not allow_deleted and found[0].lifecycle_stage != ACTIVE):
            raise NotFoundError(f"Logged model with ID '{model_id}' not found.")
        return found[0]

    def finalize_logged_model(self, model_id: str, status: str) -> LoggedModel:
        """Set the status to READY or UPLOAD_FAILED."""
        check_no_nul("model_id", model_id)
        value = str(getattr(status, "value", status))
        if value not in _FINAL_STATUSES:
            raise InvalidArgumentError(
                f"Invalid status {value!r} to finalize a logged model: expected one of "
                f"{', '.join(_FINAL_STATUSES)}"
            )

        def op(conn: Connection) -> None:
            _model_for_write(conn, self._scope, model_id)
            _touch(conn, model_id, status=value)

        self._db.write(op)
        return self.get_logged_model(model_id)

    def delete_logged_model(self, model_id: str) -> None:
        """Soft-delete a logged model."""
        check_no_nul("model_id", model_id)

        def op(conn: Connection) -> None:
            _model_for_write(conn, self._scope, model_id)
            _touch(conn, model_id, lifecycle_stage=DELETED)

        self._db.write(op)

    def set_logged_model_tags(self, model_id: str, tags: Sequence[tuple[str, str]]) -> None:
        """Set (or overwrite) tags on a logged model."""
        check_no_nul("model_id", model_id)
        tag_map = _pairs(tags, MAX_TAG_VALUE_LENGTH)

        def op(conn: Connection) -> None:
            _model_for_write(conn, self._scope, model_id)
            upsert(
                conn,
                t.logged_model_tags,
                [{"model_id": model_id, "key": k, "value": v} for k, v in tag_map.items()],
                ("model_id", "key"),
                ("value",),
            )
            _touch(conn, model_id)

        self._db.write(op)

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        """Delete a logged model tag; NotFoundError if it is not set."""
        check_no_nul("model_id", model_id)
        check_no_nul("key", key)

        def op(conn: Connection) -> None:
            _model_for_write(conn, self._scope, model_id)
            tg = t.logged_model_tags
            result = conn.execute(tg.delete().where(tg.c.model_id == model_id, tg.c.key == key))
            if result.rowcount == 0:
                raise NotFoundError(
                    f"No tag with key {key!r} found for model with ID {model_id!r}."
                )
            _touch(conn, model_id)

        self._db.write(op)

    def link_model_version(self, model_id: str, name: str, version: int) -> None:
        """Add a registered version to the model's ``mlflow.modelVersions`` links, atomically."""
        check_no_nul("model_id", model_id)
        check_no_nul("name", name)
        tg = t.logged_model_tags

        def op(conn: Connection) -> None:
            _model_for_write(conn, self._scope, model_id, lock=True)
            current = conn.execute(
                sa.select(tg.c.value).where(
                    tg.c.model_id == model_id, tg.c.key == MODEL_VERSIONS_TAG
                )
            ).first()
            links = parse_model_version_links(
                {} if current is None else {MODEL_VERSIONS_TAG: current.value}
            )
            entry = {"name": name, "version": int(version)}
            if entry in links:
                return
            value = json.dumps([*links, entry])
            upsert(
                conn,
                tg,
                [{"model_id": model_id, "key": MODEL_VERSIONS_TAG, "value": value}],
                ("model_id", "key"),
                ("value",),
            )
            _touch(conn, model_id)

        self._db.write(op)

    def log_logged_model_params(self, model_id: str, params: Sequence[tuple[str, str]]) -> None:
        """Add params to a logged model (a key logged again keeps its new value)."""
        check_no_nul("model_id", model_id)
        param_map = _pairs(params, MAX_PARAM_VALUE_LENGTH)

        def op(conn: Connection) -> None:
            _model_for_write(conn, self._scope, model_id)
            upsert(
                conn,
                t.logged_model_params,
                [{"model_id": model_id, "key": k, "value": v} for k, v in param_map.items()],
                ("model_id", "key"),
                ("value",),
            )

        self._db.write(op)

    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int = 50,
        order_by: Sequence[dict[str, object]] = (),
        page_token: str | None = None,
        datasets: Sequence[dict[str, object]] = (),
    ) -> PagedList[LoggedModel]:
        """Logged models matching a filter (see :meth:`LoggedModelStore.search_logged_models`)."""
        from ardea.store.search.parser import (
            parse_logged_model_filter,
            parse_logged_model_order_by,
        )
        from ardea.store.sql.tracking.logged_model_search import select_logged_model_ids

        validate_max_results(max_results, SEARCH_LOGGED_MODELS_LIMIT)
        clauses = parse_logged_model_filter(filter_string)
        orders = parse_logged_model_order_by(list(order_by or ()))
        offset = offset_from_token(page_token)
        for dataset in datasets:
            for field in ("dataset_name", "dataset_digest"):
                check_no_nul(f"datasets.{field}", dataset.get(field))
        query = select_logged_model_ids(
            clauses,
            orders,
            [str(e) for e in experiment_ids],
            list(datasets),
            dialect=self._db.dialect,
            scope=self._scope,
        )

        self._stats.maybe_refresh()

        def op(conn: Connection) -> PagedList[LoggedModel]:
            ids = [r[0] for r in conn.execute(query.offset(offset).limit(max_results + 1))]
            token = None
            if len(ids) > max_results:
                ids = ids[:max_results]
                token = encode_page_token({"offset": offset + max_results})
            return PagedList(load_logged_models(conn, self._scope, ids), token)

        return self._db.search(op)

    def logged_model_runs(self, model_id: str, max_results: int = 1000) -> list[LoggedModelRun]:
        """The active runs linked to a logged model: source run, output runs, input runs."""
        check_no_nul("model_id", model_id)
        validate_max_results(max_results, SEARCH_LOGGED_MODELS_LIMIT)

        def op(conn: Connection) -> list[LoggedModelRun]:
            lm, runs = t.logged_models, t.runs
            source = conn.execute(
                sa.select(lm.c.source_run_id).where(
                    lm.c.model_id == model_id, self._scope.owns_experiment(lm.c.experiment_id)
                )
            ).first()
            if source is None:
                raise NotFoundError(f"Logged model with ID '{model_id}' not found.")
            # Runs of the model's own workspace only (a run elsewhere may name it as input).
            active = sa.and_(
                runs.c.lifecycle_stage == ACTIVE, self._scope.owns_experiment(runs.c.experiment_id)
            )
            out: list[LoggedModelRun] = []
            if source.source_run_id:
                found = conn.execute(
                    sa.select(runs.c.run_id).where(runs.c.run_id == source.source_run_id, active)
                ).first()
                if found is not None:
                    out.append(LoggedModelRun(found.run_id, "source"))
            ro, ri = t.run_outputs, t.run_model_inputs
            outputs = conn.execute(
                sa.select(ro.c.run_id, ro.c.step)
                .join(runs, runs.c.run_id == ro.c.run_id)
                .where(ro.c.model_id == model_id, active)
                .order_by(runs.c.start_time.desc(), ro.c.run_id)
                .limit(max_results)
            )
            out += [LoggedModelRun(r.run_id, "output", int(r.step)) for r in outputs]
            inputs = conn.execute(
                sa.select(ri.c.run_id)
                .join(runs, runs.c.run_id == ri.c.run_id)
                .where(ri.c.model_id == model_id, active)
                .order_by(runs.c.start_time.desc(), ri.c.run_id)
                .limit(max_results)
            )
            out += [LoggedModelRun(r.run_id, "input") for r in inputs]
            return out

        return self._db.read(op)
