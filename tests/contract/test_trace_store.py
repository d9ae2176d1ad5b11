"""The SqlTraceStore contract over SQLite and PostgreSQL: ingest, aggregates, span paging,
search grammar, tags, run links, assessments and deletion."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import Assessment, Span, SpanLink, TraceInfo
from ardea.store.backend import Backend
from ardea.store.sql.traces.store import SqlTraceStore
from fixtures.backends import fresh_sqlite, shared_backend

MS = 1_000_000  # ns per ms
T0 = 1_700_000_000_000  # ms


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A fresh SQL backend (only the Default experiment) on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        local = fresh_sqlite(request, tmp_path)
        yield local
        local.close()
    else:
        yield shared_backend(request, "postgres")


@pytest.fixture
def store(backend: Backend) -> SqlTraceStore:
    """The backend's trace store."""
    assert isinstance(backend.traces, SqlTraceStore)
    return backend.traces


def tid(n: int) -> str:
    return f"tr-{n:032x}"


def sid(n: int) -> str:
    return f"{n:016x}"


def span(
    trace: int,
    n: int,
    parent: int | None = None,
    *,
    name: str | None = None,
    start_ms: int = T0,
    end_ms: int | None = None,
    span_type: str = "UNKNOWN",
    status: str = "OK",
    **attributes: Any,
) -> Span:
    attrs = {k.replace("__", "."): v for k, v in attributes.items()}
    return Span(
        trace_id=tid(trace),
        span_id=sid(n),
        parent_span_id=None if parent is None else sid(parent),
        name=name or f"span-{n}",
        span_type=span_type,
        status_code=status,
        start_time_ns=start_ms * MS,
        end_time_ns=None if end_ms is None else end_ms * MS,
        attributes=attrs,
    )


def usage(tokens_in: int, tokens_out: int) -> dict[str, int]:
    return {"input_tokens": tokens_in, "output_tokens": tokens_out, "total_tokens": 0}


# ------------------------------------------------------------------------------ ingest


def test_session_and_user_from_non_root_spans(store: SqlTraceStore) -> None:
    """A trace without them on its root takes the first a child names; a root's own wins."""
    # trace 1: the children arrive first (one batch each), then a root that names none
    store.log_spans("0", [span(1, 2, 1, **{"session.id": "s-child", "user.id": ""})])
    store.log_spans("0", [span(1, 3, 1, **{"user.id": "u-child", "session.id": "s-later"})])
    store.log_spans("0", [span(1, 1, name="app")])
    info = store.get_trace_info(tid(1))
    assert (info.session_id, info.user_id) == ("s-child", "u-child")
    # trace 2: one batch; the root names its own session, a child only the user
    store.log_spans(
        "0",
        [
            span(2, 2, 1, **{"session.id": "s-child", "user.id": "u-child"}),
            span(2, 1, name="app", **{"session.id": "s-root"}),
        ],
    )
    info = store.get_trace_info(tid(2))
    assert (info.session_id, info.user_id) == ("s-root", "u-child")
    # trace 3: a child after a root that named both changes nothing
    store.log_spans("0", [span(3, 1, name="app", **{"session.id": "s3", "user.id": "u3"})])
    store.log_spans("0", [span(3, 2, 1, **{"session.id": "other", "user.id": "other"})])
    info = store.get_trace_info(tid(3))
    assert (info.session_id, info.user_id) == ("s3", "u3")


