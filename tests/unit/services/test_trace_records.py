"""``service_metadata`` and ``fill_only`` of :mod:`ardea.services.trace_records`."""

from __future__ import annotations

from typing import Any

import pytest

from ardea.entities import TraceInfo
from ardea.services.trace_records import fill_only, service_metadata


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ({}, {}),
        ({"service.name": ""}, {}),
        ({"service.name": "unknown_service:python3.11"}, {}),
        ({"service.name": "ardea"}, {}),
        (
            {"service.name": "api", "service.version": 3},
            {"ardea.service.name": "api", "ardea.service.version": "3"},
        ),
        ({"service.name": "api", "service.version": ""}, {"ardea.service.name": "api"}),
    ],
)
def test_service_metadata(resource: dict[str, Any], expected: dict[str, str]) -> None:
    assert service_metadata(resource) == expected


def _record(**kw: Any) -> TraceInfo:
    base: dict[str, Any] = {
        "trace_id": "tr-1",
        "experiment_id": "1",
        "request_time": 10,
        "execution_duration": 5,
        "state": "ERROR",
        "request_preview": "req",
        "response_preview": "resp",
        "tags": {"env": "span", "new": "n"},
        "trace_metadata": {"m": "span"},
        "name": "root",
        "session_id": "s",
        "user_id": "u",
    }
    base.update(kw)
    return TraceInfo(**base)


def test_fill_only_keeps_a_record_when_none_was_stored() -> None:
    record = _record()
    assert fill_only(record, None) is record
    spans_only = _record(tags={"mlflow.traceName": "root"})  # a row made by spans alone
    assert fill_only(record, spans_only) is record


def test_fill_only_adds_only_what_the_stored_record_lacks() -> None:
    stored = _record(
        request_time=1,
        execution_duration=99,
        state="OK",
        response_preview=None,
        tags={"env": "client", "mlflow.artifactLocation": "x"},
        trace_metadata={},
        user_id=None,
    )
    got = fill_only(_record(), stored)
    assert got is not None
    assert got.tags == {"new": "n"}
    assert got.trace_metadata == {"m": "span"}
    assert (got.request_time, got.execution_duration) == (1, 99)
    assert got.state == "STATE_UNSPECIFIED"
    assert (got.request_preview, got.response_preview) == (None, "resp")
    assert (got.name, got.session_id, got.user_id) == (None, None, "u")


def test_fill_only_is_none_when_nothing_is_new() -> None:
    stored = _record(tags={"env": "x", "new": "y", "mlflow.artifactLocation": "x"})
    assert fill_only(_record(), stored) is None
