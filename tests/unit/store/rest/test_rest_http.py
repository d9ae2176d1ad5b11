"""RestClient against tiny stdlib HTTP servers on loopback: retries, errors, auth."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ardea._core.errors import (
    AlreadyExistsError,
    InvalidArgumentError,
    NotFoundError,
    UnavailableError,
)
from ardea.store.rest.http import RestClient

Responder = Callable[[BaseHTTPRequestHandler, int], tuple[int, dict[str, str], bytes]]


class _Server:
    def __init__(self, responder: Responder) -> None:
        self.calls: list[dict[str, object]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.calls.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "body": body,
                        "auth": self.headers.get("Authorization"),
                    }
                )
                status, headers, payload = responder(self, len(outer.calls))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Responder], _Server]]:
    servers: list[_Server] = []

    def start(responder: Responder) -> _Server:
        server = _Server(responder)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def _json(status: int, obj: dict[str, object]) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(obj).encode()


def test_retries_twice_503_then_succeeds(serve) -> None:
    def responder(_h: BaseHTTPRequestHandler, n: int):
        if n <= 2:
            return _json(503, {"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"})
        return _json(200, {"ok": True})

    server = serve(responder)
    client = RestClient(server.url, backoff_factor=0.001, max_retries=3)
    assert client.call("POST", "/api/2.0/mlflow/runs/create", json={"a": 1}) == {"ok": True}
    assert len(server.calls) == 3
    assert all(c["body"] == b'{"a":1}' or json.loads(c["body"]) == {"a": 1} for c in server.calls)


def test_gives_up_after_max_retries_with_typed_error(serve) -> None:
    server = serve(
        lambda _h, _n: _json(503, {"error_code": "TEMPORARILY_UNAVAILABLE", "message": "down"})
    )
    client = RestClient(server.url, backoff_factor=0.001, max_retries=2)
    with pytest.raises(UnavailableError, match="down"):
        client.call("GET", "/x")
    assert len(server.calls) == 3


@pytest.mark.parametrize("status", [429, 502, 504])
def test_other_retry_statuses(serve, status: int) -> None:
    server = serve(lambda _h, n: _json(status, {}) if n == 1 else _json(200, {"n": n}))
    client = RestClient(server.url, backoff_factor=0.001, max_retries=1)
    assert client.call("GET", "/x") == {"n": 2}


@pytest.mark.parametrize(
    ("status", "code", "exc"),
    [
        (404, "RESOURCE_DOES_NOT_EXIST", NotFoundError),
        (400, "INVALID_PARAMETER_VALUE", InvalidArgumentError),
        (400, "RESOURCE_ALREADY_EXISTS", AlreadyExistsError),
    ],
)
def test_4xx_not_retried_and_typed(serve, status: int, code: str, exc: type) -> None:
    server = serve(lambda _h, _n: _json(status, {"error_code": code, "message": "nope"}))
    client = RestClient(server.url, backoff_factor=0.001, max_retries=3)
    with pytest.raises(exc, match="nope"):
        client.call("POST", "/x", json={})
    assert len(server.calls) == 1


def test_non_json_404_is_endpoint_not_found(serve) -> None:
    server = serve(lambda _h, _n: (404, {"Content-Type": "text/html"}, b"<h1>no</h1>"))
    client = RestClient(server.url, max_retries=0)
    with pytest.raises(NotFoundError) as info:
        client.call("GET", "/nowhere")
    assert info.value.details["error_code"] == "ENDPOINT_NOT_FOUND"


def test_fastapi_detail_body_gives_message(serve) -> None:
    server = serve(lambda _h, _n: _json(400, {"detail": "bad path"}))
    with pytest.raises(InvalidArgumentError, match="bad path"):
        RestClient(server.url, max_retries=0).call("GET", "/x")


def test_connection_refused_is_unavailable_after_retries() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = RestClient(f"http://127.0.0.1:{port}", backoff_factor=0.001, max_retries=1)
    with pytest.raises(UnavailableError, match="2 attempts"):
        client.call("GET", "/health")


def test_bearer_token_from_env(serve, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_TRACKING_TOKEN", "s3cret")
    server = serve(lambda _h, _n: _json(200, {}))
    RestClient(server.url).call("GET", "/x")
    assert server.calls[0]["auth"] == "Bearer s3cret"


def test_basic_auth_from_mlflow_env(serve, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "ann")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "pw")
    server = serve(lambda _h, _n: _json(200, {}))
    RestClient(server.url).call("GET", "/x")
    assert server.calls[0]["auth"] == "Basic YW5uOnB3"


def test_empty_body_is_empty_dict_and_list_params_repeat(serve) -> None:
    server = serve(lambda _h, _n: (200, {}, b""))
    out = RestClient(server.url).call("GET", "/x", params={"run_ids": ["a", "b"], "skip": None})
    assert out == {}
    assert server.calls[0]["path"] == "/x?run_ids=a&run_ids=b"


def test_streamed_put_body_is_rebuilt_on_retry(serve) -> None:
    server = serve(lambda _h, n: _json(503, {}) if n == 1 else (200, {}, b""))
    client = RestClient(server.url, backoff_factor=0.001, max_retries=2)
    client.request(
        "PUT", "/f", content=lambda: iter([b"ab", b"cd"]), headers={"Content-Length": "4"}
    )
    assert [c["body"] for c in server.calls] == [b"abcd", b"abcd"]


def test_plain_http_clients_skip_the_ca_bundle_but_still_verify() -> None:
    import ssl

    from ardea.store.rest.http import _tls_for

    plain = _tls_for("http://127.0.0.1:5000")
    assert isinstance(plain, ssl.SSLContext)
    assert plain.verify_mode == ssl.CERT_REQUIRED and plain.check_hostname
    assert plain.get_ca_certs() == []  # an https URL would fail verification, never pass
    assert _tls_for("https://ardea.example.com") is True  # httpx's default: certifi bundle