def test_spans_before_start_trace(store: SqlTraceStore) -> None:
    store.log_spans(
        "0",
        [
            span(
                1,
                2,
                1,
                start_ms=T0 + 10,
                end_ms=T0 + 90,
                span_type="LLM",
                **{"mlflow.chat.tokenUsage": usage(3, 4), "mlflow.llm.cost": {"total_cost": 0.25}},
            ),
            span(
                1,
                1,
                name="agent",
                start_ms=T0,
                end_ms=T0 + 100,
                span_type="AGENT",
                **{
                    "mlflow.spanInputs": {"q": "hi"},
                    "mlflow.spanOutputs": "x" * 1500,
                    "session.id": "s-1",
                    "user.id": "u-1",
                },
            ),
        ],
    )
    info = store.get_trace_info(tid(1))
    assert (info.name, info.state, info.request_time, info.execution_duration) == (
        "agent",
        "OK",
        T0,
        100,
    )
    assert info.request_preview == '{"q": "hi"}'
    assert info.response_preview == '"' + "x" * 999  # JSON text (a string quoted), cut
    assert (info.session_id, info.user_id, info.span_count) == ("s-1", "u-1", 2)
    assert info.token_usage is not None
    assert (info.token_usage.input_tokens, info.token_usage.output_tokens) == (3, 4)
    assert info.token_usage.total_tokens == 7
    assert info.cost == pytest.approx(0.25)
    assert info.tags == {
        "mlflow.trace.spansLocation": "TRACKING_STORE",
        "mlflow.traceName": "agent",
    }

    returned = store.start_trace(
        TraceInfo(
            trace_id=tid(1),
            experiment_id="0",
            request_time=T0,
            execution_duration=100,
            state="OK",
            request_preview="req",
            response_preview="resp",
            client_request_id="c-1",
            trace_metadata={"mlflow.trace.user": "u-2", "k": "v"},
            tags={"mlflow.traceName": "agent", "team": "a", "mlflow.trace.spansLocation": "X"},
        )
    )
    assert returned.tags["mlflow.trace.spansLocation"] == "TRACKING_STORE"
    assert returned.tags["mlflow.artifactLocation"].endswith(f"/0/traces/{tid(1)}/artifacts")
    assert returned.tags["team"] == "a"
    assert returned.trace_metadata == {"mlflow.trace.user": "u-2", "k": "v"}
    assert (returned.request_preview, returned.response_preview) == ("req", "resp")
    assert (returned.client_request_id, returned.user_id, returned.span_count) == ("c-1", "u-2", 2)
    assert store.get_trace_info(tid(1)) == returned


def test_start_trace_before_spans(store: SqlTraceStore) -> None:
    info = store.start_trace(
        TraceInfo(tid(2), "0", T0, 50, "ERROR", tags={"mlflow.traceName": "given"})
    )
    assert "mlflow.trace.spansLocation" not in info.tags
    assert (info.name, info.state, info.span_count, info.token_usage) == ("given", "ERROR", 0, None)
    store.log_spans(
        "0",
        [
            span(
                2,
                1,
                name="root",
                start_ms=T0,
                end_ms=T0 + 50,
                status="OK",
                **{"mlflow.spanInputs": "question"},
            ),
            span(2, 2, 1, **{"mlflow.chat.tokenUsage": usage(10, 1)}),
        ],
    )
    info = store.get_trace_info(tid(2))
    # The finalized record wins over the spans; gaps are filled from the root span.
    assert (info.name, info.state, info.execution_duration) == ("given", "ERROR", 50)
    assert info.request_preview == '"question"'  # the input's JSON text, as MLflow
    assert info.tags["mlflow.trace.spansLocation"] == "TRACKING_STORE"
    assert info.tags["mlflow.traceName"] == "given"
    assert info.span_count == 2
    assert info.token_usage is not None and info.token_usage.total_tokens == 11


def test_resent_spans_replace_and_in_progress_root_completes(store: SqlTraceStore) -> None:
    store.log_spans(
        "0", [span(3, 1, start_ms=T0), span(3, 2, 1, **{"mlflow.chat.tokenUsage": usage(5, 5)})]
    )
    info = store.get_trace_info(tid(3))
    assert (info.state, info.execution_duration, info.span_count) == ("IN_PROGRESS", None, 2)
    store.log_spans(
        "0",
        [
            span(3, 1, start_ms=T0, end_ms=T0 + 7, name="done"),
            span(3, 2, 1, **{"mlflow.chat.tokenUsage": usage(1, 2)}),
            span(3, 3, 1, **{"mlflow.chat.tokenUsage": usage(100, 0)}),
        ],
    )
    info = store.get_trace_info(tid(3))
    assert (info.state, info.execution_duration, info.name) == ("OK", 7, "done")
    assert info.span_count == 3
    assert info.token_usage is not None
    assert (info.token_usage.input_tokens, info.token_usage.output_tokens) == (101, 2)
    assert len(store.get_trace(tid(3)).spans) == 3
    assert store.get_trace(tid(3)).spans[0].name == "done"


def test_duplicate_spans_in_one_batch_count_once(store: SqlTraceStore) -> None:
    store.log_spans("0", [span(4, 1, name="a"), span(4, 1, name="b")])
    info = store.get_trace_info(tid(4))
    assert (info.span_count, info.name) == (1, "b")


