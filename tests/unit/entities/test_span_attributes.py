"""Token usage, cost and model read from span attributes, as ingest and Parquet both store them."""

from __future__ import annotations

from typing import Any

import pytest

from ardea.entities.span_attributes import decoded, json_loads, span_model, span_usage


def test_json_text_is_decoded_and_bad_text_is_none() -> None:
    assert decoded('{"a": [1, 2]}') == {"a": [1, 2]}
    assert decoded("not json") is None
    assert decoded(3) == 3
    assert json_loads(None) is None
    assert json_loads("12345678901234567890123") == 12345678901234567890123  # exact


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({}, (None, None, None, None)),
        ({"mlflow.chat.tokenUsage": '{"input_tokens": 3, "output_tokens": 4}'}, (3, 4, 7, None)),
        ({"mlflow.chat.tokenUsage": {"input_tokens": 3, "total_tokens": 10}}, (3, None, 10, None)),
        ({"mlflow.chat.tokenUsage": '{"input_tokens": true, "output_tokens": "4"}'}, (None,) * 4),
        ({"mlflow.chat.tokenUsage": '{"input_tokens": NaN}'}, (None,) * 4),  # not JSON
        ({"mlflow.chat.tokenUsage": {"input_tokens": float("inf")}}, (None,) * 4),
        ({"mlflow.llm.cost": '{"total_cost": 0.25}'}, (None, None, None, 0.25)),
        ({"mlflow.llm.cost": '{"total_cost": false}'}, (None,) * 4),
    ],
)
def test_span_usage(attributes: dict[str, Any], expected: tuple[Any, ...]) -> None:
    assert span_usage(attributes) == expected


def test_span_model_prefers_mlflow_then_the_genai_conventions() -> None:
    assert span_model({}) is None
    assert span_model({"gen_ai.request.model": "a", "gen_ai.response.model": "b"}) == "b"
    assert span_model({"mlflow.llm.model": "m", "gen_ai.response.model": "b"}) == "m"
    assert span_model({"mlflow.llm.model": ""}) is None
