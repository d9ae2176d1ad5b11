"""``ardea server --auth`` as a process: the first admin, a login, SSO across workers, warnings.

What the other routes enforce, through the stock mlflow client, is in test_mlflow_auth.py;
these tests cover starting the server with authentication and its login routes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from fixtures.oidc_provider import OidcProvider, follow_to_callback

pytestmark = pytest.mark.slow

ADMIN_PASSWORD = "first admin password"


def test_auth_server_logs_in_and_serves_the_headers(
    live_server_factory: Callable[..., Any],
) -> None:
    server = live_server_factory(
        "--app-name", "basic-auth", env={"MLFLOW_AUTH_ADMIN_PASSWORD": ADMIN_PASSWORD}
    )
    with httpx.Client(base_url=server.url) as browser:
        r = browser.post(
            "/api/3.0/ardea/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert r.status_code == 200, r.text
        assert r.headers["referrer-policy"] == "same-origin"
        me = browser.get("/ajax-api/3.0/ardea/auth/session")
        assert me.json()["user"] == {"id": 1, "username": "admin", "is_admin": True}
        page = browser.get("/")
        assert page.headers["referrer-policy"] == "same-origin"
        if page.headers["content-type"].startswith("text/html"):  # a built UI
            assert "frame-ancestors 'self'" in page.headers["content-security-policy"]
    assert "without authentication" not in server.log_text()


def test_auth_without_an_admin_password_refuses_to_start(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_"))}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ardea.cli.main",
            "server",
            "--auth",
            "--port",
            "1",
            "--backend-store-uri",
            f"sqlite:///{tmp_path / 'x.db'}",
            "--artifacts-destination",
            str(tmp_path / "a"),
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    assert "There is no admin yet: set ARDEA_ADMIN_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_exposed_server_without_auth_warns(live_server_factory: Callable[..., Any]) -> None:
    server = live_server_factory("--host", "0.0.0.0")
    text = server.log_text()
    assert "listening on 0.0.0.0 without authentication" in text and "--auth" in text


def test_sso_logins_finish_on_any_worker(live_server_factory: Callable[..., Any]) -> None:
    with OidcProvider(client_secret=None) as idp:
        server = live_server_factory(
            "--auth",
            "--workers",
            "2",
            "--oidc-issuer",
            idp.url,
            "--oidc-client-id",
            "ardea",
            "--oidc-group-role",
            "ml=editors",
            env={"ARDEA_ADMIN_PASSWORD": ADMIN_PASSWORD},
        )
        idp.register_redirect_uri(f"{server.url}/api/3.0/ardea/auth/oidc/callback")
        # A public client: the workers seal login states with the key the parent gave them.
        for i in range(6):
            idp.sign_in_as(f"user-{i}")
            no_keepalive = httpx.Limits(max_keepalive_connections=0)  # a connection a request
            with httpx.Client(base_url=server.url, limits=no_keepalive) as browser:
                done = browser.get(follow_to_callback(browser))
                assert done.status_code == 303, done.text
                me = browser.get("/api/3.0/ardea/auth/session").json()["user"]
                assert me["username"] == f"user-{i}"


def _doc_script(heading: str) -> str:
    """The first bash block of docs/auth.md's section ``heading``, on a free port."""
    import re

    from fixtures.server_process import free_port

    doc = (Path(__file__).resolve().parents[2] / "docs" / "auth.md").read_text(encoding="utf-8")
    section = doc.split(heading, 1)[1]
    script = re.findall(r"^```bash\n(.*?)^```", section, re.DOTALL | re.MULTILINE)[0]
    return script.replace("5000", str(free_port()))  # never the port of a server running here


def _run_script(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    import shutil

    bash = shutil.which("bash")
    if bash is None or shutil.which("curl") is None:  # pragma: no cover - CI has both
        pytest.skip("needs bash and curl")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [bash, "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_mlflow_client_example_runs(tmp_path: Path) -> None:
    script = _doc_script("## With the mlflow client")
    done = _run_script(script, tmp_path)
    assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip().splitlines()[-1] in ("[0.2, 0.1]", "[0.1, 0.2]")


def test_the_running_with_auth_example_runs(tmp_path: Path) -> None:
    import shutil

    bash = shutil.which("bash")
    if bash is None or shutil.which("curl") is None:  # pragma: no cover - CI has both
        pytest.skip("needs bash and curl")
    script = _doc_script("## Running with `--auth`")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        [bash, "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
    answers = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert '"username":"admin"' in answers[0] and '"csrf_token"' in answers[0]
    assert answers[1] == answers[0] and answers[2] == "{}"
