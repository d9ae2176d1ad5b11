"""``Trace.data``: MLflow's spelling of a trace's spans."""

from __future__ import annotations

import json

from ardea.entities import Span, Trace, TraceData, TraceInfo


def _trace() -> Trace:
    tid = "tr-" + "a" * 32
    root = Span(
        tid,
        "1" * 16,
        None,
        "agent",
        attributes={"mlflow.spanInputs": {"q": "hi"}, "mlflow.spanOutputs": "hello"},
    )
    child = Span(tid, "2" * 16, "1" * 16, "llm", attributes={"mlflow.spanInputs": [1]})
    info = TraceInfo(trace_id=tid, experiment_id="1", request_time=0)
    return Trace(info, [child, root])


def test_data_spans_are_the_traces_spans() -> None:
    trace = _trace()
    assert isinstance(trace.data, TraceData)
    assert trace.data.spans is trace.spans


def test_request_and_response_are_the_roots_inputs_and_outputs_as_json() -> None:
    data = _trace().data
    assert json.loads(data.request or "") == {"q": "hi"}
    assert json.loads(data.response or "") == "hello"


def test_no_root_or_no_values_give_none() -> None:
    trace = _trace()
    assert TraceData([trace.spans[0]]).request is None  # the child alone: no root
    bare = Span("tr-" + "b" * 32, "3" * 16, None, "bare")
    assert (TraceData([bare]).request, TraceData([bare]).response) == (None, None)
