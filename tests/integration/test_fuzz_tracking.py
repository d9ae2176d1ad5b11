"""Bounded fuzz of a live server's tracking and artifact endpoints.

Random methods and paths from the server's own route list (its ``/openapi.json``, plus the
``/ajax-api`` copies), random query strings and JSON bodies (wrong types, huge numbers, NaN,
unicode, missing fields, hostile artifact paths). Whatever arrives, the server answers without
a 5xx, every 4xx is a JSON error in MLflow's envelope (on the AI gateway's invocation paths: in
the provider API's own error shape), and a run seeded before the fuzz is unchanged afterwards.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ardea.server.openapi_gateway import GATEWAY_DOC_PREFIXES
from fixtures.hostile_paths import CONFINED, REJECTED
from fixtures.server_process import ServerProcess

pytestmark = pytest.mark.slow

API = "/api/2.0/mlflow"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# MLflow error codes a client may see (shared/MLFLOW-WIRE.md section 5).
MLFLOW_CODES = {
    "INTERNAL_ERROR", "TEMPORARILY_UNAVAILABLE", "IO_ERROR", "BAD_REQUEST", "DEADLINE_EXCEEDED",
    "CANCELLED", "RESOURCE_EXHAUSTED", "ABORTED", "NOT_FOUND", "ALREADY_EXISTS",
    "UNAUTHENTICATED", "INVALID_PARAMETER_VALUE", "ENDPOINT_NOT_FOUND", "MALFORMED_REQUEST",
    "INVALID_STATE", "PERMISSION_DENIED", "FEATURE_DISABLED", "CUSTOMER_UNAUTHORIZED",
    "REQUEST_LIMIT_EXCEEDED", "RESOURCE_CONFLICT", "NOT_IMPLEMENTED", "DATA_LOSS",
    "INVALID_STATE_TRANSITION", "RESOURCE_ALREADY_EXISTS", "RESOURCE_DOES_NOT_EXIST",
}  # fmt: skip
FIELDS = [
    "experiment_id", "experiment_ids", "run_id", "run_uuid", "run_ids", "name", "new_name",
    "key", "value", "timestamp", "step", "metrics", "params", "tags", "datasets", "models",
    "metric_key", "max_results", "page_token", "filter", "order_by", "run_view_type",
    "view_type", "status", "end_time", "start_time", "run_name", "path", "model_id",
    "artifact_location", "experiment_name", "start_step", "end_step", "upload_id", "num_parts",
    "parts", "model_json", "artifact_directory_path", "artifact_file_path", "allow_deleted",
]  # fmt: skip


class Seed:
    """The live server and the ids the fuzz must leave alone or may aim at."""

    def __init__(self, server: ServerProcess, client: httpx.Client) -> None:
        self.server = server
        self.client = client
        self.seed_exp = _post(client, "experiments/create", {"name": "fuzz-seed"})["experiment_id"]
        run = _post(client, "runs/create", {"experiment_id": self.seed_exp, "run_name": "seed"})
        self.seed_run = run["run"]["info"]["run_id"]
        metrics = [{"key": "m", "value": i / 3, "timestamp": 1000 + i, "step": i} for i in range(5)]
        _post(
            client,
            "runs/log-batch",
            {
                "run_id": self.seed_run,
                "metrics": metrics,
                "params": [{"key": "p", "value": "1"}],
                "tags": [{"key": "t", "value": "v"}],
            },
        )
        self.seed_artifact = _artifact_root(run) + "/seed/file.txt"
        r = client.put(f"/api/2.0/mlflow-artifacts/artifacts/{self.seed_artifact}", content=b"x1")
        assert r.status_code == 200, r.text
        # A separate experiment and run for the fuzz to aim at.
        self.exp = _post(client, "experiments/create", {"name": "fuzz-target"})["experiment_id"]
        target = _post(client, "runs/create", {"experiment_id": self.exp})
        self.run = target["run"]["info"]["run_id"]
        self.artifact_root = _artifact_root(target)
        self.protected = {str(self.seed_exp), self.seed_run}
        self.before = self.snapshot()

    def snapshot(self) -> dict[str, Any]:
        """Everything observable about the seeded run."""
        c = self.client
        run = c.get(f"{API}/runs/get", params={"run_id": self.seed_run}).json()
        history = c.get(
            f"{API}/metrics/get-history", params={"run_id": self.seed_run, "metric_key": "m"}
        ).json()
        exp = c.get(f"{API}/experiments/get", params={"experiment_id": self.seed_exp}).json()
        artifact = c.get(f"/api/2.0/mlflow-artifacts/artifacts/{self.seed_artifact}")
        listing = c.get(f"{API}/artifacts/list", params={"run_id": self.seed_run, "path": "seed"})
        return {
            "run": run,
            "history": history,
            "experiment": exp,
            "artifact": (artifact.status_code, artifact.content),
            "listing": listing.json(),
        }


def _post(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(f"{API}/{path}", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def _artifact_root(run: dict[str, Any]) -> str:
    uri = run["run"]["info"]["artifact_uri"]
    assert uri.startswith("mlflow-artifacts:/"), uri
    return uri.removeprefix("mlflow-artifacts:").strip("/")


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seed]:
    server = ServerProcess(Path(tmp_path_factory.mktemp("fuzz")))
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            yield Seed(server, client)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def routes(seed: Seed) -> list[tuple[str, str]]:
    """(method, path template) for every route in the served OpenAPI document, both prefixes."""
    doc = seed.client.get("/openapi.json").json()
    found = []
    for path, methods in doc["paths"].items():
        for method in methods:
            if method.upper() in METHODS:
                found.append((method.upper(), path))
                if path.startswith("/api/"):
                    found.append((method.upper(), "/ajax-api/" + path.removeprefix("/api/")))
    assert len(found) > 30, found
    return sorted(found)


# --- strategies -------------------------------------------------------------------------------

huge_ints = st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**30, -1, 0, 2**31])
floats = st.floats(allow_nan=True, allow_infinity=True)
texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "NaN", "Infinity", "True", "false", "null", "0", "-1", "1e400"]),
    st.sampled_from(REJECTED + list(CONFINED)),
    st.text(alphabet="\x00\n\u2028\ud7ff\uffff\U0001f600é'\"%\\/.", max_size=20),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), huge_ints, floats, texts)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), inner, max_size=4),
    ),
    max_leaves=12,
)


def _ids(seed: Seed) -> st.SearchStrategy[Any]:
    return st.sampled_from([seed.exp, seed.run, int(seed.exp), "0", "m-" + "0" * 32, seed.run[:8]])


def _bodies(seed: Seed) -> st.SearchStrategy[dict[str, Any]]:
    value = st.one_of(json_values, _ids(seed), _metric_lists())
    return st.dictionaries(st.sampled_from(FIELDS), value, max_size=6)


def _metric_lists() -> st.SearchStrategy[list[Any]]:
    metric = st.fixed_dictionaries(
        {},
        optional={"key": texts, "value": scalars, "timestamp": scalars, "step": scalars},
    )
    return st.lists(metric, max_size=3)


def _query(seed: Seed) -> st.SearchStrategy[list[tuple[str, str]]]:
    value = st.one_of(texts, _ids(seed).map(str), st.integers().map(str), huge_ints.map(str))
    return st.lists(st.tuples(st.sampled_from(FIELDS), value), max_size=5)


def _path_values(seed: Seed) -> st.SearchStrategy[str]:
    artifact = st.sampled_from(REJECTED + list(CONFINED)).map(lambda p: f"{seed.artifact_root}/{p}")
    plain = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/?#"), max_size=20)
    return st.one_of(
        artifact,
        st.sampled_from(REJECTED + list(CONFINED)),
        plain,
        st.just(f"{seed.artifact_root}/fuzz/file.bin"),
        st.just("m-" + "0" * 32),
    )


def _encode(path: str, keep_escapes: bool) -> str:
    """Percent-encode ``path`` for a URL; ``keep_escapes`` sends ``%xx`` sequences as they are."""
    return quote(path, safe="/%" if keep_escapes else "/")


def _protect(value: Any, seed: Seed) -> Any:
    """Redirect anything naming the seeded experiment or run to the fuzz target instead."""
    if isinstance(value, dict):
        return {k: _protect(v, seed) for k, v in value.items()}
    if isinstance(value, list):
        return [_protect(v, seed) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, str)) and str(value) in seed.protected:
        return seed.exp
    if isinstance(value, str) and value.split("/", 1)[0] in seed.protected:
        return seed.artifact_root + "/redirected"
    return value


# --- checks -----------------------------------------------------------------------------------


STATUSES: Counter[int] = Counter()


def _check(r: httpx.Response, what: str) -> None:
    STATUSES[r.status_code] += 1
    assert r.status_code < 500, f"{what} -> {r.status_code}: {r.text[:500]}"
    if 400 <= r.status_code < 500:
        try:
            body = r.json()
        except json.JSONDecodeError:
            pytest.fail(f"{what} -> {r.status_code}, not JSON: {r.text[:300]!r}")
        assert isinstance(body, dict), f"{what}: {body!r}"
        error = body.get("error")
        if r.request.url.path.startswith(GATEWAY_DOC_PREFIXES) and isinstance(error, dict):
            # the gateway's invocation paths answer in the provider API's own error shape
            # (OpenAI's, Anthropic's or Google's), each with a message
            assert isinstance(error.get("message"), str), f"{what}: {body!r}"
            return
        assert body.get("error_code") in MLFLOW_CODES, f"{what}: {body!r}"
        assert isinstance(body.get("message"), str), f"{what}: {body!r}"


def _send(seed: Seed, method: str, url: str, query: Any, body: Any, raw: bytes | None) -> None:
    kwargs: dict[str, Any] = {"params": query}
    if raw is not None:
        kwargs["content"] = raw
        kwargs["headers"] = {"Content-Type": "application/json"}
    elif body is not None:
        # allow_nan: NaN and Infinity literals are not JSON; the server must refuse them cleanly.
        kwargs["content"] = json.dumps(body, allow_nan=True).encode()
        kwargs["headers"] = {"Content-Type": "application/json"}
    what = f"{method} {url} query={query!r} body={(raw or kwargs.get('content', b''))[:300]!r}"
    r = seed.client.request(method, url, **kwargs)
    _check(r, what)


FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(data=st.data())
def test_tracking_endpoints_survive_fuzz(
    seed: Seed, routes: list[tuple[str, str]], data: st.DataObject
) -> None:
    tracking = [r for r in routes if "mlflow-artifacts" not in r[1]]
    method, template = data.draw(st.sampled_from(tracking), label="route")
    if data.draw(st.integers(0, 4), label="other method") == 0:
        method = data.draw(st.sampled_from(METHODS), label="method")
    keep = data.draw(st.booleans(), label="keep escapes")
    url = re.sub(
        r"\{([^}:]+)(?::path)?\}",
        lambda m: _encode(_protect(data.draw(_path_values(seed), label=m.group(1)), seed), keep),
        template,
    )
    query = _protect(data.draw(_query(seed), label="query"), seed)
    body = _protect(data.draw(st.one_of(st.none(), _bodies(seed), json_values), label="body"), seed)
    raw = data.draw(
        st.one_of(st.none(), st.just(b"{"), st.just(b"\xff\xfe"), st.just(b"[1,2")), label="raw"
    )
    _send(seed, method, url, query, body, raw)


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_artifact_endpoints_survive_fuzz(seed: Seed, data: st.DataObject) -> None:
    method = data.draw(st.sampled_from(METHODS), label="method")
    prefix = data.draw(st.sampled_from(["/api/2.0", "/ajax-api/2.0"]), label="prefix")
    kind = data.draw(st.sampled_from(["artifacts", "mpu/create", "mpu/complete", "mpu/abort"]))
    path = _protect(data.draw(_path_values(seed), label="path"), seed)
    keep = data.draw(st.booleans(), label="keep escapes")
    url = f"{prefix}/mlflow-artifacts/{kind}/" + _encode(path, keep)
    query = _protect(data.draw(_query(seed), label="query"), seed)
    if method in ("PUT", "POST"):
        raw = data.draw(st.binary(max_size=64), label="bytes")
        r = seed.client.request(method, url, params=query, content=raw)
        _check(r, f"{method} {url} query={query!r} bytes={raw!r}")
    else:
        _send(seed, method, url, query, None, None)
    # Listing with hostile paths.
    r = seed.client.get(f"{prefix}/mlflow-artifacts/artifacts", params={"path": path})
    _check(r, f"list path={path!r}")


def test_seeded_run_is_unchanged_after_fuzz(seed: Seed) -> None:
    after = seed.snapshot()
    assert after == seed.before
    assert after["artifact"] == (200, b"x1")
    assert len(after["history"]["metrics"]) == 5
    assert seed.client.get("/health").status_code == 200
    # The fuzz reached both accepting and refusing code paths.
    print(f"fuzz statuses: {dict(sorted(STATUSES.items()))}")
    assert sum(n for code, n in STATUSES.items() if code < 300) > 0, STATUSES
    assert sum(n for code, n in STATUSES.items() if 400 <= code < 500) > 0, STATUSES
