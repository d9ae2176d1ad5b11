"""Entities to and from MLflow's JSON wire shapes (snake_case, int64 as numbers, enum names).

The server renders responses with the ``*_to_json`` functions and the REST store reads them
back with the ``*_from_json`` ones, so both sides share one definition of the wire.
"""

from __future__ import annotations

import math
from typing import Any

from ardea.entities import (
    Dataset,
    DatasetInput,
    Experiment,
    FileInfo,
    LifecycleStage,
    LoggedModel,
    Metric,
    ModelOutput,
    Run,
    RunData,
    RunInfo,
    RunInputs,
    RunOutputs,
)

JSON = dict[str, Any]


def _kv(d: dict[str, str]) -> list[JSON]:
    return [{"key": k, "value": v} for k, v in d.items()]


def _from_kv(items: list[JSON] | None) -> dict[str, str]:
    return {i["key"]: i.get("value", "") for i in items or []}


def _drop_none(d: JSON) -> JSON:
    return {k: v for k, v in d.items() if v is not None}


def float_to_json(value: float) -> float | str:
    """Doubles as MLflow emits them: NaN and infinities as strings."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def float_from_json(value: Any) -> float:
    """Parse a double that may arrive as a string (``"NaN"``, ``"Infinity"``, ``"1.5"``)."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return float(value)
    raise ValueError(f"not a number: {value!r}")


def experiment_to_json(e: Experiment) -> JSON:
    """Experiment message."""
    return _drop_none(
        {
            "experiment_id": e.experiment_id,
            "name": e.name,
            "artifact_location": e.artifact_location,
            "lifecycle_stage": e.lifecycle_stage,
            "last_update_time": e.last_update_time,
            "creation_time": e.creation_time,
            "tags": _kv(e.tags),
            "workspace": e.workspace,
        }
    )


def experiment_from_json(d: JSON) -> Experiment:
    """Parse an Experiment message."""
    return Experiment(
        experiment_id=str(d["experiment_id"]),
        name=d.get("name", ""),
        artifact_location=d.get("artifact_location", ""),
        lifecycle_stage=d.get("lifecycle_stage", "active"),
        creation_time=_int_or_none(d.get("creation_time")),
        last_update_time=_int_or_none(d.get("last_update_time")),
        tags=_from_kv(d.get("tags")),
        workspace=d.get("workspace") or "default",
    )


def metric_to_json(m: Metric, *, with_run_id: bool = False) -> JSON:
    """Metric message; ``run_id`` only where the RPC includes it (bulk reads)."""
    out: JSON = {
        "key": m.key,
        "value": float_to_json(m.value),
        "timestamp": m.timestamp,
        "step": m.step,
    }
    if m.dataset_name:
        out["dataset_name"] = m.dataset_name
    if m.dataset_digest:
        out["dataset_digest"] = m.dataset_digest
    if m.model_id:
        out["model_id"] = m.model_id
    if with_run_id and m.run_id:
        out["run_id"] = m.run_id
    return out


def metric_from_json(d: JSON) -> Metric:
    """Parse a Metric message (value may be a string such as ``"NaN"``)."""
    return Metric(
        key=d["key"],
        value=float_from_json(d["value"]),
        timestamp=int(d.get("timestamp") or 0),
        step=int(d.get("step") or 0),
        dataset_name=d.get("dataset_name") or None,
        dataset_digest=d.get("dataset_digest") or None,
        model_id=d.get("model_id") or None,
        run_id=d.get("run_id") or None,
    )


def run_info_to_json(i: RunInfo) -> JSON:
    """RunInfo message, with the deprecated ``run_uuid`` duplicate."""
    return _drop_none(
        {
            "run_id": i.run_id,
            "run_uuid": i.run_id,
            "run_name": i.run_name,
            "experiment_id": i.experiment_id,
            "user_id": i.user_id,
            "status": i.status,
            "start_time": i.start_time,
            "end_time": i.end_time,
            "artifact_uri": i.artifact_uri,
            "lifecycle_stage": i.lifecycle_stage,
        }
    )


def run_info_from_json(d: JSON) -> RunInfo:
    """Parse a RunInfo message."""
    return RunInfo(
        run_id=d.get("run_id") or d["run_uuid"],
        experiment_id=str(d.get("experiment_id", "")),
        run_name=d.get("run_name", ""),
        user_id=d.get("user_id", ""),
        status=d.get("status", "RUNNING"),
        start_time=_int_or_none(d.get("start_time")),
        end_time=_int_or_none(d.get("end_time")),
        artifact_uri=d.get("artifact_uri", ""),
        lifecycle_stage=d.get("lifecycle_stage", "active"),
    )


def dataset_to_json(ds: Dataset) -> JSON:
    """Dataset message."""
    return _drop_none(
        {
            "name": ds.name,
            "digest": ds.digest,
            "source_type": ds.source_type,
            "source": ds.source,
            "schema": ds.schema,
            "profile": ds.profile,
        }
    )


def dataset_input_to_json(di: DatasetInput) -> JSON:
    """DatasetInput message."""
    return {"tags": _kv(di.tags), "dataset": dataset_to_json(di.dataset)}


