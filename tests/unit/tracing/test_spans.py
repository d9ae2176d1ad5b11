"""``start_span``, the ``LiveSpan`` handle, ``update_current_trace`` and run linkage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.trace import StatusCode

import ardea
from ardea.tracing import flush, start_span, update_current_trace
from ardea.tracing.exporters import InMemoryExporter


def test_start_span_handle(exporter: InMemoryExporter, by_name: Any) -> None:
    with start_span(
        "retrieve", span_type=ardea.entities.SpanType.RETRIEVER, inputs={"q": "x"}
    ) as s:
        assert ardea.get_current_active_span().span_id == s.span_id
        assert s.trace_id.startswith("tr-") and len(s.trace_id) == 35
        s.set_outputs([{"page_content": "doc"}])
        s.set_attribute("k", {"a": 1})
        s.set_attributes({"n": 2})
        s.add_event("chunk", {"i": 0, "payload": {"x": 1}})
        s.set_status("ERROR", "judged bad")
    span = by_name(exporter)["retrieve"]
    attrs = span.attributes
    assert json.loads(attrs["mlflow.spanType"]) == "RETRIEVER"
    assert json.loads(attrs["mlflow.spanInputs"]) == {"q": "x"}
    assert json.loads(attrs["mlflow.spanOutputs"]) == [{"page_content": "doc"}]
    assert json.loads(attrs["k"]) == {"a": 1}
    assert json.loads(attrs["n"]) == 2
    (event,) = span.events
    assert event.name == "chunk"
    assert event.attributes["i"] == 0
    assert json.loads(event.attributes["payload"]) == {"x": 1}
    assert span.status.status_code is StatusCode.ERROR
    assert ardea.get_current_active_span() is None


def test_spans_ended_without_error_are_ok(exporter: InMemoryExporter, by_name: Any) -> None:
    """As MLflow's SDK: a finished span is OK (OTel alone would leave it UNSET)."""

    @ardea.trace
    def outer() -> int:
        with start_span("inner"):
            pass
        return 1

    outer()
    spans = by_name(exporter)
    assert spans["outer"].status.status_code is StatusCode.OK
    assert spans["inner"].status.status_code is StatusCode.OK


def test_start_span_records_exception(exporter: InMemoryExporter, by_name: Any) -> None:
    with pytest.raises(ZeroDivisionError), start_span("calc"):
        1 / 0  # noqa: B018
    span = by_name(exporter)["calc"]
    assert span.status.status_code is StatusCode.ERROR
    assert span.events[0].attributes["exception.type"] == "ZeroDivisionError"


def test_bad_status_is_invalid_argument(exporter: InMemoryExporter) -> None:
    with start_span("s") as s, pytest.raises(ardea.InvalidArgumentError):
        s.set_status("MAYBE")


def test_update_current_trace(exporter: InMemoryExporter, by_name: Any) -> None:
    with start_span("root"), start_span("child"):
        update_current_trace(
            tags={"env": "prod", "n": 3},
            metadata={"ver": "1"},
            session_id="sess-1",
            user_id="u-9",
            request_preview="hello",
        )
    spans = by_name(exporter)
    assert spans["root"].attributes["session.id"] == "sess-1"
    assert spans["root"].attributes["user.id"] == "u-9"
    assert "session.id" not in spans["child"].attributes
    (info,) = exporter.trace_infos
    assert info.tags == {"mlflow.traceName": "root", "env": "prod", "n": "3"}
    assert info.trace_metadata["mlflow.trace.session"] == "sess-1"
    assert info.trace_metadata["mlflow.trace.user"] == "u-9"
    assert info.trace_metadata["ver"] == "1"
    assert info.trace_metadata["mlflow.trace_schema.version"] == "3"
    assert (info.session_id, info.user_id, info.request_preview) == ("sess-1", "u-9", "hello")


def test_update_outside_a_trace_does_nothing(
    exporter: InMemoryExporter, caplog: pytest.LogCaptureFixture
) -> None:
    update_current_trace(tags={"a": "b"})
    assert "outside a trace" in caplog.text
    flush()
    assert exporter.trace_infos == []


def test_trace_in_active_run_links_the_run(exporter: InMemoryExporter, tmp_path: Path) -> None:
    ardea.set_tracking_uri(str(tmp_path / "data"))
    try:
        exp = ardea.set_experiment("traced")
        with ardea.start_run() as run, start_span("in-run"):
            pass
        with start_span("after-run"):
            pass
        flush()
        infos = {i.name: i for i in exporter.trace_infos}
        assert infos["in-run"].trace_metadata["mlflow.sourceRun"] == run.info.run_id
        assert infos["in-run"].run_id == run.info.run_id
        assert infos["in-run"].experiment_id == exp.experiment_id
        assert "mlflow.sourceRun" not in infos["after-run"].trace_metadata
    finally:
        ardea.set_tracking_uri(None)


def test_previews_are_truncated(exporter: InMemoryExporter) -> None:
    @ardea.trace
    def big(text: str) -> str:
        return text

    big("x" * 5000)
    flush()
    (info,) = exporter.trace_infos
    assert len(info.request_preview) == 1000
    assert len(info.response_preview) == 1000
