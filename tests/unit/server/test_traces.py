"""Trace routes through the app: OTLP ingest, StartTraceV3, reads, search, deletes, tags, links."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest

from fixtures.otlp_payloads import json_request, protobuf_request, span

from .support import Client, create_experiment, create_run

T1 = "0af7651916cd43dd8448eb211c80319c"
T2 = "4bf92f3577b34da6a3ce929d0e0e4736"
ROOT, CHILD = "b7ad6b7169203331", "00f067aa0ba902b7"
TR1, TR2 = "tr-" + T1, "tr-" + T2
PB = {"content-type": "application/x-protobuf"}


def ingest(client: Client, spans: list[dict[str, Any]], experiment_id: str | None = None) -> Any:
    headers = dict(PB)
    if experiment_id is not None:
        headers["x-mlflow-experiment-id"] = experiment_id
    return client.post("/v1/traces", content=protobuf_request(spans), headers=headers)


def two_span_trace(trace_hex: str = T1, **root_attrs: Any) -> list[dict[str, Any]]:
    attrs = {"mlflow.spanInputs": json.dumps({"q": "hi"}), **root_attrs}
    return [
        span(trace_hex, ROOT, "root", attributes=attrs),
        span(
            trace_hex,
            CHILD,
            "llm",
            parent_hex=ROOT,
            attributes={"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 4},
        ),
    ]


def trace_info_json(experiment_id: str, trace_id: str = TR1, **extra: Any) -> dict[str, Any]:
    return {
        "trace_id": trace_id,
        "trace_location": {
            "type": "MLFLOW_EXPERIMENT",
            "mlflow_experiment": {"experiment_id": experiment_id},
        },
        "request_time": "2026-11-26T03:38:42.662Z",
        "execution_duration": "0.077s",
        "state": "OK",
        "trace_metadata": {"mlflow.trace_schema.version": "3", "mlflow.user": "bob"},
        "tags": {"mlflow.traceName": "root", "env": "test"},
        **extra,
    }


def search(client: Client, experiment_id: str, flt: str = "", prefix: str = "/api") -> list[str]:
    body = {
        "locations": [
            {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": experiment_id}}
        ],
        "filter": flt,
    }
    r = client.post(f"{prefix}/3.0/mlflow/traces/search", json=body)
    assert r.status_code == 200, r.text
    return [t["trace_id"] for t in r.json().get("traces", [])]


# ---------------------------------------------------------------------------------------------
# OTLP
# ---------------------------------------------------------------------------------------------


def test_otlp_protobuf_is_stored_and_answered_with_an_empty_response(client: Client) -> None:
    exp = create_experiment(client)
    r = ingest(client, two_span_trace(), exp)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/x-protobuf"
    assert r.content == b""
    r = client.get("/api/3.0/mlflow/traces/get", params={"trace_id": TR1})
    assert r.status_code == 200, r.text
    trace = r.json()["trace"]
    assert trace["trace_info"]["trace_location"]["mlflow_experiment"]["experiment_id"] == exp
    assert trace["trace_info"]["tags"]["mlflow.trace.spansLocation"] == "TRACKING_STORE"
    by_name = {s["name"]: s for s in trace["spans"]}
    assert base64.b64decode(by_name["llm"]["span_id"]).hex() == CHILD
    assert base64.b64decode(by_name["llm"]["parent_span_id"]).hex() == ROOT
    assert base64.b64decode(by_name["root"]["trace_id"]).hex() == T1
    attrs = {a["key"]: a["value"] for a in by_name["llm"]["attributes"]}
    assert attrs["mlflow.spanType"] == {"string_value": "CHAT_MODEL"}
    assert attrs["gen_ai.usage.input_tokens"] == {"int_value": 4}


def test_otlp_json_gzip_answers_json(client: Client) -> None:
    exp = create_experiment(client)
    body = gzip.compress(json.dumps(json_request(two_span_trace())).encode())
    headers = {
        "content-type": "application/json",
        "content-encoding": "gzip",
        "x-ardea-experiment-id": exp,
    }
    r = client.post("/v1/traces", content=body, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json() == {}
    assert search(client, exp) == [TR1]


def test_otlp_experiment_from_resource_or_default(client: Client) -> None:
    exp = create_experiment(client)
    body = protobuf_request(two_span_trace(T1), {"mlflow.experimentId": exp})
    assert client.post("/v1/traces", content=body, headers=PB).status_code == 200
    assert ingest(client, two_span_trace(T2)).status_code == 200
    assert search(client, exp) == [TR1]
    assert search(client, "0") == [TR2]


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"\xff\xff\xffjunk", PB),
        (b"{bad", {"content-type": "application/json"}),
        (b"plain", {"content-type": "application/x-protobuf", "content-encoding": "gzip"}),
        (b"x", {"content-type": "text/plain"}),
    ],
)
def test_otlp_malformed_bodies_are_400_and_store_nothing(
    client: Client, body: bytes, headers: dict[str, str]
) -> None:
    r = client.post("/v1/traces", content=body, headers=headers)
    assert r.status_code == 400
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert search(client, "0") == []


def test_otlp_unknown_experiment_is_404(client: Client) -> None:
    r = ingest(client, two_span_trace(), "12345")
    assert r.status_code == 404
    assert r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert search(client, "0") == []


def test_otlp_run_header_links_the_traces(client: Client) -> None:
    exp = create_experiment(client)
    run_id = create_run(client, exp)["info"]["run_id"]
    headers = {**PB, "x-mlflow-experiment-id": exp, "x-mlflow-run-id": run_id}
    r = client.post("/v1/traces", content=protobuf_request(two_span_trace()), headers=headers)
    assert r.status_code == 200, r.text
    info = client.get(f"/api/3.0/mlflow/traces/{TR1}").json()["trace"]["trace_info"]
    assert info["trace_metadata"]["mlflow.sourceRun"] == run_id


# ---------------------------------------------------------------------------------------------
# StartTraceV3 and reads
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spans_first", [True, False])
def test_start_trace_merges_with_spans_in_any_order(client: Client, spans_first: bool) -> None:
    exp = create_experiment(client)
    if spans_first:
        assert ingest(client, two_span_trace(), exp).status_code == 200
    r = client.post("/api/3.0/mlflow/traces", json={"trace": {"trace_info": trace_info_json(exp)}})
    assert r.status_code == 200, r.text
    echoed = r.json()["trace"]["trace_info"]
    assert echoed["trace_id"] == TR1
    assert echoed["tags"]["env"] == "test"
    if not spans_first:
        assert ingest(client, two_span_trace(), exp).status_code == 200
    info = client.get(f"/api/3.0/mlflow/traces/{TR1}").json()["trace"]["trace_info"]
    assert info["request_time"] == "2026-11-26T03:38:42.662Z"
    assert info["execution_duration"] == "0.077s"
    assert info["state"] == "OK"
    assert info["trace_metadata"]["mlflow.user"] == "bob"
    assert info["tags"]["env"] == "test"
    assert info["tags"]["mlflow.trace.spansLocation"] == "TRACKING_STORE"
    spans = client.get("/api/3.0/mlflow/traces/get", params={"trace_id": TR1}).json()
    assert len(spans["trace"]["spans"]) == 2


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"trace": {}},
        {"trace": {"trace_info": {"trace_location": {}}}},
        {"trace": {"trace_info": {"trace_id": TR1}}},
        {"trace": {"trace_info": {"trace_id": TR1, "state": "DONE"}}},
        {"trace": {"trace_info": {"trace_id": TR1, "request_time": "yesterday"}}},
    ],
)
def test_start_trace_rejects_bad_bodies(client: Client, body: dict[str, Any]) -> None:
    create_experiment(client)
    r = client.post("/api/3.0/mlflow/traces", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"


def test_start_trace_unknown_experiment_is_404(client: Client) -> None:
    r = client.post(
        "/api/3.0/mlflow/traces", json={"trace": {"trace_info": trace_info_json("9876")}}
    )
    assert r.status_code == 404


def test_fixed_paths_win_over_the_trace_id_route(client: Client) -> None:
    exp = create_experiment(client)
    ingest(client, two_span_trace(T1), exp)
    ingest(client, two_span_trace(T2), exp)
    for prefix in ("/api", "/ajax-api"):
        r = client.get(f"{prefix}/3.0/mlflow/traces/get", params={"trace_id": TR1})
        assert r.status_code == 200 and r.json()["trace"]["trace_info"]["trace_id"] == TR1
        r = client.get(
            f"{prefix}/3.0/mlflow/traces/batchGet",
            params=[("trace_ids", TR1), ("trace_ids", TR2), ("trace_ids", "tr-missing")],
        )
        assert r.status_code == 200, r.text
        got = {t["trace_info"]["trace_id"]: len(t["spans"]) for t in r.json()["traces"]}
        assert got == {TR1: 2, TR2: 2}
        r = client.post(
            f"{prefix}/3.0/mlflow/traces/batchGetInfos", json={"trace_ids": [TR2, "tr-x"]}
        )
        assert [i["trace_id"] for i in r.json()["trace_infos"]] == [TR2]
        assert sorted(search(client, exp, prefix=prefix)) == sorted([TR1, TR2])


def test_missing_trace_is_404(client: Client) -> None:
    r = client.get("/api/3.0/mlflow/traces/tr-00000000000000000000000000000001")
    assert r.status_code == 404
    assert r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    r = client.get("/api/3.0/mlflow/traces/get", params={"trace_id": "tr-nope"})
    assert r.status_code == 404


def test_search_filters_and_validates(client: Client) -> None:
    exp = create_experiment(client)
    ingest(client, two_span_trace(T1), exp)
    ingest(client, [span(T2, ROOT, "solo", status=2)], exp)
    assert search(client, exp, "trace.status = 'ERROR'") == [TR2]
    assert search(client, exp, "span.type = 'CHAT_MODEL'") == [TR1]
    r = client.post("/api/3.0/mlflow/traces/search", json={"filter": ""})
    assert r.status_code == 400
    body = {"experiment_ids": [exp], "max_results": 1}
    r = client.post("/api/3.0/mlflow/traces/search", json=body)
    assert len(r.json()["traces"]) == 1 and r.json()["next_page_token"]
    body["max_results"] = 100000
    assert client.post("/api/3.0/mlflow/traces/search", json=body).status_code == 400
    r = client.post(
        "/api/3.0/mlflow/traces/search", json={"experiment_ids": [exp], "filter": "bogus ~~ 1"}
    )
    assert r.status_code == 400


# ---------------------------------------------------------------------------------------------
# Deletes, tags, links, artifact
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2.0", "3.0"])
def test_delete_traces_by_id_and_by_age(client: Client, version: str) -> None:
    exp = create_experiment(client)
    ingest(client, two_span_trace(T1), exp)
    ingest(client, two_span_trace(T2), exp)
    url = f"/api/{version}/mlflow/traces/delete-traces"
    r = client.post(url, json={"experiment_id": exp, "request_ids": [TR1]})
    assert r.json() == {"traces_deleted": 1}
    assert search(client, exp) == [TR2]
    r = client.post(url, json={"experiment_id": exp, "max_timestamp_millis": 2**62})
    assert r.json() == {"traces_deleted": 1}
    assert search(client, exp) == []
    bad = client.post(url, json={"experiment_id": exp})
    assert bad.status_code == 400


@pytest.mark.parametrize("version", ["2.0", "3.0"])
def test_trace_tags_set_and_delete(client: Client, version: str) -> None:
    exp = create_experiment(client)
    ingest(client, two_span_trace(), exp)
    url = f"/api/{version}/mlflow/traces/{TR1}/tags"
    assert client.patch(url, json={"key": "k", "value": "v"}).status_code == 200
    info = client.get(f"/api/3.0/mlflow/traces/{TR1}").json()["trace"]["trace_info"]
    assert info["tags"]["k"] == "v"
    r = client.request("DELETE", url, json={"key": "k"})
    assert r.status_code == 200, r.text
    info = client.get(f"/api/3.0/mlflow/traces/{TR1}").json()["trace"]["trace_info"]
    assert "k" not in info["tags"]
    assert client.patch(url, json={"value": "v"}).status_code == 400
    missing = client.patch("/api/2.0/mlflow/traces/tr-none/tags", json={"key": "k", "value": "v"})
    assert missing.status_code == 404


def test_link_to_run_and_link_prompts(client: Client) -> None:
    exp = create_experiment(client)
    run_id = create_run(client, exp)["info"]["run_id"]
    ingest(client, two_span_trace(), exp)
    r = client.post(
        "/api/2.0/mlflow/traces/link-to-run", json={"trace_ids": [TR1], "run_id": run_id}
    )
    assert r.status_code == 200, r.text
    assert search(client, exp, f"run_id = '{run_id}'") == [TR1]
    bad = client.post("/api/2.0/mlflow/traces/link-to-run", json={"trace_ids": [TR1]})
    assert bad.status_code == 400
    unknown = client.post(
        "/api/2.0/mlflow/traces/link-to-run", json={"trace_ids": [TR1], "run_id": "nope"}
    )
    assert unknown.status_code == 404

    for version in ("1", "2", "1"):
        r = client.post(
            "/api/2.0/mlflow/traces/link-prompts",
            json={"trace_id": TR1, "prompt_versions": [{"name": "qa", "version": version}]},
        )
        assert r.status_code == 200, r.text
    info = client.get(f"/api/3.0/mlflow/traces/{TR1}").json()["trace"]["trace_info"]
    assert json.loads(info["tags"]["mlflow.linkedPrompts"]) == [
        {"name": "qa", "version": "1"},
        {"name": "qa", "version": "2"},
    ]


def test_get_trace_artifact_serves_traces_json_from_the_database(client: Client) -> None:
    exp = create_experiment(client)
    ingest(client, two_span_trace(), exp)
    r = client.get("/ajax-api/2.0/mlflow/get-trace-artifact", params={"request_id": TR1})
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == "attachment; filename=traces.json"  # as MLflow
    spans = {s["name"]: s for s in json.loads(r.content)["spans"]}
    assert set(spans) == {"root", "llm"}
    assert base64.b64decode(spans["llm"]["parent_span_id"]).hex() == ROOT
    assert json.loads(spans["llm"]["attributes"]["mlflow.spanType"]) == "CHAT_MODEL"
    assert json.loads(spans["root"]["attributes"]["mlflow.spanInputs"]) == {"q": "hi"}
    assert spans["root"]["parent_span_id"] is None
    r = client.get("/ajax-api/3.0/mlflow/get-trace-artifact", params={"request_id": "tr-x"})
    assert r.status_code == 404


@pytest.mark.parametrize(
    "headers", [{"x-mlflow-experiment-id": "abc"}, {"x-mlflow-run-id": "nope"}]
)
def test_otlp_bad_experiment_or_run_header_is_a_client_error(
    client: Client, headers: dict[str, str]
) -> None:
    r = client.post(
        "/v1/traces", content=protobuf_request(two_span_trace()), headers={**PB, **headers}
    )
    assert r.status_code in (400, 404), r.text
    assert search(client, "0") == []


def test_spans_uploaded_only_as_traces_json_are_ingested_on_read(client: Client) -> None:
    from ardea.api.mlflow_trace_json import span_to_traces_json
    from ardea.services.ingest_otlp import parse_otlp_protobuf

    exp = create_experiment(client)
    r = client.post("/api/3.0/mlflow/traces", json={"trace": {"trace_info": trace_info_json(exp)}})
    tags = r.json()["trace"]["trace_info"]["tags"]
    assert "mlflow.trace.spansLocation" not in tags  # so the client uploads traces.json
    location = tags["mlflow.artifactLocation"]
    assert location == f"mlflow-artifacts:/{exp}/traces/{TR1}/artifacts"
    spans = parse_otlp_protobuf(protobuf_request(two_span_trace())).spans
    doc = {"spans": [span_to_traces_json(s) for s in spans]}
    path = location.removeprefix("mlflow-artifacts:/")
    r = client.put(
        f"/api/2.0/mlflow-artifacts/artifacts/{path}/traces.json", content=json.dumps(doc)
    )
    assert r.status_code == 200, r.text

    assert search(client, exp, "span.type = 'CHAT_MODEL'") == []
    r = client.get("/api/3.0/mlflow/traces/get", params={"trace_id": TR1})
    assert {s["name"] for s in r.json()["trace"]["spans"]} == {"root", "llm"}
    assert search(client, exp, "span.type = 'CHAT_MODEL'") == [TR1]
