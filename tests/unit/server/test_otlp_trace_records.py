"""``/v1/traces`` stores the trace records that root spans carry (tags, metadata, previews).

Protobuf (and one JSON) bodies through the real app on SQLite; records are read back over
GetTraceInfoV3 and SearchTracesV3, and must never overwrite a record sent with StartTraceV3.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from fixtures.otlp_payloads import json_request, protobuf_request, span

from .support import Client, create_experiment

T1 = "0af7651916cd43dd8448eb211c80319c"
T2 = "4bf92f3577b34da6a3ce929d0e0e4736"
ROOT, CHILD = "b7ad6b7169203331", "00f067aa0ba902b7"
TR1, TR2 = "tr-" + T1, "tr-" + T2
ARTIFACT_LOCATION = "mlflow.artifactLocation"


def _post(
    client: Client,
    spans: list[dict[str, Any]],
    experiment_id: str,
    resource: dict[str, Any] | None = None,
) -> None:
    headers = {"content-type": "application/x-protobuf", "x-mlflow-experiment-id": experiment_id}
    r = client.post("/v1/traces", content=protobuf_request(spans, resource), headers=headers)
    assert r.status_code == 200, r.text


def _info(client: Client, trace_id: str = TR1) -> dict[str, Any]:
    r = client.get(f"/api/3.0/mlflow/traces/{trace_id}")
    assert r.status_code == 200, r.text
    info: dict[str, Any] = r.json()["trace"]["trace_info"]
    return info


def _search(client: Client, experiment_id: str, flt: str) -> list[str]:
    body = {"experiment_ids": [experiment_id], "filter": flt}
    r = client.post("/api/3.0/mlflow/traces/search", json=body)
    assert r.status_code == 200, r.text
    return [t["trace_id"] for t in r.json().get("traces", [])]


def _tagged_trace(trace_hex: str = T1, status: int = 1, **record: str) -> list[dict[str, Any]]:
    """A root carrying ``record`` (attribute -> plain value, JSON-encoded here) and a child."""
    attrs: dict[str, Any] = {"mlflow.spanInputs": json.dumps({"q": "hi"})}
    attrs.update({k: json.dumps(v) for k, v in record.items()})
    return [
        span(trace_hex, ROOT, "agent", attributes=attrs, status=status),
        span(trace_hex, CHILD, "tool", parent_hex=ROOT, attributes={"mlflow.traceTag.no": "x"}),
    ]


def _start_trace_v3(client: Client, experiment_id: str, **extra: Any) -> None:
    info = {
        "trace_id": TR1,
        "trace_location": {
            "type": "MLFLOW_EXPERIMENT",
            "mlflow_experiment": {"experiment_id": experiment_id},
        },
        "request_time": "2026-11-26T03:38:42.662Z",
        "execution_duration": "0.077s",
        "state": "OK",
        "request_preview": "from the client",
        "trace_metadata": {"mlflow.user": "bob"},
        "tags": {"mlflow.traceName": "agent", "env": "client"},
        **extra,
    }
    r = client.post("/api/3.0/mlflow/traces", json={"trace": {"trace_info": info}})
    assert r.status_code == 200, r.text


def test_root_span_record_is_stored_with_the_spans(client: Client) -> None:
    exp = create_experiment(client)
    record = {
        "mlflow.traceTag.env": "prod",
        "mlflow.traceTag.team": "search",
        "mlflow.traceMetadata.mlflow.trace.session": "s-1",
        "mlflow.traceMetadata.release": "42",
        "mlflow.traceRequestPreview": "what is up?",
        "mlflow.traceResponsePreview": "the sky",
    }
    _post(client, _tagged_trace(status=2, **record), exp)
    info = _info(client)
    assert info["tags"]["env"] == "prod"
    assert info["tags"]["team"] == "search"
    assert "no" not in info["tags"]  # only the root span carries the record
    assert info["tags"]["mlflow.traceName"] == "agent"
    assert info["tags"][ARTIFACT_LOCATION].endswith(f"/traces/{TR1}/artifacts")
    assert info["trace_metadata"]["release"] == "42"  # a string, though it looks like a number
    assert info["trace_metadata"]["mlflow.trace.session"] == "s-1"
    assert (info["request_preview"], info["response_preview"]) == ("what is up?", "the sky")
    assert info["state"] == "ERROR"
    assert info["execution_duration"] == "0.500s"
    assert _search(client, exp, "tags.env = 'prod'") == [TR1]
    assert _search(client, exp, "metadata.release = '42'") == [TR1]
    assert _search(client, exp, "tags.env = 'dev'") == []


def test_otlp_json_bodies_carry_records_too(client: Client) -> None:
    exp = create_experiment(client)
    body = json.dumps(json_request(_tagged_trace(**{"mlflow.traceTag.env": "json"})))
    headers = {"content-type": "application/json", "x-mlflow-experiment-id": exp}
    assert client.post("/v1/traces", content=body, headers=headers).status_code == 200
    assert _search(client, exp, "tags.env = 'json'") == [TR1]


def test_plain_traces_get_no_record(client: Client) -> None:
    exp = create_experiment(client)
    _post(client, [span(T1, ROOT, "plain")], exp, {"service.name": "unknown_service:python"})
    info = _info(client)
    assert ARTIFACT_LOCATION not in info["tags"]
    assert not any(k.startswith("ardea.") for k in info["trace_metadata"])


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (
            {"service.name": "checkout", "service.version": "1.4.2"},
            {"ardea.service.name": "checkout", "ardea.service.version": "1.4.2"},
        ),
        ({"service.name": "checkout"}, {"ardea.service.name": "checkout"}),
        ({"service.name": "unknown_service"}, {}),
        ({"service.name": "ardea", "service.version": "1"}, {}),
        ({"service.version": "1"}, {}),
    ],
)
def test_resource_service_becomes_trace_metadata(
    client: Client, resource: dict[str, Any], expected: dict[str, str]
) -> None:
    exp = create_experiment(client)
    _post(client, [span(T1, ROOT, "root"), span(T1, CHILD, "c", parent_hex=ROOT)], exp, resource)
    meta = _info(client)["trace_metadata"]
    assert {k: v for k, v in meta.items() if k.startswith("ardea.service.")} == expected
    if expected:
        assert _search(client, exp, "metadata.`ardea.service.name` = 'checkout'") == [TR1]


def test_entries_a_record_cannot_hold_are_left_out(client: Client) -> None:
    exp = create_experiment(client)
    record = {
        "mlflow.traceTag." + "k" * 251: "too long a key",
        "mlflow.traceTag.big": "v" * 8001,
        "mlflow.traceTag.ok": "kept",
        "mlflow.traceMetadata.nul": "a\x00b",
    }
    _post(client, _tagged_trace(**record), exp)
    info = _info(client)
    assert info["tags"]["ok"] == "kept"
    assert "big" not in info["tags"]
    assert not any(k.startswith("kkk") for k in info["tags"])
    assert info["trace_metadata"]["nul"] == "a\ufffdb"


def test_a_record_sent_with_start_trace_first_is_only_completed(client: Client) -> None:
    exp = create_experiment(client)
    _start_trace_v3(client, exp)
    record = {
        "mlflow.traceTag.env": "from-span",
        "mlflow.traceTag.extra": "added",
        "mlflow.traceMetadata.mlflow.user": "mallory",
        "mlflow.traceMetadata.release": "7",
        "mlflow.traceRequestPreview": "from the span",
        "mlflow.traceResponsePreview": "answer",
    }
    _post(client, _tagged_trace(status=2, **record), exp, {"service.name": "checkout"})
    info = _info(client)
    assert info["tags"]["env"] == "client"  # the client's value stays
    assert info["tags"]["extra"] == "added"  # missing keys are added
    assert info["trace_metadata"]["mlflow.user"] == "bob"
    assert info["trace_metadata"]["release"] == "7"
    assert info["trace_metadata"]["ardea.service.name"] == "checkout"
    assert info["request_preview"] == "from the client"
    assert info["response_preview"] == "answer"  # the client sent none
    assert info["state"] == "OK"
    assert info["request_time"] == "2026-11-26T03:38:42.662Z"
    assert info["execution_duration"] == "0.077s"


def test_a_later_start_trace_still_merges_over_the_span_record(client: Client) -> None:
    exp = create_experiment(client)
    record = {"mlflow.traceTag.env": "from-span", "mlflow.traceTag.extra": "added"}
    _post(client, _tagged_trace(**record), exp)
    _start_trace_v3(client, exp, state="ERROR")
    info = _info(client)
    assert info["tags"]["env"] == "client"
    assert info["tags"]["extra"] == "added"
    assert info["trace_metadata"]["mlflow.user"] == "bob"
    assert info["request_preview"] == "from the client"
    assert info["state"] == "ERROR"
    assert info["request_time"] == "2026-11-26T03:38:42.662Z"
    assert _search(client, exp, "tags.env = 'client'") == [TR1]


def test_a_resent_root_does_not_undo_a_tag_set_later(client: Client) -> None:
    exp = create_experiment(client)
    spans = _tagged_trace(**{"mlflow.traceTag.env": "prod"})
    _post(client, spans, exp)
    r = client.patch(f"/api/2.0/mlflow/traces/{TR1}/tags", json={"key": "env", "value": "fixed"})
    assert r.status_code == 200, r.text
    _post(client, spans, exp)  # e.g. an exporter retry after a lost answer
    assert _info(client)["tags"]["env"] == "fixed"
    assert _info(client)["tags"]["mlflow.trace.spansLocation"] == "TRACKING_STORE"


def test_several_traces_in_one_request_each_get_their_record(client: Client) -> None:
    exp = create_experiment(client)
    spans = _tagged_trace(T1, **{"mlflow.traceTag.env": "a"})
    spans += _tagged_trace(T2, **{"mlflow.traceTag.env": "b"})
    _post(client, spans, exp)
    assert _search(client, exp, "tags.env = 'a'") == [TR1]
    assert _search(client, exp, "tags.env = 'b'") == [TR2]
