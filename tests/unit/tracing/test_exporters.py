"""Embedded export: spans and trace records land in the SQLite trace store."""

from __future__ import annotations

from pathlib import Path

import pytest

import ardea
from ardea.tracing import flush, provider, start_span, trace

pytest.importorskip("ardea.store.sql.traces.store")


def test_embedded_tracking_uri_writes_to_the_trace_store(tmp_path: Path) -> None:
    ardea.set_tracking_uri(str(tmp_path / "data"))
    try:
        provider.configure(schedule_delay=0.05)
        exp = ardea.set_experiment("embedded")

        @trace(span_type="RETRIEVER")
        def retrieve(q: str) -> list[dict[str, str]]:
            return [{"page_content": q}]

        @trace(span_type="AGENT")
        def agent(q: str) -> str:
            ardea.update_current_trace(tags={"k": "v"}, session_id="s-1")
            return retrieve(q)[0]["page_content"]

        with ardea.start_run() as run:
            assert agent("what") == "what"
        trace_id = ardea.get_last_active_trace_id()
        flush()
        from ardea.store.resolve import resolve_backend

        store = resolve_backend(ardea.get_tracking_uri()).traces
        got = store.get_trace(trace_id)
        info = got.info
        assert info.experiment_id == exp.experiment_id
        assert info.state == "OK"
        assert info.tags["k"] == "v"
        assert info.tags["mlflow.traceName"] == "agent"
        assert info.trace_metadata["mlflow.sourceRun"] == run.info.run_id
        assert info.trace_metadata["mlflow.trace.session"] == "s-1"
        spans = {s.name: s for s in got.spans}
        assert sorted(spans) == ["agent", "retrieve"]
        assert spans["retrieve"].parent_span_id == spans["agent"].span_id
        assert spans["retrieve"].span_type == "RETRIEVER"
        assert spans["retrieve"].inputs == {"q": "what"}
        assert spans["retrieve"].outputs == [{"page_content": "what"}]
        assert spans["agent"].attributes["mlflow.traceRequestId"] == trace_id
        found = store.search_traces([exp.experiment_id], "tag.k = 'v'")
        assert [i.trace_id for i in found] == [trace_id]
    finally:
        ardea.set_tracking_uri(None)


def test_error_trace_state_in_store(tmp_path: Path) -> None:
    ardea.set_tracking_uri(str(tmp_path / "data"))
    try:
        provider.configure(schedule_delay=0.05)
        with pytest.raises(RuntimeError), start_span("explodes"):
            raise RuntimeError("x")
        trace_id = ardea.get_last_active_trace_id()
        flush()
        from ardea.store.resolve import resolve_backend

        store = resolve_backend(ardea.get_tracking_uri()).traces
        got = store.get_trace(trace_id)
        assert got.info.state == "ERROR"
        assert got.info.experiment_id == "0"
        (span,) = got.spans
        assert span.status_code == "ERROR"
        assert span.events[0].name == "exception"
    finally:
        ardea.set_tracking_uri(None)


def test_spans_queued_at_exit_are_exported(tmp_path: Path) -> None:
    import subprocess
    import sys

    data = tmp_path / "data"
    code = (
        "import ardea\n"
        f"ardea.set_tracking_uri({str(data)!r})\n"
        "@ardea.trace\n"
        "def f(x): return x\n"
        "for i in range(25): f(i)\n"  # no flush: the exit hook drains the queue
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    ardea.set_tracking_uri(str(data))
    try:
        assert len(ardea.search_traces(return_type="list", include_spans=False)) == 25
    finally:
        ardea.set_tracking_uri(None)
