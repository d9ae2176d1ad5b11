"""MLflow's legacy v2 trace record RPCs through the app (StartTrace, EndTrace, GetTraceInfo,
SearchTraces)."""

from __future__ import annotations

from typing import Any

import pytest

from .support import Client, create_experiment

V2 = "/api/2.0/mlflow/traces"


def kv(**pairs: str) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in pairs.items()]


def start(client: Client, experiment_id: str, **body: Any) -> dict[str, Any]:
    r = client.post(V2, json={"experiment_id": experiment_id, "timestamp_ms": 1000, **body})
    assert r.status_code == 200, r.text
    info: dict[str, Any] = r.json()["trace_info"]
    return info


def tags(info: dict[str, Any]) -> dict[str, str]:
    return {t["key"]: t["value"] for t in info["tags"]}


def test_start_sets_server_tags_and_drops_the_clients(client: Client) -> None:
    exp = create_experiment(client)
    info = start(
        client,
        exp,
        tags=kv(t="1", **{"mlflow.artifactLocation": "s3://elsewhere"}),
        request_metadata=kv(m="1"),
    )
    assert len(info["request_id"]) == 32 and int(info["request_id"], 16) >= 0
    assert info["status"] == "IN_PROGRESS" and info["execution_time_ms"] == 0
    assert tags(info)["mlflow.artifactLocation"].endswith(f"/traces/{info['request_id']}/artifacts")
    assert tags(info)["t"] == "1"
    assert info["request_metadata"] == [{"key": "m", "value": "1"}]


def test_end_merges_and_an_unspecified_status_keeps_the_state(client: Client) -> None:
    exp = create_experiment(client)
    info = start(client, exp, tags=kv(a="1"))
    path = f"{V2}/{info['request_id']}"
    end = {"timestamp_ms": 1500, "status": "ERROR", "tags": kv(b="2")}
    ended = client.patch(path, json=end).json()["trace_info"]
    assert (ended["status"], ended["execution_time_ms"]) == ("ERROR", 500)
    assert {"a", "b"} <= set(tags(ended))
    again = client.patch(path, json={"timestamp_ms": 1700, "status": "TRACE_STATUS_UNSPECIFIED"})
    assert again.json()["trace_info"]["status"] == "ERROR"
    got = client.get(f"/ajax-api/2.0/mlflow/traces/{info['request_id']}/info").json()
    assert got["trace_info"]["execution_time_ms"] == 700


@pytest.mark.parametrize(
    "body",
    [{"status": "OK"}, {"timestamp_ms": 5, "status": "DONE"}, {"timestamp_ms": "soon"}],
)
def test_bad_end_requests_are_400(client: Client, body: dict[str, Any]) -> None:
    info = start(client, create_experiment(client))
    r = client.patch(f"{V2}/{info['request_id']}", json=body)
    assert (r.status_code, r.json()["error_code"]) == (400, "INVALID_PARAMETER_VALUE")


def test_unknown_traces_and_experiments_are_404(client: Client) -> None:
    r = client.patch(f"{V2}/{'f' * 32}", json={"timestamp_ms": 5, "status": "OK"})
    assert (r.status_code, r.json()["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")
    assert client.get(f"{V2}/{'f' * 32}/info").status_code == 404
    r = client.post(V2, json={"experiment_id": "424242", "timestamp_ms": 1})
    assert r.status_code == 404
    assert client.post(V2, json={"timestamp_ms": 1}).status_code == 400


def test_search_pages_and_limits(client: Client) -> None:
    exp = create_experiment(client)
    ids = {start(client, exp, tags=kv(n=str(i)))["request_id"] for i in range(3)}
    first = client.get(V2, params={"experiment_ids": exp, "max_results": 2}).json()
    rest = client.get(
        V2, params={"experiment_ids": exp, "max_results": 2, "page_token": first["next_page_token"]}
    ).json()
    assert {t["request_id"] for t in first["traces"] + rest["traces"]} == ids
    assert "next_page_token" not in rest
    one = client.get(V2, params={"experiment_ids": exp, "filter": "tags.n = '1'"}).json()
    assert [tags(t)["n"] for t in one["traces"]] == ["1"]
    for params in ({"experiment_ids": exp, "max_results": 501}, {}):
        assert client.get(V2, params=params).status_code == 400
