"""Runs straight from rows to MLflow wire dicts, for the server's search path.

:func:`ardea.store.sql.tracking.loaders.load_runs` builds entities, which the server then turns into
JSON; for a 1,000-run search page those two steps were most of the server's time. This module
does the same queries and builds the ``Run`` message of :func:`ardea.api.mlflow_json.run_to_json`
directly. A contract test checks the two paths give identical JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

from ardea.store.sql._db.rows import raw_rows
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.tracking.loaders import MODEL_INPUTS_SQL, OUTPUTS_SQL, run_child_sql, runs_sql

__all__ = ["load_runs_wire"]

JSON = dict[str, Any]


def _value(value: float, is_nan: bool) -> float | str:
    if is_nan:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float(value)


def _info(row: tuple[Any, ...]) -> JSON:
    run_id, exp_id, name, user, status, start, end, uri, stage = row
    info: JSON = {"run_id": run_id, "run_uuid": run_id}
    if name is not None:
        info["run_name"] = name
    info["experiment_id"] = str(exp_id)
    if user is not None:
        info["user_id"] = user
    info["status"] = status
    if start is not None:
        info["start_time"] = start
    if end is not None:
        info["end_time"] = end
    if uri is not None:
        info["artifact_uri"] = uri
    info["lifecycle_stage"] = stage
    return info


def load_runs_wire(conn: Connection, scope: WorkspaceScope, run_ids: Sequence[str]) -> list[JSON]:
    """The ``Run`` messages of these runs in ``scope``, in order (missing ids are skipped)."""
    if not run_ids:
        return []
    runs: dict[str, JSON] = {}
    for row in raw_rows(conn, runs_sql(scope), run_ids):
        runs[row[0]] = {
            "info": _info(row),
            "data": {"metrics": [], "params": [], "tags": []},
            "inputs": {"dataset_inputs": [], "model_inputs": []},
            "outputs": {"model_outputs": []},
        }
    found = list(runs)
    if not found:
        return []
    sql = run_child_sql(conn)
    for run_id, k, value, timestamp, step, is_nan in raw_rows(conn, sql["metrics"], found):
        runs[run_id]["data"]["metrics"].append(
            {"key": k, "value": _value(value, is_nan), "timestamp": timestamp, "step": step}
        )
    for attr in ("params", "tags"):
        for run_id, k, value in raw_rows(conn, sql[attr], found):
            runs[run_id]["data"][attr].append({"key": k, "value": value})
    for run_id, tags, name, digest, source_type, source, schema, profile in raw_rows(
        conn, sql["inputs"], found
    ):
        dataset = {"name": name, "digest": digest, "source_type": source_type, "source": source}
        if schema is not None:
            dataset["schema"] = schema
        if profile is not None:
            dataset["profile"] = profile
        tag_list = [{"key": k, "value": v} for k, v in (json.loads(tags) if tags else {}).items()]
        runs[run_id]["inputs"]["dataset_inputs"].append({"tags": tag_list, "dataset": dataset})
    for run_id, model_id in raw_rows(conn, MODEL_INPUTS_SQL, found):
        runs[run_id]["inputs"]["model_inputs"].append({"model_id": model_id})
    for run_id, model_id, step in raw_rows(conn, OUTPUTS_SQL, found):
        runs[run_id]["outputs"]["model_outputs"].append({"model_id": model_id, "step": step})
    return [runs[r] for r in run_ids if r in runs]
