"""Long and oversized search filters on every backend (issue 11, Part C, item 2).

Past ``ardea.store.sql._db.filters.group_above`` child-row clauses (4 on SQLite and PostgreSQL,
12 on MariaDB) a filter compiles to one subquery per child table instead of one ``EXISTS``
per clause; these tests use 30 clauses, so every SQL backend (and the server behind REST)
takes that path, and check the answers against the same filter's short, equivalent form.
Beyond the limits of ``ardea.store.search.limits`` (100 clauses, 10,000 IN values, 20
order-by clauses) every search API answers InvalidArgumentError (400), stores unchanged.
"""

from __future__ import annotations

from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Assessment, Metric, Param, RunTag, Span
from ardea.store.backend import Backend
from ardea.store.search.limits import (
    MAX_FILTER_CLAUSES,
    MAX_FILTER_VALUES,
    MAX_ORDER_BY_CLAUSES,
)

LONG = 30


def _and(*clauses: str) -> str:
    return " and ".join(clauses)


def _padding(entity: str, keys: list[str], count: int) -> list[str]:
    """``count`` clauses that hold for every owner having all ``keys``."""
    return [f"{entity}.{keys[i % len(keys)]} != 'never-{i}'" for i in range(count)]


# ------------------------------------------------------------------------------------- runs


@pytest.fixture
def runs(backend: Backend) -> dict[int, str]:
    store = backend.tracking
    out = {}
    for i in range(6):
        run_id = store.create_run("0", start_time=100 + i).info.run_id
        store.log_batch(
            run_id,
            metrics=[Metric("m", float(i), 1, 0), Metric("n", 1.0, 1, 0)],
            params=[Param(f"k{j}", f"v{(i + j) % 3}") for j in range(5)],
            tags=[RunTag("parity", "even" if i % 2 == 0 else "odd"), RunTag("team", "red")],
        )
        out[i] = run_id
    return out


def _run_ids(backend: Backend, filter_string: str) -> list[str]:
    return [r.info.run_id for r in backend.tracking.search_runs(["0"], filter_string)]


def test_a_long_run_filter_answers_like_its_short_form(
    backend: Backend, runs: dict[int, str]
) -> None:
    short = _and(
        "tags.parity = 'even'",
        "metrics.m >= 2",
        "params.k0 LIKE 'v%'",
        "params.absent IS NULL",
        "tags.gone IS NULL",
        "tags.team IS NOT NULL",
    )
    keys = [f"k{j}" for j in range(5)]
    long = _and(
        short,
        *_padding("params", keys, 12),
        *_padding("tags", ["team", "parity"], 6),
        *[f"metrics.n > {-i}" for i in range(6)],
    )
    assert len(long.split(" and ")) == LONG
    expected = [runs[4], runs[2]]  # newest first
    assert _run_ids(backend, short) == expected
    assert _run_ids(backend, long) == expected
    # One clause that no run meets still empties the answer.
    assert _run_ids(backend, _and(long, "params.k1 = 'nope'")) == []
    # Two conditions on one key must hold for the same row.
    assert _run_ids(backend, _and(long, "params.k0 = 'v1'", "params.k0 = 'v2'")) == []


def test_the_clause_cap_for_runs(backend: Backend, runs: dict[int, str]) -> None:
    at_cap = _and(*_padding("params", ["k0"], MAX_FILTER_CLAUSES))
    assert len(_run_ids(backend, at_cap)) == 6
    with pytest.raises(InvalidArgumentError, match="more than 100 clauses"):
        _run_ids(backend, _and(at_cap, "params.k1 = 'v1'"))
    repeated = _and(*["params.k0 = 'v0'"] * (MAX_FILTER_CLAUSES + 1))
    with pytest.raises(InvalidArgumentError, match="more than 100 clauses"):
        _run_ids(backend, repeated)


def test_the_in_list_and_order_by_caps_for_runs(backend: Backend, runs: dict[int, str]) -> None:
    ids = ", ".join(f"'{i:032x}'" for i in range(MAX_FILTER_VALUES))
    ids_at_cap = ", ".join([*(f"'{i:032x}'" for i in range(MAX_FILTER_VALUES - 1)), f"'{runs[1]}'"])
    assert _run_ids(backend, f"attributes.run_id IN ({ids_at_cap})") == [runs[1]]
    with pytest.raises(InvalidArgumentError, match="IN lists have more than 10000 values"):
        _run_ids(backend, f"attributes.run_id IN ({ids}, 'x', 'y')")
    orders = [f"metrics.o{i} DESC" for i in range(MAX_ORDER_BY_CLAUSES + 1)]
    with pytest.raises(InvalidArgumentError, match="order_by has 21 clauses"):
        backend.tracking.search_runs(["0"], order_by=orders)
    assert len(backend.tracking.search_runs(["0"], order_by=orders[:-1])) == 6


def test_oversized_searches_change_nothing(backend: Backend, runs: dict[int, str]) -> None:
    before = list(backend.tracking.search_runs(["0"]))
    with pytest.raises(InvalidArgumentError):
        _run_ids(backend, _and(*_padding("params", ["k0"], MAX_FILTER_CLAUSES + 1)))
    assert list(backend.tracking.search_runs(["0"])) == before


