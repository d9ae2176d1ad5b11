"""Write an MLflow 3.17 tracking database of N runs x M metric points, fast.

Run by the bench venv's Python (the real ``mlflow`` package), never by Ardea's::

    bench/.venv-mlflow/bin/python bench/_mlflow_seed.py sqlite:////tmp/x/mlflow.db RUNS POINTS

MLflow's own ``SqlAlchemyStore`` creates (and migrates) the schema and the experiments; the
runs, params, tags, metric histories and latest values are then inserted straight into
MLflow's tables through MLflow's own SQLAlchemy table definitions, in big ``executemany``
batches (as ``bench/registry.py`` seeds MLflow's registry): logging 1,000,000 points through
MLflow's REST API would take the better part of an hour. Every run has 4 params, 3 tags
(``mlflow.runName``, ``mlflow.user``, ``mlflow.source.type``) and POINTS // RUNS points of
two metrics, ``loss`` and ``acc``, at consecutive steps. Prints a JSON summary.
"""

from __future__ import annotations

import json
import sys
import time
import uuid

import sqlalchemy as sa
from mlflow.store.tracking.dbmodels.models import (
    SqlLatestMetric,
    SqlMetric,
    SqlParam,
    SqlRun,
    SqlTag,
)
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

BATCH = 50_000


def main(uri: str, runs: int, points: int, experiments: int = 2) -> None:
    t0 = time.perf_counter()
    store = SqlAlchemyStore(uri, "mlflow-artifacts:/")
    exp_ids = [store.create_experiment(f"bench-import-{i}") for i in range(experiments)]
    per_run = points // runs
    half = per_run // 2
    base = 1_780_000_000_000
    engine = sa.create_engine(uri)
    run_rows, tag_rows, param_rows, latest_rows = [], [], [], []
    run_ids = []
    for i in range(runs):
        run_id = uuid.uuid4().hex
        run_ids.append(run_id)
        exp = exp_ids[i % experiments]
        start = base + i * 1000
        run_rows.append({
            "run_uuid": run_id, "name": f"run-{i}", "source_type": "LOCAL", "source_name": "",
            "entry_point_name": "", "user_id": "bench", "status": "FINISHED",
            "start_time": start, "end_time": start + 900, "source_version": "",
            "lifecycle_stage": "active", "experiment_id": int(exp),
            "artifact_uri": f"mlflow-artifacts:/{exp}/{run_id}/artifacts",
        })  # fmt: skip
        tag_rows += [
            {"run_uuid": run_id, "key": "mlflow.runName", "value": f"run-{i}"},
            {"run_uuid": run_id, "key": "mlflow.user", "value": "bench"},
            {"run_uuid": run_id, "key": "mlflow.source.type", "value": "LOCAL"},
        ]
        param_rows += [
            {"run_uuid": run_id, "key": k, "value": v}
            for k, v in (
                ("lr", "0.01"),
                ("epochs", str(per_run)),
                ("seed", str(i)),
                ("opt", "adam"),
            )
        ]
        for key, steps in (("loss", half), ("acc", per_run - half)):
            if steps:
                latest_rows.append({
                    "run_uuid": run_id, "key": key, "value": float(steps - 1) * 0.5,
                    "timestamp": start + steps - 1, "step": steps - 1, "is_nan": False,
                })  # fmt: skip
    with engine.begin() as c:
        c.execute(sa.insert(SqlRun.__table__), run_rows)
        c.execute(sa.insert(SqlTag.__table__), tag_rows)
        c.execute(sa.insert(SqlParam.__table__), param_rows)
        c.execute(sa.insert(SqlLatestMetric.__table__), latest_rows)
    written = 0
    batch = []
    with engine.begin() as c:
        for i, run_id in enumerate(run_ids):
            start = base + i * 1000
            for key, steps in (("loss", half), ("acc", per_run - half)):
                for step in range(steps):
                    batch.append((key, float(step) * 0.5, start + step, run_id, step, False))
            if len(batch) >= BATCH:
                c.execute(sa.insert(SqlMetric.__table__), _metric_dicts(batch))
                written += len(batch)
                batch = []
        if batch:
            c.execute(sa.insert(SqlMetric.__table__), _metric_dicts(batch))
            written += len(batch)
    print(json.dumps({
        "runs": runs, "points": written, "experiments": experiments,
        "seconds": round(time.perf_counter() - t0, 2),
    }))  # fmt: skip


def _metric_dicts(batch: list[tuple]) -> list[dict]:
    cols = ("key", "value", "timestamp", "run_uuid", "step", "is_nan")
    return [dict(zip(cols, row, strict=True)) for row in batch]


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
