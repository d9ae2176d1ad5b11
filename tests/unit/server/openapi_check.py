"""A client that checks every answer against the app's own OpenAPI document.

Each call names the documented path template (``/api/3.0/mlflow/traces/{trace_id}``) and its
path parameters. The answer's status must be documented for that operation, and a JSON body
must match the documented schema with every object closed (``additionalProperties: false``),
so a key the schema does not list fails as surely as a missing or mistyped one.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import jsonschema_rs

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, ServerSettings
from ardea.store.sql.backend import open_sql_backend

from .support import Client

_TRACES_MODULE_PARTS = (
    "/traces",
    "/ardea/",
    "trace-artifact",
    "registered-models",
    "model-versions",
    "webhooks",
)


def traces_module_path(path: str) -> bool:
    """Whether ``test_openapi_answers_traces`` checks the operations of ``path`` (else the
    tracking module does)."""
    return (
        not datasets_module_path(path)
        and not review_module_path(path)
        and not issues_module_path(path)
        and not alerts_module_path(path)
        and not evaluations_module_path(path)
        and not gateway_module_path(path)
        and not scorers_module_path(path)
        and any(part in path for part in _TRACES_MODULE_PARTS)
    )


def datasets_module_path(path: str) -> bool:
    """Whether ``test_openapi_answers_datasets`` checks the operations of ``path``."""
    return "/mlflow/datasets" in path or "/ardea/datasets" in path


def alerts_module_path(path: str) -> bool:
    """Whether ``test_openapi_answers_alerts`` checks the operations of ``path``."""
    return "/ardea/alerts/" in path


def review_module_path(path: str) -> bool:
    """Whether ``test_openapi_answers_review`` checks the operations of ``path``."""
    return "/ardea/review/" in path


def issues_module_path(path: str) -> bool:
    """Whether ``test_openapi_answers_issues`` checks the operations of ``path``."""
    return "/mlflow/issues" in path or "/ardea/issues/" in path


def scorers_module_path(path: str) -> bool:
    """Whether ``test_openapi_answers_scorers`` checks the operations of ``path`` (the scorer
    registry, online scoring and judge alignments)."""
    return (
        "/mlflow/scorers" in path
        or "/ardea/online-scoring" in path
        or "/ardea/judges/alignments" in path
    )


def gateway_module_path(path: str) -> bool:
    """Whether ``test_openapi_answers_gateway`` checks the operations of ``path``."""
    if auth_module_path(path):  # the gateway's keys need an app with auth on
        return False
    return "/mlflow/gateway/" in path or "/ardea/gateway/" in path


def evaluations_module_path(path: str) -> bool:
    """Whether ``test_openapi_answers_evaluations`` checks the operations of ``path`` (the
    evaluation reads and the judge builder's routes)."""
    if "/ardea/judges/alignments" in path:
        return False
    return "/ardea/evaluations" in path or "/ardea/judges" in path


def workspaces_module_path(path: str) -> bool:
    """Whether ``test_openapi_answers_workspaces`` checks the operations of ``path`` (an app
    with workspaces on)."""
    return "/mlflow/workspaces" in path


def closed(node: Any) -> Any:
    """A copy of a JSON schema in which every object with listed properties allows no others."""
    if isinstance(node, list):
        return [closed(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: closed(v) for k, v in node.items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


@contextmanager
def checked_app(tmp: Path, settings: ServerSettings | None = None) -> Iterator[CheckedClient]:
    """A :class:`CheckedClient` over a real app (SQLite and local artifacts under ``tmp``)."""
    backend = open_sql_backend(
        f"sqlite:///{tmp / 'ardea.db'}",
        artifacts_destination=str(tmp / "artifacts"),
        lazy_artifacts=False,
    )
    app = create_app(ServerDeps(backend, settings or ServerSettings()))
    client = Client(app)
    try:
        checked = CheckedClient(client, app.openapi())
        checked.app = app
        yield checked
    finally:
        client.close()
        backend.close()


class CheckedClient:
    """Sends requests through ``client`` and validates each answer against ``doc``."""

    def __init__(self, client: Client, doc: dict[str, Any]) -> None:
        self.client = client
        self.doc = doc
        self.app: Any = None  # the app under test (set by checked_app)
        self.components = closed(copy.deepcopy(doc.get("components", {})))
        self.seen: set[tuple[str, str, str]] = set()
        """(method, template, status) of every checked answer."""

    def call(
        self,
        method: str,
        template: str,
        path: dict[str, str] | None = None,
        *,
        status: int = 200,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send ``method`` to ``template`` (its ``{names}`` filled from ``path``) and check it."""
        url = template
        for name, value in (path or {}).items():
            url = url.replace("{" + name + "}", quote(value, safe="/"))
        r = self.client.request(method, url, **kwargs)
        assert r.status_code == status, f"{method} {url}: {r.status_code} {r.text[:500]}"
        self.check(method, template, r)
        return r

    def json(
        self, method: str, template: str, path: dict[str, str] | None = None, **kw: Any
    ) -> Any:
        """:meth:`call`, answering the JSON body."""
        return self.call(method, template, path, **kw).json()

    def unchecked(self, owned: Callable[[str], bool]) -> list[tuple[str, str]]:
        """The operations of the paths ``owned`` selects that never answered a success."""
        return [
            (method.upper(), path)
            for path, operations in self.doc["paths"].items()
            if owned(path)
            for method in operations
            if not any(s[:2] == (method.upper(), path) and s[2][0] == "2" for s in self.seen)
        ]

    def check(self, method: str, template: str, r: httpx.Response) -> None:
        """Assert that ``r`` is a documented answer of ``method template``."""
        operation = self.doc["paths"][template][method.lower()]
        documented = operation["responses"].get(str(r.status_code))
        assert documented is not None, (
            f"{method} {template} answered {r.status_code}, which the document does not list "
            f"({sorted(operation['responses'])}): {r.text[:300]}"
        )
        self.seen.add((method, template, str(r.status_code)))
        content = documented.get("content", {})
        media = r.headers.get("content-type", "").split(";")[0].strip()
        if media != "application/json":
            assert media in content or "*/*" in content or not r.content, (
                f"{method} {template}: {media!r} is not among {sorted(content)}"
            )
            return
        assert "application/json" in content, f"{method} {template}: JSON is not documented"
        schema = closed(content["application/json"]["schema"])
        validator = jsonschema_rs.validator_for({**schema, "components": self.components})
        errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(r.json())]
        assert not errors, (
            f"{method} {template} {r.status_code}: {errors[:5]}\n"
            f"{json.dumps(r.json(), indent=1)[:2000]}"
        )


def auth_module_path(path: str) -> bool:
    """Whether ``test_openapi_answers_auth`` checks the operations of ``path`` (an app with
    auth on: the login routes, the gateway's keys, MLflow's users and roles); the others
    leave them out."""
    return any(
        part in path
        for part in ("/ardea/auth/", "/ardea/gateway/keys/", "/mlflow/users", "/mlflow/roles")
    )
