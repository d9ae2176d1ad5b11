"""The compact trace view judges get, on Ardea's traces and on mlflow 3.18's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ardea.evaluation.scorers import trace_view
from ardea.scorers import NoErrorSpans, RetrievalGroundedness, run_scorer
from fixtures.scorer_traces import agent_trace, rag_trace, session_traces, span, trace

DATA = Path(__file__).parent / "data"


def mlflow_trace() -> Any:
    """A trace recorded by mlflow 3.18 (an app with a RETRIEVER and a TOOL span)."""
    from mlflow.entities import Trace

    return Trace.from_dict(json.loads((DATA / "mlflow_trace.json").read_text()))


def test_mlflow_traces_are_read() -> None:
    theirs = mlflow_trace()
    assert trace_view.retrieved_documents(theirs) == [
        {"span": "retrieve", "content": "Paris is the capital.", "doc_uri": "u1"}
    ]
    (call,) = trace_view.tool_calls(theirs)
    assert (call["name"], call["arguments"], call["status"]) == ("tool", {"city": "Paris"}, "OK")
    view = trace_view.render_trace(theirs)
    assert (
        "Spans: 3" in view and "- app [UNKNOWN] OK" in view and "  - retrieve [RETRIEVER]" in view
    )
    assert trace_view.root_span(theirs).outputs == "Paris"  # type: ignore[union-attr]
    assert run_scorer(NoErrorSpans(), trace=theirs)[0].value is True


def test_ardea_traces_are_read() -> None:
    rag = rag_trace()
    assert [d["doc_uri"] for d in trace_view.retrieved_documents(rag)] == ["wiki/1", "wiki/2"]
    calls = trace_view.tool_calls(agent_trace())
    assert [c["status"] for c in calls] == ["OK", "ERROR"]


def test_views_have_budgets() -> None:
    big = "word " * 10_000
    spans = [span("r", "root", inputs={"q": big}, outputs=big)]
    spans += [
        span(f"d{i}", "retriever", parent="r", span_type="RETRIEVER", outputs=[big], start=i)
        for i in range(50)
    ]
    view = trace_view.render_trace(trace(*spans))
    assert len(view) <= trace_view.TOTAL_BUDGET + 100
    assert "more characters cut" in view
    assert len(trace_view.retrieved_documents(trace(*spans))) < 50


def test_conversation_is_in_start_order() -> None:
    text = trace_view.conversation(session_traces())
    assert text.splitlines() == [
        "user: My name is Zoe.",
        "assistant: Hello Zoe!",
        "user: What is my name?",
        "assistant: Your name is Zoe.",
    ]


def test_conversation_with_timing_notes_each_answer() -> None:
    turn = trace(
        span("r", "agent", inputs={"message": "hi"}, outputs="hello", duration_ms=1500),
        span("t", "search", parent="r", span_type="TOOL", start=100, duration_ms=1200),
        span("l", "llm", parent="r", start=1300, duration_ms=150),
        span("x", "format", parent="r", start=1460, duration_ms=10),
    )
    lines = trace_view.conversation([turn], include_timing=True).splitlines()
    assert lines == [
        "user: hi",
        "assistant: hello",
        "[Response duration: 1.50s, slowest spans: agent (1.50s), search (1.20s), llm (0.15s)]",
    ]
    assert "Response duration" not in trace_view.conversation([turn])


def test_retrieval_judge_needs_a_retriever() -> None:
    (feedback,) = run_scorer(RetrievalGroundedness(), trace=agent_trace())
    assert "RETRIEVER" in (feedback.error.error_message or "")  # type: ignore[union-attr]


_FLOATS = st.floats(allow_nan=True, allow_infinity=True)
_LEAVES = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | _FLOATS | st.text()
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner) | st.dictionaries(st.text() | st.integers(), inner),
    max_leaves=25,
)


@settings(max_examples=500, deadline=None)
@given(_VALUES)
def test_to_text_is_the_stdlibs_indented_json(value: object) -> None:
    """The orjson fast path writes exactly what ``json.dumps(indent=2)`` writes (prompt texts,
    and so judge cache keys, do not change)."""
    expected = (
        value
        if isinstance(value, str)
        else json.dumps(value, indent=2, ensure_ascii=False, default=str)
    )
    assert trace_view.to_text(value) == expected