def test_bad_spans_store_nothing(store: SqlTraceStore) -> None:
    with pytest.raises(NotFoundError):
        store.log_spans("12345", [span(5, 1)])
    bad = span(5, 2)
    bad.span_id = "x" * 40
    with pytest.raises(InvalidArgumentError):
        store.log_spans("0", [span(5, 1), bad])
    with pytest.raises(NotFoundError):
        store.get_trace_info(tid(5))


def test_span_attributes_and_events_round_trip(store: SqlTraceStore) -> None:
    from ardea.entities import SpanEvent

    s = span(6, 1, end_ms=T0 + 1, status="ERROR", **{"mlflow.spanInputs": {"a": [1, 2]}})
    s.status_message = "boom"
    s.events = [SpanEvent("exception", T0 * MS, {"exception.type": "ValueError"})]
    store.log_spans("0", [s])
    got = store.get_trace(tid(6)).spans[0]
    assert got == s
    assert store.get_trace_info(tid(6)).state == "ERROR"


def test_concurrent_batches_of_one_trace_add_up(store: SqlTraceStore) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def send(batch: int) -> None:
        store.log_spans(
            "0",
            [
                span(8, 100 + batch * 10 + i, 1, **{"mlflow.chat.tokenUsage": usage(1, 2)})
                for i in range(10)
            ],
        )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(send, range(24)))
    store.log_spans("0", [span(8, 1, name="root", end_ms=T0 + 5)])
    info = store.get_trace_info(tid(8))
    assert info.span_count == 241
    assert info.token_usage is not None
    assert (info.token_usage.input_tokens, info.token_usage.total_tokens) == (240, 720)
    assert info.name == "root"


def test_non_finite_and_nul_values_are_stored_as_strict_json(store: SqlTraceStore) -> None:
    store.log_spans(
        "0",
        [span(9, 1, name="a\x00b", score=float("nan"), big=float("inf"), k="v", z="x\x00y")],
    )
    stored = store.get_trace(tid(9)).spans[0]
    assert stored.attributes == {"score": "nan", "big": "inf", "k": "v", "z": "x\ufffdy"}
    assert stored.name == "a\ufffdb"
    assert ids(store, "span.attributes.k = 'v'") == [9]
    with pytest.raises(InvalidArgumentError):
        store.set_trace_tag(tid(9), "k", "a\x00")


# ------------------------------------------------------------------------------ span paging


def test_get_spans_pages_a_5000_span_trace_by_level(store: SqlTraceStore) -> None:
    spans = [span(7, 1, start_ms=T0, end_ms=T0 + 10_000)]
    n = 2
    for child in range(50):
        child_id = n
        spans.append(span(7, child_id, 1, start_ms=T0 + 1 + child))
        n += 1
        for leaf in range(99):
            spans.append(span(7, n, child_id, start_ms=T0 + 100 + leaf))
            n += 1
    assert len(spans) == 5001
    for k in range(0, len(spans), 1000):
        store.log_spans("0", spans[k : k + 1000])
    assert store.get_trace_info(tid(7)).span_count == 5001

    roots = store.get_spans(tid(7), roots_only=True)
    assert [s.span_id for s in roots] == [sid(1)] and roots.token is None

    children: list[str] = []
    token = None
    pages = 0
    while True:
        page = store.get_spans(tid(7), sid(1), max_results=20, page_token=token)
        children += [s.span_id for s in page]
        pages += 1
        token = page.token
        if token is None:
            break
    assert pages == 3
    assert children == [sid(2 + 100 * i) for i in range(50)]  # start-time order

    leaves = store.get_spans(tid(7), sid(2), max_results=1000)
    assert [s.span_id for s in leaves] == [sid(3 + i) for i in range(99)]

    total = 0
    token = None
    while True:
        page = store.get_spans(tid(7), max_results=1000, page_token=token)
        total += len(page)
        token = page.token
        if token is None:
            break
    assert total == 5001
    with pytest.raises(NotFoundError):
        store.get_spans(tid(999))
    with pytest.raises(InvalidArgumentError):
        store.get_spans(tid(7), max_results=0)


# ------------------------------------------------------------------------------ search


