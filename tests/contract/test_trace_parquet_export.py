"""Parquet export round-trips every field on SQLite, PostgreSQL and MySQL, then SQL over it."""

from __future__ import annotations

from pathlib import Path

import ardea
from ardea.store.backend import Backend
from ardea.tracing.parquet import read_traces
from ardea.tracing.parquet.export import export_traces
from fixtures.full_traces import full_trace, store_traces


def test_export_round_trips_every_field(sql_backend: Backend, tmp_path: Path) -> None:
    eid = sql_backend.tracking.create_experiment("parquet-export")
    other = sql_backend.tracking.create_experiment("not-exported")
    ids = store_traces(sql_backend.traces, [full_trace(i, experiment_id=eid) for i in range(1, 8)])
    store_traces(sql_backend.traces, [full_trace(99, experiment_id=other)])

    stats = export_traces(sql_backend.traces, [eid], tmp_path / "ds", page_size=3)
    assert (stats.traces, stats.spans, stats.total) == (7, 21, 7)
    back = list(read_traces(tmp_path / "ds"))
    assert back == sql_backend.traces.batch_get_traces(ids)
    assert [t.info.trace_id for t in back] == ids  # oldest first

    df = ardea.query_traces(
        "SELECT kind, count(*) AS n, count(*) FILTER (WHERE NOT valid) AS invalid, "
        "count(error_code) AS errors FROM assessments GROUP BY kind ORDER BY kind",
        tmp_path / "ds",
    )
    assert df.to_dict("records") == [
        {"kind": "expectation", "n": 7, "invalid": 0, "errors": 0},
        {"kind": "feedback", "n": 28, "invalid": 7, "errors": 7},
    ]
