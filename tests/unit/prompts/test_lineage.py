"""The ``mlflow.linkedPrompts`` tag: parsing and merging without duplicates."""

from __future__ import annotations

import json

from ardea.prompts._lineage import merge_linked_prompts, parse_linked_prompts


def test_merge_into_nothing() -> None:
    merged = merge_linked_prompts(None, [("qa", 1)])
    assert json.loads(merged or "") == [{"name": "qa", "version": "1"}]


def test_merge_keeps_order_and_skips_duplicates() -> None:
    current = json.dumps([{"name": "qa", "version": "1"}])
    merged = merge_linked_prompts(current, [("qa", "1"), ("qa", 2), ("other", 1), ("qa", 2)])
    assert json.loads(merged or "") == [
        {"name": "qa", "version": "1"},
        {"name": "qa", "version": "2"},
        {"name": "other", "version": "1"},
    ]


def test_nothing_new_means_no_write() -> None:
    current = '[{"name":"qa","version":"1"}]'  # compact JSON, as the server writes it
    assert merge_linked_prompts(current, [("qa", 1)]) is None


def test_malformed_values_read_as_empty() -> None:
    for bad in ("", "not json", '{"name": "qa"}', '[1, {"name": "qa"}]'):
        assert parse_linked_prompts(bad) == []
