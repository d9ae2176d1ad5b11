"""End-to-end: the trace explorer, span pane, feedback and sessions in headless Chromium.

The server is seeded over OTLP (as ``tests/ui/test_ui_e2e.py`` does): two traces of one
session. The first has nested spans (``agent`` > ``plan`` > ``plan-step``), a chat-model span
with OpenAI-style messages, a tool call, token usage and cost, and a failing tool span with an
exception event; the second is the session's follow-up question.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fixtures import otlp_payloads as otlp
from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow

T1 = "11111111111111111111111111111111"
T2 = "22222222222222222222222222222222"
SESSION = "sess-42"
S = 1_700_000_000_000_000_000  # ns
MS = 1_000_000


def _chat_inputs(question: str) -> str:
    return json.dumps(
        {
            "model": "gpt-4o-mini",
            "messages": [
                {"role": "system", "content": "You answer about birds."},
                {"role": "user", "content": question},
            ],
        }
    )


def _chat_outputs(answer: str) -> str:
    return json.dumps(
        {
            "choices": [
                {
                    "message": {
                        "role": "assistant",
                        "content": answer,
                        "tool_calls": [
                            {
                                "id": "call_1",
                                "type": "function",
                                "function": {
                                    "name": "lookup_bird",
                                    "arguments": '{"name": "heron"}',
                                },
                            }
                        ],
                    }
                }
            ]
        }
    )


def _spans_first() -> list[dict[str, Any]]:
    a, b, c, d, e = ("a" * 16, "b" * 16, "c" * 16, "d" * 16, "e" * 16)
    return [
        otlp.span(
            T1, a, "agent",
            attributes={
                "mlflow.spanInputs": _chat_inputs("What is a heron?"),
                "mlflow.spanOutputs": json.dumps("A wading bird."),
                "mlflow.spanType": '"AGENT"',
                "session.id": SESSION,
                # As Ardea's SDK sends it: the session also as trace metadata.
                "mlflow.traceMetadata.mlflow.trace.session": SESSION,
            },
            start_ns=S, end_ns=S + 2000 * MS,
        ),
        otlp.span(T1, b, "plan", parent_hex=a, start_ns=S + 10 * MS, end_ns=S + 300 * MS),
        otlp.span(T1, d, "plan-step", parent_hex=b, start_ns=S + 20 * MS, end_ns=S + 200 * MS),
        otlp.span(
            T1, c, "chat-model", parent_hex=a,
            attributes={
                "mlflow.spanType": '"CHAT_MODEL"',
                "mlflow.spanInputs": _chat_inputs("What is a heron?"),
                "mlflow.spanOutputs": _chat_outputs("A heron is a wading bird."),
                "mlflow.chat.tokenUsage": json.dumps(
                    {"input_tokens": 20, "output_tokens": 22, "total_tokens": 42}
                ),
                "mlflow.llm.cost": json.dumps({"total_cost": 0.0021}),
            },
            start_ns=S + 400 * MS, end_ns=S + 1500 * MS,
        ),
        otlp.span(
            T1, e, "failing-tool", parent_hex=a, status=2,
            events=[
                (
                    "exception",
                    S + 1700 * MS,
                    {
                        "exception.type": "TimeoutError",
                        "exception.message": "bird API timed out",
                        "exception.stacktrace": "Traceback (most recent call last):\n  File x",
                    },
                )
            ],
            start_ns=S + 1600 * MS, end_ns=S + 1900 * MS,
        ),
    ]  # fmt: skip


def _spans_second() -> list[dict[str, Any]]:
    return [
        otlp.span(
            T2, "f" * 16, "agent",
            attributes={
                "mlflow.spanInputs": _chat_inputs("And a stork?"),
                "mlflow.spanOutputs": json.dumps("Also a wading bird."),
                "session.id": SESSION,
                # As Ardea's SDK sends it: the session also as trace metadata.
                "mlflow.traceMetadata.mlflow.trace.session": SESSION,
            },
            start_ns=S + 60_000 * MS, end_ns=S + 61_000 * MS,
        )
    ]  # fmt: skip


class Seeded:
    """The live server, the experiment and the first trace's id."""

    def __init__(self, server: ServerProcess) -> None:
        self.url = server.url
        r = httpx.post(
            f"{self.url}/api/2.0/mlflow/experiments/create", json={"name": "ui-traces"}, timeout=30
        )
        assert r.status_code == 200, r.text
        self.exp_id = str(r.json()["experiment_id"])
        for spans in (_spans_first(), _spans_second()):
            r = httpx.post(
                f"{self.url}/v1/traces",
                json=otlp.json_request(spans),
                headers={"x-mlflow-experiment-id": self.exp_id},
                timeout=30,
            )
            assert r.status_code == 200, r.text
        self.trace_id = f"tr-{T1}"

    def trace_info(self) -> dict[str, Any]:
        """The first trace's TraceInfoV3 as the server has it now."""
        r = httpx.get(f"{self.url}/api/3.0/mlflow/traces/{self.trace_id}", timeout=30)
        assert r.status_code == 200, r.text
        info: dict[str, Any] = r.json()["trace"]["trace_info"]
        return info


