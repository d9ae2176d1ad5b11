"""Host allow-list, cross-origin policy and security headers, through the real app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, ServerSettings
from ardea.server.security import (
    CONTENT_SECURITY_POLICY,
    SecurityMiddleware,
    content_security_policy,
    exposure_warning,
    host_allowed,
    is_loopback_host,
    origin_allowed,
)

from .support import Client, assert_error

CREATE = "/api/2.0/mlflow/experiments/create"
SEARCH = "/api/2.0/mlflow/experiments/search"

MakeClient = Callable[..., Client]


@pytest.fixture
def make_client(deps: ServerDeps) -> Iterator[MakeClient]:
    clients: list[Client] = []

    def make(**settings: object) -> Client:
        app = create_app(replace(deps, settings=replace(deps.settings, **settings)))
        clients.append(Client(app))
        return clients[-1]

    yield make
    for c in clients:
        c.close()


def _experiment_names(client: Client) -> list[str]:
    r = client.post(SEARCH, json={"max_results": 100})
    assert r.status_code == 200, r.text
    return [e["name"] for e in r.json().get("experiments", [])]


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "localhost:5000",
        "127.0.0.1:5000",
        "[::1]:5000",
        "10.1.2.3",
        "172.20.0.5:8080",
        "192.168.1.7:5000",
        "[fd00::1]:5000",
    ],
)
def test_default_hosts_allowed(make_client: MakeClient, host: str) -> None:
    r = make_client().post(CREATE, json={"name": f"e-{host}"}, headers={"host": host})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("host", ["evil.example", "evil.example:5000", "8.8.8.8", "172.32.0.1"])
def test_foreign_host_rejected_and_nothing_written(make_client: MakeClient, host: str) -> None:
    client = make_client()
    r = client.post(CREATE, json={"name": "rebound"}, headers={"host": host})
    assert_error(r, 403, "PERMISSION_DENIED", "Invalid Host header")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "rebound" not in _experiment_names(client)


def test_health_and_version_exempt(make_client: MakeClient) -> None:
    client = make_client()
    assert client.get("/health", headers={"host": "lb-probe.internal"}).status_code == 200
    assert client.get("/version", headers={"host": "lb-probe.internal"}).status_code == 200


def test_bound_host_allowed_by_default(make_client: MakeClient) -> None:
    client = make_client(host="tracker.lan")
    assert client.post(SEARCH, json={}, headers={"host": "tracker.lan:5000"}).status_code == 200
    r = client.post(SEARCH, json={}, headers={"host": "other.lan"})
    assert r.status_code == 403


def test_configured_hosts_replace_defaults(make_client: MakeClient) -> None:
    client = make_client(allowed_hosts=("mlflow.example.com", "*.corp.example"))
    for host in ("mlflow.example.com", "MLflow.Example.com:443", "a.corp.example:5000"):
        assert client.post(SEARCH, json={}, headers={"host": host}).status_code == 200, host
    assert client.post(SEARCH, json={}, headers={"host": "localhost"}).status_code == 403
    assert client.post(SEARCH, json={}, headers={"host": "corp.example.evil"}).status_code == 403


def test_wildcard_disables_host_check(make_client: MakeClient) -> None:
    client = make_client(allowed_hosts=("*",))
    assert client.post(SEARCH, json={}, headers={"host": "anything.example"}).status_code == 200


def test_cross_origin_write_blocked(make_client: MakeClient) -> None:
    client = make_client()
    r = client.post(CREATE, json={"name": "csrf"}, headers={"origin": "http://evil.example"})
    assert_error(r, 403, "PERMISSION_DENIED", "Cross-origin request blocked")
    assert "csrf" not in _experiment_names(client)
    # A read from a foreign origin is served, but without CORS headers the browser hides it.
    r = client.get(
        "/api/2.0/mlflow/experiments/get?experiment_id=0", headers={"origin": "http://evil.example"}
    )
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize(
    "origin", ["http://localhost:3000", "http://127.0.0.1:5173", "http://[::1]:8080"]
)
def test_localhost_origins_get_cors_headers(make_client: MakeClient, origin: str) -> None:
    r = make_client().post(CREATE, json={"name": "ui"}, headers={"origin": origin})
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == origin
    assert r.headers["access-control-allow-credentials"] == "true"


def test_same_origin_allowed(make_client: MakeClient) -> None:
    headers = {"host": "192.168.1.7:5000", "origin": "http://192.168.1.7:5000"}
    r = make_client().post(CREATE, json={"name": "same"}, headers=headers)
    assert r.status_code == 200, r.text


def test_preflight(make_client: MakeClient) -> None:
    client = make_client(cors_allowed_origins=("https://*.corp.example",))
    r = client.request(
        "OPTIONS",
        CREATE,
        headers={
            "origin": "https://ui.corp.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "https://ui.corp.example"
    assert "POST" in r.headers["access-control-allow-methods"]
    assert r.headers["access-control-allow-headers"] == "content-type"
    r = client.request(
        "OPTIONS",
        CREATE,
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert_error(r, 403, "PERMISSION_DENIED", "Cross-origin")


def test_wildcard_origins_without_credentials(make_client: MakeClient) -> None:
    client = make_client(cors_allowed_origins=("*",))
    r = client.post(CREATE, json={"name": "any"}, headers={"origin": "https://elsewhere.example"})
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers


def test_security_headers_on_every_response(make_client: MakeClient) -> None:
    client = make_client()
    for r in (
        client.post(SEARCH, json={}),
        client.get("/api/2.0/mlflow/nope"),
        client.get("/health"),
        client.post(CREATE, json={"name": "x"}, headers={"host": "evil.example"}),  # refused
    ):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "SAMEORIGIN"
        assert r.headers["referrer-policy"] == "same-origin"
        assert "content-security-policy" not in r.headers  # JSON and text: nothing to render
    assert make_client(x_frame_options="DENY").get("/health").headers["x-frame-options"] == "DENY"
    assert "x-frame-options" not in make_client(x_frame_options="NONE").get("/health").headers


def _html_app(x_frame_options: str = "SAMEORIGIN", csp: bool = True) -> Any:
    """The middleware around a tiny app answering HTML, JSON or HTML with its own policy."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Route

    async def page(request: Any) -> Any:
        return HTMLResponse("<!doctype html><p>hi</p>")

    async def own(request: Any) -> Any:
        return HTMLResponse("<p>own</p>", headers={"Content-Security-Policy": "default-src 'none'"})

    async def data(request: Any) -> Any:
        return JSONResponse({"a": 1})

    routes = [Route("/page", page), Route("/own", own), Route("/data", data)]
    return SecurityMiddleware(Starlette(routes=routes), x_frame_options=x_frame_options, csp=csp)


