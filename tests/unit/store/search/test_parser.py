"""The MLflow filter / order-by grammar: valid inputs, every error path, and properties."""

from __future__ import annotations

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.store.search import (
    Clause,
    OrderBy,
    parse_experiment_filter,
    parse_experiment_order_by,
    parse_run_filter,
    parse_run_order_by,
)
from ardea.store.search.parser import (
    parse_logged_model_filter,
    parse_logged_model_order_by,
)

# ------------------------------------------------------------------------------ runs: valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, []),
        ("", []),
        ("   \n\t", []),
        ("metrics.acc > 0.5", [Clause("metric", "acc", ">", 0.5)]),
        ("metric.acc>=1", [Clause("metric", "acc", ">=", 1.0)]),
        ("metrics.loss < -1.5e-3", [Clause("metric", "loss", "<", -0.0015)]),
        ("metrics.loss <= .5", [Clause("metric", "loss", "<=", 0.5)]),
        ("metrics.a != 3", [Clause("metric", "a", "!=", 3.0)]),
        ("params.C = '0.5'", [Clause("param", "C", "=", "0.5")]),
        ('param.C = "0.5"', [Clause("param", "C", "=", "0.5")]),
        ("parameter.x != 'y'", [Clause("param", "x", "!=", "y")]),
        ("parameters.x like 'y%'", [Clause("param", "x", "LIKE", "y%")]),
        ("params.x IS NULL", [Clause("param", "x", "IS NULL", None)]),
        ("params.x is  not   null", [Clause("param", "x", "IS NOT NULL", None)]),
        ("tags.`mlflow.user` = 'bob'", [Clause("tag", "mlflow.user", "=", "bob")]),
        ("tag.\"my tag\" ILIKE '%A%'", [Clause("tag", "my tag", "ILIKE", "%A%")]),
        ("`tags`.x = 'y'", [Clause("tag", "x", "=", "y")]),
        ("tags.a.b = 'c'", [Clause("tag", "a.b", "=", "c")]),
        ("tags.my-key/x:y = 'c'", [Clause("tag", "my-key/x:y", "=", "c")]),
        ("tags.x = 'it''s'", [Clause("tag", "x", "=", "it's")]),
        ('tags.x = "say ""hi"""', [Clause("tag", "x", "=", 'say "hi"')]),
        ("tags.x = 'a\\b'", [Clause("tag", "x", "=", "a\\b")]),
        ("tags.x = ''", [Clause("tag", "x", "=", "")]),
        ("tags.x = 'AND OR'", [Clause("tag", "x", "=", "AND OR")]),
        ("Tags.x = 'y'", [Clause("tag", "x", "=", "y")]),
        ("run_name = 'a'", [Clause("attribute", "run_name", "=", "a")]),
        ("attributes.run_name = 'a'", [Clause("attribute", "run_name", "=", "a")]),
        ("attribute.status = 'FINISHED'", [Clause("attribute", "status", "=", "FINISHED")]),
        ("attr.user_id LIKE 'b%'", [Clause("attribute", "user_id", "LIKE", "b%")]),
        ("run.artifact_uri != 'x'", [Clause("attribute", "artifact_uri", "!=", "x")]),
        ("\"run name\" = 'a'", [Clause("attribute", "run_name", "=", "a")]),
        ("attributes.`Run Name` = 'a'", [Clause("attribute", "run_name", "=", "a")]),
        ("created > 5", [Clause("attribute", "start_time", ">", 5)]),
        (
            "attributes.start_time >= 1700000000000",
            [Clause("attribute", "start_time", ">=", 1700000000000)],
        ),
        ("end_time < 1.5", [Clause("attribute", "end_time", "<", 1.5)]),
        ("run_id IN ('a', \"b\")", [Clause("attribute", "run_id", "IN", ("a", "b"))]),
        ("run_id not in ('a')", [Clause("attribute", "run_id", "NOT IN", ("a",))]),
        (
            "attributes.run_id in('a','b' , 'c')",
            [Clause("attribute", "run_id", "IN", ("a", "b", "c"))],
        ),
        ("datasets.name = 'iris'", [Clause("dataset", "name", "=", "iris")]),
        ("dataset.digest IN ('a', 'b')", [Clause("dataset", "digest", "IN", ("a", "b"))]),
        ("datasets.context NOT IN ('eval')", [Clause("dataset", "context", "NOT IN", ("eval",))]),
        (
            "metrics.acc > 0.5 and params.C = '0.5' AND tags.t != 'x'",
            [
                Clause("metric", "acc", ">", 0.5),
                Clause("param", "C", "=", "0.5"),
                Clause("tag", "t", "!=", "x"),
            ],
        ),
        (
            "  metrics.a=1 AnD\nmetrics.b=2  ",
            [Clause("metric", "a", "=", 1.0), Clause("metric", "b", "=", 2.0)],
        ),
    ],
)
def test_run_filter_parses(text: str | None, expected: list[Clause]) -> None:
    assert parse_run_filter(text) == expected


