"""Trace, assessment, registry and webhook answers match the app's OpenAPI document.

The operations of ``traces_module_path``; ``test_openapi_answers_tracking`` checks the others
the same way (see :class:`CheckedClient`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.otlp_payloads import json_request, protobuf_request, span

from .openapi_check import CheckedClient, auth_module_path, checked_app, traces_module_path

V2, V3, ARDEA = "/api/2.0/mlflow", "/api/3.0/mlflow", "/api/3.0/ardea"
T1, T2 = "0af7651916cd43dd8448eb211c80319c", "1af7651916cd43dd8448eb211c80319c"
ROOT, CHILD = "1000000000000000", "2000000000000000"
TR1, TR2 = "tr-" + T1, "tr-" + T2
ATTRIBUTES = {
    "mlflow.spanType": json.dumps("LLM"),
    "text": "hi",
    "count": 3,
    "ratio": 0.5,
    "flag": True,
    "list": ["a", 1],
    "nested": {"k": [1.5, False]},
    "gen_ai.usage.input_tokens": 10,
    "gen_ai.usage.output_tokens": 5,
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckedClient]:
    with checked_app(Path(tmp_path_factory.mktemp("openapi-traces"))) as checked:
        yield checked


@pytest.fixture(scope="module")
def exp(api: CheckedClient) -> str:
    """An experiment with two traces: a root and an erroring child with events; one in JSON."""
    exp_id: str = api.json("POST", f"{V2}/experiments/create", json={"name": "t"})["experiment_id"]
    error = ("exception", 1_700_000_000_100_000_000, {"exception.message": "boom"})
    spans = [
        span(T1, ROOT, "root", attributes={"mlflow.spanInputs": json.dumps({"q": 1})}),
        span(T1, CHILD, "llm", parent_hex=ROOT, attributes=ATTRIBUTES, status=2, events=[error]),
    ]
    headers = {"content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp_id}
    r = api.call("POST", "/v1/traces", content=protobuf_request(spans), headers=headers)
    assert r.content == b""
    body = json_request([span(T2, ROOT, "json-root")])
    headers = {"content-type": "application/json", "x-mlflow-experiment-id": exp_id}
    assert api.json("POST", "/v1/traces", json=body, headers=headers) == {}
    return exp_id


def test_traces(api: CheckedClient, exp: str) -> None:
    one = {"trace_id": TR1}
    location = {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": exp}}
    info = {
        "trace_id": "tr-" + "3" * 32,
        "trace_location": location,
        "request_time": "2026-01-01T00:00:00Z",
        "execution_duration": "1.5s",
        "state": "OK",
        "request_preview": "q",
        "response_preview": "a",
        "client_request_id": "c1",
        "trace_metadata": {"m": "1"},
        "tags": {"t": "1"},
    }
    api.call("POST", f"{V3}/traces", json={"trace": {"trace_info": info}})
    api.call("GET", V3 + "/traces/{trace_id}", one)
    api.call("GET", V3 + "/traces/{trace_id}", {"trace_id": "tr-" + "9" * 32}, status=404)
    trace = api.json("GET", f"{V3}/traces/get", params={"trace_id": TR1})["trace"]
    assert len(trace["spans"]) == 2
    api.call("GET", f"{V3}/traces/batchGet", params={"trace_ids": [TR1, TR2]})
    api.call("POST", f"{V3}/traces/batchGetInfos", json={"trace_ids": [TR1, TR2]})
    search = {"locations": [location], "max_results": 1}
    assert api.json("POST", f"{V3}/traces/search", json=search)["next_page_token"]
    api.call("POST", f"{V3}/traces/search", json={**search, "filter": "bogus"}, status=400)
    api.call("PATCH", V2 + "/traces/{trace_id}/tags", one, json={"key": "k", "value": "v"})
    api.call("DELETE", V2 + "/traces/{trace_id}/tags", one, params={"key": "k"})
    run = api.json("POST", f"{V2}/runs/create", json={"experiment_id": exp})["run"]["info"][
        "run_id"
    ]
    api.call("POST", f"{V2}/traces/link-to-run", json={"trace_ids": [TR1], "run_id": run})
    prompts = {"trace_id": TR1, "prompt_versions": [{"name": "p", "version": "1"}]}
    api.call("POST", f"{V2}/traces/link-prompts", json=prompts)
    api.call("GET", f"{V2}/get-trace-artifact", params={"request_id": TR1})
    gone = {"experiment_id": exp, "request_ids": ["tr-" + "3" * 32]}
    assert api.json("POST", f"{V2}/traces/delete-traces", json=gone)["traces_deleted"] == 1


def test_trace_queries(api: CheckedClient, exp: str) -> None:
    count = {"aggregation_type": "COUNT"}
    query = {"experiment_ids": [exp], "view_type": "TRACES", "metric_name": "trace_count"}
    points = api.json("POST", f"{V3}/traces/metrics", json={**query, "aggregations": [count]})[
        "data_points"
    ]
    assert points == [{"metric_name": "trace_count", "dimensions": {}, "values": {"COUNT": 2}}]
    p50 = {"aggregation_type": "PERCENTILE", "percentile_value": 50}
    spans = {
        **query,
        "view_type": "SPANS",
        "metric_name": "latency",
        "aggregations": [p50, {"aggregation_type": "AVG"}],
        "dimensions": ["span_name"],
        "time_interval_seconds": 60,
        "start_time_ms": 0,
        "end_time_ms": 2**62,
    }
    assert api.json("POST", f"{V3}/traces/metrics", json=spans)["data_points"]
    api.call("POST", f"{V3}/traces/metrics", json={**query, "aggregations": []}, status=400)
    pair = {"experiment_ids": [exp], "filter_string1": "status = 'OK'"}
    both = api.json(
        "POST",
        f"{V3}/traces/calculate-filter-correlation",
        json={**pair, "filter_string2": "name = 'root'", "base_filter": "status != 'ERROR'"},
    )
    assert both["total_count"] == 2 and "npmi" in both
    none = api.json(
        "POST",
        f"{V3}/traces/calculate-filter-correlation",
        json={**pair, "filter_string2": "name = 'nothing'"},
    )
    assert "npmi" not in none and none["filter2_count"] == 0
    api.call(
        "POST",
        f"{V3}/traces/calculate-filter-correlation",
        json={**pair, "filter_string2": "bogus"},
        status=400,
    )


def test_legacy_v2_trace_records(api: CheckedClient, exp: str) -> None:
    kv = [{"key": "k", "value": "v"}]
    start = {"experiment_id": exp, "timestamp_ms": 5, "request_metadata": kv, "tags": kv}
    info = api.json("POST", f"{V2}/traces", json=start)["trace_info"]
    assert (info["status"], info["execution_time_ms"]) == ("IN_PROGRESS", 0)
    one = {"request_id": info["request_id"]}
    end = {"timestamp_ms": 9, "status": "OK", "request_metadata": kv, "tags": kv}
    assert (
        api.json("PATCH", V2 + "/traces/{request_id}", one, json=end)["trace_info"][
            "execution_time_ms"
        ]
        == 4
    )
    api.call("PATCH", V2 + "/traces/{request_id}", {"request_id": "nope"}, json=end, status=404)
    api.call("GET", V2 + "/traces/{request_id}/info", one)
    api.call("GET", V2 + "/traces/{request_id}/info", {"request_id": "nope"}, status=404)
    found = api.json("GET", f"{V2}/traces", params={"experiment_ids": exp, "max_results": 1})
    assert len(found["traces"]) == 1 and found["next_page_token"]
    api.call("GET", f"{V2}/traces", params={"experiment_ids": exp, "filter": "x"}, status=400)
    api.call("POST", f"{V2}/traces", json={"experiment_id": "424242"}, status=404)


def test_assessments(api: CheckedClient, exp: str) -> None:
    path = V3 + "/traces/{trace_id}/assessments"
    one = path + "/{assessment_id}"
    source = {"source_type": "LLM_JUDGE", "source_id": "judge"}
    failed = {"value": None, "error": {"error_code": "E", "error_message": "timeout"}}
    feedback = {"assessment_name": "ok", "source": source, "feedback": failed, "rationale": "r"}
    a = api.json("POST", path, {"trace_id": TR1}, json={"assessment": feedback})["assessment"]
    ids = {"trace_id": TR1, "assessment_id": a["assessment_id"]}
    expected = {
        "assessment_name": "gold",
        "expectation": {"value": {"a": [1]}},
        "span_id": CHILD,
        "metadata": {"m": "1"},
    }
    api.call("POST", path, {"trace_id": TR1}, json={"assessment": expected})
    api.call(
        "POST",
        path,
        {"trace_id": TR1},
        json={"assessment": {"expectation": {"value": 1}}},
        status=400,
    )
    api.call("GET", one, ids)
    update = {"assessment": {"feedback": {"value": True}}, "update_mask": "feedback"}
    api.call("PATCH", one, ids, json=update)
    api.call("DELETE", one, ids)
    api.call("GET", one, ids, status=404)
    info = api.json("GET", V3 + "/traces/{trace_id}", {"trace_id": TR1})["trace"]["trace_info"]
    assert info["assessments"]


def test_ardea_trace_reads(api: CheckedClient, exp: str) -> None:
    spans = ARDEA + "/traces/{trace_id}/spans"
    roots = api.json("GET", spans, {"trace_id": TR1}, params={"roots_only": "true"})
    assert roots["parent_span_ids"] == [roots["spans"][0]["span_id"]]
    page = {"parent_span_id": ROOT, "max_results": 1}
    api.call("GET", spans, {"trace_id": TR1}, params=page)
    api.call("GET", spans, {"trace_id": TR1}, params={"max_results": 0}, status=400)
    metrics = ARDEA + "/experiments/{experiment_id}/trace-metrics"
    window = {"start_ms": 1_699_999_000_000, "end_ms": 1_700_001_000_000, "buckets": 4}
    assert api.json("GET", metrics, {"experiment_id": exp}, params=window)["totals"]["trace_count"]
    api.call("GET", metrics, {"experiment_id": "999"}, status=404)
    quality = ARDEA + "/experiments/{experiment_id}/quality"
    got = api.json("GET", quality, {"experiment_id": exp}, params={**window, "group_by": "model"})
    assert got["group_by"] == "model" and got["confidence"] == 0.95
    api.call("GET", quality, {"experiment_id": exp}, params={"group_by": "nope"}, status=400)
    api.call("GET", quality, {"experiment_id": "999"}, status=404)


def test_trace_retention(api: CheckedClient, exp: str) -> None:
    retention = ARDEA + "/traces/retention"
    body = {"experiment_id": exp, "max_age_days": 30, "max_traces": None, "archive": True}
    got = api.json("POST", retention + "/set", json=body)
    assert got["policy"]["max_age_days"] == 30 and got["policy"]["archive"] is True
    assert api.json("GET", retention + "/get", params={"experiment_id": exp}) == got
    api.call("POST", retention + "/set", json={**body, "max_age_days": -1}, status=400)
    api.call("GET", retention + "/get", params={"experiment_id": "999"}, status=404)
    workspace = api.json("POST", retention + "/workspace/set", json={"max_traces": 1000})
    assert workspace["policy"]["max_traces"] == 1000
    assert api.json("GET", retention + "/workspace/get") == workspace
    api.call("POST", retention + "/workspace/set", json={"max_traces": "many"}, status=400)
    api.json("POST", retention + "/workspace/set", json={})  # back to no policy


def test_registry(api: CheckedClient, exp: str) -> None:
    rm, mv = f"{V2}/registered-models", f"{V2}/model-versions"
    tags = [{"key": "k", "value": "v"}]
    api.call("POST", f"{rm}/create", json={"name": "m", "tags": tags, "description": "d"})
    api.call("POST", f"{rm}/create", json={"name": "m"}, status=400)
    version = {
        "name": "m",
        "source": "s3://b/x",
        "tags": tags,
        "description": "v1",
        "run_link": "l",
    }
    api.call("POST", f"{mv}/create", json=version)
    api.call("POST", f"{mv}/create", json={"name": "m", "source": "s3://b/y"})
    ref = {"name": "m", "version": "1"}
    api.call("POST", f"{rm}/alias", json={**ref, "alias": "champion"})
    model = api.json("GET", f"{rm}/get", params={"name": "m"})["registered_model"]
    assert model["aliases"] and model["latest_versions"]
    api.call("GET", f"{rm}/get", params={"name": "none"}, status=404)
    api.call("GET", f"{rm}/alias", params={"name": "m", "alias": "champion"})
    api.call("GET", f"{rm}/search", params={"max_results": 10})
    api.call("POST", f"{rm}/search", json={"filter": "name = 'm'"})
    api.call("GET", f"{rm}/get-latest-versions", params={"name": "m"})
    api.call("POST", f"{rm}/get-latest-versions", json={"name": "m", "stages": ["None"]})
    api.call("POST", f"{rm}/set-tag", json={"name": "m", "key": "a", "value": "b"})
    api.call("DELETE", f"{rm}/delete-tag", json={"name": "m", "key": "a"})
    api.call("PATCH", f"{rm}/update", json={"name": "m", "description": "new"})
    api.call("GET", f"{mv}/get", params=ref)
    api.call("PATCH", f"{mv}/update", json={**ref, "description": "x"})
    api.call("POST", f"{mv}/set-tag", json={**ref, "key": "a", "value": "b"})
    api.call("DELETE", f"{mv}/delete-tag", json={**ref, "key": "a"})
    api.call("GET", f"{mv}/get-download-uri", params=ref)
    api.call(
        "POST",
        f"{mv}/transition-stage",
        json={**ref, "stage": "Staging", "archive_existing_versions": False},
    )
    api.call("GET", f"{mv}/search", params={"filter": "name = 'm'", "max_results": 1})
    api.call("POST", f"{mv}/search", json={"filter": "name = 'm'"})
    api.call("DELETE", f"{rm}/alias", json={"name": "m", "alias": "champion"})
    api.call("DELETE", f"{mv}/delete", json={"name": "m", "version": "2"})
    api.call("POST", f"{rm}/rename", json={"name": "m", "new_name": "m2"})
    api.call("DELETE", f"{rm}/delete", json={"name": "m2"})


def test_model_files_and_runs(api: CheckedClient, exp: str) -> None:
    run = api.json("POST", f"{V2}/runs/create", json={"experiment_id": exp})["run"]["info"]
    created = {"experiment_id": exp, "name": "lm", "source_run_id": run["run_id"]}
    info = api.json("POST", f"{V2}/logged-models", json=created)["model"]["info"]
    model_id = info["model_id"]
    stored = info["artifact_uri"].removeprefix("mlflow-artifacts:/") + "/MLmodel"
    proxied = "/api/2.0/mlflow-artifacts/artifacts/{artifact_path}"
    api.call("PUT", proxied, {"artifact_path": stored}, content=b"flavors: {}")
    api.call("POST", f"{V2}/registered-models/create", json={"name": "files"})
    version = {"name": "files", "source": f"models:/{model_id}", "model_id": model_id}
    api.call("POST", f"{V2}/model-versions/create", json=version)
    ref = {"name": "files", "version": "1"}
    listing = api.json("GET", ARDEA + "/model-versions/artifacts", params=ref)
    assert listing["files"] == [{"path": "MLmodel", "is_dir": False, "file_size": 11}]
    missing = {"name": "files", "version": "5"}
    api.call("GET", ARDEA + "/model-versions/artifacts", params=missing, status=404)
    api.call("GET", "/model-versions/get-artifact", params={**ref, "path": "MLmodel"})
    api.call("GET", "/model-versions/get-artifact", params={**ref, "path": "x.txt"}, status=404)
    runs = ARDEA + "/logged-models/{model_id}/runs"
    assert api.json("GET", runs, {"model_id": model_id})["runs"][0]["relation"] == "source"
    api.call("GET", runs, {"model_id": "m-" + "0" * 32}, status=404)


def test_webhooks(api: CheckedClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_WEBHOOKS_ALLOW_PRIVATE", "1")
    hooks = f"{V2}/webhooks"
    events = [{"entity": "REGISTERED_MODEL", "action": "CREATED"}]
    new = {"name": "h", "url": "http://127.0.0.1:1/x", "events": events, "description": "d"}
    hook = api.json("POST", hooks, json=new)["webhook"]
    one = {"webhook_id": hook["webhook_id"]}
    api.call("GET", hooks, params={"max_results": 10})
    api.call("GET", hooks + "/{webhook_id}", one)
    api.call("GET", hooks + "/{webhook_id}", {"webhook_id": "none"}, status=404)
    api.call("PATCH", hooks + "/{webhook_id}", one, json={"status": "DISABLED"})
    result = api.json("POST", hooks + "/{webhook_id}/test", one, json={})["result"]
    assert result["success"] is False
    api.call("DELETE", hooks + "/{webhook_id}", one)


def test_every_trace_registry_and_webhook_operation_was_checked(api: CheckedClient) -> None:
    assert api.unchecked(lambda p: traces_module_path(p) and not auth_module_path(p)) == []
