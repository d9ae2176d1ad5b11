"""The web UI route: build files, client-side routes, cache headers, CSP, the not-built hint.

A tiny fake build folder stands in for ``npm run build`` output; the app is the real one
(``create_app``), so the tests also prove API paths keep their own answers.
"""

from __future__ import annotations

import dataclasses
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps
from ardea.server.static import (
    CONTENT_SECURITY_POLICY,
    DEFAULT_BUILD_DIR,
    NOT_BUILT_HINT,
    UiRoute,
)

from .support import Client, assert_error, raw_request

INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script>'


def _ui_route(app: object) -> UiRoute:
    routes = [r for r in app.router.routes if isinstance(r, UiRoute)]  # type: ignore[attr-defined]
    assert len(routes) == 1
    assert app.router.routes[-1] is routes[0]  # type: ignore[attr-defined]
    return routes[0]


@pytest.fixture
def build(tmp_path: Path) -> Path:
    out = tmp_path / "ui-build"
    (out / "assets").mkdir(parents=True)
    (out / "index.html").write_text(INDEX)
    (out / "assets" / "index-abc123.js").write_text("console.log('ui')")
    (out / "assets" / "index-abc123.css").write_text("body{}")
    (out / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("outside the build")
    return out


@pytest.fixture
def ui(deps: ServerDeps, build: Path) -> Iterator[tuple[Client, object]]:
    app = create_app(deps)
    _ui_route(app).build_dir = build.resolve()
    c = Client(app)
    yield c, app
    c.close()


def test_default_build_dir_is_the_package_static_folder() -> None:
    assert DEFAULT_BUILD_DIR.parts[-3:] == ("server", "static", "ui")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/experiments",
        "/experiments/12/runs/abc?filter=x",
        # MLflow's notebook trace renderer: a page of the app, though it looks like a file.
        "/static-files/lib/notebook-trace-renderer/index.html?trace_id=tr-1&experiment_id=2",
    ],
)
def test_client_routes_get_index_html_uncached(ui: tuple[Client, object], path: str) -> None:
    client, _ = ui
    r = client.get(path)
    assert r.status_code == 200
    assert r.text == INDEX
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-cache"
    assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert r.headers["x-content-type-options"] == "nosniff"


def test_hashed_assets_are_immutable(ui: tuple[Client, object]) -> None:
    client, _ = ui
    r = client.get("/assets/index-abc123.js")
    assert r.status_code == 200
    assert r.text == "console.log('ui')"
    assert "javascript" in r.headers["content-type"]
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    css = client.get("/assets/index-abc123.css")
    assert css.headers["content-type"].startswith("text/css")


def test_other_build_files_are_revalidated(ui: tuple[Client, object]) -> None:
    client, _ = ui
    r = client.get("/favicon.svg")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-cache"


def test_head_is_answered(ui: tuple[Client, object]) -> None:
    client, _ = ui
    r = client.request("HEAD", "/experiments/1")
    assert r.status_code == 200
    assert r.content == b""


@pytest.mark.parametrize(
    "path",
    ["/assets/index-old999.js", "/robots.txt", "/static-files/lib/other/index.html"],
)
def test_missing_files_are_404_not_html(ui: tuple[Client, object], path: str) -> None:
    client, _ = ui
    r = client.get(path)
    assert r.status_code == 404
    assert "html" not in r.headers["content-type"]


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt"]
)
def test_paths_cannot_escape_the_build(ui: tuple[Client, object], path: str) -> None:
    _, app = ui
    status, body = raw_request(app, "GET", path)
    assert b"outside the build" not in body
    assert status in (200, 404)


def test_csp_forbids_inline_and_foreign_scripts() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert directives["object-src"] == "'none'"


def test_api_paths_keep_their_json_404(ui: tuple[Client, object]) -> None:
    client, _ = ui
    for path in ("/api/2.0/mlflow/nope", "/ajax-api/2.0/mlflow/nope", "/v1/nope"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "content-security-policy" not in r.headers
        assert r.headers["content-type"].startswith("application/json")


def test_api_routes_still_work(ui: tuple[Client, object]) -> None:
    client, _ = ui
    assert client.get("/health").text == "OK"
    r = client.post("/api/2.0/mlflow/experiments/search", json={"max_results": 5})
    assert r.status_code == 200
    assert "content-security-policy" not in r.headers


def test_unknown_post_is_not_the_ui(ui: tuple[Client, object]) -> None:
    client, _ = ui
    r = client.post("/experiments/1", json={})
    assert r.status_code in (404, 405)
    assert "html" not in r.headers["content-type"]


def test_wrong_method_on_an_api_route_is_still_405(ui: tuple[Client, object]) -> None:
    client, _ = ui
    r = client.post("/api/2.0/mlflow/runs/get", json={})
    assert r.status_code == 405


def test_not_built_answers_a_plain_text_hint(deps: ServerDeps, tmp_path: Path) -> None:
    app = create_app(deps)
    _ui_route(app).build_dir = tmp_path / "never-built"
    client = Client(app)
    try:
        r = client.get("/experiments/3")
        assert r.status_code == 200
        assert r.text == NOT_BUILT_HINT
        assert r.headers["content-type"].startswith("text/plain")
        assert "content-security-policy" not in r.headers  # plain text (nosniff): nothing runs
        assert_error(client.get("/api/2.0/mlflow/nope"), 404, "ENDPOINT_NOT_FOUND")
    finally:
        client.close()


class _FakeVite(http.server.BaseHTTPRequestHandler):
    """A stand-in for ``npm run dev`` on a loopback port: echoes the path it was asked."""

    def do_GET(self) -> None:
        body = f"<html>vite {self.path}</html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


def test_dev_mode_proxies_ui_paths_to_vite_and_keeps_the_api(
    deps: ServerDeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    vite = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeVite)
    threading.Thread(target=vite.serve_forever, daemon=True).start()
    monkeypatch.setenv("ARDEA_UI_DEV_URL", f"http://127.0.0.1:{vite.server_address[1]}")
    dev_deps = ServerDeps(deps.backend, dataclasses.replace(deps.settings, dev=True))
    c = Client(create_app(dev_deps))
    try:
        page = c.get("/experiments/1?x=step")
        assert page.status_code == 200
        assert page.text == "<html>vite /experiments/1?x=step</html>"
        assert "content-security-policy" not in page.headers  # Vite's dev page needs inline JS
        assert c.get("/health").text == "OK"  # the API is not proxied
    finally:
        vite.shutdown()
        vite.server_close()
    down = c.get("/experiments")
    assert down.status_code == 502 and "npm run dev" in down.text
    c.close()


@pytest.mark.parametrize(
    "path",
    [
        "/" + "a" * 300,
        "/experiments/" + "x" * 256,
        "/assets/" + "b" * 300 + ".js",
        "/" + "\u00e9" * 200,  # 400 bytes in UTF-8
        "/" + "/".join(["c" * 200] * 30),  # every segment fits, the whole path does not
    ],
)
def test_paths_longer_than_the_file_system_allows_are_404(
    ui: tuple[Client, object], path: str, caplog: pytest.LogCaptureFixture
) -> None:
    _, app = ui
    with caplog.at_level("DEBUG"):
        status, body = raw_request(app, "GET", path)
    assert status == 404
    assert body == b"Not found\n"
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL") or r.exc_info]


def test_a_long_but_valid_segment_still_reaches_the_client_routes(
    ui: tuple[Client, object],
) -> None:
    client, _ = ui
    r = client.get("/experiments/" + "x" * 255)
    assert r.status_code == 200
    assert r.text == INDEX