def test_metric_values_are_floats_and_attribute_integers_are_ints() -> None:
    (metric,) = parse_run_filter("metrics.a = 1")
    (attribute,) = parse_run_filter("start_time = 1")
    assert type(metric.value) is float
    assert type(attribute.value) is int


# ---------------------------------------------------------------------------- runs: errors


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("metrics.a = 1 OR metrics.b = 2", "Invalid clause(s) in filter string: 'OR'"),
        ("metrics.a = 1 or metrics.b = 2", "Invalid clause(s) in filter string: 'OR'"),
        ("metrics.a = 1 metrics.b = 2", "Invalid clause(s) in filter string"),
        ("metrics.a = 1; drop table runs", "Invalid clause(s) in filter string: '; drop"),
        ("metrics.a = 1 AND", "Expected an identifier"),
        ("AND metrics.a = 1", "Invalid attribute key 'AND'"),
        ("(metrics.a = 1)", "Parentheses are not supported"),
        ("metrics.a = 1 AND (metrics.b = 2)", "Parentheses are not supported"),
        ("params.x = y", "Expected a quoted string value for param 'x'"),
        ("params.x = 1", "Expected a quoted string value for param 'x'"),
        ("tags.x = y", "Expected a quoted string value for tag 'x'"),
        ("run_name = foo", "Expected a quoted string value for attribute 'run_name'"),
        ("datasets.name = iris", "Expected a quoted string value for dataset 'name'"),
        ("metrics.a = 'x'", "Expected a numeric value for metric 'a'"),
        ("metrics.a = abc", "Expected a numeric value for metric 'a'"),
        ("start_time = '5'", "Expected a numeric value for attribute 'start_time'"),
        ("start_time = 1e400", "out of range"),
        ("start_time = 99999999999999999999", "out of range"),
        ("start_time = " + "9" * 5000, "out of range"),
        ("end_time > -9223372036854775808", "out of range"),
        ("metrics.a LIKE '1'", "Invalid comparator 'LIKE' for metric 'a'"),
        ("metrics.a IS NULL", "Invalid comparator 'IS NULL' for metric 'a'"),
        ("params.a > '1'", "Invalid comparator '>' for param 'a'"),
        ("params.a IN ('1')", "Invalid comparator 'IN' for param 'a'"),
        ("status IS NULL", "Invalid comparator 'IS NULL' for attribute 'status'"),
        ("run_name IN ('a')", "Invalid comparator 'IN' for attribute 'run_name'"),
        ("start_time LIKE '1'", "Invalid comparator 'LIKE' for attribute 'start_time'"),
        ("datasets.name > 'a'", "Invalid comparator '>' for dataset 'name'"),
        ("run_id IN 'a'", "Expected a parenthesised list"),
        ("run_id IN ()", "Expected a quoted string in the value list"),
        ("run_id IN ('a',)", "Expected a quoted string in the value list"),
        ("run_id IN ('a' 'b')", "Expected ',' or ')'"),
        ("run_id IN ('a', 1)", "Expected a quoted string in the value list"),
        ("run_id IN ('a'", "Expected ',' or ')'"),
        ("run_id = ('a')", "only allowed with IN"),
        ("foo = 'a'", "Invalid attribute key 'foo'"),
        ("attributes.lifecycle_stage = 'a'", "Invalid attribute key 'lifecycle_stage'"),
        ("datasets.foo = 'a'", "Invalid dataset key 'foo'"),
        ("metricz.a = 1", "Invalid entity type 'metricz'"),
        ("tags. = 'a'", "Expected an identifier"),
        ("tags.`` = 'a'", "Empty key"),
        ("tags.x <> 'a'", "Invalid comparator '<>'"),
        ("tags.x == 'a'", "Invalid comparator '=='"),
        ("tags.x RLIKE 'a'", "RLIKE"),
        ("tags.x NOT LIKE 'a'", "Invalid comparator 'NOT LIKE'"),
        ("tags.x IS 'a'", "Expected NULL after 'IS'"),
        ("tags.x IS NOT 'a'", "Expected NULL after 'IS NOT'"),
        ("tags.x", "Expected a comparator after 'tags.x'"),
        ("tags.x = 'abc", "Unterminated quoted text"),
        ("tags.`x = 'abc'", "Unterminated quoted text"),
        ("tags.x =", "Expected a value"),
        ("= 'a'", "Expected an identifier"),
        ("metrics.a > 1.2.3", "got '1.2.3'"),
        ("metrics.a > 1abc", "got '1abc'"),
    ],
)
def test_run_filter_errors(text: str, message: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        parse_run_filter(text)
    assert message in str(info.value)


def test_error_quotes_the_whole_filter() -> None:
    with pytest.raises(InvalidArgumentError, match=r"in filter 'params.x = y'"):
        parse_run_filter("params.x = y")


def test_non_string_filter_is_invalid() -> None:
    with pytest.raises(InvalidArgumentError):
        parse_run_filter(5)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- experiments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name = 'a'", [Clause("attribute", "name", "=", "a")]),
        ("attributes.name ILIKE '%A%'", [Clause("attribute", "name", "ILIKE", "%A%")]),
        ("experiment_id IN ('1', '2')", [Clause("attribute", "experiment_id", "IN", ("1", "2"))]),
        ("experiment_id = '1'", [Clause("attribute", "experiment_id", "=", "1")]),
        ("creation_time > 10", [Clause("attribute", "creation_time", ">", 10)]),
        ("last_update_time <= 10", [Clause("attribute", "last_update_time", "<=", 10)]),
        ("tags.k = 'v'", [Clause("tag", "k", "=", "v")]),
        ("tag.k IS NULL", [Clause("tag", "k", "IS NULL", None)]),
        ("tags.`k.x` IS NOT NULL", [Clause("tag", "k.x", "IS NOT NULL", None)]),
    ],
)
def test_experiment_filter_parses(text: str, expected: list[Clause]) -> None:
    assert parse_experiment_filter(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("metrics.a > 1", "Invalid entity type 'metrics'"),
        ("params.a = 'x'", "Invalid entity type 'params'"),
        ("run_name = 'x'", "Invalid attribute key 'run_name'"),
        ("creation_time > 1.5", "Expected an integer value"),
        ("experiment_id LIKE '1%'", "Invalid comparator 'LIKE' for attribute 'experiment_id'"),
        ("experiment_id > '1'", "Invalid comparator '>'"),
        ("name IN ('a')", "Invalid comparator 'IN' for attribute 'name'"),
        ("name IS NULL", "Invalid comparator 'IS NULL' for attribute 'name'"),
        ("tags.k > 'v'", "Invalid comparator '>' for tag 'k'"),
        ("name = 'a' OR name = 'b'", "Invalid clause(s) in filter string: 'OR'"),
    ],
)
def test_experiment_filter_errors(text: str, message: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        parse_experiment_filter(text)
    assert message in str(info.value)


# ---------------------------------------------------------------------------- logged models


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name = 'm'", [Clause("attribute", "name", "=", "m")]),
        ("status IN ('READY')", [Clause("attribute", "status", "IN", ("READY",))]),
        ("model_type != 'x'", [Clause("attribute", "model_type", "!=", "x")]),
        ("source_run_id = 'r'", [Clause("attribute", "source_run_id", "=", "r")]),
        ("model_id LIKE 'm-%'", [Clause("attribute", "model_id", "LIKE", "m-%")]),
        ("creation_time > 5", [Clause("attribute", "creation_timestamp", ">", 5)]),
        ("creation_timestamp > 5", [Clause("attribute", "creation_timestamp", ">", 5)]),
        ("last_updated_time < 5", [Clause("attribute", "last_updated_timestamp", "<", 5)]),
        ("metrics.acc >= 0.9", [Clause("metric", "acc", ">=", 0.9)]),
        ("params.lr = '0.1'", [Clause("param", "lr", "=", "0.1")]),
        ("tags.t ILIKE 'x'", [Clause("tag", "t", "ILIKE", "x")]),
    ],
)
def test_logged_model_filter_parses(text: str, expected: list[Clause]) -> None:
    assert parse_logged_model_filter(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("datasets.name = 'x'", "Invalid entity type 'datasets'"),
        ("params.lr IS NULL", "Invalid comparator 'IS NULL' for param 'lr'"),
        ("run_name = 'x'", "Invalid attribute key 'run_name'"),
        ("metrics.acc = 'x'", "Expected a numeric value"),
    ],
)
def test_logged_model_filter_errors(text: str, message: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        parse_logged_model_filter(text)
    assert message in str(info.value)


# ------------------------------------------------------------------------------------ order by


def test_run_order_by() -> None:
    assert parse_run_order_by(
        [
            "metrics.acc DESC",
            "params.lr",
            "tags.`a b` asc",
            "created desc",
            "attributes.run_name",
            '"end_time"',
        ]
    ) == [
        OrderBy("metric", "acc", False),
        OrderBy("param", "lr", True),
        OrderBy("tag", "a b", True),
        OrderBy("attribute", "start_time", False),
        OrderBy("attribute", "run_name", True),
        OrderBy("attribute", "end_time", True),
    ]
    assert parse_run_order_by(["`metrics.my acc` DESC", '"tags.a.b"']) == [
        OrderBy("metric", "my acc", False),
        OrderBy("tag", "a.b", True),
    ]
    assert parse_run_order_by([]) == []
    assert parse_run_order_by(None) == []


@pytest.mark.parametrize(
    ("order_by", "message"),
    [
        (["metrics.acc DOWN"], "Invalid ordering 'DOWN'"),
        (["metrics.acc DESC extra"], "Unexpected text 'extra'"),
        (["metrics.acc ASC, params.x"], "Unexpected text ', params.x'"),
        ([""], "it is empty"),
        (["datasets.name"], "Invalid entity type 'datasets'"),
        (["lifecycle_stage"], "Invalid attribute key 'lifecycle_stage'"),
        (["metrics.a", "metric.a DESC"], "duplicate fields"),
        (["start_time", "created"], "duplicate fields"),
        ([5], "expected a string"),
        (["metrics.'a'"], "Expected an identifier"),
    ],
)
def test_run_order_by_errors(order_by: list[str], message: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        parse_run_order_by(order_by)
    assert message in str(info.value)


def test_experiment_order_by() -> None:
    assert parse_experiment_order_by(["name", "creation_time DESC", "experiment_id asc"]) == [
        OrderBy("attribute", "name", True),
        OrderBy("attribute", "creation_time", False),
        OrderBy("attribute", "experiment_id", True),
    ]
    assert parse_experiment_order_by(["last_update_time"]) == [
        OrderBy("attribute", "last_update_time", True)
    ]
    for bad in (["tags.x"], ["metrics.a"], ["artifact_location"]):
        with pytest.raises(InvalidArgumentError):
            parse_experiment_order_by(bad)


def test_logged_model_order_by() -> None:
    parsed = parse_logged_model_order_by(
        [
            {"field_name": "metrics.acc", "ascending": False, "dataset_name": "d"},
            {"field_name": "creation_time"},
            {"field_name": "name", "ascending": True, "dataset_digest": ""},
        ]
    )
    assert parsed == [
        OrderBy("metric", "acc", False, "d", None),
        OrderBy("attribute", "creation_timestamp", True),
        OrderBy("attribute", "name", True),
    ]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({}, "field_name"),
        ({"field_name": ""}, "field_name"),
        ({"field_name": "params.x"}, "Invalid entity type 'params'"),
        ({"field_name": "foo"}, "Invalid attribute key 'foo'"),
        ({"field_name": "name", "ascending": "yes"}, "must be a boolean"),
        ({"field_name": "metrics.a", "dataset_digest": "x"}, "dataset_name is also specified"),
        ({"field_name": "metrics.a", "dataset_name": 3}, "must be a string"),
        ({"field_name": "metrics.a b"}, "Unexpected text"),
        ("name", "list of objects"),
    ],
)
def test_logged_model_order_by_errors(item: object, message: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        parse_logged_model_order_by([item])  # type: ignore[list-item]
    assert message in str(info.value)
