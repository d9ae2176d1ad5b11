"""The trace filter grammar: aliases, namespaces, value types and errors."""

from __future__ import annotations

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.store.search import OrderBy, TraceClause, parse_trace_filter, parse_trace_order_by


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        ("trace_id = 'tr-1'", TraceClause("attribute", "request_id", "=", "tr-1")),
        ("attributes.state != 'OK'", TraceClause("attribute", "status", "!=", "OK")),
        ("trace.timestamp > 5", TraceClause("attribute", "timestamp_ms", ">", 5)),
        ("execution_time <= 2.5", TraceClause("attribute", "execution_time_ms", "<=", 2.5)),
        ("session_id IS NULL", TraceClause("attribute", "session", "IS NULL", None)),
        ("user_id in ('a', 'b')", TraceClause("attribute", "user", "IN", ("a", "b"))),
        ("cost >= 0.01", TraceClause("attribute", "cost", ">=", 0.01)),
        ("name rlike '^a'", TraceClause("attribute", "name", "RLIKE", "^a")),
        ("tags.`a.b` = 'x'", TraceClause("tag", "a.b", "=", "x")),
        ("request_metadata.k IS NOT NULL", TraceClause("metadata", "k", "IS NOT NULL", None)),
        ("span.type NOT IN ('LLM')", TraceClause("span", "type", "NOT IN", ("LLM",))),
        ("span.status = 'STATUS_CODE_OK'", TraceClause("span", "status", "=", "OK")),
        ("span.attributes.a.b ILIKE '%x'", TraceClause("span_attribute", "a.b", "ILIKE", "%x")),
        ("feedback.rating >= 3", TraceClause("assessment", "rating", ">=", 3, "feedback")),
        ("feedback.rating = 3", TraceClause("assessment", "rating", "=", "3", "feedback")),
        ("expectation.ans = 'y'", TraceClause("assessment", "ans", "=", "y", "expectation")),
    ],
)
def test_clauses(text: str, clause: TraceClause) -> None:
    assert parse_trace_filter(text) == [clause]


def test_and_and_blank() -> None:
    assert parse_trace_filter("  ") == []
    assert parse_trace_filter(None) == []
    assert len(parse_trace_filter("status = 'OK' and tags.a = 'b' AND cost < 1")) == 3


@pytest.mark.parametrize(
    "text",
    [
        "status = 'FINISHED'",
        "span.status = 'BAD'",
        "timestamp_ms = '5'",
        "timestamp_ms = 99999999999999999999999",
        "span.attributes = 'x'",
        "span = 'x'",
        "tags. = 'x'",
        "name == 'a'",
        "name NOT LIKE 'a'",
        "name IS 'a'",
        "status = 'OK' status = 'OK'",
        "name IN 'a'",
        "name = ('a')",
        "tags.a = 'unterminated",
    ],
)
def test_errors(text: str) -> None:
    with pytest.raises(InvalidArgumentError):
        parse_trace_filter(text)


def test_order_by() -> None:
    assert parse_trace_order_by(["timestamp DESC", "attributes.request_id", "cost asc"]) == [
        OrderBy("attribute", "timestamp_ms", False),
        OrderBy("attribute", "request_id", True),
        OrderBy("attribute", "cost", True),
    ]
    for bad in (["tags.a"], ["name sideways"], ["name", "name"], [""], [3]):
        with pytest.raises(InvalidArgumentError):
            parse_trace_order_by(bad)  # type: ignore[arg-type]
