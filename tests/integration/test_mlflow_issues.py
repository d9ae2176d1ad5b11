"""The real ``mlflow`` 3.18 client's issues against a live ``ardea server``: create, get,
update, search with pagination (``TracingClient``'s issue functions, which ``mlflow``'s own
issue detection uses), ``mlflow.log_issue`` linking a trace, ``issue.id`` in
``mlflow.search_traces``; Ardea's proposals from failing judge verdicts accepted as an issue;
bad input as a 4xx in MLflow's error JSON with nothing stored."""

from __future__ import annotations

import itertools

import pytest

mlflow = pytest.importorskip("mlflow")

import httpx  # noqa: E402
from mlflow.entities import AssessmentSource, AssessmentSourceType  # noqa: E402
from mlflow.entities.issue import IssueSeverity, IssueStatus  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.tracing.client import TracingClient  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

from fixtures.issue_rationales import rationales  # noqa: E402

pytestmark = pytest.mark.slow

_n = itertools.count()


@pytest.fixture
def url(mlflow_env: str) -> str:
    mlflow.tracking.fluent._active_experiment_id = None
    return mlflow_env


def _experiment() -> str:
    return MlflowClient().create_experiment(f"issues-{next(_n)}")


def _trace(exp: str, question: str, flush: bool = True) -> str:
    mlflow.set_experiment(experiment_id=exp)

    @mlflow.trace
    def answer(q: str) -> str:
        return f"answer to {q}"

    answer(question)
    if flush:
        mlflow.flush_trace_async_logging()
    trace_id = mlflow.get_last_active_trace_id()
    assert trace_id is not None
    return trace_id


def test_create_get_update_search(url: str) -> None:
    exp = _experiment()
    client = TracingClient()
    made = client._create_issue(
        exp,
        "Hallucinated refund policy",
        "The bot invents refund rules",
        severity=IssueSeverity.HIGH,
        categories=["correctness"],
        metadata={"team": "support"},
    )
    assert made.issue_id.startswith("iss-") and made.status == IssueStatus.PENDING
    got = client._get_issue(made.issue_id)
    assert got.name == "Hallucinated refund policy" and got.severity == IssueSeverity.HIGH
    assert got.categories == ["correctness"] and got.metadata == {"team": "support"}
    done = client._update_issue(made.issue_id, status=IssueStatus.RESOLVED, categories=[])
    assert done.status == IssueStatus.RESOLVED and done.categories is None
    assert done.name == "Hallucinated refund policy"

    for i in range(4):
        client._create_issue(exp, f"Issue {i}", "d")
    names: list[str] = []
    token = None
    while True:
        page = client._search_issues(
            experiment_id=exp, max_results=2, page_token=token, order_by=["name ASC"]
        )
        names += [i.name for i in page]
        token = page.token
        if not token:
            break
    assert names == ["Hallucinated refund policy", "Issue 0", "Issue 1", "Issue 2", "Issue 3"]
    resolved = client._search_issues(
        experiment_id=exp, statuses=["resolved"], include_total_count=True
    )
    assert [i.issue_id for i in resolved] == [made.issue_id] and resolved.total_count == 1


def test_log_issue_links_a_trace(url: str) -> None:
    exp = _experiment()
    trace_id = _trace(exp, "refund?")
    other = _trace(exp, "hours?")
    issue = TracingClient()._create_issue(exp, "Wrong refund window", "Says 90 days, is 30")
    mlflow.log_issue(trace_id=trace_id, issue_id=issue.issue_id, rationale="says 90 days")
    found = mlflow.search_traces(
        locations=[exp], filter_string=f"issue.id = '{issue.issue_id}'", return_type="list"
    )
    assert [t.info.trace_id for t in found] == [trace_id]
    assert other not in [t.info.trace_id for t in found]
    refs = [a for a in mlflow.get_trace(trace_id).info.assessments if a.name == issue.issue_id]
    assert len(refs) == 1 and refs[0].issue_name == "Wrong refund window"
    counted = TracingClient()._search_issues(experiment_id=exp, include_trace_count=True)
    assert [(i.issue_id, i.trace_count) for i in counted] == [(issue.issue_id, 1)]


