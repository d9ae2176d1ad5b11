"""Searching traces by assessment value (``feedback.<name>`` / ``expectation.<name>``), in SQL,
on SQLite, PostgreSQL and MySQL: the same answers as MLflow 3.18's SQL store.

Values are compared as their JSON text (``'yes'`` matches the string "yes", ``'true'`` the
boolean, ``'4'`` the number, also written ``4.0``); ``<``, ``<=``, ``>``, ``>=`` compare
numeric values only;
``IS NULL`` means "no valid assessment of that name"; overridden ones never match.
"""

from __future__ import annotations

from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Assessment, Expectation, Feedback, Span
from ardea.entities.feedback import with_fields
from ardea.store.backend import Backend
from ardea.store.traces import TraceStore

T0 = 1_700_000_000_000


def tid(n: int) -> str:
    return f"tr-{n:032x}"


def _trace(store: TraceStore, n: int) -> None:
    start = (T0 + n) * 1_000_000
    root = Span(
        trace_id=tid(n),
        span_id=f"{n:016x}",
        parent_span_id=None,
        name=f"t{n}",
        span_type="CHAIN",
        status_code="OK",
        start_time_ns=start,
        end_time_ns=start + 1_000_000,
        attributes={},
    )
    store.log_spans("0", [root])


def _log(store: TraceStore, n: int, a: Assessment) -> Assessment:
    return store.create_assessment(with_fields(a, trace_id=tid(n)))


@pytest.fixture
def corpus(sql_backend: Backend) -> dict[str, Any]:
    """Five traces with feedback and expectations of several JSON types."""
    store = sql_backend.traces
    for n in range(1, 6):
        _trace(store, n)
    _log(store, 1, Feedback(name="correct", value=True))
    _log(store, 1, Feedback(name="score", value=4))
    _log(store, 1, Feedback(name="label", value="yes"))
    _log(store, 1, Expectation(name="expected", value="Paris"))
    _log(store, 2, Feedback(name="correct", value=False))
    _log(store, 2, Feedback(name="score", value=2.5))
    _log(store, 2, Feedback(name="label", value="Yes"))
    _log(store, 3, Feedback(name="score", value="high"))
    _log(store, 3, Feedback(name="label", value={"a": 1, "tags": ["x"]}))
    _log(store, 3, Expectation(name="expected", value=["Paris", "France"]))
    old = _log(store, 4, Feedback(name="correct", value=True))
    new = _log(store, 4, Feedback(name="correct", value=False, overrides=old.assessment_id))
    _log(store, 4, Feedback(name="score", value=-1e3))
    _log(store, 4, Feedback(name="my score", value=1e20))
    _log(store, 5, Feedback(name="correct", error=TimeoutError("judge timed out")))
    return {"store": store, "override": new}


def ids(store: TraceStore, filter_string: str) -> set[int]:
    return {int(i.trace_id[3:], 16) for i in store.search_traces(["0"], filter_string)}


SEARCHES = [
    ("feedback.correct = 'true'", {1}),  # trace 4's true was overridden
    ("feedback.correct = 'false'", {2, 4}),
    ("feedback.correct != 'true'", {2, 4, 5}),  # 5's value is null
    ("feedback.correct IS NULL", {3}),
    ("feedback.correct IS NOT NULL", {1, 2, 4, 5}),
    ("feedback.score > 3", {1}),
    ("feedback.score >= 2.5", {1, 2}),
    ("feedback.score < 0", {4}),
    ("feedback.score <= 4", {1, 2, 4}),  # "high" is no number
    ("feedback.correct > 0", set()),  # booleans are no numbers
    ("feedback.`my score` > 1e19", {4}),
    ("feedback.score = '4'", {1}),
    ("feedback.score = 4", {1}),  # Ardea also takes the number unquoted
    ("feedback.score = '4.0'", {1}),  # numbers match whatever way they are written
    ("feedback.score = '-1e3'", {4}),
    ("feedback.score != '4.0'", {2, 3, 4}),
    ("feedback.score = 'high'", {3}),
    ("feedback.label = 'yes'", {1}),  # case-sensitive, MySQL too
    ("feedback.label = 'Yes'", {2}),
    ("feedback.label ILIKE '%yes%'", {1, 2}),
    ("feedback.label LIKE '%yes%'", {1}),
    ("feedback.label LIKE '%\"tags\"%'", {3}),
    ("feedback.label RLIKE '^\"[Yy]es\"$'", {1, 2}),
    ("expectation.expected = 'Paris'", {1}),
    ("feedback.expected = 'Paris'", set()),  # kind matters
    ("expectation.expected LIKE '%France%'", {3}),
    ("expectation.expected IS NULL", {2, 4, 5}),
    ("feedback.correct = 'true' AND feedback.score > 3", {1}),
    ("feedback.correct = 'false' AND feedback.label = 'Yes'", {2}),
    ("feedback.correct IS NULL AND expectation.expected IS NOT NULL", {3}),
    ("feedback.correct = 'false' AND name = 't4'", {4}),
]


@pytest.mark.parametrize(("filter_string", "expected"), SEARCHES)
def test_search_by_assessment_value(
    corpus: dict[str, Any], filter_string: str, expected: set[int]
) -> None:
    assert ids(corpus["store"], filter_string) == expected


def test_deleting_an_override_makes_the_old_value_searchable_again(
    corpus: dict[str, Any],
) -> None:
    store = corpus["store"]
    store.delete_assessment(tid(4), corpus["override"].assessment_id)
    assert ids(store, "feedback.correct = 'true'") == {1, 4}
    assert ids(store, "feedback.correct = 'false'") == {2}


def test_an_updated_value_is_searched_by_its_new_value(corpus: dict[str, Any]) -> None:
    store = corpus["store"]
    (score,) = [
        a for a in store.get_trace_info(tid(2)).assessments if a.name == "score" and a.valid
    ]
    store.update_assessment(tid(2), score.assessment_id, {"value": 9})
    assert ids(store, "feedback.score > 5") == {2}
    assert ids(store, "feedback.score = '2.5'") == set()


@pytest.mark.parametrize(
    "filter_string",
    [
        "feedback.score > 'high'",  # numeric comparators need a number
        "feedback.score IN ('a')",
        "feedback. = 'x'",
        "feedbacks.score = 'x'",
        "feedback.score = ('a', 'b')",
    ],
)
def test_bad_assessment_filters_are_invalid(corpus: dict[str, Any], filter_string: str) -> None:
    with pytest.raises(InvalidArgumentError):
        corpus["store"].search_traces(["0"], filter_string)