@pytest.mark.parametrize(
    ("xfo", "ancestors"),
    [
        ("SAMEORIGIN", "frame-ancestors 'self'"),
        ("sameorigin", "frame-ancestors 'self'"),
        ("DENY", "frame-ancestors 'none'"),
        ("ALLOW-FROM https://portal.example", "frame-ancestors https://portal.example"),
        ("NONE", None),
    ],
)
def test_html_gets_a_csp_whose_frame_ancestors_follow_x_frame_options(
    xfo: str, ancestors: str | None
) -> None:
    client = Client(_html_app(xfo))
    try:
        page = client.get("/page")
        policy = page.headers["content-security-policy"]
        assert policy == content_security_policy(xfo)
        directives = policy.split("; ")
        assert "script-src 'self'" in directives and "style-src 'self'" in directives
        assert "object-src 'none'" in directives and "unsafe" not in policy
        framing = [d for d in directives if d.startswith("frame-ancestors")]
        assert framing == ([ancestors] if ancestors else [])
        assert page.headers["referrer-policy"] == "same-origin"
        assert "content-security-policy" not in client.get("/data").headers
        assert client.get("/own").headers["content-security-policy"] == "default-src 'none'"
    finally:
        client.close()
    assert content_security_policy("SAMEORIGIN") == CONTENT_SECURITY_POLICY


def test_no_csp_when_turned_off_for_dev() -> None:
    client = Client(_html_app(csp=False))
    try:
        page = client.get("/page")
        assert "content-security-policy" not in page.headers
        assert page.headers["referrer-policy"] == "same-origin"
    finally:
        client.close()


@pytest.mark.parametrize(
    ("host", "auth", "warns"),
    [
        ("127.0.0.1", False, False),
        ("127.0.0.5", False, False),
        ("localhost", False, False),
        ("::1", False, False),
        ("[::1]", False, False),
        ("0.0.0.0", False, True),
        ("::", False, True),
        ("10.0.0.4", False, True),
        ("myhost.example", False, True),
        ("0.0.0.0", True, False),
    ],
)
def test_exposure_warning(host: str, auth: bool, warns: bool) -> None:
    warning = exposure_warning(host, auth)
    assert (warning is not None) == warns
    if warning:
        assert host in warning and "--auth" in warning and "without authentication" in warning
    assert is_loopback_host(host) == (
        host in ("127.0.0.1", "127.0.0.5", "localhost", "::1", "[::1]")
    )


def test_helpers_edge_cases() -> None:
    assert not host_allowed("", None)
    assert host_allowed("LOCALHOST:5000", None)
    assert not host_allowed("localhost.evil.example", None)
    assert not origin_allowed("https://localhost:3000", ())  # only http localhost origins
    assert not origin_allowed("http://[bad", ())


def test_settings_round_trip_through_env() -> None:
    settings = ServerSettings(allowed_hosts=("a.example", "*.b"), x_frame_options="DENY")
    assert ServerSettings.from_env(settings.to_env()) == settings


def test_cli_flags_reach_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from ardea.cli import server as server_cli

    seen: list[ServerSettings] = []
    monkeypatch.setattr(server_cli, "run", seen.append)  # parse the flags, serve nothing
    monkeypatch.setattr(server_cli, "_configure_logging", lambda level: None)
    from ardea.cli.main import cli

    result = CliRunner().invoke(
        cli,  # through the group: invoking the command alone would cache a help option without -h
        [
            "server",
            "--backend-store-uri",
            f"sqlite:///{tmp_path / 'x.db'}",
            "--artifacts-destination",
            str(tmp_path / "a"),
            "--allowed-hosts",
            "mlflow.example.com, *.corp",
            "--cors-allowed-origins",
            "https://ui.example",
        ],
        env={"MLFLOW_SERVER_X_FRAME_OPTIONS": "DENY"},
    )
    assert result.exit_code == 0, result.output
    assert seen[0].allowed_hosts == ("mlflow.example.com", "*.corp")
    assert seen[0].cors_allowed_origins == ("https://ui.example",)
    assert seen[0].x_frame_options == "DENY"
    assert ServerSettings().allowed_hosts == ()  # no flag: the defaults