def test_bad_input(url: str) -> None:
    exp = _experiment()
    client = TracingClient()
    with pytest.raises(MlflowException, match=r"RESOURCE_DOES_NOT_EXIST|not found"):
        client._get_issue("iss-missing")
    bad = [
        {"experiment_id": exp, "name": "", "description": "d"},
        {"experiment_id": exp, "name": "n", "description": "d", "status": "open"},
        {"experiment_id": exp, "name": "n", "description": "d", "issue_id": "nope"},
        {"experiment_id": exp, "name": "n", "description": "d", "metadata": {"k": 1}},
        {"experiment_id": exp, "name": "n"},
    ]
    for body in bad:
        answer = httpx.post(f"{url}/api/3.0/mlflow/issues", json=body)
        assert answer.status_code == 400, body
        assert answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    answer = httpx.post(
        f"{url}/api/3.0/mlflow/issues/search", json={"experiment_id": exp, "page_token": "zz"}
    )
    assert answer.status_code == 400 and answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert client._search_issues(experiment_id=exp) == []
    client._create_issue(exp, "n", "d", issue_id="iss-taken")
    with pytest.raises(MlflowException, match="RESOURCE_ALREADY_EXISTS"):
        client._create_issue(exp, "again", "d", issue_id="iss-taken")
    assert client._get_issue("iss-taken").name == "n"


def test_propose_and_accept(url: str) -> None:
    exp = _experiment()
    judge = AssessmentSource(AssessmentSourceType.LLM_JUDGE, "openai:/gpt-4o-mini")
    truth: dict[str, str] = {}
    made = [(_trace(exp, f"q{i}", flush=False), m, t) for i, (m, t) in enumerate(rationales(45, 5))]
    mlflow.flush_trace_async_logging()
    for trace_id, mode, text in made:
        truth[trace_id] = mode
        mlflow.log_feedback(
            trace_id=trace_id, name="correct", value=False, rationale=text, source=judge
        )
    passing = _trace(exp, "fine")
    mlflow.log_feedback(trace_id=passing, name="correct", value=True, rationale="ok", source=judge)

    answer = httpx.post(f"{url}/api/3.0/ardea/issues/propose", json={"experiment_id": exp})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["failures"] == 45 and body["embedding"] == "tfidf-svd"
    proposals = body["proposals"]
    assert len(proposals) == 3 and sum(p["size"] for p in proposals) == 45
    for p in proposals:
        assert len({truth[t] for t in p["trace_ids"]}) == 1  # one failure mode each
        assert p["judges"] == {"correct": p["size"]} and passing not in p["trace_ids"]

    top = proposals[0]
    accepted = httpx.post(
        f"{url}/api/3.0/ardea/issues/accept",
        json={"experiment_id": exp, "name": top["name"], "trace_ids": top["trace_ids"]},
    )
    assert accepted.status_code == 200, accepted.text
    issue = TracingClient()._get_issue(accepted.json()["issue"]["issue_id"])
    assert issue.name == top["name"] and issue.trace_count == len(top["trace_ids"])
    linked = mlflow.search_traces(
        locations=[exp], filter_string=f"issue.id = '{issue.issue_id}'", return_type="list"
    )
    assert sorted(t.info.trace_id for t in linked) == sorted(top["trace_ids"])

    foreign = _trace(_experiment(), "elsewhere")
    refused = httpx.post(
        f"{url}/api/3.0/ardea/issues/accept",
        json={"experiment_id": exp, "name": "bad", "trace_ids": [foreign]},
    )
    assert refused.status_code == 400
    assert [i.name for i in TracingClient()._search_issues(experiment_id=exp)] == [top["name"]]
