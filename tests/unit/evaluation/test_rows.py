"""What ``evaluate`` accepts as data, as rows."""

from __future__ import annotations

import pandas as pd
import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.rows import to_items


def test_dicts_and_frames_give_the_same_rows() -> None:
    rows = [
        {"inputs": {"q": "a"}, "expectations": {"expected_response": "A"}, "tags": {"k": 1}},
        {"inputs": {"q": "b"}, "outputs": "B", "dataset_record_id": "dr-1"},
    ]
    for data in (rows, pd.DataFrame(rows)):
        items, managed = to_items(data)
        assert managed is None
        assert [i.inputs for i in items] == [{"q": "a"}, {"q": "b"}]
        assert items[0].expectations == {"expected_response": "A"}
        assert items[0].tags == {"k": "1"}
        assert items[1].outputs == "B" and items[1].record_id == "dr-1"
        assert items[0].outputs is None and items[1].expectations == {}


def test_json_text_columns_are_read() -> None:
    (item,), _ = to_items([{"inputs": '{"q": "a"}', "expectations": '{"x": 1}'}])
    assert item.inputs == {"q": "a"} and item.expectations == {"x": 1}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "empty"),
        ("text", "list of dicts"),
        ({"inputs": {}}, "list of dicts"),
        ([1], "row 0 must be a dict"),
        ([{"inputs": {}, "expected": 1}], "unknown key"),
        ([{"inputs": {}, "expectations": "not json"}], "expectations must be a dict"),
        ([{"inputs": {}, "expectations": [1, 2]}], "expectations must be a dict"),
    ],
)
def test_bad_shapes_are_clear(data: object, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        to_items(data)


def test_sessions_come_from_the_row_or_its_record_source() -> None:
    rows = [
        {"inputs": {"q": "a"}, "session_id": "s-1"},
        {
            "inputs": {"q": "b"},
            "source": {"source_type": "TRACE", "source_data": {"session_id": "s-2"}},
        },
        {"inputs": {"q": "c"}, "source": '{"source_data": {"session_id": "s-3"}}'},
        {"inputs": {"q": "d"}},
    ]
    for data in (rows, pd.DataFrame(rows)):
        items, _ = to_items(data)
        assert [i.session_id for i in items] == ["s-1", "s-2", "s-3", None]


def test_a_trace_column_of_mlflow_json_is_read() -> None:
    mlflow = pytest.importorskip("mlflow")
    from mlflow.entities import Trace, TraceData, TraceInfo, TraceLocation, TraceState

    info = TraceInfo(
        trace_id="tr-0123456789abcdef0123456789abcdef",
        trace_location=TraceLocation.from_experiment_id("0"),
        request_time=1_700_000_000_000,
        state=TraceState.OK,
        trace_metadata={"mlflow.trace.session": "chat-7"},
    )
    text = Trace(info=info, data=TraceData(spans=[])).to_json()
    assert mlflow is not None
    (item,), _ = to_items([{"trace": text}])
    assert item.trace_id == "tr-0123456789abcdef0123456789abcdef"
    assert item.session_id == "chat-7"
    with pytest.raises(InvalidArgumentError, match="not a trace's JSON"):
        to_items([{"trace": '{"nope": 1}'}])