@pytest.fixture
def corpus(store: SqlTraceStore, tracking_store: Any) -> dict[str, Any]:
    """Five traces in experiment 0 and one elsewhere, with varied attributes."""
    other = tracking_store.create_experiment("other")
    plan = [
        # n, start, duration, status, name, session, user, span type, tokens, cost
        (1, T0 + 1000, 10, "OK", "chat", "s-a", "alice", "CHAT_MODEL", (10, 5), 0.1),
        (2, T0 + 2000, 20, "ERROR", "chat", "s-a", "bob", "TOOL", (1, 1), None),
        (3, T0 + 3000, 30, "OK", "retrieve", "s-b", "alice", "RETRIEVER", None, None),
        (4, T0 + 4000, 40, "OK", "agent-run", None, None, "CHAT_MODEL", (100, 50), 2.0),
        (5, T0 + 5000, None, "IN_PROGRESS", "agent-run", "s-b", "carol", "LLM", (0, 0), None),
    ]
    for n, start, duration, status, name, session, user, child_type, tokens, cost in plan:
        root_attrs: dict[str, Any] = {"mlflow.spanInputs": f"question {n}"}
        if session:
            root_attrs["session.id"] = session
        if user:
            root_attrs["user.id"] = user
        child_attrs: dict[str, Any] = {"model.tier": "gold" if n % 2 else "silver"}
        if tokens:
            child_attrs["mlflow.chat.tokenUsage"] = usage(*tokens)
        if cost is not None:
            child_attrs["mlflow.llm.cost"] = {"total_cost": cost}
        end = None if duration is None else start + duration
        store.log_spans(
            "0",
            [
                span(
                    n,
                    1,
                    name=name,
                    start_ms=start,
                    end_ms=end,
                    status="ERROR" if status == "ERROR" else ("OK" if end else "UNSET"),
                    **root_attrs,
                ),
                span(
                    n,
                    2,
                    1,
                    name=f"{child_type.lower()}-call",
                    span_type=child_type,
                    start_ms=start + 1,
                    status="ERROR" if n == 2 else "OK",
                    **child_attrs,
                ),
            ],
        )
        store.start_trace(
            TraceInfo(
                tid(n),
                "0",
                start,
                duration,
                status,
                client_request_id=f"c-{n}",
                tags={"mlflow.traceName": name, "env": "prod" if n < 4 else "dev"},
                trace_metadata={"source": f"app{n % 2}"},
            )
        )
    store.log_spans(other, [span(9, 1, name="chat", start_ms=T0 + 9000, end_ms=T0 + 9001)])
    return {"other": other}


def ids(store: SqlTraceStore, filter_string: str | None = None, **kw: Any) -> list[int]:
    found = store.search_traces(["0"], filter_string, **kw)
    return [int(i.trace_id[3:], 16) for i in found]


SEARCHES = [
    (None, [5, 4, 3, 2, 1]),
    ("status = 'OK'", [4, 3, 1]),
    ("attributes.status != 'OK'", [5, 2]),
    ("trace.status IN ('ERROR', 'IN_PROGRESS')", [5, 2]),
    ("name = 'chat'", [2, 1]),
    ("name LIKE 'agent%'", [5, 4]),
    ("name ILIKE 'CHAT'", [2, 1]),
    ("name RLIKE '^re.*e$'", [3]),
    ("name IN ('retrieve', 'chat')", [3, 2, 1]),
    (f"timestamp_ms > {T0 + 2000}", [5, 4, 3]),
    (f"timestamp >= {T0 + 2000} AND timestamp_ms < {T0 + 4000}", [3, 2]),
    ("execution_time_ms >= 30", [4, 3]),
    (f"end_time_ms = {T0 + 2020}", [2]),
    (f"request_id = '{tid(3)}'", [3]),
    (f"request_id IN ('{tid(1)}', '{tid(4)}')", [4, 1]),
    ("client_request_id = 'c-2'", [2]),
    ("tags.env = 'dev'", [5, 4]),
    ("tag.env != 'dev'", [3, 2, 1]),
    ("tags.env LIKE 'pr%'", [3, 2, 1]),
    ("tags.missing IS NULL", [5, 4, 3, 2, 1]),
    ("tags.env IS NOT NULL AND tags.env RLIKE 'de'", [5, 4]),
    ("metadata.source = 'app1'", [5, 3, 1]),
    ("request_metadata.source IN ('app0')", [4, 2]),
    ("span.type = 'CHAT_MODEL'", [4, 1]),
    ("span.type IN ('TOOL', 'RETRIEVER')", [3, 2]),
    ("span.name = 'tool-call'", [2]),
    ("span.name LIKE '%model-call'", [4, 1]),
    ("span.status = 'ERROR'", [2]),
    ("span.status = 'STATUS_CODE_ERROR'", [2]),
    ("span.attributes.model.tier = 'gold'", [5, 3, 1]),
    ("span.attributes.`model.tier` LIKE 'sil%'", [4, 2]),
    ("session = 's-a'", [2, 1]),
    ("session_id IS NULL", [4]),
    ("user = 'alice'", [3, 1]),
    ("user_id IN ('bob', 'carol')", [5, 2]),
    ("input_tokens > 5", [4, 1]),
    ("output_tokens <= 1", [5, 2]),
    ("total_tokens = 150", [4]),
    ("cost >= 0.1", [4, 1]),
    ("cost < 1", [1]),
    ("span.type = 'CHAT_MODEL' AND tags.env = 'prod' AND user = 'alice'", [1]),
    ("text LIKE '%question 3%'", [3]),
    ("span.content ILIKE '%TOOL-CALL%'", [2]),
]