# -------------------------------------------------------------- experiments and logged models


def test_long_experiment_and_logged_model_filters(backend: Backend) -> None:
    store = backend.tracking
    chosen = store.create_experiment("chosen", tags=[("a", "1"), ("b", "2")])
    store.create_experiment("other", tags=[("a", "1")])
    long = _and("tags.b = '2'", *_padding("tags", ["a", "b"], LONG - 1))
    assert [e.experiment_id for e in store.search_experiments(filter_string=long)] == [chosen]
    with pytest.raises(InvalidArgumentError, match="more than 100 clauses"):
        store.search_experiments(filter_string=_and(*_padding("tags", ["a"], 101)))
    with pytest.raises(InvalidArgumentError, match="order_by has 21 clauses"):
        store.search_experiments(order_by=["name"] * 21)

    good = store.create_logged_model(chosen, "good", params=[("p", "1")], tags=[("t", "x")])
    store.create_logged_model(chosen, "bad", params=[("p", "2")], tags=[("t", "x")])
    run_id = store.create_run(chosen).info.run_id
    store.log_batch(run_id, metrics=[Metric("acc", 0.9, 1, 0, model_id=good.model_id)])
    long_models = _and(
        "params.p = '1'",
        "metrics.acc > 0.5",
        *_padding("params", ["p"], 14),
        *_padding("tags", ["t"], 10),
        *[f"metrics.acc > {-i}" for i in range(4)],
    )
    found = store.search_logged_models([chosen], long_models)
    assert [m.model_id for m in found] == [good.model_id]
    with pytest.raises(InvalidArgumentError, match="more than 100 clauses"):
        store.search_logged_models([chosen], _and(*_padding("params", ["p"], 101)))
    with pytest.raises(InvalidArgumentError, match="order_by has 21 clauses"):
        store.search_logged_models([chosen], order_by=[{"field_name": "name"}] * 21)


# -------------------------------------------------------------------------------- traces


def _span(trace: int, span_type: str, **attributes: Any) -> Span:
    return Span(
        trace_id=f"tr-{trace:032x}",
        span_id=f"{trace:016x}",
        parent_span_id=None,
        name=f"root-{trace}",
        span_type=span_type,
        status_code="OK",
        start_time_ns=1_700_000_000_000_000_000 + trace,
        end_time_ns=1_700_000_000_500_000_000,
        attributes=attributes,
    )


def test_long_trace_filters(backend: Backend) -> None:
    traces = backend.traces
    with pytest.raises(InvalidArgumentError, match="more than 100 clauses"):
        traces.search_traces(["0"], _and(*_padding("tags", ["env"], 101)))
    with pytest.raises(InvalidArgumentError, match="order_by has 21 clauses"):
        traces.search_traces(["0"], order_by=["timestamp_ms"] * 21)
    if backend.remote:
        return  # the limits above hold over REST too; spans reach a server only over OTLP
    traces.log_spans("0", [_span(1, "CHAT_MODEL", x="1"), _span(2, "TOOL", x="1")])
    for n in (1, 2):
        trace_id = f"tr-{n:032x}"
        traces.set_trace_tag(trace_id, "env", "prod")
        traces.set_trace_tag(trace_id, "who", f"user-{n}")
    traces.create_assessment(
        Assessment(assessment_id="", trace_id=f"tr-{1:032x}", name="good", kind="feedback",
                   value=True)
    )  # fmt: skip
    long = _and(
        "span.type = 'CHAT_MODEL'",
        "tags.env = 'prod'",
        "feedback.good = 'true'",
        "tags.missing IS NULL",
        *_padding("tags", ["env", "who"], 14),
        *[f"span.name != 'never-{i}'" for i in range(6)],
        *[f"feedback.good != 'never-{i}'" for i in range(6)],
    )
    assert len(long.split(" and ")) == LONG
    found = traces.search_traces(["0"], long)
    assert [t.trace_id for t in found] == ["tr-" + f"{1:032x}"]


# ------------------------------------------------------------------------------ registry


def test_long_registry_filters(backend: Backend) -> None:
    reg = backend.registry
    reg.create_registered_model("good", tags={"a": "1", "b": "2"})
    reg.create_registered_model("other", tags={"a": "1"})
    reg.create_model_version("good", "s3://bucket/good", tags={"a": "1", "b": "2"})
    reg.create_model_version("other", "s3://bucket/other", tags={"a": "1"})
    long = _and("tags.b = '2'", *_padding("tags", ["a", "b"], LONG - 1))
    assert [m.name for m in reg.search_registered_models(long)] == ["good"]
    assert [(v.name, str(v.version)) for v in reg.search_model_versions(long)] == [("good", "1")]
    too_long = _and(*_padding("tags", ["a"], 101))
    with pytest.raises(InvalidArgumentError, match="more than 100 clauses"):
        reg.search_registered_models(too_long)
    with pytest.raises(InvalidArgumentError, match="more than 100 clauses"):
        reg.search_model_versions(too_long)
