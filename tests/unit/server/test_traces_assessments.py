"""Assessment routes through the app: create, get, update (update_mask), delete, errors."""

from __future__ import annotations

from typing import Any

import pytest

from fixtures.otlp_payloads import protobuf_request, span

from .support import Client, create_experiment

T1 = "0af7651916cd43dd8448eb211c80319c"
TR1 = "tr-" + T1
ROOT = "b7ad6b7169203331"
BASE = f"/api/3.0/mlflow/traces/{TR1}/assessments"


@pytest.fixture
def trace(client: Client) -> str:
    exp = create_experiment(client)
    r = client.post(
        "/v1/traces",
        content=protobuf_request([span(T1, ROOT, "root")]),
        headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp},
    )
    assert r.status_code == 200, r.text
    return TR1


def feedback(value: Any = True, **extra: Any) -> dict[str, Any]:
    return {
        "assessment": {
            "assessment_name": "correctness",
            "trace_id": TR1,
            "source": {"source_type": "LLM_JUDGE", "source_id": "openai:/gpt-4.1-mini"},
            "create_time": "2026-11-26T03:38:42.662Z",
            "last_update_time": "2026-11-26T03:38:42.662Z",
            "feedback": {"value": value},
            "rationale": "because",
            "metadata": {"mlflow.assessment.judgeCost": "0.001"},
            "span_id": ROOT,
            **extra,
        }
    }


def infos_assessments(client: Client) -> list[dict[str, Any]]:
    r = client.get(f"/api/3.0/mlflow/traces/{TR1}")
    return list(r.json()["trace"]["trace_info"]["assessments"])


def test_create_get_and_embedded_in_trace_info(client: Client, trace: str) -> None:
    r = client.post(BASE, json=feedback({"score": 0.9, "ok": True}))
    assert r.status_code == 200, r.text
    created = r.json()["assessment"]
    aid = created["assessment_id"]
    assert aid.startswith("a-") and len(aid) == 34
    assert created["feedback"]["value"] == {"score": 0.9, "ok": True}
    assert created["source"] == {"source_type": "LLM_JUDGE", "source_id": "openai:/gpt-4.1-mini"}
    assert created["create_time"] == "2026-11-26T03:38:42.662Z"
    assert created["span_id"] == ROOT
    assert created["valid"] is True
    got = client.get(f"{BASE}/{aid}").json()["assessment"]
    assert got == created
    assert infos_assessments(client) == [created]


def test_expectations_with_structured_values_are_serialized(client: Client, trace: str) -> None:
    body = {
        "assessment": {
            "assessment_name": "expected",
            "source": {"source_type": "HUMAN", "source_id": "bob"},
            "expectation": {
                "serialized_value": {"serialization_format": "JSON_FORMAT", "value": '{"a": [1]}'}
            },
        }
    }
    created = client.post(BASE, json=body).json()["assessment"]
    assert created["expectation"]["serialized_value"]["value"] == '{"a":[1]}'
    primitive = {"assessment": {"assessment_name": "n", "expectation": {"value": 3}}}
    created = client.post(BASE, json=primitive).json()["assessment"]
    assert created["expectation"] == {"value": 3}


def test_update_changes_only_masked_fields(client: Client, trace: str) -> None:
    aid = client.post(BASE, json=feedback()).json()["assessment"]["assessment_id"]
    body = {
        "assessment": {
            "assessment_id": aid,
            "trace_id": TR1,
            "feedback": {"value": False},
            "rationale": "changed my mind",
            "assessment_name": "ignored",
        },
        "update_mask": "feedback,rationale",
    }
    r = client.patch(f"{BASE}/{aid}", json=body)
    assert r.status_code == 200, r.text
    updated = r.json()["assessment"]
    assert updated["feedback"]["value"] is False
    assert updated["rationale"] == "changed my mind"
    assert updated["assessment_name"] == "correctness"
    r = client.patch(
        f"{BASE}/{aid}",
        json={"assessment": {"assessment_name": "renamed"}, "update_mask": "assessmentName"},
    )
    assert r.json()["assessment"]["assessment_name"] == "renamed"


def test_a_feedback_mask_replaces_value_and_error_together(client: Client, trace: str) -> None:
    # As MLflow's store: a new feedback replaces the old one's error (a judge that succeeded).
    error = {"error_code": "TIMEOUT", "error_message": "slow"}
    created = client.post(BASE, json=feedback(None)).json()["assessment"]
    aid = created["assessment_id"]
    mask = {"update_mask": "feedback"}
    body = {"assessment": {"feedback": {"value": None, "error": error}}, **mask}
    failed = client.patch(f"{BASE}/{aid}", json=body).json()["assessment"]
    assert failed["feedback"] == {"value": None, "error": error}
    body = {"assessment": {"feedback": {"value": 0.7}}, **mask}
    healed = client.patch(f"{BASE}/{aid}", json=body).json()["assessment"]
    assert healed["feedback"] == {"value": 0.7}
    assert client.get(f"{BASE}/{aid}").json()["assessment"]["feedback"] == {"value": 0.7}


def test_overrides_invalidates_the_old_assessment(client: Client, trace: str) -> None:
    old = client.post(BASE, json=feedback()).json()["assessment"]["assessment_id"]
    new = client.post(BASE, json=feedback(False, overrides=old)).json()["assessment"]
    assert new["overrides"] == old
    assert client.get(f"{BASE}/{old}").json()["assessment"]["valid"] is False


def test_delete(client: Client, trace: str) -> None:
    aid = client.post(BASE, json=feedback()).json()["assessment"]["assessment_id"]
    r = client.request("DELETE", f"{BASE}/{aid}", json={"trace_id": TR1, "assessment_id": aid})
    assert r.status_code == 200, r.text
    assert client.get(f"{BASE}/{aid}").status_code == 404
    assert infos_assessments(client) == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"assessment": "x"},
        {"assessment": {"feedback": {"value": 1}}},
        {"assessment": {"assessment_name": "n"}},
        {"assessment": {"assessment_name": "n", "feedback": {"value": 1}, "metadata": [1]}},
        {"assessment": {"assessment_name": "n", "feedback": {}, "create_time": "soon"}},
        {"assessment": {"assessment_name": "n", "feedback": {}, "source": {"source_type": "X"}}},
        {"assessment": {"assessment_name": "n", "feedback": {}, "valid": "yes"}},
    ],
)
def test_bad_create_bodies_are_400(client: Client, trace: str, body: dict[str, Any]) -> None:
    r = client.post(BASE, json=body)
    assert r.status_code == 400, r.text
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert infos_assessments(client) == []


def test_bad_updates_are_400_and_change_nothing(client: Client, trace: str) -> None:
    aid = client.post(BASE, json=feedback()).json()["assessment"]["assessment_id"]
    for body in (
        {"assessment": {"rationale": "x"}, "update_mask": "create_time"},
        {"assessment": {"expectation": {"value": 1}}, "update_mask": "expectation"},
        {"update_mask": "rationale"},
    ):
        r = client.patch(f"{BASE}/{aid}", json=body)
        assert r.status_code == 400, (body, r.text)
    assert client.get(f"{BASE}/{aid}").json()["assessment"]["rationale"] == "because"


def test_unknown_trace_or_assessment_is_404(client: Client, trace: str) -> None:
    other = "/api/3.0/mlflow/traces/tr-ffffffffffffffffffffffffffffffff/assessments"
    assert client.post(other, json=feedback()).status_code == 404
    assert client.get(f"{BASE}/a-{'0' * 32}").status_code == 404
