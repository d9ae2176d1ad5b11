"""The generic MLflow request parser: types, required fields, aliases, GET quirks."""

from __future__ import annotations

import math

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.api import mlflow_requests as rq

JSON = "application/json"


def body(spec: rq.RequestSpec, raw: bytes, content_type: str | None = JSON) -> dict:
    return rq.parse_body(spec, raw, content_type)


def test_json_body_with_defaults_and_unknown_fields() -> None:
    out = body(rq.LOG_METRIC, b'{"run_id": "r", "key": "k", "value": 1, "timestamp": 5, "x": 1}')
    assert out == {
        "run_id": "r",
        "key": "k",
        "value": 1.0,
        "timestamp": 5,
        "step": None,
        "model_id": None,
        "dataset_name": None,
        "dataset_digest": None,
    }


@pytest.mark.parametrize("ct", [None, "", "text/plain", "application/x-www-form-urlencoded"])
def test_content_type_must_be_json(ct: str | None) -> None:
    with pytest.raises(
        InvalidArgumentError, match=r"Content-Type must be one of \['application/json'\]"
    ):
        body(rq.GET_RUN, b'{"run_id": "x"}', ct)


def test_json_content_type_with_charset_is_fine() -> None:
    assert body(rq.GET_RUN, b'{"run_id": "x"}', "application/json; charset=utf-8")["run_id"] == "x"


@pytest.mark.parametrize("raw", [b"{", b"[]", b"1", b'"x"', b"\xff\xfe"])
def test_invalid_or_non_object_json(raw: bytes) -> None:
    with pytest.raises(InvalidArgumentError):
        body(rq.GET_RUN, raw)


def test_empty_body_is_an_empty_object() -> None:
    with pytest.raises(InvalidArgumentError, match="Missing value for required parameter 'run_id'"):
        body(rq.DELETE_RUN, b"")


@pytest.mark.parametrize("value", [None, ""])
def test_required_rejects_null_and_empty(value: object) -> None:
    import json

    with pytest.raises(InvalidArgumentError) as exc:
        body(rq.DELETE_RUN, json.dumps({"run_id": value}).encode())
    assert str(exc.value) == (
        "Missing value for required parameter 'run_id'. "
        "See the API docs for more information about request parameters."
    )


def test_run_uuid_is_an_alias_of_run_id() -> None:
    assert body(rq.GET_RUN, b'{"run_uuid": "u"}')["run_id"] == "u"
    assert body(rq.GET_RUN, b'{"run_id": "a", "run_uuid": "u"}')["run_id"] == "a"
    assert rq.parse_query(rq.GET_RUN, [("run_uuid", "u")])["run_id"] == "u"
    assert rq.parse_query(rq.GET_RUN, [("run_id", "a"), ("run_uuid", "a")])["run_id"] == "a"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(5, 5), ("5", 5), ("-3", -3), (7.0, 7), ("9223372036854775807", 2**63 - 1)],
)
def test_int64_accepts_numbers_and_numeric_strings(raw: object, expected: int) -> None:
    out = rq.parse_dict(rq.LOG_METRIC, {"run_id": "r", "key": "k", "value": 1, "timestamp": raw})
    assert out["timestamp"] == expected


@pytest.mark.parametrize("raw", [True, 1.5, "1.5", "abc", [], {}, "9223372036854775808"])
def test_int64_rejects_everything_else(raw: object) -> None:
    with pytest.raises(InvalidArgumentError, match="'timestamp'"):
        rq.parse_dict(rq.LOG_METRIC, {"run_id": "r", "key": "k", "value": 1, "timestamp": raw})


@pytest.mark.parametrize(
    ("raw", "check"),
    [
        ("NaN", math.isnan),
        ("Infinity", lambda v: v == math.inf),
        ("-Infinity", lambda v: v == -math.inf),
        (2, lambda v: v == 2.0 and isinstance(v, float)),
        ("2.5", lambda v: v == 2.5),
        (1e308, lambda v: v == 1e308),
    ],
)
def test_doubles(raw: object, check: object) -> None:
    value = rq.parse_dict(rq.LOG_METRIC, {"run_id": "r", "key": "k", "value": raw, "timestamp": 1})[
        "value"
    ]
    assert check(value)  # type: ignore[operator]


