"""Compatibility: our parser against MLflow's own ``SearchUtils`` (mlflow-skinny, dev extra).

Whatever filter MLflow accepts, Ardea must accept with the same meaning; a curated list of
filters MLflow rejects must be rejected too. Known, intended differences: Ardea unescapes a
doubled quote inside strings (``'it''s'`` is ``it's``; MLflow keeps both quotes), rejects
a list value after a comparator other than IN / NOT IN, and rejects a filter of bare ANDs.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ardea._core.errors import InvalidArgumentError
from ardea.store.search import Clause, parse_experiment_filter, parse_run_filter

search_utils = pytest.importorskip("mlflow.utils.search_utils")

_TYPES = {"parameter": "param"}


def _from_mlflow(parsed: list[dict[str, Any]]) -> list[Clause]:
    clauses = []
    for item in parsed:
        entity = _TYPES.get(item["type"], item["type"])
        key = search_utils.SearchUtils.translate_key_alias(item["key"])
        value = item["value"]
        if entity == "metric":
            value = float(value)
        clauses.append(Clause(entity, key, item["comparator"].upper(), value))
    return clauses


RUN_FILTERS = [
    "metrics.acc > 0.5 and params.C = '0.5'",
    "metrics.acc>0.5",
    "metric.acc <= -1.5",
    "metrics.`my metric` != 2",
    'params.lr = "0.01"',
    "parameter.x LIKE 'a%'",
    "params.\"my param\" ilike '%A'",
    "params.x IS NULL",
    "tags.x IS NOT NULL",
    "tags.`mlflow.user` = 'bob'",
    "tags.mlflow.source.type = 'LOCAL'",
    "tag.t != 'x'",
    "attributes.run_id IN ('a', 'b')",
    "run_id NOT IN ('a')",
    "attributes.status = 'FINISHED'",
    "attribute.user_id LIKE 'b%'",
    "attr.artifact_uri != 'x'",
    "run.run_name = 'x'",
    "`run name` = 'x'",
    "attributes.`Run Name` ILIKE 'x'",
    "created >= 5",
    "attributes.start_time < 1700000000000",
    "end_time > 1.5",
    "datasets.name = 'iris'",
    "dataset.digest IN ('a', 'b')",
    "datasets.context NOT IN ('eval')",
    "metrics.a = 1 AND params.b = '2' AND tags.c = '3' AND status = 'RUNNING'",
]


@pytest.mark.parametrize("text", RUN_FILTERS)
def test_same_clauses_as_mlflow(text: str) -> None:
    expected = _from_mlflow(search_utils.SearchUtils.parse_search_filter(text))
    assert parse_run_filter(text) == expected


REJECTED = [
    "metrics.a = 1 OR metrics.b = 2",
    "params.x = y",
    "metrics.a = 'x'",
    "metrics.a LIKE '1'",
    "run_name IN ('a')",
    "status IS NULL",
    "foo = 'a'",
    "datasets.foo = 'a'",
    "start_time = '5'",
    "metricz.a = 1",
    "(metrics.a = 1)",
]


@pytest.mark.parametrize("text", REJECTED)
def test_rejected_like_mlflow(text: str) -> None:
    with pytest.raises(search_utils.MlflowException):
        search_utils.SearchUtils.parse_search_filter(text)
    with pytest.raises(InvalidArgumentError):
        parse_run_filter(text)


def test_experiment_filter_like_mlflow() -> None:
    text = "experiment_id IN ('1','2') and tags.k IS NOT NULL and name LIKE 'a%'"
    expected = _from_mlflow(search_utils.SearchExperimentsUtils.parse_search_filter(text))
    assert parse_experiment_filter(text) == expected


IDENTIFIERS = [
    "metrics.acc", "params.x", "tags.`a.b`", 'tags."k"', "attributes.run_id", "run_name",
    "start_time", "created", "datasets.name", "datasets.context", "status", "end_time",
]  # fmt: skip
OPERATORS = ["=", "!=", ">", ">=", "<=", "LIKE", "ilike", "IN", "NOT IN", "IS NULL", "IS NOT NULL"]
VALUES = ["'a'", '"b"', "1", "-2.5", "('a', 'b')", "x"]


def _mlflow_run() -> Any:
    from mlflow.entities import Run, RunData, RunInfo, RunInputs

    info = RunInfo(
        run_id="r", experiment_id="0", user_id="u", status="RUNNING", start_time=1,
        end_time=None, lifecycle_stage="active", run_name="n", artifact_uri="x",
    )  # fmt: skip
    return Run(info, RunData(), RunInputs(dataset_inputs=[]))


def _mlflow_accepts(text: str) -> list[Clause] | None:
    """MLflow's clauses when its parser and its per-clause validation accept ``text``."""
    try:
        parsed = search_utils.SearchUtils.parse_search_filter(text)
        run = _mlflow_run()
        for clause in parsed:
            search_utils.SearchUtils._does_run_match_clause(run, clause)
    except Exception:
        return None
    return _from_mlflow(parsed)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(IDENTIFIERS), st.sampled_from(OPERATORS), st.sampled_from(VALUES)
        ),
        min_size=1,
        max_size=3,
    )
)
def test_accepts_and_rejects_what_mlflow_does(triples: list[tuple[str, str, str]]) -> None:
    text = " AND ".join(
        f"{ident} {op}" if "NULL" in op else f"{ident} {op} {value}" for ident, op, value in triples
    )
    expected = _mlflow_accepts(text)
    if any(v.startswith("(") and "IN" not in op and "NULL" not in op for _, op, v in triples):
        expected = None  # MLflow lets `run_id = ('a', 'b')` through to SQL; Ardea rejects it.
    if expected is None:
        with pytest.raises(InvalidArgumentError):
            parse_run_filter(text)
    else:
        assert parse_run_filter(text) == expected
