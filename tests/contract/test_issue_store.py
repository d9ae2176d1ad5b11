"""IssueStore contract on every SQL database: create, get, update, search with pagination and
filters, trace links (assessments of kind ``issue``) and ``issue.id`` in trace search, bad
input (nothing stored)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea._core.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from ardea.entities import Span
from ardea.store.backend import Backend
from ardea.store.issues import IssueChanges, IssueQuery, NewIssue
from fixtures.backends import fresh_sqlite

T0 = 1_700_000_000_000


def tid(n: int) -> str:
    return f"tr-{n:032x}"


def _trace(backend: Backend, exp: str, n: int) -> str:
    start = (T0 + n) * 1_000_000
    root = Span(
        trace_id=tid(n),
        span_id=f"{n + 1:016x}",
        parent_span_id=None,
        name=f"t{n}",
        span_type="CHAIN",
        status_code="OK",
        start_time_ns=start,
        end_time_ns=start + 1_000_000,
        attributes={"mlflow.spanInputs": {"q": n}, "mlflow.spanOutputs": n},
    )
    backend.traces.log_spans(exp, [root])
    return tid(n)


@pytest.fixture
def exp(sql_backend: Backend) -> str:
    return sql_backend.tracking.create_experiment(f"issues-{id(sql_backend)}")


def test_create_get_update(sql_backend: Backend, exp: str) -> None:
    store = sql_backend.issues
    made = store.create_issue(
        NewIssue(exp, "Wrong totals", "The sum is off", categories=["correctness"])
    )
    assert made.issue_id.startswith("iss-") and made.status == "pending"
    assert made.trace_count == 0 and made.last_seen_timestamp == made.created_timestamp
    got = store.get_issue(made.issue_id)
    assert got.name == "Wrong totals" and got.categories == ["correctness"]
    changed = store.update_issue(
        made.issue_id,
        IssueChanges(status="resolved", severity="high", metadata={"a": "1", "b": "2"}),
    )
    assert changed.status == "resolved" and changed.severity == "high"
    assert changed.metadata == {"a": "1", "b": "2"}
    changed = store.update_issue(
        made.issue_id, IssueChanges(delete_metadata_keys=["a"], categories=[])
    )
    assert changed.metadata == {"b": "2"} and changed.categories == []
    assert changed.name == "Wrong totals" and changed.status == "resolved"


def test_given_id_and_conflict(sql_backend: Backend, exp: str) -> None:
    store = sql_backend.issues
    store.create_issue(NewIssue(exp, "n", "d", issue_id="iss-mine"))
    with pytest.raises(AlreadyExistsError):
        store.create_issue(NewIssue(exp, "n2", "d", issue_id="iss-mine"))
    assert store.get_issue("iss-mine").name == "n"


@pytest.mark.parametrize(
    "new",
    [
        NewIssue("0", "", "d"),
        NewIssue("0", "x" * 251, "d"),
        NewIssue("0", "n", "d", status="open"),
        NewIssue("0", "n", "d", severity="urgent"),
        NewIssue("0", "n", "d", issue_id="bad-id"),
        NewIssue("0", "n", "d", metadata={"k": 5}),  # type: ignore[dict-item]
        NewIssue("0", "n", "d", last_seen_timestamp=-1),
    ],
)
def test_bad_input_stores_nothing(sql_backend: Backend, exp: str, new: NewIssue) -> None:
    new.experiment_id = exp
    with pytest.raises(InvalidArgumentError):
        sql_backend.issues.create_issue(new)
    assert sql_backend.issues.search_issues(IssueQuery(experiment_id=exp)) == []


def test_unknown(sql_backend: Backend, exp: str) -> None:
    with pytest.raises(NotFoundError):
        sql_backend.issues.get_issue("iss-nope")
    with pytest.raises(NotFoundError):
        sql_backend.issues.update_issue("iss-nope", IssueChanges(status="resolved"))
    with pytest.raises(NotFoundError):
        sql_backend.issues.create_issue(NewIssue("987654", "n", "d"))


def test_search_filters_and_pages(sql_backend: Backend, exp: str) -> None:
    store = sql_backend.issues
    other = sql_backend.tracking.create_experiment(f"other-{exp}")
    made = [
        store.create_issue(
            NewIssue(exp, f"Issue {i}", "d", status="resolved" if i % 3 == 0 else "pending")
        )
        for i in range(7)
    ]
    store.create_issue(NewIssue(other, "Elsewhere", "d"))
    seen: list[str] = []
    token = None
    while True:
        page = store.search_issues(
            IssueQuery(experiment_id=exp, max_results=3, page_token=token, order_by=["name ASC"])
        )
        seen += [i.name for i in page]
        token = page.token
        if token is None:
            break
    assert seen == [f"Issue {i}" for i in range(7)]
    resolved = store.search_issues(
        IssueQuery(experiment_id=exp, statuses=["resolved"], include_total_count=True)
    )
    assert sorted(i.name for i in resolved) == ["Issue 0", "Issue 3", "Issue 6"]
    assert resolved.total_count == 3
    assert [i.name for i in store.search_issues(IssueQuery(experiment_id=exp, name="SUE 4"))] == [
        "Issue 4"
    ]
    newest = store.search_issues(IssueQuery(experiment_id=exp, max_results=1))
    assert newest[0].issue_id in {m.issue_id for m in made}
    with pytest.raises(InvalidArgumentError):  # a token of another query
        store.search_issues(IssueQuery(experiment_id=exp, page_token=page_token_of(store, exp)))
    with pytest.raises(InvalidArgumentError):
        store.search_issues(IssueQuery(experiment_id=exp, order_by=["colour"]))
    with pytest.raises(InvalidArgumentError):
        store.search_issues(IssueQuery(experiment_id=exp, statuses=["open"]))
    with pytest.raises(InvalidArgumentError):
        store.search_issues(IssueQuery(experiment_id=exp, max_results=0))


def page_token_of(store: object, exp: str) -> str:
    page = store.search_issues(IssueQuery(experiment_id=exp, max_results=1, name="Issue"))  # type: ignore[attr-defined]
    assert page.token
    return str(page.token)


def test_links_and_trace_search(sql_backend: Backend, exp: str) -> None:
    store = sql_backend.issues
    traces = [_trace(sql_backend, exp, n) for n in range(4)]
    issue = store.create_issue(NewIssue(exp, "Refuses to answer", "d"))
    other = store.create_issue(NewIssue(exp, "Other", "d"))
    added = store.link_traces(
        issue.issue_id, traces[:3], ("LLM_JUDGE", "clustering"), {traces[0]: "said no"}
    )
    assert added == 3
    assert store.link_traces(issue.issue_id, traces[:2]) == 0  # already linked
    store.link_traces(other.issue_id, [traces[3]])
    assert store.get_issue(issue.issue_id).trace_count == 3
    assert sorted(store.linked_trace_ids(issue.issue_id)) == sorted(traces[:3])
    found = sql_backend.traces.search_traces(
        [exp], filter_string=f"issue.id = '{issue.issue_id}'", max_results=10
    )
    assert sorted(t.trace_id for t in found) == sorted(traces[:3])
    info = sql_backend.traces.get_trace_info(traces[0])
    links = [a for a in info.assessments if a.kind == "issue"]
    assert [(a.name, a.value, a.rationale) for a in links] == [
        (issue.issue_id, "Refuses to answer", "said no")
    ]
    counted = store.search_issues(
        IssueQuery(experiment_id=exp, include_trace_count=True, order_by=["name ASC"])
    )
    assert [(i.name, i.trace_count) for i in counted] == [("Other", 1), ("Refuses to answer", 3)]


def test_link_refuses_foreign_traces(sql_backend: Backend, exp: str) -> None:
    store = sql_backend.issues
    other = sql_backend.tracking.create_experiment(f"foreign-{exp}")
    mine, theirs = _trace(sql_backend, exp, 10), _trace(sql_backend, other, 11)
    issue = store.create_issue(NewIssue(exp, "n", "d"))
    with pytest.raises(InvalidArgumentError):
        store.link_traces(issue.issue_id, [mine, theirs])
    with pytest.raises(InvalidArgumentError):
        store.link_traces(issue.issue_id, ["tr-unknown"])
    assert store.get_issue(issue.issue_id).trace_count == 0


def test_issue_filter_grammar(sql_backend: Backend, exp: str) -> None:
    for bad in ("issue.id != 'iss-1'", "issue.name = 'x'", "issue.id = 5"):
        with pytest.raises(InvalidArgumentError):
            sql_backend.traces.search_traces([exp], filter_string=bad)


def test_workspaces_are_isolated(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    root = fresh_sqlite(request, tmp_path)
    try:
        root.workspaces.create_workspace("team-a")
        team = root.scoped("team-a")
        exp = team.tracking.create_experiment("issues")
        trace = _trace(team, exp, 1)
        issue = team.issues.create_issue(NewIssue(exp, "Theirs", "d", trace_ids=[trace]))
        assert team.issues.get_issue(issue.issue_id).trace_count == 1
        with pytest.raises(NotFoundError):
            root.issues.get_issue(issue.issue_id)
        with pytest.raises(NotFoundError):
            root.issues.update_issue(issue.issue_id, IssueChanges(status="resolved"))
        with pytest.raises(NotFoundError):
            root.issues.link_traces(issue.issue_id, [trace])
        with pytest.raises(NotFoundError):
            root.issues.failing_verdicts(exp)
        assert root.issues.search_issues(IssueQuery()) == []
        assert [i.name for i in team.issues.search_issues(IssueQuery())] == ["Theirs"]
    finally:
        root.close()
