"""End-to-end: the gateway pages in headless Chromium against a real ``ardea server`` whose one
provider is the fake LLM server.

An endpoint is created in the UI's "New endpoint" form (secret, model definition and endpoint
over MLflow's management REST), found in the endpoints list and opened; a chat is sent from
the playground with ``stream: true`` and its answer streams in with its token usage, timings
and a link to the request's trace; the playground's usage totals then count the request, and
the usage page shows it by model and its charts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures.fake_llm_server import FakeLLMServer
from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fake_model() -> Iterator[FakeLLMServer]:
    server = FakeLLMServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def gateway_server(
    browser: Any, fake_model: FakeLLMServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    data = Path(tmp_path_factory.mktemp("gateway-server"))
    server = ServerProcess(data, env={"ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS": "1"})
    try:
        yield server
    finally:
        server.stop()


def test_create_an_endpoint_chat_in_the_playground_and_see_the_usage(
    page: Any, gateway_server: ServerProcess, fake_model: FakeLLMServer
) -> None:
    from playwright.sync_api import expect

    fake_model.reset()
    page.goto(f"{gateway_server.url}/")
    page.get_by_role("link", name="Gateway", exact=True).click()
    expect(page).to_have_url(re.compile(r"/gateway$"))
    page.get_by_role("button", name="New endpoint").click()
    form = page.get_by_role("form", name="New endpoint")
    form.get_by_label("Name").fill("chat")
    form.get_by_label("Model").fill("gpt-4.1-mini")
    form.get_by_label("API key").fill("sk-ui-gateway-0123456789")
    form.get_by_label("API base URL").fill(fake_model.openai_base_url)
    form.get_by_role("button", name="Create endpoint").click()

    endpoints = page.get_by_role("table", name="Endpoints")
    expect(endpoints.locator("tr[data-endpoint='chat']")).to_contain_text("openai/gpt-4.1-mini")
    endpoints.get_by_role("link", name="chat").click()
    expect(page.get_by_role("img", name="Traffic split: openai/gpt-4.1-mini 100%")).to_be_visible()
    page.get_by_role("link", name="try it in the playground").click()
    expect(page).to_have_url(re.compile(r"/gateway/playground\?endpoint=chat$"))

    page.get_by_label("User message").fill("hello gateway")
    page.get_by_role("button", name="Send").click()
    answer = page.get_by_test_id("playground-answer")
    expect(answer).to_contain_text("echo: hello gateway")
    expect(page.get_by_test_id("playground-usage")).to_contain_text(re.compile(r"\d+ in / \d+ out"))
    expect(page.get_by_test_id("playground-ttft")).to_contain_text("ms")
    trace_link = page.get_by_role("link", name=re.compile("^tr-"))
    expect(trace_link).to_have_attribute("href", re.compile(r"/experiments/\d+/traces/tr-"))
    trace_href = trace_link.get_attribute("href")
    sent = fake_model.requests_to("/chat/completions")[-1]
    assert sent.body["stream"] is True and sent.body["model"] == "gpt-4.1-mini"

    totals = page.get_by_role("table", name="Usage totals")
    expect(totals.locator("tfoot td[data-col='requests']")).to_have_text("1", timeout=30_000)
    expect(page.get_by_test_id("overview-chart-requests")).to_be_visible()

    page.get_by_role("navigation", name="Gateway").get_by_role("link", name="Usage").click()
    page.get_by_label("Split by").select_option("model")
    usage = page.get_by_role("table", name="Usage totals")
    expect(
        usage.locator("tr[data-group='openai/gpt-4.1-mini'] td[data-col='requests']")
    ).to_have_text("1")
    expect(page.get_by_test_id("overview-chart-tokens")).to_be_visible()

    page.goto(f"{gateway_server.url}{trace_href}")  # the request's trace, in the trace view
    expect(page.get_by_text("gateway/chat").first).to_be_visible()
