"""The scoring server's dynamic batching: what arrives while the model is busy is one call."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pandas as pd
import pytest

from ardea.models.serving._batch import Batcher
from ardea.models.serving._formats import ParsedRequest, parse_json


def _split(*values: float) -> ParsedRequest:
    return ParsedRequest(split=(("x",), [[v] for v in values]))


class Doubler:
    """A row-wise model that records the size of every call; a gate can hold a call."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, frame: pd.DataFrame) -> list[float]:
        self.gate.wait(10)
        self.calls.append(len(frame))
        if (frame["x"] < 0).any():
            raise ValueError("negative")
        return [2 * v for v in frame["x"]]


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_a_lone_request_is_scored_at_once_and_arrivals_meanwhile_share_one_call() -> None:
    model = Doubler()
    batches: list[int] = []

    async def go() -> list[Any]:
        batcher = Batcher(model, on_batch=batches.append)
        model.gate.clear()
        first = asyncio.ensure_future(batcher.predict(_split(1)))
        await asyncio.sleep(0.05)  # the first call is running (held by the gate)
        rest = [asyncio.ensure_future(batcher.predict(_split(v, v))) for v in (2, 3, 4)]
        await asyncio.sleep(0.05)
        model.gate.set()
        return await asyncio.gather(first, *rest)

    answers = _run(go())
    assert [list(a) for a in answers] == [[2], [4, 4], [6, 6], [8, 8]]
    assert model.calls == [1, 6]  # the lone one, then the three that arrived meanwhile
    assert batches == [3]


def test_a_bad_request_gets_its_own_error_and_the_others_their_answers() -> None:
    model = Doubler()

    async def go() -> list[Any]:
        batcher = Batcher(model, window_s=0.05)
        requests = [_split(1), _split(-1), _split(3)]
        return await asyncio.gather(*(batcher.predict(r) for r in requests), return_exceptions=True)

    good, bad, other = _run(go())
    assert list(good) == [2] and list(other) == [6]
    assert isinstance(bad, ValueError)
    assert model.calls == [3, 1, 1, 1]  # the joint call failed: each alone


def test_frames_with_other_columns_and_max_rows_split_batches() -> None:
    model = Doubler()

    async def go() -> list[Any]:
        batcher = Batcher(model, window_s=0.05, max_rows=3)
        framed = parse_json(b'{"dataframe_records": [{"x": 5}]}', None)
        requests = [_split(1, 1), _split(2, 2), framed]
        return await asyncio.gather(*(batcher.predict(r) for r in requests))

    answers = _run(go())
    assert [list(a) for a in answers] == [[2, 2], [4, 4], [10]]
    assert model.calls == [2, 3]  # 2 + 2 rows would pass max_rows=3


def test_split_bodies_keep_their_rows_and_bad_json_is_clear() -> None:
    from ardea import InvalidArgumentError

    request = parse_json(b'{"dataframe_split": {"columns": ["x"], "data": [[1], [2]]}}', None)
    assert request.split is not None and list(request.data["x"]) == [1, 2]
    with pytest.raises(InvalidArgumentError, match="valid JSON"):
        parse_json(b"{not json", None)
