"""The permission matrix: every route of the app x {anonymous, other workspace, reader, editor,
manager, admin}, generated from the app's routes and their rules.

A server with ``--auth`` and workspaces; everything happens in workspace ``team-a``, whose
default permission is NO_PERMISSIONS, so only grants count. ``reader``, ``editor`` and
``manager`` belong to ``team-a`` and hold READ, EDIT and MANAGE on its experiment, model and
webhook; ``other`` belongs to ``team-b`` only. Each request is built from the route's own
request spec and path (ids of a fresh experiment, run, trace, logged model, model version,
webhook and artifact for every route that changes something), and each answer is held
against what the route's rule says:

- PUBLIC: never 401;
- AUTHENTICATED / HANDLER: 401 for the anonymous, anything else for the others (what the
  handler decides is tested with the handler);
- ADMIN: 401, then 403 for everyone but the admin;
- a level on resources: 401; 404 for ``other`` (it may not even see them); 403 for a
  member whose grant is below the level; otherwise the admin's answer;
- CREATE: 401; 403 for ``other`` (not a member), and for webhooks and the gateway's resources
  and policies for everyone but admins;
- SEARCH: 401; otherwise the admin's status (the contents are filtered: see below).

"Allowed" is judged against the admin, who passes every rule: the same request on an
equivalent fresh set of resources must get the same status (a 404 of the handler's own, a
400 for a value the route refuses, ...). A route without a rule fails
``test_route_rules.py``; a rule this test does not know fails here.
"""

from __future__ import annotations

import base64
import itertools
import re
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ardea.api.request_parsing import RequestSpec
from ardea.entities.auth import Permission, ResourceType
from ardea.entities.gateway import ModelConfig
from ardea.server.access import Access, AccessKind
from ardea.server.app import create_app
from ardea.server.authz import access_of
from ardea.server.deps import ServerDeps, ServerSettings
from ardea.server.door import NOT_AUTHENTICATED
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from fixtures.otlp_payloads import protobuf_request, span

from .support import Client

ADMIN_PASSWORD = "first admin password"
PASSWORD = "a member's password"
WS = "team-a"
USERS = ("anonymous", "other", "reader", "editor", "manager", "admin")
LEVELS = {"reader": Permission.READ, "editor": Permission.EDIT, "manager": Permission.MANAGE}
_n = itertools.count(1)


def _basic(user: str) -> dict[str, str]:
    if user == "anonymous":
        return {}
    password = ADMIN_PASSWORD if user == "admin" else PASSWORD
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@dataclass
class World:
    """Fresh resources of ``team-a`` for one route (ids the requests name)."""

    experiment: str
    experiment_name: str
    run: str
    trace: str
    assessment: str
    logged_model: str
    model: str
    webhook: str
    dataset: str
    workspace: str  # a spare workspace (for the workspace routes that change one)
    user: str  # a spare user (for the user routes that change one)
    secret: str = ""  # the gateway's: a secret, a model definition, an endpoint
    definition: str = ""
    endpoint: str = ""
    guardrail: str = ""
    budget: str = ""
    queue: str = ""  # a review queue of the experiment, holding the trace as its one item
    item: str = ""
    issue: str = ""  # an issue of the experiment
    rule: str = ""  # an alert rule of the experiment


