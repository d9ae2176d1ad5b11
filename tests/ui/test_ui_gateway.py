"""End-to-end: the gateway pages in headless Chromium against a real ``ardea server`` whose one
provider is the fake LLM server.

An endpoint is created in the UI's "New endpoint" form (secret, model definition and endpoint
over MLflow's management REST), found in the endpoints list and opened; a chat is sent from
the playground with ``stream: true`` and its answer streams in with its token usage, timings
and a link to the request's trace; the playground's usage totals then count the request, and
the usage page shows it by model and its charts.
"""

from __future__ import annotations

import json
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


def _rest(server: ServerProcess, path: str, body: dict[str, Any]) -> dict[str, Any]:
    import httpx

    r = httpx.post(f"{server.url}/api/3.0/mlflow/gateway/{path}", json=body)
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def test_edit_an_endpoint_models_limits_name_and_delete_it(
    page: Any, gateway_server: ServerProcess, fake_model: FakeLLMServer
) -> None:
    import httpx
    from playwright.sync_api import expect

    secret = _rest(
        gateway_server,
        "secrets/create",
        {
            "secret_name": "edit-key",
            "secret_value": {"api_key": "sk-ui-edit-0123456789"},
            "provider": "openai",
            "auth_config": {"api_base": fake_model.openai_base_url},
        },
    )["secret"]["secret_id"]
    ids = {}
    for name, model in (("small", "gpt-4.1-mini"), ("big", "gpt-4.1")):
        body = {"name": name, "provider": "openai", "model_name": model, "secret_id": secret}
        made = _rest(gateway_server, "model-definitions/create", body)["model_definition"]
        ids[name] = made["model_definition_id"]
    _rest(
        gateway_server,
        "endpoints/create",
        {"name": "edit-me", "model_configs": [{"model_definition_id": ids["small"]}]},
    )

    def stored(name: str) -> dict[str, Any]:
        r = httpx.get(
            f"{gateway_server.url}/api/3.0/mlflow/gateway/endpoints/get", params={"name": name}
        )
        assert r.status_code == 200, r.text
        endpoint: dict[str, Any] = r.json()["endpoint"]
        return endpoint

    page.goto(f"{gateway_server.url}/gateway/endpoints/edit-me")
    mappings = page.get_by_role("table", name="Model mappings")
    expect(mappings.locator("tbody tr")).to_have_count(1)

    page.get_by_role("button", name="Edit models").click()  # add big as the fallback
    form = page.get_by_role("form", name="Edit models")
    form.get_by_label("Model to add").select_option(label="big (openai/gpt-4.1)")
    form.get_by_role("button", name="Add model").click()
    form.get_by_label("Role of openai/gpt-4.1", exact=True).select_option("FALLBACK")
    form.get_by_label("Fallback order of openai/gpt-4.1", exact=True).fill("1")
    form.get_by_label("Max attempts").fill("2")
    form.get_by_role("button", name="Save models").click()
    expect(mappings.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_text("Fallback order: openai/gpt-4.1")).to_be_visible()
    endpoint = stored("edit-me")
    roles = {m["model_definition_id"]: m["linkage_type"] for m in endpoint["model_mappings"]}
    assert roles == {ids["small"]: "PRIMARY", ids["big"]: "FALLBACK"}
    assert endpoint["fallback_config"]["max_attempts"] == 2

    page.get_by_role("button", name="Edit models").click()  # and remove it again
    form = page.get_by_role("form", name="Edit models")
    form.get_by_role("button", name="Remove openai/gpt-4.1", exact=True).click()
    form.get_by_role("button", name="Save models").click()
    expect(mappings.locator("tbody tr")).to_have_count(1)
    assert [m["model_definition_id"] for m in stored("edit-me")["model_mappings"]] == [ids["small"]]

    page.get_by_role("button", name="Edit limits").click()
    limits = page.get_by_role("form", name="Edit limits")
    limits.get_by_role("button", name="Add limit").click()
    limits.get_by_label("Requests per minute of limit 1").fill("5")
    limits.get_by_role("button", name="Save limits").click()
    expect(page.get_by_text("5 req/min per endpoint")).to_be_visible()
    tags = {t["key"]: t["value"] for t in stored("edit-me")["tags"]}
    assert json.loads(tags["ardea.limits"]) == [{"scope": "endpoint", "requests_per_minute": 5}]

    rename = page.get_by_role("form", name="Rename endpoint")
    rename.get_by_label("Endpoint name").fill("edited")
    rename.get_by_role("button", name="Rename").click()
    expect(page).to_have_url(re.compile(r"/gateway/endpoints/edited$"))
    assert stored("edited")["name"] == "edited"

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete endpoint").click()
    expect(page).to_have_url(re.compile(r"/gateway$"))
    expect(
        page.get_by_role("table", name="Endpoints").locator("tr[data-endpoint='edited']")
    ).to_have_count(0)
    r = httpx.get(
        f"{gateway_server.url}/api/3.0/mlflow/gateway/endpoints/get", params={"name": "edited"}
    )
    assert r.status_code == 404
