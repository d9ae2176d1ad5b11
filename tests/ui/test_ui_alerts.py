"""End-to-end: an alert rule created in the UI, broken by ingested traces, raised and shown, in
headless Chromium against a real ``ardea server`` whose evaluator runs every half second.

On the experiment's Alerts page a person creates an error-rate rule with the form (20% over an
hour, at least 4 traces). Four traces arrive over OTLP, two of them failed; the server's
evaluator fires the rule, and without a reload the page shows the red banner naming it, the
rule as FIRING with its last value, and the FIRED event. The banner shows on the experiment's
other pages too. The overview's quality chart draws the judge's pass rate with its band.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ardea.client import ArdeaClient
from fixtures.otlp_payloads import protobuf_request, span
from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    env = {"ARDEA_ALERTS_INTERVAL_SECONDS": "0.5"}
    proc = ServerProcess(Path(tmp_path_factory.mktemp("alerts-server")), env=env)
    try:
        yield proc
    finally:
        proc.stop()


def _ingest(server: ServerProcess, exp: str, failed: list[bool]) -> list[str]:
    now = time.time_ns()
    spans = [
        span(f"{n:032x}", f"{n:016x}", "answer", status=2 if bad else 1,
             start_ns=now - 10**9 + n * 10**6, end_ns=now - 10**8 + n * 10**6)
        for n, bad in enumerate(failed, start=1)
    ]  # fmt: skip
    r = httpx.post(
        f"{server.url}/v1/traces",
        content=protobuf_request(spans),
        headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return [f"tr-{n:032x}" for n in range(1, len(failed) + 1)]


def test_an_alert_is_raised_and_shown(page: Any, server: ServerProcess) -> None:
    from playwright.sync_api import expect

    client = ArdeaClient(server.url)
    exp = client.create_experiment("alerts")
    page.goto(f"{server.url}/experiments/{exp}/alerts")
    expect(page.get_by_text("No alert rules yet.")).to_be_visible()
    page.get_by_role("button", name="New rule").click()
    form = page.get_by_role("form", name="New alert rule")
    form.get_by_label("Name").fill("errors")
    form.get_by_label("Kind").select_option("error_rate_above")
    form.get_by_label("Threshold (%)").fill("20")
    form.get_by_label("Window (minutes)").fill("60")
    form.get_by_label("Minimum samples").fill("4")
    form.get_by_role("button", name="Create rule").click()
    row = page.locator("tr[data-rule='errors']")
    expect(row).to_contain_text("error rate > 20% over 1 h")
    expect(row).to_contain_text("OK")
    expect(page.get_by_test_id("alert-banner")).to_have_count(0)
    [rule] = client.list_alert_rules(exp)
    assert (rule.threshold, rule.window_seconds, rule.min_samples) == (0.2, 3600, 4)

    traces = _ingest(server, exp, [False, True, False, True])
    for trace_id, verdict in zip(traces, ("yes", "no", "yes", "yes"), strict=True):
        body = {
            "assessment": {
                "assessment_name": "correct",
                "trace_id": trace_id,
                "source": {"source_type": "LLM_JUDGE", "source_id": "judge"},
                "feedback": {"value": verdict},
            }
        }
        r = httpx.post(f"{server.url}/api/3.0/mlflow/traces/{trace_id}/assessments", json=body)
        assert r.status_code == 200, r.text

    banner = page.get_by_test_id("alert-banner")
    expect(banner).to_contain_text("1 alert firing", timeout=30_000)
    expect(banner).to_contain_text("errors (error rate > 20% over 1 h; now 50%)")
    expect(row.locator(".alert-state")).to_have_text("FIRING", timeout=30_000)
    expect(row).to_contain_text("50%")
    events = page.get_by_role("table", name="Alert events")
    expect(events.locator("tr[data-event='FIRED']")).to_contain_text("errors", timeout=30_000)
    assert client.get_alert_rule(rule.rule_id).state == "FIRING"

    page.goto(f"{server.url}/experiments/{exp}/overview")
    expect(page.get_by_test_id("alert-banner")).to_contain_text("errors")
    quality = page.get_by_role("region", name="Quality over time")
    expect(quality.get_by_test_id("overview-chart-quality-correct")).to_be_visible()
    expect(quality.get_by_role("table", name="Pass rate by judge")).to_contain_text("75%")
    page.get_by_test_id("alert-banner").get_by_role("link", name="See alerts").click()
    expect(page).to_have_url(f"{server.url}/experiments/{exp}/alerts")
