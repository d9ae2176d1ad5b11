"""``SqlImportStore``: restore experiments, runs, logged models, registry and webhooks as-is.

Each ``put_*`` is one ``Database.write``: the existence check, the rows of the unit and its
ledger row commit together (see :mod:`ardea.store.importing`). Metric histories go through
the tracking store's own bulk path (:func:`ardea.store.sql.tracking.metrics.insert_metrics`,
chunk by chunk, inside the run's transaction), so imported points are stored exactly as
logged ones are, latest values included.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.ids import now_ms
from ardea.entities import Experiment, LoggedModel, ModelVersion, RegisteredModel
from ardea.entities.webhook import Webhook, parse_events
from ardea.store.importing import ImportedRun, ImportStore, LedgerKind
from ardea.store.sql._db.common import chunked, insert_ignore
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql.importing.tables import import_ledger
from ardea.store.sql.registry.tables import DELETED_STAGE
from ardea.store.sql.traces import tables as tt
from ardea.store.sql.tracking import tables as t
from ardea.store.sql.tracking.metrics import insert_metrics
from ardea.store.sql.tracking.run_logging import DATASET_CONTEXT_TAG, _dataset_ids
from ardea.store.sql.webhooks import tables as wt
from ardea.store.sql.webhooks.store import cipher_for_database

__all__ = ["SqlImportStore"]


def _mark(conn: Connection, source: str, kind: str, pairs: Sequence[tuple[str, str]]) -> None:
    stamp = now_ms()
    insert_ignore(
        conn,
        import_ledger,
        [
            {"source": source, "kind": kind, "source_id": s, "dest_id": d, "imported_at": stamp}
            for s, d in pairs
        ],
    )


def _exists(conn: Connection, column: sa.ColumnElement[Any], value: object) -> bool:
    return (
        conn.execute(sa.select(sa.literal(1)).where(column == value).limit(1)).first() is not None
    )


def _count_in(column: sa.Column[Any]) -> Any:
    """A counter of ``column``'s table rows whose ``column`` is in a chunk of ids."""
    return lambda part: sa.select(sa.func.count()).select_from(column.table).where(column.in_(part))


