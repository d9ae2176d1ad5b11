"""``POST /v1/traces`` refuses span and event times a store cannot hold (issue 11, Part C, 3).

OTLP times are ``fixed64``: protobuf allows up to 2**64 - 1 ns, the stores keep signed 64-bit
integers. A time of 2**63 ns or more is a 400 ``INVALID_PARAMETER_VALUE`` (protobuf and JSON
bodies alike), and nothing of the request is stored.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from fixtures.otlp_payloads import json_request, protobuf_request, span

from .support import Client, assert_error, create_experiment

T1 = "0af7651916cd43dd8448eb211c80319c"
T2 = "4bf92f3577b34da6a3ce929d0e0e4736"
ROOT, CHILD = "b7ad6b7169203331", "00f067aa0ba902b7"
OK_NS = 1_700_000_000_000_000_000
HUGE = [2**63, 2**64 - 1]


def _post(client: Client, spans: list[dict[str, Any]], experiment_id: str, kind: str) -> Any:
    headers = {"x-mlflow-experiment-id": experiment_id}
    if kind == "protobuf":
        headers["content-type"] = "application/x-protobuf"
        body = protobuf_request(spans)
    else:
        headers["content-type"] = "application/json"
        body = json.dumps(json_request(spans)).encode()
    return client.post("/v1/traces", content=body, headers=headers)


def _stored_traces(client: Client, experiment_id: str) -> list[str]:
    r = client.post("/api/3.0/mlflow/traces/search", json={"experiment_ids": [experiment_id]})
    assert r.status_code == 200, r.text
    return [t["trace_id"] for t in r.json().get("traces", [])]


def _good(trace_hex: str = T2) -> dict[str, Any]:
    return span(trace_hex, ROOT, "fine", start_ns=OK_NS, end_ns=OK_NS + 5)


@pytest.mark.parametrize("kind", ["protobuf", "json"])
@pytest.mark.parametrize("ns", HUGE)
@pytest.mark.parametrize("where", ["start", "end", "event"])
def test_times_beyond_int64_are_400_and_nothing_is_stored(
    client: Client, kind: str, ns: int, where: str
) -> None:
    experiment_id = create_experiment(client)
    bad = span(
        T1,
        CHILD,
        "bad",
        start_ns=ns if where == "start" else OK_NS,
        end_ns=ns if where == "end" else OK_NS + 10,
        events=[("e", ns if where == "event" else OK_NS, {})],
    )
    r = _post(client, [_good(), bad], experiment_id, kind)  # one good span first: all or none
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "times must be from 0 to")
    assert _stored_traces(client, experiment_id) == []
    assert client.get(f"/api/3.0/mlflow/traces/tr-{T2}").status_code == 404


@pytest.mark.parametrize("kind", ["protobuf", "json"])
def test_the_largest_int64_time_is_accepted(client: Client, kind: str) -> None:
    experiment_id = create_experiment(client)
    top = 2**63 - 1
    r = _post(client, [span(T1, ROOT, "late", start_ns=top - 1, end_ns=top)], experiment_id, kind)
    assert r.status_code == 200, r.text
    assert _stored_traces(client, experiment_id) == [f"tr-{T1}"]


def test_a_negative_json_time_is_400(client: Client) -> None:
    experiment_id = create_experiment(client)
    body = json_request([_good()])
    body["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["startTimeUnixNano"] = "-1"
    r = client.post(
        "/v1/traces",
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json", "x-mlflow-experiment-id": experiment_id},
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "startTimeUnixNano")
    assert _stored_traces(client, experiment_id) == []
