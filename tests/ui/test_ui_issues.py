"""End-to-end: the Issues view in headless Chromium against a real ``ardea server``.

Nine traces are logged over OTLP, each with an LLM judge's failing ``correct`` verdict whose
rationale falls in one of three failure modes (three traces each), plus one passing trace. On
the experiment's Issues tab, "Group failing traces" over all time proposes the three modes,
each with its count; the largest is expanded to its traces and made an issue. The issues list
then shows it with its trace count, expands to its linked traces, and resolves it; the trace
page of a linked trace shows the issue among its assessments.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fixtures.otlp_payloads import protobuf_request, span
from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow

MODES = {
    "refusal": [
        "The assistant refused to answer the question about the invoice.",
        "The assistant refused to help with the warranty although it was harmless.",
        "It refused to answer about the store hours; a refusal was not needed.",
    ],
    "language": [
        "The answer is written in French but the user asked in English.",
        "The user wrote in English and the answer came back in French.",
        "Wrong language: the reply is in French, not English.",
    ],
    "unsupported": [
        "Claims about the refund policy are not supported by the retrieved context.",
        "The answer makes claims not supported by the retrieved context.",
        "The response states facts not supported by any retrieved context document.",
    ],
}


@pytest.fixture(scope="module")
def server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(Path(tmp_path_factory.mktemp("issues-server")))
    try:
        yield proc
    finally:
        proc.stop()


def _trace(url: str, exp: str, n: int) -> str:
    attrs = {"mlflow.spanInputs": json.dumps({"q": n}), "mlflow.spanOutputs": json.dumps("a")}
    r = httpx.post(
        f"{url}/v1/traces",
        content=protobuf_request([span(f"{n:032x}", f"{n:016x}", "qa", attributes=attrs)]),
        headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return f"tr-{n:032x}"


def _verdict(url: str, trace_id: str, value: object, rationale: str) -> None:
    body = {
        "assessment": {
            "assessment_name": "correct",
            "trace_id": trace_id,
            "source": {"source_type": "LLM_JUDGE", "source_id": "openai:/gpt-4o-mini"},
            "feedback": {"value": value},
            "rationale": rationale,
        }
    }
    r = httpx.post(f"{url}/api/3.0/mlflow/traces/{trace_id}/assessments", json=body)
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def seeded(server: ServerProcess) -> dict[str, Any]:
    r = httpx.post(f"{server.url}/api/2.0/mlflow/experiments/create", json={"name": "issues"})
    exp = r.json()["experiment_id"]
    by_mode: dict[str, list[str]] = {}
    n = 0
    for mode, texts in MODES.items():
        for text in texts:
            n += 1
            trace_id = _trace(server.url, exp, n)
            _verdict(server.url, trace_id, False, text)
            by_mode.setdefault(mode, []).append(trace_id)
    passing = _trace(server.url, exp, 99)
    _verdict(server.url, passing, True, "Correct and polite.")
    return {"exp": exp, "by_mode": by_mode, "passing": passing}


def test_group_failures_create_and_resolve_an_issue(
    page: Any, server: ServerProcess, seeded: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    exp = seeded["exp"]
    page.goto(f"{server.url}/experiments/{exp}/issues")
    expect(page.get_by_role("navigation", name="Experiment views")).to_contain_text("Issues")
    page.get_by_label("Traces from").select_option("all")
    page.get_by_role("button", name="Group failing traces").click()
    proposals = page.get_by_role("region", name="Proposed issues")
    expect(proposals.get_by_role("status")).to_have_text(
        "9 failing verdicts, 3 failure modes (tfidf-svd embedding)."
    )
    cards = proposals.locator("li.issue-proposal")
    expect(cards).to_have_count(3)
    for i in range(3):
        expect(cards.nth(i)).to_contain_text("3 failing")
    first = cards.nth(0)
    name = first.get_attribute("data-proposal") or ""
    mode = next(m for m, texts in MODES.items() if name in texts)
    first.locator("summary").click()
    traces = first.get_by_role("list", name=f"Traces of {name}")
    for trace_id in seeded["by_mode"][mode]:
        expect(traces).to_contain_text(trace_id)
    expect(traces).not_to_contain_text(seeded["passing"])
    first.get_by_role("button", name="Create issue").click()
    expect(first).to_contain_text("Issue created")

    row = page.locator(f"tr[data-issue='{name}']")
    expect(row).to_contain_text("pending")
    expect(row.locator("td").nth(2)).to_have_text("3")
    row.get_by_role("button", name=name).click()
    linked = row.get_by_role("list", name="Linked traces")
    for trace_id in seeded["by_mode"][mode]:
        expect(linked).to_contain_text(trace_id)
    row.get_by_role("button", name="Resolve").click()
    expect(row).to_contain_text("resolved")

    found = httpx.post(
        f"{server.url}/api/3.0/mlflow/issues/search",
        json={"experiment_id": exp, "statuses": ["resolved"], "include_trace_count": True},
    ).json()["issues"]
    assert [(i["name"], i["trace_count"]) for i in found] == [(name, 3)]

    linked.get_by_role("link", name=seeded["by_mode"][mode][0]).click()
    issue_id = found[0]["issue_id"]
    expect(page.locator(f"li[data-assessment='{issue_id}']")).to_contain_text(name)
