"""ArdeaClient's issue methods on an embedded SQLite store and over REST (the real server app):
create with traces, search, update, propose from failing judge verdicts (three known failure
modes), accept a proposal; bad input refused with nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.client import ArdeaClient
from ardea.entities import Feedback, Span
from ardea.entities.assessment import AssessmentSource
from ardea.store.backend import Backend
from fixtures.backends import fresh_sqlite
from fixtures.issue_rationales import rationales
from fixtures.otlp_payloads import protobuf_request, span


@pytest.fixture(params=["sqlite", "rest"])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArdeaClient]:
    backend: Backend = (
        fresh_sqlite(request, tmp_path)
        if request.param == "sqlite"
        else request.getfixturevalue("rest_backend")
    )
    made = ArdeaClient()
    made._backend = backend
    yield made
    if request.param == "sqlite":
        backend.close()


def _trace(client: ArdeaClient, exp: str, n: int) -> str:
    trace_id = f"tr-{n:032x}"
    start = (1_700_000_000_000 + n) * 1_000_000
    root = Span(
        trace_id=trace_id,
        span_id=f"{n + 1:016x}",
        parent_span_id=None,
        name=f"t{n}",
        span_type="CHAIN",
        status_code="OK",
        start_time_ns=start,
        end_time_ns=start + 1000,
        attributes={},
    )
    if client.backend.remote:  # a server takes spans over OTLP
        body = protobuf_request(
            [span(trace_id[3:], f"{n + 1:016x}", f"t{n}", start_ns=start, end_ns=start + 1000)]
        )
        rest = client.backend.traces._rest  # type: ignore[attr-defined]  # the app's transport
        rest.request(
            "POST",
            "/v1/traces",
            content=body,
            headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp},
        )
    else:
        client.backend.traces.log_spans(exp, [root])
    return trace_id


def _seed(client: ArdeaClient, exp: str) -> dict[str, str]:
    judge = AssessmentSource("LLM_JUDGE", "openai:/gpt-4o-mini")
    truth: dict[str, str] = {}
    for n, (mode, text) in enumerate(rationales(30, seed=9)):
        trace_id = _trace(client, exp, n)
        truth[trace_id] = mode
        verdict = Feedback(name="correct", value="no", rationale=text, source=judge)
        client.log_assessment(trace_id, verdict)
    return truth


def test_propose_accept_and_manage(client: ArdeaClient) -> None:
    exp = client.create_experiment("issues-sdk")
    truth = _seed(client, exp)
    found = client.propose_issues(exp, judge="correct")
    assert found.failures == 30 and len(found.proposals) == 3
    for p in found.proposals:
        assert len({truth[t] for t in p.trace_ids}) == 1
    top = found.proposals[0]
    issue = client.accept_issue_proposal(exp, top.name, top.trace_ids)
    assert issue.trace_count == top.size and issue.status == "pending"
    assert sorted(client.issue_trace_ids(issue.issue_id)) == sorted(top.trace_ids)
    done = client.update_issue(issue.issue_id, status="resolved")
    assert done.status == "resolved"
    assert [i.issue_id for i in client.search_issues(exp, statuses=["resolved"])] == [
        issue.issue_id
    ]
    with pytest.raises(InvalidArgumentError):
        client.accept_issue_proposal(exp, "", top.trace_ids)
    assert len(client.search_issues(exp)) == 1


def test_create_search_update(client: ArdeaClient) -> None:
    exp = client.create_experiment("issues-crud")
    made = client.create_issue(exp, "Slow answers", "p99 over 10 s", severity="medium")
    assert client.get_issue(made.issue_id).severity == "medium"
    client.update_issue(made.issue_id, metadata={"owner": "ann"}, categories=["latency"])
    got = client.get_issue(made.issue_id)
    assert got.metadata == {"owner": "ann"} and got.categories == ["latency"]
    page = client.search_issues(exp)
    assert [(i.name, i.trace_count) for i in page] == [("Slow answers", 0)]
    with pytest.raises(InvalidArgumentError):
        client.update_issue(made.issue_id, status="open")
    assert client.get_issue(made.issue_id).status == "pending"
