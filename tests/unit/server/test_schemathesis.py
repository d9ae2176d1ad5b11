"""A bounded schemathesis run over the OpenAPI document, against the real app in-process.

Every documented operation gets a few schema-valid requests and a few schema-invalid ones
(derandomized, so the run is the same each time), and each answer is checked: never a 5xx,
a documented status code, content type, headers and body (against the response schema), and
schema-invalid requests refused with a 4xx. Then every documented path is sent a method it
does not serve, which must be a 405 with an ``Allow`` header naming what it does serve.

Left out, and why:

- ``positive_data_acceptance`` (a schema-valid request must not be refused): MLflow's request
  messages describe field types, not the rules the server applies to values (an id must name
  something that exists, ``max_results`` has a range, a filter has a grammar, names have a
  pattern). A schema-valid request breaking those rules is a 400 by design, as on MLflow.
- Operations without inputs cannot get schema-invalid requests (schemathesis reports them
  "unsatisfiable"); they still get the valid ones.
- The AI gateway's invocation paths (:mod:`ardea.server.openapi_gateway`): a valid request
  needs an endpoint on a provider that answers, and their errors are the provider APIs' own
  shapes (OpenAI's, Anthropic's, Google's), not MLflow's envelope; the real SDKs test them
  against the fake provider (``test_gateway*.py``).
- Unsupported methods on a path-parameter route under ``/api`` and ``/ajax-api`` answer 404
  ``ENDPOINT_NOT_FOUND``, not 405: ``POST /api/3.0/mlflow/traces/<an RPC this server lacks>``
  must tell an MLflow client that this endpoint does not exist (it falls back on a 404), even
  though the RPC's name fits ``/traces/{trace_id}``. The method check below covers exact paths.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.generation import GenerationMode

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, ServerSettings
from ardea.server.openapi_gateway import GATEWAY_DOC_PREFIXES
from ardea.store.sql.backend import open_sql_backend

from .support import Client

EXAMPLES = 6
"""Examples per operation and generation mode: enough to exercise each, bounded in time."""
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    backend = open_sql_backend(
        f"sqlite:///{tmp / 'ardea.db'}",
        artifacts_destination=str(tmp / "artifacts"),
        lazy_artifacts=False,
    )
    # schemathesis' ASGI client sends ``Host: testserver``.
    yield create_app(ServerDeps(backend, ServerSettings(allowed_hosts=("*",))))
    backend.close()


@pytest.fixture(scope="module")
def schema(app: Any) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _failures(error: BaseException) -> list[str]:
    nested = getattr(error, "exceptions", None)
    if nested:
        return [f for e in nested for f in _failures(e)]
    return [f"{getattr(error, 'title', type(error).__name__)}: {str(error)[:600]}"]


def _run(operation: Any, mode: GenerationMode) -> list[str]:
    found: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        try:
            case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])
        except BaseException as error:  # collect every failure, report them together
            found.extend(_failures(error))

    try:
        run()
    except BaseException as error:
        if type(error).__name__ != "Unsatisfiable":  # no invalid input exists for it
            found.extend(_failures(error))
    return found


SHARDS = 4
"""The operations are checked in this many tests (each well inside the per-test timeout)."""


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_documented_operation_answers_as_documented(schema: Any, shard: int) -> None:
    operations = [
        op
        for op in (result.ok() for result in schema.get_all_operations())
        if not op.path.startswith(GATEWAY_DOC_PREFIXES)
    ]
    assert len(operations) > 80
    failures = {
        f"{mode.value} {op.label}": found
        for op in operations[shard::SHARDS]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (found := _run(op, mode))
    }
    assert failures == {}


def test_unsupported_methods_on_exact_paths_are_405_with_allow(app: Any) -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "openapi.json").read_text()
    import json

    paths = json.loads(doc)["paths"]
    templated = [
        (
            re.compile(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path))),
            {m.upper() for m in item},
        )
        for path, item in paths.items()
        if "{" in path
    ]
    c = Client(app)
    try:
        checked = 0
        for path, item in paths.items():
            if "{" in path or path.startswith(GATEWAY_DOC_PREFIXES):
                continue
            served = {m.upper() for m in item}
            for method in METHODS:
                if method in served or any(
                    method in methods and pattern.fullmatch(path) for pattern, methods in templated
                ):  # e.g. GET /logged-models/search is GET /logged-models/{model_id}
                    continue
                r = c.request(method, path)
                assert r.status_code == 405, (method, path, r.status_code)
                allow = {m.strip() for m in r.headers["allow"].split(",")}
                assert served <= allow, (method, path, allow)
                assert r.json()["error_code"] == "BAD_REQUEST"
                checked += 1
        assert checked > 100
        lacking = ("POST", "/api/3.0/mlflow/traces/no-such-rpc")  # fits /traces/{trace_id}
        for method, path in [lacking, ("PUT", "/api/2.0/x")]:
            r = c.request(method, path)
            assert (r.status_code, r.json()["error_code"]) == (404, "ENDPOINT_NOT_FOUND")
            assert "allow" not in r.headers
        assert re.fullmatch(r"GET, HEAD", c.request("DELETE", "/health").headers["allow"])
    finally:
        c.close()
