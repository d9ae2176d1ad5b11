"""One door for every request: the route table walked, the door outermost, stores behind it.

Every route the app serves (the RPC fast path's, FastAPI's, the OTLP receiver's, the web UI's)
answers with the ``X-Request-Id`` the door assigns; a store accessor called for a request that
did not pass the door raises; the context reaches store calls run in the thread pool; and
route handlers reach stores only through ``ardea.server.deps``.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.routing import BaseRoute, Mount, Route

from ardea._core.errors import InternalError
from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, tracking_store
from ardea.server.door import RequestDoor, current_request

from .support import Client

ROUTERS = Path(__file__).resolve().parents[3] / "src" / "ardea" / "server" / "routers"


def _requests(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, str]]:
    """``(method, concrete path)`` for every route, path parameters filled with ``x``."""
    out: list[tuple[str, str]] = []
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's lazily included router
        if included is not None:
            out += _requests(list(included.routes), prefix + route.include_context.prefix)
        elif isinstance(route, Mount):
            out += _requests(list(route.routes), prefix + route.path)
        elif isinstance(route, (APIRoute, Route)):
            path = re.sub(r"\{[^}]+\}", "x", prefix + route.path)
            out += [(m, path) for m in sorted(route.methods or {"GET"}) if m != "HEAD"]
        else:  # the web UI's catch-all routes answer any GET
            out.append(("GET", "/some/ui/page"))
    return out


def test_every_route_in_the_table_passes_the_door(deps: ServerDeps) -> None:
    app = create_app(deps)
    requests = _requests(list(app.routes))
    assert len(requests) > 150  # the MLflow RPCs (twice: /api and /ajax-api), OTLP, UI, ...
    assert ("POST", "/api/2.0/mlflow/runs/log-metric") in requests  # a fast-path route
    assert ("POST", "/v1/traces") in requests
    c = Client(app)
    try:
        missing = []
        for method, path in requests:
            body: dict[str, Any] = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
            r = c.request(method, path, **body)
            if not re.fullmatch(r"[0-9a-f]{16}", r.headers.get("x-request-id", "")):
                missing.append((method, path, r.status_code))
            assert r.status_code < 500 or r.status_code == 501, (method, path, r.text)
    finally:
        c.close()
    assert missing == []


def test_unknown_paths_and_methods_pass_the_door_too(client: Client) -> None:
    for method, path in [("GET", "/api/2.0/mlflow/nope"), ("DELETE", "/health")]:
        r = client.request(method, path)
        assert r.status_code in (404, 405) and len(r.headers["x-request-id"]) == 16


def test_the_door_is_the_outermost_middleware(deps: ServerDeps) -> None:
    app = create_app(deps)
    assert app.user_middleware[0].cls is RequestDoor
    app.add_middleware(RequestDoor)  # a later outer middleware would sit before the door
    assert app.user_middleware[1].cls is RequestDoor


def test_each_request_gets_its_own_id(client: Client) -> None:
    ids = {client.get("/health").headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5


def test_a_store_accessor_refuses_a_request_that_bypassed_the_door(deps: ServerDeps) -> None:
    app = create_app(deps)
    scope = {"type": "http", "method": "GET", "path": "/x", "headers": [], "app": app}
    assert current_request() is None
    with pytest.raises(InternalError, match="without passing the request door"):
        tracking_store(Request(scope))


class _Recording:
    """A tracking store that records the request context its calls run under."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.seen: list[str | None] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def get_experiment(self, experiment_id: str) -> Any:
        context = current_request()
        self.seen.append(context.request_id if context else None)
        return self._inner.get_experiment(experiment_id)


def test_the_context_reaches_store_calls_in_the_thread_pool(deps: ServerDeps) -> None:
    recording = _Recording(deps.backend.tracking)
    backend = dataclasses.replace(deps.backend, tracking=recording)  # type: ignore[arg-type]
    c = Client(create_app(dataclasses.replace(deps, backend=backend)))
    try:
        r = c.get("/api/2.0/mlflow/experiments/get", params={"experiment_id": "0"})
    finally:
        c.close()
    assert r.status_code == 200
    assert recording.seen == [r.headers["x-request-id"]]


def test_a_500_names_the_request_id_of_the_door(deps: ServerDeps) -> None:
    class Broken:
        def get_experiment(self, experiment_id: str) -> None:
            raise RuntimeError("boom")

    backend = dataclasses.replace(deps.backend, tracking=Broken())  # type: ignore[arg-type]
    c = Client(create_app(dataclasses.replace(deps, backend=backend)))
    try:
        r = c.get("/api/2.0/mlflow/experiments/get", params={"experiment_id": "0"})
    finally:
        c.close()
    assert r.status_code == 500
    assert r.json()["message"].endswith(r.headers["x-request-id"])


def _store_reaches(tree: ast.AST) -> list[str]:
    """Places in a router module that reach stores other than through ``deps``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "state":
            found.append(f"line {node.lineno}: .state")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                if name.startswith(("ardea.store.sql", "ardea.store.rest", "ardea.store.backend")):
                    found.append(f"line {node.lineno}: imports {name}")
    return found


def test_route_handlers_reach_stores_only_through_deps() -> None:
    offenders = {
        path.name: reach
        for path in sorted(ROUTERS.glob("*.py"))
        if (reach := _store_reaches(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert offenders == {}


def test_the_static_check_catches_a_bypass() -> None:
    bad = "from ardea.store.sql.backend import open_sql_backend\nx = request.app.state.ardea\n"
    assert len(_store_reaches(ast.parse(bad))) == 2