@pytest.mark.parametrize(("filter_string", "expected"), SEARCHES)
def test_search_grammar(
    store: SqlTraceStore, corpus: dict[str, Any], filter_string: str | None, expected: list[int]
) -> None:
    assert ids(store, filter_string) == expected


ORDERS = [
    (["timestamp_ms ASC"], [1, 2, 3, 4, 5]),
    (["execution_time DESC"], [4, 3, 2, 1, 5]),  # NULL last
    (["name ASC"], [5, 4, 2, 1, 3]),  # ties: timestamp DESC
    (["status", "request_id DESC"], [2, 5, 4, 3, 1]),
    (["attributes.total_tokens DESC"], [4, 1, 2, 5, 3]),
    (["cost"], [1, 4, 5, 3, 2]),
]


@pytest.mark.parametrize(("order_by", "expected"), ORDERS)
def test_search_order_by(
    store: SqlTraceStore, corpus: dict[str, Any], order_by: list[str], expected: list[int]
) -> None:
    assert ids(store, order_by=order_by) == expected


def test_search_pages_and_experiments(store: SqlTraceStore, corpus: dict[str, Any]) -> None:
    seen: list[str] = []
    token = None
    while True:
        page = store.search_traces(["0"], max_results=2, page_token=token)
        seen += [i.trace_id for i in page]
        token = page.token
        if token is None:
            break
        assert len(page) == 2
    assert seen == [tid(n) for n in (5, 4, 3, 2, 1)]
    both = store.search_traces(["0", corpus["other"]], "name = 'chat'")
    assert [i.trace_id for i in both] == [tid(9), tid(2), tid(1)]
    assert store.search_traces(["777"]) == []
    first = store.search_traces(["0"], "status = 'OK'")[0]
    assert first.tags["env"] == "dev" and first.trace_metadata == {"source": "app0"}


BAD_FILTERS = [
    "status = 'DONE'",
    "status > 5",
    "bogus = 'x'",
    "timestamp_ms = 'x'",
    "cost LIKE '1%'",
    "tags.env = prod",
    "name = 'a' OR name = 'b'",
    "span.color = 'red'",
    "span.type > 'A'",
    "name RLIKE '('",
    "foo.bar = 'x'",
    "tags.env IN 'x'",
    "feedback.correct >= 'x'",
    "(name = 'a')",
    "name",
    "text = 'x'",
    "span.content = 'x'",
]


@pytest.mark.parametrize("filter_string", BAD_FILTERS)
def test_bad_filters_are_invalid_arguments(store: SqlTraceStore, filter_string: str) -> None:
    with pytest.raises(InvalidArgumentError):
        store.search_traces(["0"], filter_string)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"order_by": ["bogus"]},
        {"order_by": ["name UP"]},
        {"order_by": ["name", "name DESC"]},
        {"max_results": 0},
        {"max_results": 501},
        {"page_token": "not-base64!"},
        {"experiment_ids": ["abc"]},
    ],
)
def test_bad_search_arguments(store: SqlTraceStore, kwargs: dict[str, Any]) -> None:
    kwargs = dict(kwargs)  # parametrized dicts are shared between backends
    experiment_ids = kwargs.pop("experiment_ids", ["0"])
    with pytest.raises(InvalidArgumentError):
        store.search_traces(experiment_ids, **kwargs)


# ------------------------------------------------------------------------------ tags, runs


