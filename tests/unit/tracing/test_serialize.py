"""Inputs and outputs become JSON without ever failing the traced call."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ardea.tracing._serialize import dumps


def test_plain_values_round_trip() -> None:
    value = {"a": [1, 2.5, None, True], "b": {"c": "d"}, 3: "int key"}
    assert json.loads(dumps(value)) == {"a": [1, 2.5, None, True], "b": {"c": "d"}, "3": "int key"}


def test_awkward_values_fall_back() -> None:
    loop: list[Any] = []
    loop.append(loop)
    assert json.loads(dumps(2**80)) == 2**80
    assert "[[...]]" in json.loads(dumps(loop))
    assert json.loads(dumps(date(2026, 1, 2))) == "2026-01-02"

    class BrokenDump:
        def model_dump(self) -> dict[str, Any]:
            raise RuntimeError("no")

        def __repr__(self) -> str:
            return "BrokenDump()"

    assert json.loads(dumps(BrokenDump())) == "BrokenDump()"