class SqlImportStore(ImportStore):
    """The import store on one :class:`Database` (shared with the backend's other stores).

    Args:
        database: The database.
        scope: The workspace imported into (``default`` when omitted). Ids stay global: an id
            taken in another workspace is not reused.
    """

    def __init__(self, database: Database, scope: WorkspaceScope = DEFAULT_SCOPE) -> None:
        self._db = database
        self._scope = scope

    def _ledger_source(self, source: str) -> str:
        """The ledger's key of ``source``: one ledger per workspace imported into."""
        if self._scope.name == "default":
            return source
        return f"{source} in workspace {self._scope.name}"

    # --- the ledger ----------------------------------------------------------------------

    def ledger(self, source: str, kind: LedgerKind) -> dict[str, str]:
        """``{source id: destination id}`` of what was imported from ``source``."""
        source = self._ledger_source(source)
        led = import_ledger
        stmt = sa.select(led.c.source_id, led.c.dest_id).where(
            led.c.source == source, led.c.kind == kind
        )
        return self._db.read(lambda conn: {r.source_id: r.dest_id for r in conn.execute(stmt)})

    def mark_imported(
        self, source: str, kind: LedgerKind, pairs: Mapping[str, str] | Sequence[tuple[str, str]]
    ) -> None:
        """Ledger units written through another store."""
        source = self._ledger_source(source)
        items = list(pairs.items()) if isinstance(pairs, Mapping) else list(pairs)
        if items:
            self._db.write(lambda conn: _mark(conn, source, kind, items))

    def count_present(self, source: str, ids: Mapping[str, Sequence[str]]) -> dict[str, int]:
        """How much of what ``ids`` names is in the destination (see the contract)."""
        source = self._ledger_source(source)
        led = import_ledger
        ms, mt = t.metric_series, t.metrics
        mv, aliases = self._scope.model_versions, self._scope.registered_model_aliases
        derived: dict[str, tuple[str, Any]] = {
            "metric_points": (
                "run",
                lambda part: (
                    sa.select(sa.func.count())
                    .select_from(mt.join(ms, ms.c.series_id == mt.c.series_id))
                    .where(ms.c.run_id.in_(part))
                ),
            ),
            "dataset_inputs": ("run", _count_in(t.run_inputs.c.run_id)),
            "spans": ("trace", _count_in(tt.spans.c.trace_id)),
            "assessments": ("trace", _count_in(tt.assessments.c.trace_id)),
            "model_versions": (
                "registered_model",
                lambda part: (
                    sa.select(sa.func.count())
                    .select_from(mv)
                    .where(mv.c.name.in_(part), mv.c.current_stage != DELETED_STAGE)
                ),
            ),
            "aliases": (
                "registered_model",
                lambda part: (
                    sa.select(sa.func.count()).select_from(aliases).where(aliases.c.name.in_(part))
                ),
            ),
        }

        def op(conn: Connection) -> dict[str, int]:
            out: dict[str, int] = {}
            for kind, wanted in ids.items():
                items = list(dict.fromkeys(wanted))
                total = 0
                for part in chunked(items):
                    if kind in derived:
                        total += int(conn.execute(derived[kind][1](list(part))).scalar_one())
                    else:
                        total += int(
                            conn.execute(
                                sa.select(sa.func.count())
                                .select_from(led)
                                .where(
                                    led.c.source == source,
                                    led.c.kind == kind,
                                    led.c.source_id.in_(list(part)),
                                )
                            ).scalar_one()
                        )
                out[kind] = total
            return out

        return self._db.read(op)

    # --- experiments ---------------------------------------------------------------------

    def put_experiment(self, source: str, experiment: Experiment) -> tuple[str, bool]:
        """Restore an experiment (merged into one of the same name); ``(id, created)``."""
        source = self._ledger_source(source)
        scope = self._scope
        ex = scope.experiments

        def op(conn: Connection) -> tuple[str, bool]:
            found = conn.execute(
                sa.select(ex.c.experiment_id).where(ex.c.name == experiment.name)
            ).first()
            created = found is None
            if found is not None:
                dest = int(found.experiment_id)
            else:
                row: dict[str, Any] = {
                    "name": experiment.name,
                    "artifact_location": experiment.artifact_location,
                    "lifecycle_stage": experiment.lifecycle_stage,
                    "creation_time": experiment.creation_time or now_ms(),
                    "last_update_time": experiment.last_update_time
                    or experiment.creation_time
                    or now_ms(),
                }
                wanted = _int_or_none(experiment.experiment_id)
                free = wanted is not None and not scope.taken_anywhere(
                    conn, "experiments", experiment_id=wanted
                )
                if free:
                    if conn.dialect.name == "mysql" and wanted == 0:
                        conn.exec_driver_sql(
                            "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')"
                        )
                    conn.execute(scope.insert("experiments").values(experiment_id=wanted, **row))
                    dest = int(wanted or 0)
                    _advance_sequence(conn, "experiments", "experiment_id")
                else:
                    result = conn.execute(scope.insert("experiments").values(**row))
                    dest = int(result.inserted_primary_key[0])  # type: ignore[index]
                if "{experiment_id}" in row["artifact_location"]:
                    conn.execute(
                        scope.update("experiments", experiment_id=dest).values(
                            artifact_location=row["artifact_location"].replace(
                                "{experiment_id}", str(dest)
                            )
                        )
                    )
            insert_ignore(
                conn,
                t.experiment_tags,
                [{"experiment_id": dest, "key": k, "value": v} for k, v in experiment.tags.items()],
            )
            _mark(conn, source, "experiment", [(experiment.experiment_id, str(dest))])
            return str(dest), created

        return self._db.write(op)

    # --- runs ----------------------------------------------------------------------------

    def put_run(self, source: str, item: ImportedRun) -> bool:
        """Restore a run with its params, tags, metric history, inputs and outputs."""
        source = self._ledger_source(source)
        run = item.run
        info = run.info
        run_id = info.run_id

        def op(conn: Connection) -> bool:
            if _exists(conn, t.runs.c.run_id, run_id):
                _mark(conn, source, "run", [(run_id, run_id)])
                return False
            experiment_id = int(info.experiment_id)
            conn.execute(
                t.runs.insert().values(
                    run_id=run_id,
                    experiment_id=experiment_id,
                    run_name=info.run_name or "",
                    user_id=info.user_id or "",
                    status=info.status,
                    start_time=info.start_time or 0,
                    end_time=info.end_time,
                    deleted_time=item.deleted_time,
                    artifact_uri=info.artifact_uri,
                    lifecycle_stage=info.lifecycle_stage,
                )
            )
            tags = [{"run_id": run_id, "key": k, "value": v} for k, v in run.data.tags.items()]
            params = [{"run_id": run_id, "key": k, "value": v} for k, v in run.data.params.items()]
            if tags:
                conn.execute(t.run_tags.insert(), tags)
            if params:
                conn.execute(t.params.insert(), params)
            for chunk in item.metrics:
                insert_metrics(conn, run_id, chunk)
            inputs = run.inputs.dataset_inputs
            if inputs:
                ids = _dataset_ids(conn, experiment_id, inputs)
                rows = {
                    dataset_id: {
                        "run_id": run_id,
                        "dataset_id": dataset_id,
                        "context": di.tags.get(DATASET_CONTEXT_TAG),
                        "tags": json.dumps(di.tags, sort_keys=True),
                    }
                    for di, dataset_id in zip(inputs, ids, strict=True)
                }
                insert_ignore(conn, t.run_inputs, list(rows.values()))
            insert_ignore(
                conn,
                t.run_model_inputs,
                [{"run_id": run_id, "model_id": m} for m in dict.fromkeys(run.inputs.model_inputs)],
            )
            outputs = {m.model_id: int(m.step or 0) for m in run.outputs.model_outputs}
            insert_ignore(
                conn,
                t.run_outputs,
                [{"run_id": run_id, "model_id": m, "step": s} for m, s in outputs.items()],
            )
            _mark(conn, source, "run", [(run_id, run_id)])
            return True

        return self._db.write(op)

    # --- logged models -------------------------------------------------------------------

    def put_logged_model(self, source: str, model: LoggedModel) -> bool:
        """Restore a logged model with its tags and params."""
        source = self._ledger_source(source)
        lm = t.logged_models

        def op(conn: Connection) -> bool:
            if _exists(conn, lm.c.model_id, model.model_id):
                _mark(conn, source, "logged_model", [(model.model_id, model.model_id)])
                return False
            conn.execute(
                lm.insert().values(
                    model_id=model.model_id,
                    experiment_id=int(model.experiment_id),
                    name=model.name,
                    artifact_location=model.artifact_location,
                    creation_timestamp=model.creation_timestamp,
                    last_updated_timestamp=model.last_updated_timestamp,
                    status=model.status,
                    lifecycle_stage=model.lifecycle_stage,
                    model_type=model.model_type,
                    source_run_id=model.source_run_id,
                    status_message=model.status_message,
                )
            )
            insert_ignore(
                conn,
                t.logged_model_tags,
                [{"model_id": model.model_id, "key": k, "value": v} for k, v in model.tags.items()],
            )
            insert_ignore(
                conn,
                t.logged_model_params,
                [
                    {"model_id": model.model_id, "key": k, "value": v}
                    for k, v in model.params.items()
                ],
            )
            _mark(conn, source, "logged_model", [(model.model_id, model.model_id)])
            return True

        return self._db.write(op)

    # --- registry ------------------------------------------------------------------------

    def put_registered_model(
        self, source: str, model: RegisteredModel, versions: Sequence[ModelVersion]
    ) -> bool:
        """Restore a registered model (or prompt) with its versions, tags and aliases."""
        source = self._ledger_source(source)
        name = model.name
        scope = self._scope

        def op(conn: Connection) -> bool:
            if _exists(conn, scope.registered_models.c.name, name):
                _mark(conn, source, "registered_model", [(name, name)])
                return False
            conn.execute(
                scope.insert("registered_models").values(
                    name=name,
                    creation_timestamp=model.creation_timestamp,
                    last_updated_timestamp=model.last_updated_timestamp,
                    description=model.description,
                    user_id=model.user_id,
                    deployment_job_id=model.deployment_job_id,
                )
            )
            if model.tags:
                conn.execute(
                    scope.insert("registered_model_tags"),
                    [{"name": name, "key": k, "value": v} for k, v in model.tags.items()],
                )
            if versions:
                conn.execute(scope.insert("model_versions"), [_version_row(v) for v in versions])
                version_tags = [
                    {"name": name, "version": int(v.version), "key": k, "value": value}
                    for v in versions
                    for k, value in v.tags.items()
                ]
                if version_tags:
                    conn.execute(scope.insert("model_version_tags"), version_tags)
            numbers = {int(v.version) for v in versions if v.current_stage != DELETED_STAGE}
            aliases = [
                {"name": name, "alias": a.alias, "version": int(a.version)}
                for a in model.aliases
                if int(a.version) in numbers
            ]
            if aliases:
                conn.execute(scope.insert("registered_model_aliases"), aliases)
            _mark(conn, source, "registered_model", [(name, name)])
            return True

        return self._db.write(op)

    # --- webhooks ------------------------------------------------------------------------

    def put_webhook(self, source: str, webhook: Webhook, secret: str | None) -> bool:
        """Restore a webhook; the secret is encrypted with the database's key."""
        source = self._ledger_source(source)
        token = cipher_for_database(self._db).encrypt(secret) if secret else None
        scope = self._scope

        def op(conn: Connection) -> bool:
            if scope.taken_anywhere(conn, "webhooks", webhook_id=webhook.webhook_id):
                _mark(conn, source, "webhook", [(webhook.webhook_id, webhook.webhook_id)])
                return False
            conn.execute(
                scope.insert("webhooks").values(
                    webhook_id=webhook.webhook_id,
                    name=webhook.name,
                    description=webhook.description,
                    url=webhook.url,
                    status=webhook.status,
                    secret=token,
                    creation_timestamp=webhook.creation_timestamp,
                    last_updated_timestamp=webhook.last_updated_timestamp,
                )
            )
            events = list(dict.fromkeys((e.entity, e.action) for e in parse_events(webhook.events)))
            if events:
                conn.execute(
                    wt.webhook_events.insert(),
                    [
                        {"webhook_id": webhook.webhook_id, "entity": e, "action": a, "position": i}
                        for i, (e, a) in enumerate(events)
                    ],
                )
            _mark(conn, source, "webhook", [(webhook.webhook_id, webhook.webhook_id)])
            return True

        return self._db.write(op)


def _version_row(v: ModelVersion) -> dict[str, Any]:
    return {
        "name": v.name,
        "version": int(v.version),
        "creation_timestamp": v.creation_timestamp,
        "last_updated_timestamp": v.last_updated_timestamp,
        "current_stage": v.current_stage or "None",
        "source": v.source or "",
        "storage_location": v.storage_location,
        "run_id": v.run_id or None,
        "model_id": v.model_id,
        "description": v.description,
        "user_id": v.user_id,
        "run_link": v.run_link,
        "status": v.status,
        "status_message": v.status_message,
    }


def _int_or_none(value: str) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 2**31 else None


def _advance_sequence(conn: Connection, table: str, column: str) -> None:
    """After an explicit id, move PostgreSQL's sequence past it (SQLite and MySQL do so)."""
    if conn.dialect.name != "postgresql":
        return
    conn.exec_driver_sql(
        f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
        f"GREATEST((SELECT MAX({column}) FROM {table}), 1))"
    )