def test_tags(store: SqlTraceStore) -> None:
    store.log_spans("0", [span(10, 1, name="first", end_ms=T0 + 1)])
    store.set_trace_tag(tid(10), "k", "v")
    store.set_trace_tag(tid(10), "mlflow.traceName", "renamed")
    info = store.get_trace_info(tid(10))
    assert info.tags["k"] == "v" and info.name == "renamed"
    assert ids(store, "name = 'renamed'") == [10]
    store.delete_trace_tag(tid(10), "k")
    assert "k" not in store.get_trace_info(tid(10)).tags
    with pytest.raises(NotFoundError):
        store.delete_trace_tag(tid(10), "k")
    with pytest.raises(NotFoundError):
        store.set_trace_tag(tid(11), "k", "v")
    with pytest.raises(InvalidArgumentError):
        store.set_trace_tag(tid(10), "mlflow.trace.spansLocation", "ARTIFACT_REPO")
    with pytest.raises(InvalidArgumentError):
        store.set_trace_tag(tid(10), "", "v")
    with pytest.raises(InvalidArgumentError):
        store.set_trace_tag(tid(10), "big", "x" * 8001)
    assert store.get_trace_info(tid(10)).tags["mlflow.trace.spansLocation"] == "TRACKING_STORE"


def test_link_traces_to_run(store: SqlTraceStore, tracking_store: Any) -> None:
    run = tracking_store.create_run("0", run_name="r")
    store.log_spans("0", [span(12, 1), span(13, 1)])
    store.link_traces_to_run([tid(12), tid(13)], run.info.run_id)
    info = store.get_trace_info(tid(12))
    assert info.run_id == run.info.run_id
    assert info.trace_metadata["mlflow.sourceRun"] == run.info.run_id
    assert ids(store, f"run_id = '{run.info.run_id}'") == [12, 13]  # tie: id ASC
    with pytest.raises(NotFoundError):
        store.link_traces_to_run([tid(12)], "0" * 32)
    store.link_traces_to_run([tid(14)], run.info.run_id)  # not stored yet: linked on arrival
    store.log_spans("0", [span(14, 1)])
    assert store.get_trace_info(tid(14)).run_id == run.info.run_id
    with pytest.raises(InvalidArgumentError):
        store.link_traces_to_run([tid(n) for n in range(101)], run.info.run_id)


# ------------------------------------------------------------------------------ assessments


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlTraceStore]:
    """The trace store of a fresh SQL backend on SQLite, PostgreSQL and MySQL."""
    if request.param == "sqlite":
        local = fresh_sqlite(request, tmp_path)
        assert isinstance(local.traces, SqlTraceStore)
        yield local.traces
        local.close()
    else:
        shared = shared_backend(request, request.param)
        assert isinstance(shared.traces, SqlTraceStore)
        yield shared.traces


def test_span_kinds_and_links_are_stored(any_store: SqlTraceStore) -> None:
    store = any_store
    linked = span(25, 1, end_ms=T0 + 3)
    linked.kind = "PRODUCER"
    linked.links = [
        SpanLink(tid(26), sid(7), {"reason": "fan-out", "n": 2}),
        SpanLink(tid(25), sid(2)),
    ]
    plain = span(25, 2, 1, end_ms=T0 + 2)
    store.log_spans("0", [linked, plain])
    got = {s.span_id: s for s in store.get_trace(tid(25)).spans}
    assert (got[sid(1)].kind, got[sid(1)].links) == ("PRODUCER", linked.links)
    assert (got[sid(2)].kind, got[sid(2)].links) == ("INTERNAL", [])
    page = store.get_spans(tid(25), roots_only=True)
    assert [(s.kind, s.links) for s in page] == [("PRODUCER", linked.links)]


def test_assessments_of_one_millisecond_keep_their_creation_order(
    any_store: SqlTraceStore,
) -> None:
    """Clients stamp ``create_time`` in ms; a quick client logs several in one ms (MLflow's
    ``test_multiple_assessments_on_otel_trace``): they come back in the order logged."""
    store = any_store
    store.log_spans("0", [span(24, 1, end_ms=T0 + 1)])
    names = ["expected_quality", "accuracy", "clarity", "helpfulness", "contains_errors"]
    for name in names:
        kind = "expectation" if name == "expected_quality" else "feedback"
        store.create_assessment(Assessment("", tid(24), name, kind, value=1, create_time=T0))
    later = store.create_assessment(
        Assessment("", tid(24), "later", "feedback", create_time=T0 + 1)
    )
    store.create_assessment(Assessment("", tid(24), "earlier", "feedback", create_time=T0 - 1))
    got = [a.name for a in store.get_trace_info(tid(24)).assessments]
    assert got == ["earlier", *names, later.name]
    (trace,) = store.batch_get_traces([tid(24)])
    assert [a.name for a in trace.info.assessments] == got