def dataset_input_from_json(d: JSON) -> DatasetInput:
    """Parse a DatasetInput message."""
    ds = d.get("dataset") or {}
    return DatasetInput(
        dataset=Dataset(
            name=ds.get("name", ""),
            digest=ds.get("digest", ""),
            source_type=ds.get("source_type", ""),
            source=ds.get("source", ""),
            schema=ds.get("schema"),
            profile=ds.get("profile"),
        ),
        tags=_from_kv(d.get("tags")),
    )


def run_to_json(r: Run) -> JSON:
    """Run message: info, data (latest metrics only), inputs and outputs."""
    return {
        "info": run_info_to_json(r.info),
        "data": {
            "metrics": [metric_to_json(m) for m in r.data.metrics],
            "params": _kv(r.data.params),
            "tags": _kv(r.data.tags),
        },
        "inputs": {
            "dataset_inputs": [dataset_input_to_json(d) for d in r.inputs.dataset_inputs],
            "model_inputs": [{"model_id": m} for m in r.inputs.model_inputs],
        },
        "outputs": {
            "model_outputs": [
                {"model_id": o.model_id, "step": o.step} for o in r.outputs.model_outputs
            ]
        },
    }


def run_from_json(d: JSON) -> Run:
    """Parse a Run message."""
    data = d.get("data") or {}
    inputs = d.get("inputs") or {}
    outputs = d.get("outputs") or {}
    return Run(
        info=run_info_from_json(d["info"]),
        data=RunData(
            metrics=[metric_from_json(m) for m in data.get("metrics") or []],
            params=_from_kv(data.get("params")),
            tags=_from_kv(data.get("tags")),
        ),
        inputs=RunInputs(
            dataset_inputs=[dataset_input_from_json(x) for x in inputs.get("dataset_inputs") or []],
            model_inputs=[x["model_id"] for x in inputs.get("model_inputs") or []],
        ),
        outputs=RunOutputs(
            model_outputs=[
                ModelOutput(x["model_id"], int(x.get("step") or 0))
                for x in outputs.get("model_outputs") or []
            ]
        ),
    )


def logged_model_to_json(m: LoggedModel) -> JSON:
    """LoggedModel message.

    MLflow's ``LoggedModelInfo`` has no lifecycle field; a soft-deleted model (only visible
    through ``allow_deleted=true``) carries the Ardea extension ``info.lifecycle_stage =
    "deleted"``, which MLflow clients ignore (they parse with ``ignore_unknown_fields``) and
    :func:`logged_model_from_json` reads back. Active models keep MLflow's exact shape.
    """
    info = _drop_none(
        {
            "model_id": m.model_id,
            "experiment_id": m.experiment_id,
            "name": m.name,
            "creation_timestamp_ms": m.creation_timestamp,
            "last_updated_timestamp_ms": m.last_updated_timestamp,
            "artifact_uri": m.artifact_location,
            "status": m.status,
            "model_type": m.model_type,
            "source_run_id": m.source_run_id,
            "status_message": m.status_message,
            "tags": _kv(m.tags),
        }
    )
    if m.lifecycle_stage != LifecycleStage.ACTIVE.value:
        info["lifecycle_stage"] = m.lifecycle_stage
    return {
        "info": info,
        "data": {
            "params": _kv(m.params),
            "metrics": [metric_to_json(x, with_run_id=True) for x in m.metrics],
        },
    }


def logged_model_from_json(d: JSON) -> LoggedModel:
    """Parse a LoggedModel message."""
    info = d.get("info") or {}
    data = d.get("data") or {}
    return LoggedModel(
        model_id=info["model_id"],
        experiment_id=str(info.get("experiment_id", "")),
        name=info.get("name", ""),
        artifact_location=info.get("artifact_uri", ""),
        creation_timestamp=int(info.get("creation_timestamp_ms") or 0),
        last_updated_timestamp=int(info.get("last_updated_timestamp_ms") or 0),
        status=info.get("status", "LOGGED_MODEL_PENDING"),
        model_type=info.get("model_type"),
        source_run_id=info.get("source_run_id"),
        status_message=info.get("status_message"),
        lifecycle_stage=info.get("lifecycle_stage") or LifecycleStage.ACTIVE.value,
        tags=_from_kv(info.get("tags")),
        params=_from_kv(data.get("params")),
        metrics=[metric_from_json(x) for x in data.get("metrics") or []],
    )


def file_info_to_json(f: FileInfo) -> JSON:
    """FileInfo message (``file_size`` absent for folders)."""
    out: JSON = {"path": f.path, "is_dir": f.is_dir}
    if not f.is_dir and f.file_size is not None:
        out["file_size"] = f.file_size
    return out


def file_info_from_json(d: JSON) -> FileInfo:
    """Parse a FileInfo message."""
    size = d.get("file_size")
    return FileInfo(
        d["path"], bool(d.get("is_dir", False)), int(size) if size is not None else None
    )


def _int_or_none(v: Any) -> int | None:
    return int(v) if v is not None and v != "" else None
