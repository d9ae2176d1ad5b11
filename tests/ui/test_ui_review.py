"""End-to-end: a human review queue worked through with the keyboard only, in headless Chromium
against a real ``ardea server``.

Three traces are logged over OTLP, each with an LLM judge's ``safe`` verdict "no"; the SDK
(``ArdeaClient`` over the server) creates a queue with a pass/fail and a categorical label and
fills it with the traces the judge said no to. On the focused review page, keys alone do the
work: ``?`` shows the shortcuts, ``f`` ``2`` Enter labels the first trace, ``k`` goes back (a
done item shows its labels again) and ``j`` forward, ``p`` ``1`` Enter labels the second, ``s``
skips the third. The labels are then read back through the SDK as HUMAN assessments, and the
queues list shows the progress.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ardea.client import ArdeaClient
from fixtures.otlp_payloads import protobuf_request, span
from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow

SCHEMAS = [
    {"name": "correct", "type": "pass_fail", "title": "Is the answer correct?"},
    {"name": "tone", "type": "categorical", "options": ["polite", "curt"], "required": False},
]


@pytest.fixture(scope="module")
def server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(Path(tmp_path_factory.mktemp("review-server")))
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def seeded(server: ServerProcess) -> dict[str, Any]:
    client = ArdeaClient(server.url)
    exp = client.create_experiment("review")
    traces = []
    for n, (question, answer) in enumerate(
        [("capital of France", "Lyon"), ("2 + 2", "5"), ("largest ocean", "Arctic")], start=1
    ):
        attrs = {
            "mlflow.spanType": "CHAIN",
            "mlflow.spanInputs": json.dumps({"messages": [{"role": "user", "content": question}]}),
            "mlflow.spanOutputs": json.dumps(answer),
        }
        r = httpx.post(
            f"{server.url}/v1/traces",
            content=protobuf_request([span(f"{n:032x}", f"{n:016x}", "qa", attributes=attrs)]),
            headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        trace_id = f"tr-{n:032x}"
        body = {
            "assessment": {
                "assessment_name": "safe",
                "trace_id": trace_id,
                "source": {"source_type": "LLM_JUDGE", "source_id": "gpt-judge"},
                "feedback": {"value": "no"},
                "rationale": f"judge rationale {n}",
            }
        }
        r = httpx.post(f"{server.url}/api/3.0/mlflow/traces/{trace_id}/assessments", json=body)
        assert r.status_code == 200, r.text
        traces.append(trace_id)
    queue = client.create_review_queue(exp, "judge said no", SCHEMAS)
    items = client.add_review_items_by_judge(queue.queue_id, "safe")
    assert len(items) == 3
    by_position = sorted(items, key=lambda i: i.position)
    return {"client": client, "exp": exp, "queue": queue, "items": by_position}


def test_work_through_a_queue_with_the_keyboard(
    page: Any, server: ServerProcess, seeded: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    exp, queue, items = seeded["exp"], seeded["queue"], seeded["items"]
    client: ArdeaClient = seeded["client"]
    page.goto(f"{server.url}/experiments/{exp}/review/{queue.queue_id}/work")
    current = page.get_by_test_id("review-item")

    def at(index: int) -> None:
        expect(current).to_have_attribute("data-item-id", items[index].item_id)

    at(0)
    expect(page.get_by_role("list", name="Conversation")).to_contain_text("capital of France")
    verdicts = page.get_by_role("list", name="Judge verdicts")
    expect(verdicts).to_contain_text("judge rationale")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_have_count(0)

    page.keyboard.press("f")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    at(1)
    page.keyboard.press("k")
    at(0)
    expect(current).to_have_attribute("data-state", "done")
    # a done item shows its labels again
    expect(page.get_by_role("radio", name="Fail (f)")).to_be_checked()
    expect(page.get_by_role("radio", name="curt")).to_be_checked()
    page.keyboard.press("j")
    at(1)
    page.keyboard.press("p")
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    at(2)
    page.keyboard.press("s")
    expect(page.get_by_test_id("review-notice")).to_contain_text("All done")

    first, second = (client.get_review_item(items[i].item_id) for i in (0, 1))
    assert (first.state, second.state) == ("done", "done")
    assert client.get_review_item(items[2].item_id).state == "skipped"
    for item, want in ((first, {"correct": False, "tone": "curt"}),
                       (second, {"correct": True, "tone": "polite"})):  # fmt: skip
        stored = [client.get_assessment(item.trace_id, aid) for aid in item.assessment_ids]
        assert {a.name: a.value for a in stored} == want
        for a in stored:
            assert (a.source_type, a.source_id, a.kind) == ("HUMAN", "anonymous", "feedback")
    progress = client.review_progress(queue.queue_id)
    assert (progress.done, progress.skipped, progress.pending) == (2, 1, 0)

    page.goto(f"{server.url}/experiments/{exp}/review")
    row = page.locator("tr[data-queue='judge said no']")
    expect(row.get_by_test_id("progress-text")).to_have_text("2 done · 1 skipped · 0 left of 3")
