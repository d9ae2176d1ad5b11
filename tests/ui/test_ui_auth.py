"""End-to-end: the web UI on ``ardea server --auth --enable-workspaces`` (headless Chromium).

The server starts with a temporary SQLite database, the first admin from
``ARDEA_ADMIN_PASSWORD`` and ``--auth-default-permission NO_PERMISSIONS`` (so that what nobody
was given stays invisible, and sharing shows). Users, workspaces, experiments and grants are
made through the REST API with HTTP Basic; the tests sign in through the login page, as a
person would: a wrong password then the right one, switching workspaces, a manager sharing an
experiment, a reader who cannot edit (and a request the server refuses shown as its message),
and the admin pages (a user created, then found in the audit log).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow

ADMIN = ("admin", "the admin's long password")
MANAGER = ("mia", "mia's long password 1")
READER = ("rob", "rob's long password 1")
EDITOR = ("eve", "eve's long password 1")
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="module")
def server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """``ardea server --auth --enable-workspaces`` with three users besides the admin."""
    proc = ServerProcess(
        tmp_path_factory.mktemp("ui-auth"),
        "--auth",
        "--enable-workspaces",
        "--auth-default-permission",
        "NO_PERMISSIONS",
        env={"ARDEA_ADMIN_USERNAME": ADMIN[0], "ARDEA_ADMIN_PASSWORD": ADMIN[1]},
    )
    try:
        for username, password in (MANAGER, READER, EDITOR):
            _rest(
                proc,
                "POST",
                "2.0/mlflow/users/create",
                ADMIN,
                {"username": username, "password": password},
            )
        yield proc
    finally:
        proc.stop()


def _rest(
    server: ServerProcess,
    method: str,
    path: str,
    who: tuple[str, str],
    body: dict[str, Any] | None = None,
    workspace: str | None = None,
) -> dict[str, Any]:
    headers = {"X-MLFLOW-WORKSPACE": workspace} if workspace else {}
    r = httpx.request(
        method, f"{server.url}/api/{path}", json=body, auth=who, headers=headers, timeout=30
    )
    assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text}"
    return r.json() if r.content else {}


def _experiment(
    server: ServerProcess, who: tuple[str, str], name: str, workspace: str | None = None
) -> str:
    answer = _rest(server, "POST", "2.0/mlflow/experiments/create", who, {"name": name}, workspace)
    return str(answer["experiment_id"])


def _grant(
    server: ServerProcess, who: tuple[str, str], username: str, experiment_id: str, level: str
) -> None:
    body = {
        "username": username,
        "resource_type": "experiment",
        "resource_id": experiment_id,
        "permission": level,
    }
    _rest(server, "POST", "3.0/mlflow/users/permissions/grant", who, body)


def _sign_in(page: Any, server: ServerProcess, who: tuple[str, str], path: str = "/") -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.url}{path}")
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("Username").fill(who[0])
    page.get_by_label("Password").fill(who[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"User menu of {who[0]}")).to_be_visible()


def test_login_with_a_wrong_password_then_the_right_one(page: Any, server: ServerProcess) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.url}/models?q=x")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fmodels%3Fq%3Dx$"))
    page.get_by_label("Username").fill(READER[0])
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("login-error")).to_have_text("Invalid username or password.")
    page.get_by_label("Password").fill(READER[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"User menu of {READER[0]}")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/models\?q=x$"))  # back where the user was going
    # The session survives a reload; signing out ends it
    page.reload()
    page.get_by_role("button", name=f"User menu of {READER[0]}").click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page.get_by_label("Username")).to_be_visible()
    page.goto(f"{server.url}/")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_workspace_switch(page: Any, server: ServerProcess) -> None:
    from playwright.sync_api import expect

    for ws in ("team-a", "team-b"):
        _rest(server, "POST", "3.0/mlflow/workspaces", ADMIN, {"name": ws})
        _experiment(server, ADMIN, f"{ws}-training", ws)
    _sign_in(page, server, ADMIN)
    table = page.get_by_role("table", name="Experiments")
    switcher = page.get_by_role("combobox", name="Workspace")
    expect(switcher).to_have_value("default")
    switcher.select_option("team-a")
    expect(table.get_by_role("link", name="team-a-training")).to_be_visible()
    expect(table.get_by_role("link", name="team-b-training")).to_have_count(0)
    page.get_by_role("link", name="team-a-training").click()
    expect(page.get_by_role("heading", name="team-a-training")).to_be_visible()
    switcher.select_option("team-b")
    expect(page).to_have_url(f"{server.url}/")  # a switch goes to the experiments list
    expect(table.get_by_role("link", name="team-b-training")).to_be_visible()
    expect(table.get_by_role("link", name="team-a-training")).to_have_count(0)
    page.reload()  # the choice is remembered
    expect(page.get_by_role("combobox", name="Workspace")).to_have_value("team-b")
    expect(table.get_by_role("link", name="team-b-training")).to_be_visible()


def test_a_manager_shares_an_experiment(browser: Any, page: Any, server: ServerProcess) -> None:
    from playwright.sync_api import expect

    experiment_id = _experiment(server, MANAGER, "mia-shared")
    reader = browser.new_context().new_page()
    try:
        _sign_in(reader, server, READER)
        table = reader.get_by_role("table", name="Experiments")
        expect(table).to_be_visible()
        expect(table.get_by_role("link", name="mia-shared")).to_have_count(0)

        _sign_in(page, server, MANAGER, f"/experiments/{experiment_id}")
        expect(page.get_by_role("heading", name="mia-shared")).to_be_visible()
        page.get_by_text("Who has access").click()
        expect(page.get_by_test_id("my-level")).to_have_text("MANAGE")
        page.get_by_role("combobox", name="Share with user").fill(READER[0])
        page.get_by_role("combobox", name="Level to give").select_option("READ")
        page.get_by_role("button", name="Share").click()
        access = page.get_by_role("table", name="Who has access")
        expect(access.locator(f"tr[data-principal='{READER[0]}']")).to_be_visible()
        expect(page.get_by_role("combobox", name=f"Level of {READER[0]}")).to_have_value("READ")

        reader.reload()
        expect(table.get_by_role("link", name="mia-shared")).to_be_visible()
        reader.get_by_role("link", name="mia-shared").click()
        expect(reader.get_by_role("heading", name="mia-shared")).to_be_visible()
    finally:
        reader.context.close()


def test_a_reader_cannot_edit(page: Any, server: ServerProcess) -> None:
    from playwright.sync_api import expect

    experiment_id = _experiment(server, MANAGER, "mia-readonly")
    _grant(server, MANAGER, READER[0], experiment_id, "READ")
    _grant(server, MANAGER, EDITOR[0], experiment_id, "EDIT")

    _sign_in(page, server, READER)
    row = page.locator(f"tr[data-experiment='{experiment_id}']")
    rename = row.get_by_role("button", name="Rename")
    expect(rename).to_be_disabled()
    expect(row.locator("[data-denied]").first).to_have_attribute(
        "title", "You need EDIT on this experiment to rename it; you have READ."
    )
    expect(row.get_by_role("button", name="Delete")).to_be_disabled()
    # a member of default may create experiments: that control stays
    expect(page.get_by_role("textbox", name="New experiment name")).to_be_enabled()

    # An editor's page still shows Rename; the manager lowers them to READ meanwhile: the
    # server refuses the rename and the page says why
    page.get_by_role("button", name=f"User menu of {READER[0]}").click()
    page.get_by_role("menuitem", name="Sign out").click()
    _sign_in(page, server, EDITOR)
    row = page.locator(f"tr[data-experiment='{experiment_id}']")
    expect(row.get_by_role("button", name="Rename")).to_be_enabled()
    expect(row.get_by_role("button", name="Delete")).to_be_disabled()
    _grant(server, MANAGER, EDITOR[0], experiment_id, "READ")
    row.get_by_role("button", name="Rename").click()
    row.get_by_role("textbox", name="Rename experiment").fill("renamed by eve")
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"^Rename failed: Permission denied: EDIT on experiment .* is needed")
    )
    got = _rest(server, "GET", f"2.0/mlflow/experiments/get?experiment_id={experiment_id}", ADMIN)
    assert got["experiment"]["name"] == "mia-readonly"
    page.reload()
    expect(
        page.locator(f"tr[data-experiment='{experiment_id}']").get_by_role("button", name="Rename")
    ).to_be_disabled()


def test_admin_pages(page: Any, server: ServerProcess) -> None:
    from playwright.sync_api import expect

    _sign_in(page, server, READER)
    page.get_by_role("button", name=f"User menu of {READER[0]}").click()
    expect(page.get_by_role("menuitem", name="Users")).to_have_count(0)  # not an admin
    page.goto(f"{server.url}/admin/users")
    expect(page.get_by_role("alert")).to_have_text("Only admins may see this page.")
    page.get_by_role("button", name=f"User menu of {READER[0]}").click()
    page.get_by_role("menuitem", name="Sign out").click()

    _sign_in(page, server, ADMIN)
    page.get_by_role("button", name=f"User menu of {ADMIN[0]}").click()
    page.get_by_role("menuitem", name="Users").click()
    page.get_by_role("textbox", name="New username").fill("carol")
    page.get_by_label("New user's password").fill("carol's long password")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("table", name="Users").locator("tr[data-user='carol']")).to_be_visible()

    page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Audit log"
    ).click()
    page.get_by_role("textbox", name="Action").fill("user.create")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/admin/audit\?action=user\.create$"))
    events = page.get_by_role("table", name="Audit events")
    expect(events.locator("tr[data-action='user.create']").filter(has_text="carol")).to_have_count(
        1
    )
    expect(events.locator("tr").filter(has_text="carol").first).to_contain_text(ADMIN[0])


def test_artifacts_of_a_run_in_another_workspace(page: Any, server: ServerProcess) -> None:
    """An mlflow link naming the workspace switches to it; a link or an image cannot send the
    workspace header, so the UI fetches such files."""
    from playwright.sync_api import expect

    ws = "team-art"
    _rest(server, "POST", "3.0/mlflow/workspaces", ADMIN, {"name": ws})
    experiment_id = _experiment(server, ADMIN, "with-files", ws)
    run = _rest(
        server, "POST", "2.0/mlflow/runs/create", ADMIN, {"experiment_id": experiment_id}, ws
    )
    run_id = run["run"]["info"]["run_id"]
    for path, data in (("notes.txt", b"hello from team-art"), ("dot.png", PNG)):
        r = httpx.post(
            f"{server.url}/ajax-api/2.0/mlflow/upload-artifact",
            params={"run_id": run_id, "path": path},
            content=data,
            auth=ADMIN,
            headers={"X-MLFLOW-WORKSPACE": ws},
            timeout=30,
        )
        assert r.status_code == 200, r.text

    _sign_in(page, server, ADMIN)
    expect(page.get_by_role("combobox", name="Workspace")).to_have_value("default")
    # The link the mlflow client prints for a run outside default names its workspace
    page.goto(f"{server.url}/#/experiments/{experiment_id}/runs/{run_id}?workspace={ws}")
    expect(page).to_have_url(f"{server.url}/experiments/{experiment_id}/runs/{run_id}")
    expect(page.get_by_role("combobox", name="Workspace")).to_have_value(ws)
    page.get_by_role("navigation", name="Artifacts").get_by_role("button", name="notes.txt").click()
    expect(page.get_by_test_id("artifact-text")).to_have_text("hello from team-art")
    page.get_by_role("navigation", name="Artifacts").get_by_role("button", name="dot.png").click()
    image = page.get_by_role("img", name="dot.png")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") == 1
    assert str(image.get_attribute("src")).startswith("blob:")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    assert info.value.suggested_filename == "dot.png"
    assert Path(info.value.path()).read_bytes() == PNG


def test_a_user_changes_their_own_password(page: Any, server: ServerProcess) -> None:
    from playwright.sync_api import expect

    old, new = "pat's long password 1", "pat's new long password 2"
    _rest(server, "POST", "2.0/mlflow/users/create", ADMIN, {"username": "pat", "password": old})
    _sign_in(page, server, ("pat", old))
    page.get_by_role("button", name="User menu of pat").click()
    page.get_by_role("menuitem", name="Change password").click()
    form = page.get_by_role("form", name="Change password")
    # A wrong current password: the server's message, and nothing changes
    form.get_by_label("Current password").fill("not it")
    form.get_by_label("New password", exact=True).fill(new)
    form.get_by_label("New password again").fill(new)
    form.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("Current password does not match.")
    # Two different new passwords cannot be sent
    form.get_by_label("Current password").fill(old)
    form.get_by_label("New password again").fill(new + "x")
    expect(page.get_by_text("The two new passwords differ.")).to_be_visible()
    expect(form.get_by_role("button", name="Change password")).to_be_disabled()
    form.get_by_label("New password again").fill(new)
    form.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password was changed.")
    # The old password no longer works; the new one does
    url = f"{server.url}/api/2.0/mlflow/users/current"
    assert httpx.get(url, auth=("pat", old), timeout=30).status_code == 401
    assert httpx.get(url, auth=("pat", new), timeout=30).status_code == 200
