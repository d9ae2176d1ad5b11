"""Records from CSV, JSON Lines and Parquet files (``ardea.evaluation.dataset_files``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.dataset_files import read_records, record_from_row


def test_flat_columns_become_inputs_and_expectations() -> None:
    row = {"question": "2+2?", "expected_answer": "4", "expectations.why": "sum", "tags": "{}"}
    assert record_from_row(row) == {
        "inputs": {"question": "2+2?"},
        "expectations": {"answer": "4", "why": "sum"},
        "tags": {},
    }


def test_record_columns_hold_json() -> None:
    row = {"inputs": '{"q": 1}', "expectations": '{"a": [1, 2]}', "outputs": "plain text"}
    assert record_from_row(row) == {
        "inputs": {"q": 1},
        "expectations": {"a": [1, 2]},
        "outputs": "plain text",
    }


def test_csv(tmp_path: Path) -> None:
    path = tmp_path / "qa.csv"
    path.write_text('question,expected_answer\n"2+2?",4\nhi,"{""x"": 1}"\n', encoding="utf-8")
    assert list(read_records(path)) == [
        {"inputs": {"question": "2+2?"}, "expectations": {"answer": "4"}},
        {"inputs": {"question": "hi"}, "expectations": {"answer": {"x": 1}}},
    ]


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "qa.jsonl"
    lines = [{"inputs": {"q": 1}, "expectations": {"a": 2}}, {"q": 3}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    assert list(read_records(path)) == [
        {"inputs": {"q": 1}, "expectations": {"a": 2}},
        {"inputs": {"q": 3}},
    ]
    path.write_text("[1]\n", encoding="utf-8")
    with pytest.raises(InvalidArgumentError, match="line 1: not a JSON object"):
        list(read_records(path))


def test_parquet(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    path = tmp_path / "qa.parquet"
    frame = pd.DataFrame(
        [
            {"inputs": {"q": "a", "n": 1}, "expectations": {"tags": ["x", "y"]}},
            {"inputs": {"q": "b", "n": 2}, "expectations": {"tags": ["z"]}},
        ]
    )
    frame.to_parquet(path)
    assert list(read_records(path)) == [
        {"inputs": {"q": "a", "n": 1}, "expectations": {"tags": ["x", "y"]}},
        {"inputs": {"q": "b", "n": 2}, "expectations": {"tags": ["z"]}},
    ]


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="give format="):
        read_records(tmp_path / "qa.xlsx")
