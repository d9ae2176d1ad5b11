"""``ardea traces export --out`` against a live server (REST), then SQL over the export."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ardea.cli.main import cli
from ardea.store.resolve import open_backend
from ardea.store.rest.backend import open_rest_backend
from ardea.tracing.parquet import read_traces

pytestmark = pytest.mark.slow

_full = importlib.import_module("fixtures.full_traces")


def test_export_from_a_server_round_trips(live_server: Any, tmp_path: Path) -> None:
    # the server's own database gets traces with every field set (spans cannot be logged
    # over REST: the SDK sends them over OTLP)
    direct = open_backend(live_server.backend_store_uri)
    try:
        eid = direct.tracking.create_experiment("exported")
        traces = [_full.full_trace(i, experiment_id=eid) for i in range(1, 13)]
        ids = _full.store_traces(direct.traces, traces)
        stored = direct.traces.batch_get_traces(ids)
    finally:
        direct.release()

    out = tmp_path / "ds"
    result = CliRunner().invoke(
        cli, ["traces", "export", "-x", eid, "--out", str(out), "--tracking-uri", live_server.url]
    )
    assert result.exit_code == 0, result.output
    assert "exported 12/12 traces, 36 spans" in result.stderr
    back = list(read_traces(out))

    rest = open_rest_backend(live_server.url)
    try:
        served = rest.traces.batch_get_traces(ids)
    finally:
        rest.release()
    assert back == served  # what the server serves, field for field
    assert [t.info.trace_id for t in back] == ids
    # and what the server's database holds, but for what the REST wire does not carry
    for got, want in zip(back, stored, strict=True):
        for span in got.spans:  # the wire adds the trace id to every span's attributes
            assert span.attributes.pop("mlflow.traceRequestId") == span.trace_id
        assert got.spans == want.spans
        assert got.info.assessments == want.info.assessments
        assert got.info.tags == want.info.tags
        # the wire also spells session, user, tokens and cost as metadata (as MLflow does)
        assert want.info.trace_metadata.items() <= got.info.trace_metadata.items()
        assert (got.info.session_id, got.info.user_id) == (want.info.session_id, want.info.user_id)
        assert got.info.token_usage == want.info.token_usage

    sql = "SELECT count(*) AS n, sum(input_tokens) AS tokens FROM spans WHERE model IS NOT NULL"
    query = CliRunner().invoke(cli, ["traces", "query", "--output", "json", "-s", str(out), sql])
    assert query.exit_code == 0, query.output
    assert json.loads(query.stdout) == [{"n": 24, "tokens": 12 * (10 + 11)}]
