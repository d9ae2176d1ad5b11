"""End-to-end: editing prompts and models in the web UI (headless Chromium, real server).

The server is seeded through the SDK (a text prompt with one version, a registered model with
one version); the UI creates a prompt version, a new prompt, sets and deletes an alias, shows an
invalid alias's server error, and edits the model's description; the SDK and the REST API then
read back what the UI stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow

PROMPT = "e2e-edit"
MODEL = "e2e-edit-model"
V1 = "Hello {{ name }}."
V2 = "Hello {{ name }}, meet {{ friend }}."


@pytest.fixture(scope="module")
def server(ui_server: ServerProcess) -> ServerProcess:
    import ardea

    ardea.set_tracking_uri(ui_server.url)
    try:
        ardea.register_prompt(PROMPT, V1, commit_message="first")
        client = ardea.get_client()
        client.create_registered_model(MODEL)
        client.create_model_version(MODEL, "s3://bucket/m-1")
    finally:
        ardea.set_tracking_uri(None)
    return ui_server


@pytest.fixture
def sdk(server: ServerProcess) -> Iterator[Any]:
    """The ``ardea`` module pointed at the server for one test."""
    import ardea

    ardea.set_tracking_uri(server.url)
    yield ardea
    ardea.set_tracking_uri(None)


def _rest(server: ServerProcess, method: str, path: str, **kw: Any) -> httpx.Response:
    return httpx.request(method, f"{server.url}/api/2.0/mlflow/{path}", timeout=30, **kw)


def test_new_prompt_version_from_the_ui(page: Any, server: ServerProcess, sdk: Any) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.url}/prompts/{PROMPT}")
    expect(page.get_by_test_id("prompt-template")).to_contain_text(V1)
    page.get_by_role("button", name="New version").click()
    template = page.get_by_role("textbox", name="Template")
    expect(template).to_have_value(V1)
    template.fill(V2)
    variables = page.get_by_test_id("editor-variables").locator("[data-variable]")
    expect(variables).to_have_text(["name", "friend"])
    page.get_by_role("textbox", name="Commit message").fill("introduce a friend")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Template of v2")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]v=2"))
    versions = page.get_by_role("table", name="Prompt versions")
    expect(versions.locator("tr[data-version='2']")).to_contain_text("introduce a friend")
    loaded = sdk.load_prompt(f"prompts:/{PROMPT}/2", use_cache=False)
    assert (loaded.template, loaded.commit_message) == (V2, "introduce a friend")


def test_new_prompt_from_the_list(page: Any, server: ServerProcess, sdk: Any) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.url}/prompts")
    page.get_by_role("button", name="New prompt").click()
    page.get_by_role("textbox", name="Prompt name").fill("e2e-fresh")
    page.get_by_role("textbox", name="Template").fill("Summarize {{ text }}")
    page.get_by_role("textbox", name="Commit message").fill("born in the UI")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/prompts/e2e-fresh\?v=1"))
    expect(page.get_by_role("heading", name="Template of v1")).to_be_visible()
    loaded = sdk.load_prompt("prompts:/e2e-fresh/1", use_cache=False)
    assert (loaded.template, loaded.commit_message) == ("Summarize {{ text }}", "born in the UI")


def test_set_and_delete_an_alias(page: Any, server: ServerProcess, sdk: Any) -> None:
    from playwright.sync_api import expect

    if _rest(server, "GET", "model-versions/get", params={"name": PROMPT, "version": "2"}).is_error:
        sdk.register_prompt(PROMPT, V2, commit_message="introduce a friend")  # run alone
    page.goto(f"{server.url}/prompts/{PROMPT}")
    row = page.get_by_role("table", name="Prompt versions").locator("tr[data-version='2']")
    row.get_by_role("textbox", name="Alias for v2").fill("prod")
    row.get_by_role("button", name="Set", exact=True).click()
    expect(row.locator("[data-alias='prod']")).to_be_visible()
    assert sdk.load_prompt(f"prompts:/{PROMPT}@prod", use_cache=False).version == 2
    row.get_by_role("button", name="Delete alias prod").click()
    expect(row.locator("[data-alias='prod']")).to_have_count(0)
    got = _rest(server, "GET", "registered-models/get", params={"name": PROMPT})
    assert got.json()["registered_model"].get("aliases", []) == []


def test_invalid_alias_shows_the_server_error(page: Any, server: ServerProcess) -> None:
    from playwright.sync_api import expect

    expected = _rest(
        server,
        "POST",
        "registered-models/alias",
        json={"name": PROMPT, "alias": "bad alias!", "version": "1"},
    )
    assert expected.status_code == 400, expected.text
    page.goto(f"{server.url}/prompts/{PROMPT}")
    row = page.get_by_role("table", name="Prompt versions").locator("tr[data-version='1']")
    row.get_by_role("textbox", name="Alias for v1").fill("bad alias!")
    row.get_by_role("button", name="Set", exact=True).click()
    expect(row.get_by_role("alert")).to_have_text(expected.json()["message"])
    got = _rest(server, "GET", "registered-models/get", params={"name": PROMPT})
    assert got.json()["registered_model"].get("aliases", []) == []


def test_edit_a_model_description_and_alias(page: Any, server: ServerProcess) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.url}/models/{MODEL}")
    page.get_by_role("button", name="Edit description").click()
    page.get_by_role("textbox", name="Description").fill("## Usage\n\nServe with <b>care</b>.")
    page.get_by_role("button", name="Save").click()
    description = page.get_by_test_id("model-description")
    expect(description.get_by_role("heading", name="Usage")).to_be_visible()
    expect(description).to_contain_text("<b>care</b>")
    got = _rest(server, "GET", "registered-models/get", params={"name": MODEL})
    assert got.json()["registered_model"]["description"] == "## Usage\n\nServe with <b>care</b>."
    row = page.get_by_role("table", name="Versions").locator("tr[data-version='1']")
    row.get_by_role("textbox", name="Alias for v1").fill("champion")
    row.get_by_role("button", name="Set", exact=True).click()
    expect(row.locator("[data-alias='champion']")).to_be_visible()
    by_alias = _rest(
        server, "GET", "registered-models/alias", params={"name": MODEL, "alias": "champion"}
    )
    assert by_alias.json()["model_version"]["version"] == "1"