@pytest.mark.parametrize("raw", [True, "abc", "nan", "inf", None, [1]])
def test_bad_doubles(raw: object) -> None:
    with pytest.raises(InvalidArgumentError, match="'value'"):
        rq.parse_dict(rq.LOG_METRIC, {"run_id": "r", "key": "k", "value": raw, "timestamp": 1})


def test_strings_reject_non_strings_including_integers() -> None:
    assert rq.parse_dict(rq.GET_EXPERIMENT, {"experiment_id": "3"})["experiment_id"] == "3"
    for bad in (3, True, 1.5, [], {}):  # MLflow (protobuf) refuses a number for a string too
        with pytest.raises(InvalidArgumentError, match="'experiment_id'"):
            rq.parse_dict(rq.GET_EXPERIMENT, {"experiment_id": bad})


def test_enums_by_name_or_number() -> None:
    parse = lambda v: rq.parse_dict(rq.UPDATE_RUN, {"run_id": "r", "status": v})["status"]  # noqa: E731
    assert parse("FINISHED") == "FINISHED"
    assert parse(4) == "FAILED"
    assert parse("5") == "KILLED"
    for bad in ("finished", 9, True):
        with pytest.raises(InvalidArgumentError, match="status"):
            parse(bad)


def test_nested_messages_and_paths_in_errors() -> None:
    out = rq.parse_dict(
        rq.LOG_BATCH,
        {"run_id": "r", "metrics": [{"key": "a", "value": "NaN", "timestamp": "1"}]},
    )
    assert out["metrics"][0]["timestamp"] == 1 and math.isnan(out["metrics"][0]["value"])
    assert out["params"] == [] and out["tags"] == []
    with pytest.raises(InvalidArgumentError, match=r"'metrics\[1\].key'"):
        rq.parse_dict(
            rq.LOG_BATCH,
            {
                "run_id": "r",
                "metrics": [{"key": "a", "value": 1, "timestamp": 1}, {"value": 1, "timestamp": 1}],
            },
        )
    with pytest.raises(InvalidArgumentError, match="'tags'"):
        rq.parse_dict(rq.LOG_BATCH, {"run_id": "r", "tags": {"key": "x"}})
    with pytest.raises(InvalidArgumentError, match=r"'tags\[0\]'"):
        rq.parse_dict(rq.LOG_BATCH, {"run_id": "r", "tags": ["x"]})


def test_query_repeated_keys_and_first_scalar_wins() -> None:
    out = rq.parse_query(
        rq.SEARCH_RUNS,
        [
            ("experiment_ids", "1"),
            ("experiment_ids", "2"),
            ("max_results", "10"),
            ("max_results", "20"),
            ("order_by", "a"),
        ],
    )
    assert out["experiment_ids"] == ["1", "2"]
    assert out["max_results"] == 10
    assert out["order_by"] == ["a"]
    assert out["filter"] is None


@pytest.mark.parametrize(("text", "expected"), [("True", True), ("false", False), ("TRUE", True)])
def test_query_booleans_case_insensitive(text: str, expected: bool) -> None:
    assert (
        rq.parse_query(rq.GET_LOGGED_MODEL, [("allow_deleted", text)])["allow_deleted"] is expected
    )


def test_query_bad_values() -> None:
    with pytest.raises(InvalidArgumentError, match="allow_deleted"):
        rq.parse_query(rq.GET_LOGGED_MODEL, [("allow_deleted", "yes")])
    with pytest.raises(InvalidArgumentError, match="max_results"):
        rq.parse_query(rq.SEARCH_RUNS, [("max_results", "ten")])
    with pytest.raises(
        InvalidArgumentError, match="Missing value for required parameter 'run_ids'"
    ):
        rq.parse_query(rq.GET_METRIC_HISTORY_BULK_INTERVAL, [("metric_key", "k")])
    with pytest.raises(InvalidArgumentError, match="query parameter"):
        rq.parse_query(rq.LOG_BATCH, [("run_id", "r"), ("metrics", "x")])