@dataclass
class Matrix:
    client: Client
    backend: Backend

    def call(self, user: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"X-MLFLOW-WORKSPACE": WS, **_basic(user), **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        r = self.call("admin", method, path, **kwargs)
        assert r.status_code == 200, (method, path, r.text)
        return r.json() if r.content else {}

    def world(self) -> World:
        n = next(_n)
        name = f"exp-{n}"
        e = self.admin("POST", "/api/2.0/mlflow/experiments/create", json={"name": name})[
            "experiment_id"
        ]
        run = self.admin("POST", "/api/2.0/mlflow/runs/create", json={"experiment_id": e})["run"]
        r = run["info"]["run_id"]
        lm = self.admin("POST", "/api/2.0/mlflow/logged-models", json={"experiment_id": e})
        t = f"{n:032x}"
        self.admin(
            "POST",
            "/v1/traces",
            content=protobuf_request([span(t, f"{n:016x}", "root")]),
            headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": e},
        )
        trace = f"tr-{t}"
        a = self.admin("POST", f"/api/3.0/mlflow/traces/{trace}/assessments", json=_feedback(trace))
        model = f"model-{n}"
        self.admin("POST", "/api/2.0/mlflow/registered-models/create", json={"name": model})
        self.admin(
            "POST",
            "/api/2.0/mlflow/model-versions/create",
            json={"name": model, "source": f"runs:/{r}/model", "run_id": r},
        )
        self.admin(
            "POST",
            "/api/2.0/mlflow/registered-models/alias",
            json={"name": model, "alias": "champion", "version": "1"},
        )
        hook = self.admin(
            "POST",
            "/api/2.0/mlflow/webhooks",
            json={"name": "h", "url": "http://127.0.0.1:9/hook", "events": [_EVENT]},
        )["webhook"]["webhook_id"]
        self.admin("PUT", f"/api/2.0/mlflow-artifacts/artifacts/{e}/x.txt", content=b"x")
        dataset = self.admin(
            "POST", "/api/3.0/mlflow/datasets/create", json={"name": "ds", "experiment_ids": [e]}
        )["dataset"]["dataset_id"]
        queue = self.admin(
            "POST",
            "/api/3.0/ardea/review/queues/create",
            json={"experiment_id": e, "name": "q", "label_schemas": _REVIEW_SCHEMAS},
        )["queue"]["queue_id"]
        item = self.admin(
            "POST",
            "/api/3.0/ardea/review/items/add",
            json={"queue_id": queue, "trace_ids": [trace]},
        )["items"][0]["item_id"]
        issue = self.admin(
            "POST",
            "/api/3.0/mlflow/issues",
            json={"experiment_id": e, "name": "iss", "description": "d"},
        )["issue"]["issue_id"]
        rule = self.admin(
            "POST", "/api/3.0/ardea/alerts/rules/create", json={"experiment_id": e, **_RULE}
        )["rule"]["rule_id"]
        spare = f"spare-{n}"
        self.backend.workspaces.create_workspace(spare)
        user = f"spare-user-{n}"
        self.backend.require_auth().create_user(user, None)
        gw = self.backend.scoped(WS).gateway
        secret = gw.create_secret(f"secret-{n}", {"api_key": "sk-matrix-secret-0"}).secret_id
        definition = gw.create_model_definition(f"def-{n}", "openai", "gpt", secret)
        definition_id = definition.model_definition_id
        endpoint = gw.create_endpoint(f"ep-{n}", [ModelConfig(definition_id)]).endpoint_id
        guardrail = gw.create_guardrail(f"gr-{n}", "sc-1", "BEFORE", "VALIDATION").guardrail_id
        budget = gw.create_budget_policy(1.0, "DAYS", 1, "GLOBAL", "ALERT").budget_policy_id
        auth = self.backend.require_auth()
        for who, level in LEVELS.items():
            uid = auth.get_user_by_username(who).id
            for rtype, rid in (
                (ResourceType.EXPERIMENT, e),
                (ResourceType.REGISTERED_MODEL, model),
                (ResourceType.WEBHOOK, hook),
                (ResourceType.EVALUATION_DATASET, dataset),
                (ResourceType.GATEWAY_SECRET, secret),
                (ResourceType.GATEWAY_MODEL_DEFINITION, definition_id),
                (ResourceType.GATEWAY_ENDPOINT, endpoint),
            ):
                auth.grant(uid, rtype, rid, level, workspace=WS)
        return World(
            e, name, r, trace, a["assessment"]["assessment_id"], lm["model"]["info"]["model_id"],
            model, hook, dataset, spare, user, secret, definition_id, endpoint, guardrail, budget,
            queue, item, issue, rule,
        )  # fmt: skip


_EVENT = {"entity": "model_version", "action": "created"}
_REVIEW_SCHEMAS = [{"name": "correct", "type": "pass_fail"}]
_RULE = {"name": "errors", "kind": "error_rate_above", "threshold": 0.1, "window_seconds": 60}


def _feedback(trace: str) -> dict[str, Any]:
    return {
        "assessment": {
            "assessment_name": "correctness",
            "trace_id": trace,
            "source": {"source_type": "HUMAN", "source_id": "bob"},
            "feedback": {"value": True},
        }
    }


@pytest.fixture(autouse=True)
def _private_webhooks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_WEBHOOKS_ALLOW_PRIVATE", "1")  # the hooks point at 127.0.0.1:9


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    tmp = Path(tmp_path_factory.mktemp("matrix"))
    backend = open_sql_backend(
        f"sqlite:///{tmp / 'ardea.db'}",
        artifacts_destination=str(tmp / "artifacts"),
        lazy_artifacts=False,
    )
    settings = ServerSettings(auth_enabled=True, enable_workspaces=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
        app = create_app(ServerDeps(backend, settings))
        auth = backend.require_auth()
        for ws in (WS, "team-b"):
            backend.workspaces.create_workspace(ws)
        backend.workspaces.update_workspace(WS, default_permission="NO_PERMISSIONS")
        from ardea.auth.passwords import hash_password

        hashed = hash_password(PASSWORD)
        for name, ws in (("reader", WS), ("editor", WS), ("manager", WS), ("other", "team-b")):
            user = auth.create_user(name, hashed)
            auth.grant(user.id, ResourceType.WORKSPACE, ws, Permission.USE, workspace=ws)
        client = Client(app)
        try:
            yield Matrix(client, backend)
        finally:
            client.close()
            backend.close()


# -- the routes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteCase:
    method: str
    path: str
    name: str
    rule: Access
    spec: RequestSpec | None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _routes() -> list[RouteCase]:
    app = create_app(
        ServerDeps(
            open_sql_backend("sqlite://"),
            ServerSettings(auth_enabled=False, enable_workspaces=True),
        )
    )
    cases: dict[tuple[str, str], RouteCase] = {}
    for prefix, router in app.state.rpc_mounts:
        for route in router.routes:
            endpoint = getattr(route, "endpoint", None)
            rule = access_of(endpoint)
            assert rule is not None, f"{prefix}{route.path} has no rule"
            for method in sorted(route.methods or ()):
                path = prefix + route.path
                ajax_copy = path.startswith("/ajax-api/") and method != "GET"
                if ajax_copy and (method, "/api/" + path[len("/ajax-api/") :]) in cases:
                    continue  # the same endpoint and rule as its /api copy
                spec = getattr(endpoint, "ardea_spec", None)
                cases[(method, path)] = RouteCase(method, path, route.name, rule, spec)
    return sorted(cases.values(), key=str)


ROUTES = _routes()


# -- requests --------------------------------------------------------------------------------


def _values(w: World) -> dict[str, Any]:
    return {
        "experiment_id": w.experiment,
        "experiment_ids": [w.experiment],
        "experiment_name": w.experiment_name,
        "run_id": w.run,
        "run_ids": [w.run],
        "baseline_run_id": w.run,
        "candidate_run_id": w.run,
        "trace_id": w.trace,
        "trace_ids": [w.trace],
        "request_id": w.trace,
        "request_ids": [w.trace],
        "assessment_id": w.assessment,
        "model_id": w.logged_model,
        "name": w.model,
        "version": "1",
        "alias": "champion",
        "webhook_id": w.webhook,
        "dataset_id": w.dataset,
        "secret_id": w.secret,
        "model_definition_id": w.definition,
        "endpoint_id": w.endpoint,
        "guardrail_id": w.guardrail,
        "budget_policy_id": w.budget,
        "queue_id": w.queue,
        "item_id": w.item,
        "item_ids": [w.item],
        "issue_id": w.issue,
        "rule_id": w.rule,
        "workspace_name": w.workspace,
        "key": "k",
        "value": "v",
        "tag_key": "k",
        "metric_key": "m",
        "path": f"{w.experiment}/x.txt",
        "artifact_path": f"{w.experiment}/x.txt",
        "artifact_file_path": "x.txt",
        "username": w.user,
        "source": f"runs:/{w.run}/model",
        "max_results": 10,
        "timestamp": 1,
        "value_double": 1.0,
    }


_BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "create_experiment": lambda w: {"json": {"name": f"new-{next(_n)}"}},
    "update_experiment": lambda w: {
        "json": {"experiment_id": w.experiment, "new_name": f"r-{next(_n)}"}
    },
    "log_metric": lambda w: {"json": {"run_id": w.run, "key": "m", "value": 1.0, "timestamp": 1}},
    "log_batch": lambda w: {
        "json": {
            "run_id": w.run,
            "metrics": [{"key": "m", "value": 1.0, "timestamp": 1, "step": 0}],
        }
    },
    "create_registered_model": lambda w: {"json": {"name": f"new-model-{next(_n)}"}},
    "rename_registered_model": lambda w: {
        "json": {"name": w.model, "new_name": f"renamed-{next(_n)}"}
    },
    "set_registered_model_alias": lambda w: {
        "json": {"name": w.model, "alias": "a", "version": "1"}
    },
    "transition_model_version_stage": lambda w: {
        "json": {
            "name": w.model,
            "version": "1",
            "stage": "Staging",
            "archive_existing_versions": False,
        }
    },
    "create_webhook": lambda w: {
        "json": {"name": "h", "url": "http://127.0.0.1:9/hook", "events": [_EVENT]}
    },
    "update_webhook": lambda w: {"json": {"name": "renamed"}},
    "set_dataset_tags": lambda w: {"json": {"tags": '{"k": "v"}'}},
    "upsert_dataset_records": lambda w: {"json": {"records": '[{"inputs": {"q": 1}}]'}},
    "add_dataset_to_experiments": lambda w: {"json": {"experiment_ids": [w.experiment]}},
    "remove_dataset_from_experiments": lambda w: {"json": {"experiment_ids": [w.experiment]}},
    "diff_dataset_versions": lambda w: {"params": {"from_version": 1, "to_version": 1}},
    "start_trace_v3": lambda w: {
        "json": {
            "trace": {
                "trace_info": {
                    "trace_id": f"tr-{next(_n):032x}",
                    "trace_location": {
                        "type": "MLFLOW_EXPERIMENT",
                        "mlflow_experiment": {"experiment_id": w.experiment},
                    },
                    "request_time": "2026-11-26T03:38:42.662Z",
                    "state": "OK",
                }
            }
        }
    },
    "start_trace_v2": lambda w: {"json": {"experiment_id": w.experiment, "timestamp_ms": 1}},
    "end_trace_v2": lambda w: {"json": {"timestamp_ms": 2, "status": "OK"}},
    "export_traces": lambda w: {
        "content": protobuf_request([span(f"{next(_n):032x}", "b7ad6b7169203331", "s")]),
        "headers": {
            "content-type": "application/x-protobuf",
            "x-mlflow-experiment-id": w.experiment,
        },
    },
    "create_assessment": lambda w: {"json": _feedback(w.trace)},
    "update_assessment": lambda w: {
        "json": {"assessment": {"rationale": "r"}, "update_mask": "rationale"}
    },
    "delete_traces": lambda w: {"json": {"experiment_id": w.experiment, "request_ids": [w.trace]}},
    "upload_artifact": lambda w: {"content": b"data"},
    "upload_part": lambda w: {"params": {"upload_id": "u", "part_number": 1}, "content": b"data"},
    "ui_upload_artifact": lambda w: {
        "params": {"run_uuid": w.run, "path": "up.txt"},
        "content": b"data",
    },
    "create_multipart_upload": lambda w: {"json": {"path": f"{w.experiment}/big", "num_parts": 1}},
    "create_workspace": lambda w: {"json": {"name": f"ws-new-{next(_n)}"}},
    "update_workspace": lambda w: {"json": {"description": "d"}},
    "create_user": lambda w: {
        "json": {"username": f"u-{next(_n)}", "password": "a long password 1"}
    },
    "update_user_admin": lambda w: {"json": {"username": w.user, "is_admin": False}},
    "update_user_password": lambda w: {
        "json": {"username": w.user, "password": "another password 1"}
    },
    "create_role": lambda w: {"json": {"workspace": WS, "name": f"role-{next(_n)}"}},
    "create_queue": lambda w: {
        "json": {
            "experiment_id": w.experiment,
            "name": f"q-{next(_n)}",
            "label_schemas": _REVIEW_SCHEMAS,
        }
    },
    "create_rule": lambda w: {
        "json": {"experiment_id": w.experiment, **_RULE, "name": f"r-{next(_n)}"}
    },
    "update_rule": lambda w: {"json": {"rule_id": w.rule, "threshold": 0.2}},
    "submit_labels": lambda w: {"json": {"item_id": w.item, "labels": {"correct": True}}},
}


def _field_default(f: Any) -> Any:
    """A valid value of a field the request must carry."""
    if f.kind == "message" and f.message is not None:
        return {n: _one(sub) for n, sub in f.message.fields.items() if sub.required}
    if f.kind == "enum" and f.enum:
        return next(iter(f.enum))
    if f.kind == "map":
        return {"k": "v"}
    return {"string": "x", "int64": 1, "double": 1.0, "bool": False}.get(f.kind, "x")


def _one(f: Any) -> Any:
    return [_field_default(f)] if f.repeated else _field_default(f)


def request_for(case: RouteCase, w: World) -> tuple[str, dict[str, Any]]:
    """The URL and the request arguments of ``case`` on ``w``."""
    values = _values(w)
    url = re.sub(r"\{(\w+)(:path)?\}", lambda m: str(values.get(m.group(1), "x")), case.path)
    if case.name in _BODIES:
        return url, _BODIES[case.name](w)
    fields: dict[str, Any] = {}
    for name, f in case.spec.fields.items() if case.spec else ():
        if name in values:
            given = values[name]
            fields[name] = given if f.repeated or not isinstance(given, list) else given[0]
            if f.repeated and not isinstance(given, list):
                fields[name] = [given]
        elif f.required:
            fields[name] = _one(f)
    if case.method == "GET":
        return url, {"params": fields}
    return url, {"json": fields}


# -- expectations ----------------------------------------------------------------------------


def expected(case: RouteCase, user: str, admin_status: int) -> set[int] | None:
    """The statuses ``user`` may get (None: anything but the door's 401)."""
    rule = case.rule
    kind = rule.kind
    if kind is AccessKind.PUBLIC:
        return None
    if user == "anonymous":
        return {401}
    if kind in (AccessKind.AUTHENTICATED, AccessKind.HANDLER):
        return None
    if user == "admin":
        return {admin_status}
    if kind is AccessKind.ADMIN:
        return {403}
    if kind is AccessKind.SEARCH:
        return {admin_status}
    if kind is AccessKind.CREATE:
        admins_only = "webhook" in case.name or "/gateway/" in case.path  # ADMIN_CREATED
        return {403} if user == "other" or admins_only else {admin_status}
    if kind is AccessKind.RESOURCE:
        assert rule.level is not None
        if user == "other":
            return {404}
        return {admin_status} if LEVELS[user].allows(rule.level) else {403}
    raise AssertionError(f"{case}: a rule this test does not know: {rule}")


@pytest.mark.parametrize("case", ROUTES, ids=str)
def test_permission_matrix(matrix: Matrix, case: RouteCase) -> None:
    shared = case.method == "GET"  # reads change nothing: one world serves every user
    world = matrix.world()
    url, kwargs = request_for(case, world)
    admin = matrix.call("admin", case.method, url, **_copy(kwargs))
    for user in USERS[:-1]:
        if not shared:
            world = matrix.world()
            url, kwargs = request_for(case, world)
        r = matrix.call(user, case.method, url, **_copy(kwargs))
        allowed = expected(case, user, admin.status_code)
        if allowed is None:  # the handler may answer 401 itself (a wrong login, no session)
            refused = r.status_code == 401 and r.json().get("message") == NOT_AUTHENTICATED
            assert not refused, (user, r.status_code, r.text[:300])
        else:
            assert r.status_code in allowed, (
                f"{case} [{case.rule}] as {user}: {r.status_code} {r.text[:300]} "
                f"(expected {sorted(allowed)}; admin: {admin.status_code} {admin.text[:200]})"
            )
    checked = (AccessKind.ADMIN, AccessKind.RESOURCE, AccessKind.CREATE, AccessKind.SEARCH)
    if case.rule.kind in checked:  # the admin passes every check
        assert admin.status_code not in (401, 403), (str(case), admin.status_code, admin.text)


def _copy(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in kwargs.items()}


def test_the_matrix_covers_every_route() -> None:
    paths = {c.path for c in ROUTES}
    assert "/v1/traces" in paths and "/api/3.0/mlflow/roles/create" in paths
    assert len(ROUTES) > 150


def test_searches_show_other_users_nothing_of_team_a(matrix: Matrix) -> None:
    w = matrix.world()
    body = {"max_results": 1000}
    for user, sees in (("other", False), ("reader", True), ("admin", True)):
        r = matrix.call(user, "POST", "/api/2.0/mlflow/experiments/search", json=body)
        names = {e["name"] for e in r.json().get("experiments", [])}
        assert (w.experiment_name in names) is sees, user
        r = matrix.call(
            user, "POST", "/api/2.0/mlflow/runs/search", json={"experiment_ids": [w.experiment]}
        )
        assert bool(r.json().get("runs")) is sees, user
        r = matrix.call(
            user,
            "GET",
            "/api/2.0/mlflow/registered-models/search",
            params={"filter": f"name = '{w.model}'"},
        )
        assert (w.model in {m["name"] for m in r.json().get("registered_models", [])}) is sees
        r = matrix.call(user, "GET", "/api/2.0/mlflow/webhooks")
        assert (w.webhook in {h["webhook_id"] for h in r.json().get("webhooks", [])}) is sees


# -- bad input --------------------------------------------------------------------------------


def test_a_cross_workspace_id_guess_finds_nothing(matrix: Matrix) -> None:
    w = matrix.world()
    guesses = [
        ("GET", "/api/2.0/mlflow/experiments/get", {"params": {"experiment_id": w.experiment}}),
        ("GET", "/api/2.0/mlflow/runs/get", {"params": {"run_id": w.run}}),
        ("GET", f"/api/3.0/mlflow/traces/{w.trace}", {}),
        ("GET", f"/api/2.0/mlflow/logged-models/{w.logged_model}", {}),
        ("GET", "/api/2.0/mlflow/registered-models/get", {"params": {"name": w.model}}),
        ("GET", f"/api/2.0/mlflow-artifacts/artifacts/{w.experiment}/x.txt", {}),
        (
            "POST",
            "/api/2.0/mlflow/runs/log-metric",
            {"json": {"run_id": w.run, "key": "m", "value": 1, "timestamp": 1}},
        ),
    ]
    for method, path, kwargs in guesses:
        for user, workspace in (("other", "team-b"), ("other", WS), ("reader", "team-b")):
            headers = {"X-MLFLOW-WORKSPACE": workspace}
            r = matrix.call(user, method, path, headers=headers, **kwargs)
            assert r.status_code in (400, 404), (user, workspace, path, r.status_code, r.text)
            assert w.experiment_name not in r.text
    # and nothing was written
    r = matrix.call(
        "admin",
        "GET",
        "/api/2.0/mlflow/metrics/get-history",
        params={"run_id": w.run, "metric_key": "m"},
    )
    assert r.json().get("metrics", []) == []


@pytest.mark.parametrize(
    "name", ["../team-a", "team-a/../default", "/etc", "TEAM-A", "a", "%2e%2e"]
)
def test_a_path_like_workspace_name_is_refused(matrix: Matrix, name: str) -> None:
    r = matrix.call(
        "reader", "GET", "/api/2.0/mlflow/experiments/search", headers={"X-MLFLOW-WORKSPACE": name}
    )
    assert r.status_code == 400 and r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    r = matrix.call(
        "anonymous",
        "GET",
        "/api/2.0/mlflow/experiments/search",
        headers={"X-MLFLOW-WORKSPACE": name},
    )
    assert r.status_code == 401  # who is asking is settled first
    quoted = urllib.parse.quote(name, safe="")  # (a client would resolve the dots itself)
    r = matrix.call("reader", "GET", f"/api/3.0/mlflow/workspaces/{quoted}")
    assert r.status_code in (400, 404) and "experiments" not in r.text


def test_an_unknown_workspace_is_404(matrix: Matrix) -> None:
    r = matrix.call(
        "reader",
        "GET",
        "/api/2.0/mlflow/experiments/search",
        headers={"X-MLFLOW-WORKSPACE": "no-such-ws"},
    )
    assert r.status_code == 404


def test_workspaces_are_listed_to_their_members(matrix: Matrix) -> None:
    def names(user: str) -> set[str]:
        listed = matrix.call(user, "GET", "/api/3.0/mlflow/workspaces").json()["workspaces"]
        return {w["name"] for w in listed}

    assert {"default", WS} <= names("reader") and "team-b" not in names("reader")
    assert {"default", "team-b"} <= names("other") and WS not in names("other")
    assert {"default", WS, "team-b"} <= names("admin")
    assert matrix.call("other", "GET", f"/api/3.0/mlflow/workspaces/{WS}").status_code == 404
    assert matrix.call("reader", "GET", f"/api/3.0/mlflow/workspaces/{WS}").status_code == 200


def test_a_new_dataset_names_only_experiments_its_creator_may_read(matrix: Matrix) -> None:
    w = matrix.world()
    hidden = matrix.admin("POST", "/api/2.0/mlflow/experiments/create", json={"name": "hidden-ds"})
    create = "/api/3.0/mlflow/datasets/create"
    before = matrix.admin("POST", "/api/3.0/mlflow/datasets/search", json={"max_results": 1000})
    body = {"name": "probe", "experiment_ids": [hidden["experiment_id"]]}
    r = matrix.call("editor", "POST", create, json=body)
    assert r.status_code == 404, r.text  # as if it did not exist: no probing
    after = matrix.admin("POST", "/api/3.0/mlflow/datasets/search", json={"max_results": 1000})
    assert after == before  # nothing made
    r = matrix.call("editor", "POST", create, json={**body, "experiment_ids": [w.experiment]})
    assert r.status_code == 200, r.text
