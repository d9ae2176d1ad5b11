"""The registry search vocabularies (MLFLOW-WIRE.md section 4.2)."""

from __future__ import annotations

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.store.search.ast import Clause, OrderBy
from ardea.store.search.parser import parse_filter, parse_order_by
from ardea.store.search.vocabulary import MODEL_VERSIONS, REGISTERED_MODELS


def test_registered_model_filters_and_order() -> None:
    assert parse_filter("name IN ('a', 'b') AND tags.`x.y` ILIKE '%z'", REGISTERED_MODELS) == [
        Clause("attribute", "name", "IN", ("a", "b")),
        Clause("tag", "x.y", "ILIKE", "%z"),
    ]
    assert parse_order_by(["timestamp DESC", "name"], REGISTERED_MODELS) == [
        OrderBy("attribute", "last_updated_timestamp", False),
        OrderBy("attribute", "name", True),
    ]


@pytest.mark.parametrize(
    "bad",
    [
        "run_id = 'x'",
        "tags.t IS NULL",
        "name > 'a'",
        "params.p = 'x'",
        "metrics.m > 1",
        "name = 'a' OR name = 'b'",
    ],
)
def test_registered_model_filter_rejects(bad: str) -> None:
    with pytest.raises(InvalidArgumentError):
        parse_filter(bad, REGISTERED_MODELS)


def test_model_version_filters_and_order() -> None:
    clauses = parse_filter(
        "name = 'm' AND run_id NOT IN ('r') AND source_path LIKE 's3://%' AND version_number > 2",
        MODEL_VERSIONS,
    )
    assert [(c.key, c.comparator, c.value) for c in clauses] == [
        ("name", "=", "m"),
        ("run_id", "NOT IN", ("r",)),
        ("source_path", "LIKE", "s3://%"),
        ("version_number", ">", 2),
    ]
    assert parse_order_by(["version_number DESC"], MODEL_VERSIONS) == [
        OrderBy("attribute", "version_number", False)
    ]


@pytest.mark.parametrize(
    "bad",
    [
        "version_number = '2'",
        "version_number = 1.5",
        "version = 1",
        "tags.t IN ('a')",
        "stage = 'x'",
    ],
)
def test_model_version_filter_rejects(bad: str) -> None:
    with pytest.raises(InvalidArgumentError):
        parse_filter(bad, MODEL_VERSIONS)


def test_order_by_rejects_unknown_and_duplicates() -> None:
    for bad in (["source_path"], ["name", "name DESC"], ["version_number SIDEWAYS"]):
        with pytest.raises(InvalidArgumentError):
            parse_order_by(bad, MODEL_VERSIONS)