def test_assessments_crud_and_overrides(store: SqlTraceStore) -> None:
    store.log_spans("0", [span(20, 1, end_ms=T0 + 1)])
    first = store.create_assessment(
        Assessment(
            "",
            tid(20),
            "correct",
            "feedback",
            value=True,
            rationale="looks right",
            metadata={"a": "1"},
            span_id=sid(1),
        )
    )
    assert first.assessment_id.startswith("a-") and len(first.assessment_id) == 34
    assert first.create_time > 0 and first.valid
    assert store.get_assessment(tid(20), first.assessment_id) == first
    expectation = store.create_assessment(
        Assessment("", tid(20), "expected", "expectation", value={"answer": [1, 2]})
    )
    assert store.get_assessment(tid(20), expectation.assessment_id).value == {"answer": [1, 2]}

    override = store.create_assessment(
        Assessment("", tid(20), "correct", "feedback", value=False, overrides=first.assessment_id)
    )
    assert store.get_assessment(tid(20), first.assessment_id).valid is False
    info = store.get_trace_info(tid(20))
    assert {a.assessment_id for a in info.assessments} == {
        first.assessment_id,
        expectation.assessment_id,
        override.assessment_id,
    }
    assert ids(store, "feedback.correct = 'false'") == [20]
    assert ids(store, "feedback.correct = 'true'") == []  # the overridden one is invalid
    assert ids(store, "expectation.expected IS NOT NULL") == [20]
    assert ids(store, "feedback.missing IS NULL") == [20]

    updated = store.update_assessment(
        tid(20), override.assessment_id, {"rationale": "why", "metadata": {"b": "2"}, "value": 0.5}
    )
    assert (updated.rationale, updated.value, updated.metadata) == ("why", 0.5, {"b": "2"})
    assert ids(store, "feedback.correct > 0.4") == [20]
    assert ids(store, "feedback.correct > 0.6") == []
    with pytest.raises(InvalidArgumentError):
        store.update_assessment(tid(20), override.assessment_id, {"kind": "expectation"})
    assert store.get_assessment(tid(20), override.assessment_id) == updated

    store.delete_assessment(tid(20), override.assessment_id)
    assert store.get_assessment(tid(20), first.assessment_id).valid is True
    with pytest.raises(NotFoundError):
        store.get_assessment(tid(20), override.assessment_id)
    with pytest.raises(NotFoundError):
        store.delete_assessment(tid(20), override.assessment_id)
    with pytest.raises(NotFoundError):
        store.create_assessment(Assessment("", tid(21), "x", "feedback", value=1))
    with pytest.raises(InvalidArgumentError):
        store.create_assessment(Assessment("", tid(20), "x", "opinion", value=1))
    with pytest.raises(NotFoundError):
        store.create_assessment(
            Assessment("", tid(20), "x", "feedback", value=1, overrides="a-" + "0" * 32)
        )


# ------------------------------------------------------------------------------ deletion, reads


def test_delete_traces_by_ids_and_by_age(store: SqlTraceStore) -> None:
    for n in range(30, 36):
        store.log_spans("0", [span(n, 1, start_ms=T0 + n, end_ms=T0 + n + 1), span(n, 2, 1)])
    store.create_assessment(Assessment("", tid(30), "x", "feedback", value=1))
    assert store.delete_traces("0", trace_ids=[tid(30), tid(31), tid(99)]) == 2
    with pytest.raises(NotFoundError):
        store.get_trace(tid(30))
    assert store.delete_traces("0", max_timestamp_millis=T0 + 34, max_traces=2) == 2
    assert ids(store) == [35, 34]
    assert store.delete_traces("0", max_timestamp_millis=T0 + 100) == 2
    assert ids(store) == []
    with pytest.raises(InvalidArgumentError):
        store.delete_traces("0")
    with pytest.raises(InvalidArgumentError):
        store.delete_traces("0", max_timestamp_millis=1, trace_ids=[tid(1)])


def test_batch_get_traces(store: SqlTraceStore) -> None:
    store.log_spans("0", [span(40, 1), span(40, 2, 1), span(41, 1)])
    traces = store.batch_get_traces([tid(41), tid(42), tid(40)])
    assert [t.info.trace_id for t in traces] == [tid(41), tid(40)]
    assert [len(t.spans) for t in traces] == [1, 2]
    infos = store.get_trace_infos([tid(40), tid(42), tid(41), tid(40)])
    assert [i.trace_id for i in infos] == [tid(40), tid(41)]
    assert infos[0] == traces[1].info
    with pytest.raises(NotFoundError):
        store.get_trace(tid(42))
    with pytest.raises(NotFoundError):
        store.get_trace_info(tid(42))


