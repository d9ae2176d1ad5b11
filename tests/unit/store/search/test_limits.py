"""The size limits every search parser applies (and the NUL check of filters)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.store.search.limits import MAX_FILTER_CLAUSES, MAX_FILTER_VALUES
from ardea.store.search.parser import (
    parse_experiment_filter,
    parse_experiment_order_by,
    parse_filter,
    parse_logged_model_filter,
    parse_logged_model_order_by,
    parse_order_by,
    parse_run_filter,
    parse_run_order_by,
)
from ardea.store.search.traces import parse_trace_filter, parse_trace_order_by
from ardea.store.search.vocabulary import MODEL_VERSIONS, REGISTERED_MODELS

FILTERS: dict[str, Callable[[str], list[Any]]] = {
    "runs": parse_run_filter,
    "experiments": parse_experiment_filter,
    "logged models": parse_logged_model_filter,
    "traces": parse_trace_filter,
    "registered models": lambda f: parse_filter(f, REGISTERED_MODELS),
    "model versions": lambda f: parse_filter(f, MODEL_VERSIONS),
}


def _tags(count: int) -> str:
    return " and ".join(f"tags.k{i} = 'v'" for i in range(count))


@pytest.mark.parametrize("api", sorted(FILTERS))
def test_clause_cap(api: str) -> None:
    parse = FILTERS[api]
    assert len(parse(_tags(MAX_FILTER_CLAUSES))) == MAX_FILTER_CLAUSES
    with pytest.raises(InvalidArgumentError, match="more than 100 clauses"):
        parse(_tags(MAX_FILTER_CLAUSES + 1))
    with pytest.raises(InvalidArgumentError, match="more than 100 clauses"):
        parse(" and ".join(["tags.k = 'v'"] * (MAX_FILTER_CLAUSES + 1)))  # repeats count


@pytest.mark.parametrize("api", sorted(FILTERS))
def test_nul_in_a_filter_is_refused(api: str) -> None:
    with pytest.raises(InvalidArgumentError, match="NUL"):
        FILTERS[api]("tags.k = 'a\x00b'")


@pytest.mark.parametrize(
    ("parse", "key"),
    [(parse_run_filter, "attributes.run_id"), (parse_trace_filter, "request_id")],
)
def test_in_list_values_cap(parse: Callable[[str], list[Any]], key: str) -> None:
    half = ", ".join(f"'{i}'" for i in range(MAX_FILTER_VALUES // 2))
    assert len(parse(f"{key} IN ({half}) and {key} NOT IN ({half})")) == 2
    with pytest.raises(InvalidArgumentError, match="more than 10000 values"):
        parse(f"{key} IN ({half}) and {key} NOT IN ({half}, 'one more')")


@pytest.mark.parametrize(
    ("parse", "item"),
    [
        (parse_run_order_by, "metrics.m{}"),
        (parse_experiment_order_by, "name"),
        (parse_trace_order_by, "timestamp_ms"),
        (lambda items: parse_order_by(items, REGISTERED_MODELS), "name"),
    ],
)
def test_order_by_cap(parse: Callable[[list[str]], list[Any]], item: str) -> None:
    with pytest.raises(InvalidArgumentError, match="order_by has 21 clauses"):
        parse([item.format(i) for i in range(21)])
    with pytest.raises(InvalidArgumentError, match="NUL"):
        parse(["metrics.a\x00"])


def test_logged_model_order_by_cap_and_nul() -> None:
    with pytest.raises(InvalidArgumentError, match="order_by has 21 clauses"):
        parse_logged_model_order_by([{"field_name": "name"}] * 21)
    with pytest.raises(InvalidArgumentError, match="NUL"):
        parse_logged_model_order_by([{"field_name": "metrics.acc", "dataset_name": "d\x00"}])