@pytest.fixture(scope="module")
def seeded(ui_server: ServerProcess) -> Iterator[Seeded]:
    yield Seeded(ui_server)


def _trace_url(seeded: Seeded) -> str:
    return f"{seeded.url}/experiments/{seeded.exp_id}/traces/{seeded.trace_id}"


def test_expanding_a_span_loads_its_children(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    with page.expect_request(lambda r: "roots_only=true" in r.url):
        page.goto(_trace_url(seeded))
    tree = page.get_by_role("tree", name="Spans")
    items = tree.get_by_role("treeitem")
    # The single root starts expanded: its children are there, theirs are not loaded yet.
    expect(items).to_have_count(4)
    expect(items.first).to_contain_text("agent")
    expect(tree.get_by_role("treeitem", name=re.compile("plan-step"))).to_have_count(0)
    plan = items.nth(1)  # children in start order: plan, chat-model, failing-tool
    expect(plan).to_contain_text("plan")
    with page.expect_request(lambda r: "parent_span_id=" + "b" * 16 in r.url):
        plan.get_by_role("button", name="Expand").click()
    step = items.filter(has_text="plan-step")
    expect(step).to_have_count(1)
    expect(step).to_have_attribute("aria-level", "3")
    expect(page).to_have_url(re.compile("open=" + "b" * 16))
    # A leaf shows no toggle (the trace's span index lists no child of it).
    expect(step.get_by_role("button")).to_have_count(0)
    # The URL restores the expanded spans.
    page.reload()
    expect(tree.get_by_role("treeitem").filter(has_text="plan-step")).to_have_count(1)


def test_chat_span_renders_as_a_conversation(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(_trace_url(seeded))
    tree = page.get_by_role("tree", name="Spans")
    tree.get_by_role("treeitem").filter(has_text="chat-model").click()
    expect(page).to_have_url(re.compile("span=" + "c" * 16))
    inputs = page.get_by_test_id("span-inputs").get_by_role("list", name="Inputs conversation")
    expect(inputs.get_by_role("listitem")).to_have_count(2)
    expect(inputs.get_by_role("listitem").nth(1)).to_contain_text("What is a heron?")
    outputs = page.get_by_test_id("span-outputs")
    expect(outputs).to_contain_text("A heron is a wading bird.")
    expect(outputs).to_contain_text("lookup_bird")
    expect(page.get_by_test_id("span-tokens")).to_contain_text("42")
    expect(page.get_by_test_id("span-cost")).to_contain_text("$0.0021")

    tree.get_by_role("treeitem").filter(has_text="failing-tool").click()
    exc = page.get_by_role("group", name="Exception")
    expect(exc).to_contain_text("TimeoutError")
    expect(exc).to_contain_text("bird API timed out")
    expect(exc.locator("pre")).to_contain_text("Traceback (most recent call last):")


def test_add_feedback_and_a_tag(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(_trace_url(seeded))
    panel = page.get_by_role("region", name="Assessments")
    form = panel.get_by_role("form", name="Add feedback")
    form.get_by_role("textbox", name="Feedback name").fill("accurate")
    form.get_by_label("Feedback value").select_option("no")
    form.get_by_role("textbox", name="Rationale").fill("storks are not herons")
    form.get_by_role("button", name="Add feedback").click()
    item = panel.locator("[data-assessment=accurate]")
    expect(item).to_contain_text("accurate: no")
    expect(item).to_contain_text("storks are not herons")
    stored = [a for a in seeded.trace_info()["assessments"] if a["assessment_name"] == "accurate"]
    assert stored and stored[0]["feedback"]["value"] is False

    tags = page.get_by_role("region", name="Trace tags")
    tags.get_by_role("textbox", name="Tag key").fill("reviewed")
    tags.get_by_role("textbox", name="Tag value").fill("yes")
    tags.get_by_role("button", name="Add tag").click()
    expect(tags.locator("[data-tag=reviewed]")).to_contain_text("reviewed = yes")
    assert seeded.trace_info()["tags"]["reviewed"] == "yes"
    tags.get_by_role("button", name="Remove tag reviewed").click()
    expect(tags.locator("[data-tag=reviewed]")).to_have_count(0)
    assert "reviewed" not in seeded.trace_info()["tags"]


def test_sessions_list_and_conversation(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}/traces")
    page.get_by_role("navigation", name="Experiment views").get_by_role(
        "link", name="Sessions"
    ).click()
    expect(page).to_have_url(re.compile(r"/sessions$"))
    row = page.get_by_role("table", name="Sessions").locator(f"[data-session-id={SESSION}]")
    expect(row.get_by_role("cell").nth(1)).to_have_text("2")  # turns
    row.get_by_role("link", name=SESSION).click()
    expect(page.get_by_role("heading", name=f"Session {SESSION}")).to_be_visible()
    turns = page.get_by_role("list", name="Session turns").locator(".session-turn")
    expect(turns).to_have_count(2)
    expect(turns.nth(0)).to_contain_text("What is a heron?")
    expect(turns.nth(0)).to_contain_text("A wading bird.")
    expect(turns.nth(1)).to_contain_text("And a stork?")
    turns.nth(0).get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/traces/{seeded.trace_id}$"))
    expect(page.get_by_role("tree", name="Spans")).to_be_visible()
