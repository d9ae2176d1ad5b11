"""The exact-path RPC dispatcher in front of FastAPI's router."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import FastAPI

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps
from ardea.server.fastpath import RpcFastPath


def _table(app: FastAPI) -> dict[tuple[str, str], Any]:
    return RpcFastPath(app)._build({"app": app})


def test_table_holds_exact_rpc_paths_only(deps: ServerDeps) -> None:
    table = _table(create_app(deps))
    assert ("POST", "/api/2.0/mlflow/runs/log-metric") in table
    assert ("POST", "/ajax-api/2.0/mlflow/runs/log-batch") in table
    assert ("GET", "/api/3.0/mlflow/traces/get") in table
    assert ("GET", "/health") in table
    assert all("{" not in path for _, path in table)
    assert all(getattr(h, "ardea_rpc", False) for h in table.values())


def _call(fast: RpcFastPath, app: FastAPI, method: str, path: str) -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "method": method, "path": path, "raw_path": path.encode(),
        "query_string": b"", "headers": [(b"host", b"127.0.0.1")], "app": app,
        "scheme": "http", "server": ("127.0.0.1", 5000), "client": ("127.0.0.1", 1),
        "root_path": "",
    }  # fmt: skip
    anyio.run(fast, scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body


def test_matches_skip_the_inner_app_and_misses_reach_it(deps: ServerDeps) -> None:
    app = create_app(deps)
    reached: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b"inner"})

    fast = RpcFastPath(inner)
    assert _call(fast, app, "GET", "/health") == (200, b"OK")
    status, body = _call(fast, app, "GET", "/api/2.0/mlflow/experiments/get")
    assert status == 400 and b"INVALID_PARAMETER_VALUE" in body  # the handler's own error
    assert reached == []
    assert _call(fast, app, "GET", "/api/2.0/mlflow/logged-models/m-1") == (418, b"inner")
    assert _call(fast, app, "DELETE", "/health") == (418, b"inner")  # method not in the table
    assert reached == ["/api/2.0/mlflow/logged-models/m-1", "/health"]