def test_query_empty_numbers_are_absent() -> None:
    assert rq.parse_query(rq.SEARCH_RUNS, [("max_results", "")])["max_results"] is None


def test_module_is_pure() -> None:
    import subprocess
    import sys

    code = (
        "import sys, ardea.api.mlflow_requests; "
        "bad = [m for m in ('fastapi', 'starlette', 'sqlalchemy') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_non_strict_bodies_skip_the_content_type_check() -> None:
    out = rq.parse_body(rq.FINALIZE_LOGGED_MODEL, b'{"status": 2}', None, strict=False)
    assert out["status"] == "LOGGED_MODEL_READY"
    assert rq.parse_body(rq.DELETE_LOGGED_MODEL, b"", "text/plain", strict=False) == {
        "model_id": None
    }


def test_lower_camel_json_names_are_accepted_but_not_twice() -> None:
    out = rq.parse_dict(rq.GET_EXPERIMENT_BY_NAME, {"experimentName": "e"})
    assert out["experiment_name"] == "e"
    out = rq.parse_dict(
        rq.LOG_BATCH, {"runId": "r", "metrics": [{"key": "k", "value": 1, "timestamp": 1}]}
    )
    assert out["run_id"] == "r"
    with pytest.raises(InvalidArgumentError, match="given twice"):
        rq.parse_dict(rq.GET_EXPERIMENT_BY_NAME, {"experimentName": "e", "experiment_name": "e"})


def test_type_errors_use_mlflows_message() -> None:
    with pytest.raises(InvalidArgumentError) as info:
        rq.parse_dict(rq.CREATE_EXPERIMENT, {"name": {"b": [1, 2], "a": "x"}})
    assert info.value.message == (
        """Invalid value {"a":"x","b":[1,2]} for parameter 'name' supplied:  Hint: Value was of """
        "type 'dict'. See the API docs for more information about request parameters."
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [(5, 5), (5.0, 5), ("5", 5), ("-5", -5), ("+5", 5), ("5.0", 5), ("1e3", 1000)],
)
def test_int64_accepts_what_protobuf_json_accepts(given: object, expected: int) -> None:
    assert rq.parse_dict(rq.SEARCH_RUNS, {"max_results": given})["max_results"] == expected


@pytest.mark.parametrize(
    "given", [True, 5.5, "5.5", " 5", "5 ", "five", "", "9" * 30, 2**63, [5], {"v": 5}]
)
def test_int64_refuses_the_rest(given: object) -> None:
    with pytest.raises(InvalidArgumentError, match="'max_results' supplied:  Hint"):
        rq.parse_dict(rq.SEARCH_RUNS, {"max_results": given})


@pytest.mark.parametrize(
    ("given", "ok"),
    [(1.5, True), (2, True), ("1.5", True), ("NaN", True), ("-Infinity", True), (True, False),
     ("nan", False), ("abc", False), ([1.0], False)],
)  # fmt: skip
def test_double_types(given: object, ok: bool) -> None:
    body = {"run_id": "r", "key": "k", "value": given, "timestamp": 1}
    if ok:
        rq.parse_dict(rq.LOG_METRIC, body)
    else:
        with pytest.raises(InvalidArgumentError, match="'value' supplied"):
            rq.parse_dict(rq.LOG_METRIC, body)


def test_bool_fields_take_json_booleans_only_but_query_text() -> None:
    spec = rq.GET_LOGGED_MODEL
    assert rq.parse_dict(spec, {"allow_deleted": True})["allow_deleted"] is True
    for bad in ("true", 1, 0, "yes"):
        with pytest.raises(InvalidArgumentError, match="'allow_deleted'"):
            rq.parse_dict(spec, {"allow_deleted": bad})
    assert rq.parse_query(spec, [("allow_deleted", "TRUE")])["allow_deleted"] is True


@pytest.mark.parametrize("bad", [5, 5.0, True, {"x": 1}, ["x"]])
def test_repeated_strings_refuse_non_strings(bad: object) -> None:
    with pytest.raises(InvalidArgumentError, match=r"'experiment_ids\[0\]'"):
        rq.parse_dict(rq.SEARCH_RUNS, {"experiment_ids": [bad]})
