"""Every route has an access rule, and the rule is enforced wherever the route is dispatched.

The app's routes are walked (every router as ``create_app`` included it, FastAPI's own routes,
the web UI's): an RPC route carries the rule ``rpc(access=...)`` gave it, anything else must be
listed in ``access.NON_RPC_ROUTES``. A new route without a rule fails here (and ``rpc`` refuses
one at import). With ``--auth`` and a door that lets anonymous requests through, every
non-public route still answers 401 from its own wrapper, on the fast path and through FastAPI.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount, Route

from ardea.server.access import NON_RPC_ROUTES, PUBLIC, Access, AccessKind
from ardea.server.app import create_app
from ardea.server.authz import access_of
from ardea.server.deps import ServerDeps
from ardea.server.http import rpc
from ardea.server.static import UiRoute

from .support import Client


def _rules(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, str, Access | None]]:
    """``(method, path, rule)`` for every route of the app."""
    out: list[tuple[str, str, Access | None]] = []
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's lazily included router
        if included is not None:
            out += _rules(list(included.routes), prefix + route.include_context.prefix)
        elif isinstance(route, Mount):
            out += _rules(list(route.routes), prefix + route.path)
        elif isinstance(route, (APIRoute, Route)):
            path = prefix + route.path
            rule = access_of(route.endpoint) or NON_RPC_ROUTES.get(path)
            out += [(m, path, rule) for m in sorted(route.methods or {"GET"}) if m != "HEAD"]
        elif isinstance(route, UiRoute):
            out.append(("GET", "<ui>", NON_RPC_ROUTES.get("ui")))
        else:
            out.append(("?", repr(route), None))
    return out


@pytest.mark.parametrize("settings", [{}, {"dev": True, "enable_workspaces": True}])
def test_every_route_of_the_app_has_a_rule(deps: ServerDeps, settings: dict[str, Any]) -> None:
    app = create_app(
        dataclasses.replace(deps, settings=dataclasses.replace(deps.settings, **settings))
    )
    rules = _rules(list(app.routes))
    assert len(rules) > 200
    assert [(m, p) for m, p, rule in rules if rule is None] == []
    public = sorted(
        {p for _, p, rule in rules if rule is not None and rule.kind is AccessKind.PUBLIC}
    )
    api_public = [p for p in public if p.startswith(("/api/", "/ajax-api/"))]
    assert all("/ardea/auth/" in p or p.endswith("/mlflow/server-info") for p in api_public), (
        api_public
    )


def test_a_route_without_a_rule_is_refused() -> None:
    router = APIRouter()
    with pytest.raises(TypeError):
        rpc(router, "/x", "GET", response=None)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="access= must be an Access"):
        rpc(router, "/x", "GET", access="public", response=None)  # type: ignore[arg-type]
    assert router.routes == []


class _LetEveryoneIn:
    """A door authenticator that lets every request through anonymous."""

    def needs_auth(self, method: str, path: str) -> bool:
        return False

    async def authenticate(self, scope: Any) -> Any:  # pragma: no cover - never asked
        raise AssertionError


def test_each_wrapper_refuses_the_anonymous_without_the_door(
    deps: ServerDeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", "first admin password")
    settings = dataclasses.replace(deps.settings, auth_enabled=True)
    app = create_app(dataclasses.replace(deps, settings=settings))
    door = app.user_middleware[0]
    assert door.kwargs["authenticator"] is not None
    door.kwargs["authenticator"] = _LetEveryoneIn()
    rules = [r for r in _rules(list(app.routes)) if r[1] != "<ui>"]
    c = Client(app)
    try:
        answered: dict[tuple[str, str], int] = {}
        for method, path, rule in rules:
            concrete = re.sub(r"\{[^}]+\}", "x", path)
            body: dict[str, Any] = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
            status = c.request(method, concrete, **body).status_code
            answered[(method, path)] = status
            if rule is not PUBLIC:
                assert status == 401, (method, path, status)
        # the fast path's and FastAPI's routes both refused
        assert answered[("POST", "/api/2.0/mlflow/runs/log-metric")] == 401
        assert answered[("GET", "/api/2.0/mlflow/logged-models/{model_id}")] == 401
        assert answered[("POST", "/v1/traces")] == 401
    finally:
        c.close()