def test_the_backend_owns_the_database_its_trace_store_shares(tmp_path: Path) -> None:
    from ardea.store.sql.backend import open_sql_backend

    uri = f"sqlite:///{tmp_path / 'own.db'}"
    backend = open_sql_backend(uri)
    traces = backend.traces
    assert isinstance(traces, SqlTraceStore)
    traces.log_spans("0", [span(50, 1, name="kept", end_ms=T0 + 1)])
    traces.close()  # the store shares the database: closing it closes nothing
    assert not traces.database.closed
    backend.close()
    assert traces.database.closed and backend.closed
    again = open_sql_backend(uri)
    assert again.traces.get_trace_info(tid(50)).name == "kept"
    again.close()


# ------------------------------------------------------------------- span-carried records


def test_span_carried_records_fill_gaps_but_never_override_start_trace(
    store: SqlTraceStore,
) -> None:
    """``log_spans_with_records_async``: one write; a StartTraceV3 record wins, gaps get filled."""
    import asyncio
    import dataclasses

    carried = TraceInfo(
        trace_id=tid(70),
        experiment_id="0",
        request_time=T0,
        execution_duration=5,
        state="OK",
        request_preview="from span",
        tags={"env": "span", "only_span": "1"},
        trace_metadata={"mlflow.trace.user": "span-user"},
        name="root",
    )
    # No record stored yet: the carried one is stored as is.
    asyncio.run(store.log_spans_with_records_async("0", [span(70, 1, end_ms=T0 + 5)], [carried]))
    first = store.get_trace_info(tid(70))
    assert first.tags["env"] == "span" and first.request_preview == "from span"
    # A client's StartTraceV3 record for another trace comes first ...
    client = TraceInfo(
        trace_id=tid(71),
        experiment_id="0",
        request_time=T0,
        execution_duration=9,
        state="ERROR",
        tags={"env": "client"},
        trace_metadata={"mlflow.trace.user": "client-user"},
    )
    store.start_trace(client)
    # ... then the spans with their record: only missing keys and empty columns are added.
    late = dataclasses.replace(carried, trace_id=tid(71))
    asyncio.run(store.log_spans_with_records_async("0", [span(71, 1, end_ms=T0 + 5)], [late]))
    merged = store.get_trace_info(tid(71))
    assert merged.tags["env"] == "client" and merged.tags["only_span"] == "1"
    assert merged.trace_metadata["mlflow.trace.user"] == "client-user"
    assert (merged.state, merged.execution_duration) == ("ERROR", 9)
    assert merged.request_preview == "from span"
    # A record that fails validation is skipped; its spans are still stored.
    bad = TraceInfo(trace_id=tid(72), experiment_id="0", request_time=T0, tags={"": "x"})
    asyncio.run(store.log_spans_with_records_async("0", [span(72, 1, end_ms=T0 + 1)], [bad]))
    assert store.get_trace_info(tid(72)).span_count == 1


def test_create_assessments_in_bulk_all_or_nothing(any_store: SqlTraceStore) -> None:
    """``create_assessments`` (evaluations log thousands): one transaction on SQL stores."""
    store = any_store
    store.log_spans("0", [span(27, 1, end_ms=T0 + 1)])
    batch = [
        Assessment("", tid(27), f"s{i}", "feedback", value=i, metadata={"k": "v"})
        for i in range(50)
    ]
    batch.append(Assessment("", tid(27), "expected", "expectation", value={"a": 1}))
    stored = store.create_assessments(batch)
    assert len({a.assessment_id for a in stored}) == 51
    got = {a.name: a for a in store.get_trace_info(tid(27)).assessments}
    assert got["s7"].value == 7 and got["s7"].metadata == {"k": "v"}
    assert got["expected"].kind == "expectation"
    with pytest.raises(NotFoundError):
        store.create_assessments(
            [
                Assessment("", tid(27), "late", "feedback", value=1),
                Assessment("", tid(28), "nowhere", "feedback", value=1),
            ]
        )
    names = {a.name for a in store.get_trace_info(tid(27)).assessments}
    if store.bulk_assessments:
        assert "late" not in names
    assert store.create_assessments([]) == []
