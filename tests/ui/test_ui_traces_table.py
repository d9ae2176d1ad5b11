"""End-to-end: the traces table's tag chips and server-side sort, and the explorer's carets.

Three traces are logged with Ardea's tracing SDK (tags set with ``update_current_trace``; one
of them sleeps so it is the slowest), and one over OTLP whose spans end with an UNSET status.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fixtures import otlp_payloads as otlp
from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow

UNSET_TRACE = "33333333333333333333333333333333"
LONG_VALUE = "a-very-long-tag-value-" * 6


class Seeded:
    """The live server, the experiment, and the ids of the slowest and of the UNSET trace."""

    def __init__(self, server: ServerProcess) -> None:
        import ardea
        from ardea.tracing import provider

        self.url = server.url
        ardea.set_tracking_uri(server.url)
        provider.reset()
        provider.configure(schedule_delay=0.05)
        try:
            self.exp_id = str(ardea.set_experiment("ui-traces-table").experiment_id)

            @ardea.trace
            def answer(question: str, pause: float, tags: dict[str, str]) -> str:
                ardea.update_current_trace(tags=tags)
                time.sleep(pause)
                return question.upper()

            answer("fast one", 0.0, {"env": "prod", "team": "birds"})
            answer("slow one", 0.6, {"env": "dev", "note": LONG_VALUE})
            self.slowest = ardea.get_last_active_trace_id()
            answer("quick one", 0.0, {"env": "prod"})
            ardea.flush()
        finally:
            provider.reset()
            ardea.set_tracking_uri(None)
        root, child = "1" * 16, "2" * 16
        spans = [
            otlp.span(UNSET_TRACE, root, "unset-root", status=0),
            otlp.span(UNSET_TRACE, child, "unset-child", parent_hex=root, status=0),
        ]
        r = httpx.post(
            f"{self.url}/v1/traces",
            json=otlp.json_request(spans),
            headers={"x-mlflow-experiment-id": self.exp_id},
            timeout=30,
        )
        assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def seeded(ui_server: ServerProcess) -> Iterator[Seeded]:
    yield Seeded(ui_server)


def test_tag_chips_and_sort_by_latency(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}/traces")
    table = page.get_by_role("table", name="Traces")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(4)
    slow = table.locator(f"tr[data-trace-id='{seeded.slowest}']")
    expect(slow.locator("[data-tag=env]")).to_have_text("env = dev")
    note = slow.locator("[data-tag=note]")
    expect(note).to_have_attribute("title", f"note = {LONG_VALUE}")
    expect(note).to_contain_text("…")
    expect(table.locator("[data-tag^='mlflow.']")).to_have_count(0)
    expect(table.get_by_role("columnheader", name=re.compile("Time"))).to_have_attribute(
        "aria-sort", "descending"
    )

    table.get_by_role("button", name="Latency").click()
    expect(page).to_have_url(re.compile(r"[?&]sort=execution_time_ms(%3A|:)desc"))
    expect(rows.first).to_have_attribute("data-trace-id", seeded.slowest)
    header = table.get_by_role("columnheader", name=re.compile("Latency"))
    expect(header).to_have_attribute("aria-sort", "descending")
    table.get_by_role("button", name=re.compile("Latency")).click()
    expect(page).to_have_url(re.compile(r"sort=execution_time_ms(%3A|:)asc"))
    expect(rows.last).to_have_attribute("data-trace-id", seeded.slowest)
    # The sort survives a reload; an unknown sort falls back to newest first.
    page.reload()
    expect(rows.last).to_have_attribute("data-trace-id", seeded.slowest)
    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}/traces?sort=bogus:up")
    expect(rows).to_have_count(4)
    expect(page.get_by_role("alert")).to_have_count(0)


def test_unset_status_is_neutral_and_leaves_have_no_caret(page: Any, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{seeded.url}/experiments/{seeded.exp_id}/traces/tr-{UNSET_TRACE}")
    tree = page.get_by_role("tree", name="Spans")
    root = tree.get_by_role("treeitem").filter(has_text="unset-root")
    leaf = tree.get_by_role("treeitem").filter(has_text="unset-child")
    expect(leaf).to_have_count(1)
    expect(root.get_by_role("button", name="Collapse")).to_have_count(1)
    expect(leaf.get_by_role("button")).to_have_count(0)  # known childless before expanding it
    details = page.get_by_label("Span details")
    badge = details.locator(".status-badge")
    expect(badge).to_have_text("unset")
    expect(badge).to_have_class(re.compile("tone-neutral"))
    expect(page.get_by_test_id("trace-summary").locator(".status-badge")).to_have_text("OK")
