"""Assessments on :class:`ArdeaClient` (embedded SQLite): positional calls, MLflow entities."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.client import ArdeaClient
from ardea.entities import Expectation, Feedback, Span

pytest.importorskip("ardea.store.sql.traces.store")

TRACE = "tr-" + "ab" * 16


@pytest.fixture
def client(tmp_path: Path) -> Iterator[ArdeaClient]:
    c = ArdeaClient(f"sqlite:///{tmp_path / 'a.db'}")
    start = 1_700_000_000_000_000_000
    root = Span(TRACE, "00000000000000aa", None, "root", "CHAIN", "OK", "", start, start + 1)
    c.trace_store.log_spans("0", [root])
    yield c
    c.close()


def test_positional_calls_and_typed_answers(client: ArdeaClient) -> None:
    feedback = client.log_feedback(TRACE, "helpful", True)
    expectation = client.log_expectation(TRACE, "expected", ["a", "b"])
    assert isinstance(feedback, Feedback) and isinstance(expectation, Expectation)
    assert feedback.source.source_type == "CODE" and expectation.source.source_type == "HUMAN"
    new = client.override_feedback(TRACE, feedback.assessment_id, False, "no")
    assert client.get_assessment(TRACE, feedback.assessment_id).valid is False
    assert client.get_assessment(TRACE, new.assessment_id).rationale == "no"
    found = client.trace_store.search_traces(["0"], "feedback.helpful = 'false'")
    assert [i.trace_id for i in found] == [TRACE]
    client.delete_assessment(TRACE, new.assessment_id)
    assert client.get_assessment(TRACE, feedback.assessment_id).valid is True


def test_mlflow_entities_are_accepted(client: ArdeaClient) -> None:
    entities = pytest.importorskip("mlflow.entities")
    source = entities.AssessmentSource(source_type="LLM_JUDGE", source_id="judge-1")
    stored = client.log_assessment(
        TRACE,
        entities.Feedback(
            name="relevance",
            value=0.7,
            rationale="ok",
            source=source,
            metadata={"k": "v"},
            error=entities.AssessmentError(error_code="PARTIAL", error_message="half"),
        ),
    )
    assert isinstance(stored, Feedback)
    assert (stored.value, stored.source_type, stored.source_id) == (0.7, "LLM_JUDGE", "judge-1")
    assert (stored.rationale, stored.metadata, stored.error_code) == ("ok", {"k": "v"}, "PARTIAL")
    exp = client.log_assessment(TRACE, entities.Expectation(name="facts", value={"a": [1]}))
    assert isinstance(exp, Expectation) and exp.value == {"a": [1]}
    updated = client.update_assessment(
        TRACE, stored.assessment_id, entities.Feedback(name="relevance", value=0.9)
    )
    assert (updated.value, updated.error) == (0.9, None)


def test_a_stored_record_with_an_unknown_kind_is_refused(client: ArdeaClient) -> None:
    from ardea.entities import Assessment

    with pytest.raises(InvalidArgumentError, match="kind"):
        client.log_assessment(TRACE, Assessment("", TRACE, "x", "opinion", value=1))
    assert client.trace_store.get_trace_info(TRACE).assessments == []


def test_log_assessments_in_one_go_all_or_nothing(client: ArdeaClient) -> None:
    assert client.trace_store.bulk_assessments
    pairs = [(TRACE, Feedback(name=f"f{i}", value=i)) for i in range(5)]
    pairs.append((TRACE, Expectation(name="expected", value="x")))
    stored = client.log_assessments(pairs)
    assert [a.name for a in stored] == ["f0", "f1", "f2", "f3", "f4", "expected"]
    assert len({a.assessment_id for a in stored}) == 6
    assert all(f.trace_id == TRACE for _, f in pairs)
    missing = "tr-" + "cd" * 16
    with pytest.raises(NotFoundError):
        client.log_assessments([(TRACE, Feedback(name="late", value=1)), (missing, Feedback())])
    names = {a.name for a in client.trace_store.get_trace_info(TRACE).assessments}
    assert "late" not in names and {"f0", "expected"} <= names
    first = stored[0]
    with pytest.raises(InvalidArgumentError, match="overrid"):
        client.log_assessments(
            [(TRACE, Feedback(name="f0", value=9, overrides=first.assessment_id))]
        )
