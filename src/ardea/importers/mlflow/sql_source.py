"""MLflow's own database as an import source, read with SQLAlchemy Core (no ``mlflow``).

The table and column names are those of the schema MLflow 3.17 creates (Alembic head
``dc11669786a5``); older 3.x and 2.x schemas read the same for everything imported here
(``workspace`` columns are used only when present). Artifacts: runs, logged models and traces
name theirs by URI; ``mlflow-artifacts:/<path>`` (a server's proxied artifacts) resolves under
the ``artifacts_root`` the user passes (the server's ``--artifacts-destination``), any other
URI (a folder, ``file://``, ``s3://``, ``gs://``, ``az://``) is opened as it is.

Webhook secrets are Fernet tokens under MLflow's ``MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY``; with
that variable set (as on the MLflow server) they are decrypted and carried over, otherwise
they cannot be read.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ardea._core.errors import InvalidArgumentError
from ardea.api.mlflow_trace_json import span_from_traces_json
from ardea.entities import (
    Assessment,
    AssessmentError,
    Dataset,
    DatasetInput,
    Experiment,
    LoggedModel,
    Metric,
    ModelOutput,
    ModelVersion,
    RegisteredModel,
    RegisteredModelAlias,
    Run,
    RunData,
    RunInfo,
    RunInputs,
    RunOutputs,
    Span,
    TraceInfo,
)
from ardea.entities.webhook import Webhook, WebhookEvent
from ardea.importers.mlflow.source import (
    METRIC_CHUNK,
    MlflowSource,
    SourceRun,
    SourceWebhook,
    merge_model_metrics,
)
from ardea.store.artifacts.base import ArtifactStore
from ardea.store.artifacts.resolve import resolve_artifact_store
from ardea.store.uri import redact_uri

__all__ = ["SqlMlflowSource"]

_MODEL_STATUS = {
    0: "LOGGED_MODEL_STATUS_UNSPECIFIED",
    1: "LOGGED_MODEL_PENDING",
    2: "LOGGED_MODEL_READY",
    3: "LOGGED_MODEL_UPLOAD_FAILED",
}
_TRACE_STATES = {"OK", "ERROR", "IN_PROGRESS", "STATE_UNSPECIFIED"}
_BATCH = 500
SECRET_KEY_ENV = "MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY"


def _engine_url(uri: str) -> str:
    from ardea.store.sql._db.engine import normalize_uri

    return normalize_uri(uri)


def _chunks(items: Sequence[str], size: int = _BATCH) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _loads(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


class SqlMlflowSource(MlflowSource):
    """An MLflow tracking database (SQLite, PostgreSQL, MySQL) and its artifact root.

    Args:
        uri: MLflow's ``--backend-store-uri`` (``sqlite:///mlflow.db``, ``postgresql://...``,
            ``mysql://...``).
        artifacts_root: The server's ``--artifacts-destination`` (where ``mlflow-artifacts:/``
            URIs point); None when only other URIs (or no artifacts) are to be read.
        workspace: Which MLflow workspace to read where the schema has workspaces.
    """

    def __init__(
        self, uri: str, artifacts_root: str | None = None, workspace: str = "default"
    ) -> None:
        self.label = redact_uri(uri)
        self.key = ("mlflow-db:" + self.label)[:200]
        self._artifacts_root = artifacts_root.rstrip("/") if artifacts_root else None
        self._workspace = workspace
        self._engine: Engine = sa.create_engine(_engine_url(uri))
        self._conn: Connection = self._engine.connect()
        self._key = self._engine.dialect.identifier_preparer.quote("key")
        tables = set(sa.inspect(self._conn).get_table_names())
        missing = {"experiments", "runs", "metrics"} - tables
        if missing:
            self.close()
            raise InvalidArgumentError(
                f"{self.label} is not an MLflow tracking database (no {', '.join(sorted(missing))} "
                "table)"
            )
        self._tables = tables
        self._ws_columns: dict[str, bool] = {
            name: "workspace" in {c["name"] for c in sa.inspect(self._conn).get_columns(name)}
            for name in ("experiments", "registered_models", "webhooks")
            if name in tables
        }
        self._model_metrics: dict[str, list[Metric]] | None = None

    def close(self) -> None:
        """Close the connection and the engine."""
        self._conn.close()
        self._engine.dispose()

    # --- helpers -------------------------------------------------------------------------

    def _sql(self, sql: str) -> str:
        """``sql`` with ``<key>`` as the dialect spells the column ``key`` (reserved in MySQL)."""
        return sql.replace("<key>", self._key)

    def _rows(self, sql: str, **params: Any) -> list[sa.Row[Any]]:
        return list(self._conn.execute(sa.text(self._sql(sql)), params))

    def _ws(self, table: str, alias: str = "") -> str:
        if not self._ws_columns.get(table):
            return ""
        return f" AND {alias + '.' if alias else ''}workspace = :ws"

    def _in(self, sql: str, ids: Sequence[str], **params: Any) -> list[sa.Row[Any]]:
        """``sql`` with ``IN :ids`` run over chunks of ``ids``."""
        stmt = sa.text(self._sql(sql)).bindparams(sa.bindparam("ids", expanding=True))
        out: list[sa.Row[Any]] = []
        for part in _chunks(list(ids)):
            out.extend(self._conn.execute(stmt, {"ids": list(part), **params}))
        return out

    # --- experiments ---------------------------------------------------------------------

    def experiments(self) -> list[Experiment]:
        """Every experiment of the workspace, with tags."""
        rows = self._rows(
            "SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, "
            f"last_update_time FROM experiments WHERE 1 = 1{self._ws('experiments')} "
            "ORDER BY experiment_id",
            ws=self._workspace,
        )
        tags: dict[int, dict[str, str]] = defaultdict(dict)
        for r in self._rows("SELECT experiment_id, <key>, value FROM experiment_tags"):
            tags[r.experiment_id][r.key] = r.value or ""
        return [
            Experiment(
                experiment_id=str(r.experiment_id),
                name=r.name,
                artifact_location=r.artifact_location or "",
                lifecycle_stage=r.lifecycle_stage or "active",
                creation_time=r.creation_time,
                last_update_time=r.last_update_time,
                tags=tags.get(r.experiment_id, {}),
            )
            for r in rows
        ]

    def totals(self, experiment_ids: Sequence[str]) -> dict[str, int]:
        """Metric points, spans and assessments of these experiments (count queries)."""
        ids = [str(int(e)) for e in experiment_ids]
        queries = {
            "metric_points": "SELECT COUNT(*) AS n FROM metrics m JOIN runs r "
            "ON r.run_uuid = m.run_uuid WHERE r.experiment_id IN :ids",
            "spans": "SELECT COUNT(*) AS n FROM spans s JOIN trace_info t "
            "ON t.request_id = s.trace_id WHERE t.experiment_id IN :ids",
            "assessments": "SELECT COUNT(*) AS n FROM assessments a JOIN trace_info t "
            "ON t.request_id = a.trace_id WHERE t.experiment_id IN :ids",
        }
        needs = {"metric_points": "metrics", "spans": "spans", "assessments": "assessments"}
        out = {}
        for kind, sql in queries.items():
            if needs[kind] in self._tables and (
                kind == "metric_points" or "trace_info" in self._tables
            ):
                out[kind] = sum(int(r.n) for r in self._in(sql, ids))
        if "spans" in out and self._artifact_only_traces(ids):
            # Some traces keep their spans only in a traces.json artifact (older MLflow):
            # spans are then counted as they are read.
            del out["spans"]
        return out

    def _artifact_only_traces(self, experiment_ids: Sequence[str]) -> bool:
        rows = self._in(
            "SELECT COUNT(*) AS n FROM trace_info t WHERE t.experiment_id IN :ids AND NOT "
            "EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.request_id)",
            experiment_ids,
        )
        return any(int(r.n) for r in rows)

    # --- runs ----------------------------------------------------------------------------

    def runs(self, experiment_id: str) -> Iterator[SourceRun]:
        """The experiment's runs, loaded a batch at a time."""
        rows = self._rows(
            "SELECT run_uuid, name, user_id, status, start_time, end_time, lifecycle_stage, "
            "artifact_uri, experiment_id, deleted_time FROM runs WHERE experiment_id = :e "
            "ORDER BY start_time, run_uuid",
            e=int(experiment_id),
        )
        for i in range(0, len(rows), _BATCH):
            yield from self._run_batch(rows[i : i + _BATCH])

    def _run_batch(self, rows: Sequence[sa.Row[Any]]) -> Iterator[SourceRun]:
        ids = [r.run_uuid for r in rows]
        tags: dict[str, dict[str, str]] = defaultdict(dict)
        for t in self._in("SELECT run_uuid, <key>, value FROM tags WHERE run_uuid IN :ids", ids):
            tags[t.run_uuid][t.key] = t.value or ""
        params: dict[str, dict[str, str]] = defaultdict(dict)
        for p in self._in("SELECT run_uuid, <key>, value FROM params WHERE run_uuid IN :ids", ids):
            params[p.run_uuid][p.key] = p.value or ""
        datasets, model_inputs, outputs = self._run_io(ids)
        for r in rows:
            run = Run(
                info=RunInfo(
                    run_id=r.run_uuid,
                    experiment_id=str(r.experiment_id),
                    run_name=r.name or "",
                    user_id=r.user_id or "",
                    status=r.status or "FINISHED",
                    start_time=r.start_time,
                    end_time=r.end_time,
                    artifact_uri=r.artifact_uri or "",
                    lifecycle_stage=r.lifecycle_stage or "active",
                ),
                data=RunData(params=params.get(r.run_uuid, {}), tags=tags.get(r.run_uuid, {})),
                inputs=RunInputs(
                    dataset_inputs=datasets.get(r.run_uuid, []),
                    model_inputs=model_inputs.get(r.run_uuid, []),
                ),
                outputs=RunOutputs(model_outputs=outputs.get(r.run_uuid, [])),
            )
            yield SourceRun(run=run, deleted_time=r.deleted_time)

    def _run_io(
        self, run_ids: Sequence[str]
    ) -> tuple[dict[str, list[DatasetInput]], dict[str, list[str]], dict[str, list[ModelOutput]]]:
        datasets: dict[str, list[DatasetInput]] = defaultdict(list)
        model_inputs: dict[str, list[str]] = defaultdict(list)
        outputs: dict[str, list[ModelOutput]] = defaultdict(list)
        if "inputs" not in self._tables:
            return datasets, model_inputs, outputs
        has_step = "step" in {c["name"] for c in sa.inspect(self._conn).get_columns("inputs")}
        step = "step" if has_step else "0 AS step"
        links = self._in(
            f"SELECT input_uuid, source_type, source_id, destination_type, destination_id, {step} "
            "FROM inputs WHERE (destination_type = 'RUN' AND destination_id IN :ids) "
            "OR (source_type IN ('RUN_INPUT', 'RUN_OUTPUT') AND source_id IN :ids)",
            run_ids,
        )
        dataset_links = [r for r in links if r.source_type == "DATASET"]
        found: dict[str, sa.Row[Any]] = {}
        if dataset_links:
            found = {
                d.dataset_uuid: d
                for d in self._in(
                    "SELECT dataset_uuid, name, digest, dataset_source_type, dataset_source, "
                    "dataset_schema, dataset_profile FROM datasets WHERE dataset_uuid IN :ids",
                    list({r.source_id for r in dataset_links}),
                )
            }
        input_tags: dict[str, dict[str, str]] = defaultdict(dict)
        if dataset_links and "input_tags" in self._tables:
            for t in self._in(
                "SELECT input_uuid, name, value FROM input_tags WHERE input_uuid IN :ids",
                [r.input_uuid for r in dataset_links],
            ):
                input_tags[t.input_uuid][t.name] = t.value or ""
        for r in links:
            if r.source_type == "DATASET":
                d = found.get(r.source_id)
                if d is None:
                    continue
                dataset = Dataset(
                    name=d.name,
                    digest=d.digest,
                    source_type=d.dataset_source_type or "",
                    source=d.dataset_source or "",
                    schema=d.dataset_schema,
                    profile=d.dataset_profile,
                )
                tags = input_tags.get(r.input_uuid, {})
                datasets[r.destination_id].append(DatasetInput(dataset=dataset, tags=tags))
            elif r.source_type == "RUN_INPUT":
                model_inputs[r.source_id].append(r.destination_id)
            elif r.source_type == "RUN_OUTPUT":
                outputs[r.source_id].append(ModelOutput(r.destination_id, int(r.step or 0)))
        return datasets, model_inputs, outputs

    def metric_history(self, run: Run) -> Iterator[list[Metric]]:
        """The run's points (``index_metrics_run_uuid``), model metrics merged in."""
        run_id = run.info.run_id
        result = self._conn.execute(
            sa.text(
                self._sql(
                    "SELECT <key>, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = :r"
                )
            ),
            {"r": run_id},
        )
        model_points = self._model_metrics_of(run_id)
        if not model_points:  # the usual case: stream, a chunk in memory at a time
            while rows := result.fetchmany(METRIC_CHUNK):
                yield [
                    Metric(key, float("nan") if is_nan else float(value), int(ts), int(step or 0))
                    for key, value, ts, step, is_nan in rows
                ]
            return
        points = [
            Metric(key, float("nan") if is_nan else float(value), int(ts), int(step or 0))
            for key, value, ts, step, is_nan in result
        ]
        points = merge_model_metrics(points, model_points)
        for i in range(0, len(points), METRIC_CHUNK):
            yield points[i : i + METRIC_CHUNK]

    def _model_metrics_of(self, run_id: str) -> list[Metric]:
        if self._model_metrics is None:
            self._model_metrics = defaultdict(list)
            if "logged_model_metrics" in self._tables:
                for r in self._rows(
                    "SELECT model_id, metric_name, metric_timestamp_ms, metric_step, "
                    "metric_value, run_id, dataset_name, dataset_digest FROM logged_model_metrics"
                ):
                    self._model_metrics[r.run_id].append(
                        Metric(
                            key=r.metric_name,
                            value=float("nan") if r.metric_value is None else r.metric_value,
                            timestamp=int(r.metric_timestamp_ms),
                            step=int(r.metric_step or 0),
                            dataset_name=r.dataset_name,
                            dataset_digest=r.dataset_digest,
                            model_id=r.model_id,
                        )
                    )
        return self._model_metrics.get(run_id, [])

    # --- logged models -------------------------------------------------------------------

    def logged_models(self, experiment_id: str) -> Iterator[LoggedModel]:
        """The experiment's logged models with their tags and params."""
        if "logged_models" not in self._tables:
            return
        rows = self._rows(
            "SELECT model_id, experiment_id, name, artifact_location, creation_timestamp_ms, "
            "last_updated_timestamp_ms, status, lifecycle_stage, model_type, source_run_id, "
            "status_message FROM logged_models WHERE experiment_id = :e "
            "ORDER BY creation_timestamp_ms, model_id",
            e=int(experiment_id),
        )
        ids = [r.model_id for r in rows]
        tags: dict[str, dict[str, str]] = defaultdict(dict)
        for t in self._in(
            "SELECT model_id, tag_key, tag_value FROM logged_model_tags WHERE model_id IN :ids",
            ids,
        ):
            tags[t.model_id][t.tag_key] = t.tag_value or ""
        params: dict[str, dict[str, str]] = defaultdict(dict)
        for p in self._in(
            "SELECT model_id, param_key, param_value FROM logged_model_params "
            "WHERE model_id IN :ids",
            ids,
        ):
            params[p.model_id][p.param_key] = p.param_value or ""
        for r in rows:
            yield LoggedModel(
                model_id=r.model_id,
                experiment_id=str(r.experiment_id),
                name=r.name,
                artifact_location=r.artifact_location or "",
                creation_timestamp=int(r.creation_timestamp_ms),
                last_updated_timestamp=int(r.last_updated_timestamp_ms),
                status=_MODEL_STATUS.get(int(r.status or 0), "LOGGED_MODEL_STATUS_UNSPECIFIED"),
                model_type=r.model_type or None,
                source_run_id=r.source_run_id,
                status_message=r.status_message,
                lifecycle_stage=r.lifecycle_stage or "active",
                tags=tags.get(r.model_id, {}),
                params=params.get(r.model_id, {}),
            )

    # --- traces --------------------------------------------------------------------------

    def traces(self, experiment_id: str) -> Iterator[TraceInfo]:
        """The experiment's traces with tags, metadata and assessments."""
        if "trace_info" not in self._tables:
            return
        rows = self._rows(
            "SELECT * FROM trace_info WHERE experiment_id = :e ORDER BY timestamp_ms, request_id",
            e=int(experiment_id),
        )
        for i in range(0, len(rows), _BATCH):
            batch = rows[i : i + _BATCH]
            ids = [r.request_id for r in batch]
            tags: dict[str, dict[str, str]] = defaultdict(dict)
            for t in self._in(
                "SELECT request_id, <key>, value FROM trace_tags WHERE request_id IN :ids", ids
            ):
                tags[t.request_id][t.key] = t.value or ""
            meta: dict[str, dict[str, str]] = defaultdict(dict)
            for m in self._in(
                "SELECT request_id, <key>, value FROM trace_request_metadata "
                "WHERE request_id IN :ids",
                ids,
            ):
                meta[m.request_id][m.key] = m.value or ""
            assessments = self._assessments(ids)
            for r in batch:
                row = r._mapping
                state = str(row.get("status") or "STATE_UNSPECIFIED")
                yield TraceInfo(
                    trace_id=r.request_id,
                    experiment_id=str(r.experiment_id),
                    request_time=int(r.timestamp_ms),
                    execution_duration=row.get("execution_time_ms"),
                    state=state if state in _TRACE_STATES else "STATE_UNSPECIFIED",
                    request_preview=row.get("request_preview"),
                    response_preview=row.get("response_preview"),
                    client_request_id=row.get("client_request_id"),
                    trace_metadata=meta.get(r.request_id, {}),
                    tags=tags.get(r.request_id, {}),
                    assessments=assessments.get(r.request_id, []),
                    name=row.get("trace_name"),
                    session_id=row.get("session_id"),
                )

    def _assessments(self, trace_ids: Sequence[str]) -> dict[str, list[Assessment]]:
        found: dict[str, list[Assessment]] = defaultdict(list)
        if "assessments" not in self._tables:
            return found
        for a in self._in(
            "SELECT * FROM assessments WHERE trace_id IN :ids ORDER BY created_timestamp",
            trace_ids,
        ):
            row = a._mapping
            error = _loads(row.get("error"))
            metadata = _loads(row.get("assessment_metadata")) or {}
            if isinstance(metadata, dict) and row.get("run_id"):
                # Ardea has no run column on assessments: the run goes where MLflow's
                # evaluation also writes it.
                metadata.setdefault("mlflow.assessment.sourceRunId", row["run_id"])
            found[a.trace_id].append(
                Assessment(
                    assessment_id=a.assessment_id,
                    trace_id=a.trace_id,
                    name=a.name,
                    kind=str(a.assessment_type),
                    value=_loads(row.get("value")),
                    source_type=row.get("source_type") or "HUMAN",
                    source_id=row.get("source_id") or "default",
                    create_time=int(row.get("created_timestamp") or 0),
                    last_update_time=int(row.get("last_updated_timestamp") or 0),
                    rationale=row.get("rationale"),
                    error=AssessmentError(
                        error_code=error.get("error_code"),
                        error_message=error.get("error_message"),
                        stack_trace=error.get("stack_trace"),
                    )
                    if isinstance(error, dict)
                    else None,
                    metadata={str(k): str(v) for k, v in metadata.items()}
                    if isinstance(metadata, dict)
                    else {},
                    span_id=row.get("span_id") or None,
                    overrides=row.get("overrides") or None,
                    valid=bool(row.get("valid", True)),
                )
            )
        return found

    def spans(self, info: TraceInfo) -> list[Span]:
        """Spans from MLflow's ``spans`` table, else from the trace's ``traces.json``."""
        if "spans" in self._tables:
            rows = self._rows(
                "SELECT content FROM spans WHERE trace_id = :t ORDER BY start_time_unix_nano",
                t=info.trace_id,
            )
            if rows:
                return [span_from_traces_json(json.loads(r.content)) for r in rows]
        location = info.tags.get("mlflow.artifactLocation")
        store = self.artifacts(location) if location else None
        if store is None:
            return []
        try:
            doc = json.loads(store.get("traces.json"))
        except Exception:
            return []
        return [span_from_traces_json(s) for s in doc.get("spans") or []]

    # --- registry ------------------------------------------------------------------------

    def registered_models(self) -> Iterator[tuple[RegisteredModel, list[ModelVersion]]]:
        """Every registered model and prompt with tags, aliases and all versions."""
        if "registered_models" not in self._tables:
            return
        ws = self._ws("registered_models")
        models = self._rows(
            "SELECT name, creation_time, last_updated_time, description FROM registered_models "
            f"WHERE 1 = 1{ws} ORDER BY name",
            ws=self._workspace,
        )
        tags: dict[str, dict[str, str]] = defaultdict(dict)
        for t in self._rows(
            f"SELECT name, <key>, value FROM registered_model_tags WHERE 1 = 1{ws}",
            ws=self._workspace,
        ):
            tags[t.name][t.key] = t.value or ""
        aliases: dict[str, list[RegisteredModelAlias]] = defaultdict(list)
        for a in self._rows(
            f"SELECT name, alias, version FROM registered_model_aliases WHERE 1 = 1{ws}",
            ws=self._workspace,
        ):
            aliases[a.name].append(RegisteredModelAlias(a.alias, int(a.version)))
        version_tags: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
        for t in self._rows(
            f"SELECT name, version, <key>, value FROM model_version_tags WHERE 1 = 1{ws}",
            ws=self._workspace,
        ):
            version_tags[(t.name, int(t.version))][t.key] = t.value or ""
        versions: dict[str, list[ModelVersion]] = defaultdict(list)
        for v in self._rows(
            "SELECT name, version, creation_time, last_updated_time, description, user_id, "
            "current_stage, source, run_id, status, status_message, run_link, storage_location "
            f"FROM model_versions WHERE 1 = 1{ws} ORDER BY name, version",
            ws=self._workspace,
        ):
            source = v.source or ""
            model_id = source[len("models:/") :] if source.startswith("models:/m-") else None
            versions[v.name].append(
                ModelVersion(
                    name=v.name,
                    version=int(v.version),
                    creation_timestamp=int(v.creation_time or 0),
                    last_updated_timestamp=int(v.last_updated_time or v.creation_time or 0),
                    current_stage=v.current_stage or "None",
                    source=source,
                    run_id=v.run_id or None,
                    model_id=model_id.split("/", 1)[0] if model_id else None,
                    storage_location=v.storage_location or None,
                    description=v.description,
                    user_id=v.user_id or None,
                    run_link=v.run_link,
                    status=v.status or "READY",
                    status_message=v.status_message,
                    tags=version_tags.get((v.name, int(v.version)), {}),
                )
            )
        for m in models:
            yield (
                RegisteredModel(
                    name=m.name,
                    creation_timestamp=int(m.creation_time or 0),
                    last_updated_timestamp=int(m.last_updated_time or m.creation_time or 0),
                    description=m.description,
                    tags=tags.get(m.name, {}),
                    aliases=aliases.get(m.name, []),
                ),
                versions.get(m.name, []),
            )

    # --- webhooks ------------------------------------------------------------------------

    def webhooks(self) -> Iterator[SourceWebhook]:
        """Not-deleted webhooks; secrets decrypted when MLflow's key is in the environment."""
        if "webhooks" not in self._tables:
            return
        rows = self._rows(
            "SELECT webhook_id, name, description, url, status, secret, creation_timestamp, "
            "last_updated_timestamp FROM webhooks WHERE deleted_timestamp IS NULL"
            f"{self._ws('webhooks')} ORDER BY creation_timestamp, webhook_id",
            ws=self._workspace,
        )
        events: dict[str, list[WebhookEvent]] = defaultdict(list)
        for e in self._rows("SELECT webhook_id, entity, action FROM webhook_events"):
            events[e.webhook_id].append(WebhookEvent(e.entity, e.action))
        key = os.environ.get(SECRET_KEY_ENV)
        for r in rows:
            secret = _decrypt(r.secret, key) if r.secret else None
            created = int(r.creation_timestamp or 0)
            yield SourceWebhook(
                webhook=Webhook(
                    webhook_id=r.webhook_id,
                    name=r.name,
                    url=r.url,
                    events=tuple(events.get(r.webhook_id, [])),
                    status=r.status or "ACTIVE",
                    description=r.description,
                    creation_timestamp=created,
                    last_updated_timestamp=int(r.last_updated_timestamp or created),
                ),
                secret=secret,
                had_secret=bool(r.secret),
            )

    # --- artifacts -----------------------------------------------------------------------

    def artifacts(self, uri: str) -> ArtifactStore | None:
        """``mlflow-artifacts:/p`` under the artifacts root; other URIs as they are."""
        if not uri:
            return None
        if uri.startswith("mlflow-artifacts:"):
            if self._artifacts_root is None:
                return None
            rest = uri.split(":", 1)[1]
            if rest.startswith("//"):  # mlflow-artifacts://host:port/path
                rest = "/" + rest[2:].split("/", 1)[-1]
            path = rest.strip("/")
            root = self._artifacts_root
            return resolve_artifact_store(f"{root}/{path}" if path else root)
        try:
            return resolve_artifact_store(uri)
        except InvalidArgumentError:
            return None


def _decrypt(token: str, key: str | None) -> str | None:
    if not key:
        return None
    from cryptography.fernet import Fernet, InvalidToken

    try:
        return Fernet(key.encode()).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None
