"""Helpers for the server tests: a sync client over an in-process ASGI app, small builders."""

from __future__ import annotations

from typing import Any

import anyio.from_thread
import httpx

PREFIXES = ("/api/2.0", "/ajax-api/2.0")


class Client:
    """Synchronous facade over an ``httpx.AsyncClient`` bound to an ASGI app."""

    def __init__(self, app: Any) -> None:
        self._portal_cm = anyio.from_thread.start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self._client = httpx.AsyncClient(transport=transport, base_url="http://localhost")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            return await self._client.request(method, url, **kwargs)

        return self._portal.call(go)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def close(self) -> None:
        self._portal.call(self._client.aclose)
        self._portal_cm.__exit__(None, None, None)


def create_experiment(client: Client, name: str = "exp") -> str:
    r = client.post("/api/2.0/mlflow/experiments/create", json={"name": name})
    assert r.status_code == 200, r.text
    return str(r.json()["experiment_id"])


def create_run(client: Client, experiment_id: str, **fields: Any) -> dict[str, Any]:
    r = client.post("/api/2.0/mlflow/runs/create", json={"experiment_id": experiment_id, **fields})
    assert r.status_code == 200, r.text
    run: dict[str, Any] = r.json()["run"]
    return run


def assert_error(r: httpx.Response, status: int, code: str, contains: str = "") -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["error_code"] == code, body
    assert contains in body["message"], body


def raw_request(app: Any, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    """Send one request with ``path`` exactly as given (no client-side dot-segment cleanup)."""
    import anyio

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"localhost"), (b"content-length", str(len(body)).encode())],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1234),
    }
    status = 0
    chunks: list[bytes] = []

    async def run() -> None:
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, send)

    anyio.run(run)
    return status, b"".join(chunks)
