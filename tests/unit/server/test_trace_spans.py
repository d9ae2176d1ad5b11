"""``GET /api/3.0/ardea/traces/{trace_id}/spans``: paged span reads, and RestTraceStore over it."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.api.mlflow_trace_json import trace_to_json
from ardea.server.app import create_app
from ardea.server.deps import ServerDeps
from ardea.store.rest.http import RestClient
from ardea.store.rest.traces import RestTraceStore
from fixtures.asgi import SyncASGITransport
from fixtures.otlp_payloads import protobuf_request, span

from .support import Client, assert_error, create_experiment

T1 = "0af7651916cd43dd8448eb211c80319c"
TR1 = "tr-" + T1
ROOT = "1000000000000000"
START = 1_700_000_000_000_000_000
N_CHILDREN = 25
SPANS = "/api/3.0/ardea/traces/{}/spans"


def _child(i: int) -> str:
    return f"2{i:015x}"


def _grandchild(i: int) -> str:
    return f"3{i:015x}"


def _tree() -> list[dict[str, Any]]:
    """A root, 25 children (started 1 ms apart, in reverse order) and 3 grandchildren of child 0."""
    spans = [span(T1, ROOT, "root", start_ns=START, end_ns=START + 10**9)]
    for i in reversed(range(N_CHILDREN)):
        start = START + (i + 1) * 1_000_000
        spans.append(
            span(T1, _child(i), f"child-{i}", parent_hex=ROOT, start_ns=start, end_ns=start + 1)
        )
    for i in range(3):
        start = START + 2_000_000 + i
        spans.append(
            span(
                T1,
                _grandchild(i),
                f"grandchild-{i}",
                parent_hex=_child(0),
                start_ns=start,
                end_ns=start + 1,
                attributes={"mlflow.spanType": json.dumps("TOOL"), "n": i},
            )
        )
    return spans


@pytest.fixture
def experiment(client: Client) -> str:
    exp = create_experiment(client)
    headers = {"content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp}
    r = client.post("/v1/traces", content=protobuf_request(_tree()), headers=headers)
    assert r.status_code == 200, r.text
    return exp


def _page(client: Client, prefix: str = "/api", **params: Any) -> dict[str, Any]:
    r = client.get(prefix + SPANS.format(TR1).removeprefix("/api"), params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _hex_id(span_json: dict[str, Any]) -> str:
    return base64.b64decode(span_json["span_id"]).hex()


def test_pages_of_all_spans_in_start_order(client: Client, experiment: str) -> None:
    names: list[str] = []
    token = None
    pages = 0
    while True:
        params: dict[str, Any] = {"max_results": 10}
        if token:
            params["page_token"] = token
        page = _page(client, **params)
        pages += 1
        assert len(page["spans"]) <= 10
        names += [s["name"] for s in page["spans"]]
        token = page.get("next_page_token")
        if not token:
            break
    assert pages == 3
    assert names[:3] == ["root", "child-0", "child-1"]
    assert len(names) == len(set(names)) == 1 + N_CHILDREN + 3
    assert len(_page(client)["spans"]) == 29  # default page size holds them all
    assert "next_page_token" not in _page(client)


def test_one_tree_level_at_a_time(client: Client, experiment: str) -> None:
    (root,) = _page(client, roots_only="true")["spans"]
    assert root["name"] == "root" and "parent_span_id" not in root
    children = _page(client, parent_span_id=_hex_id(root), max_results=5)
    assert [s["name"] for s in children["spans"]] == [f"child-{i}" for i in range(5)]
    assert children["next_page_token"]
    rest = _page(client, parent_span_id=_hex_id(root), page_token=children["next_page_token"])
    assert len(rest["spans"]) == N_CHILDREN - 5
    first = children["spans"][0]
    by_base64 = _page(client, parent_span_id=first["span_id"])  # the id as the JSON has it
    by_hex = _page(client, parent_span_id=_hex_id(first).upper())
    grandchildren = [s["name"] for s in by_base64["spans"]]
    assert grandchildren == ["grandchild-0", "grandchild-1", "grandchild-2"]
    assert by_hex == by_base64
    leaf = _page(client, parent_span_id=_grandchild(0))
    assert leaf == {"spans": [], "parent_span_ids": []}


def test_pages_say_which_spans_have_children(client: Client, experiment: str) -> None:
    roots = _page(client, roots_only="true")
    assert roots["parent_span_ids"] == [roots["spans"][0]["span_id"]]
    children = _page(client, parent_span_id=ROOT, max_results=5)
    first = children["spans"][0]  # child-0, the only child with children
    assert _hex_id(first) == _child(0) and children["parent_span_ids"] == [first["span_id"]]
    everything = _page(client)
    assert sorted(map(_hex_id_of, everything["parent_span_ids"])) == sorted([ROOT, _child(0)])


def _hex_id_of(b64: str) -> str:
    return base64.b64decode(b64).hex()


def test_spans_have_the_get_trace_shape_and_ajax_copy(client: Client, experiment: str) -> None:
    full = client.get("/api/3.0/mlflow/traces/get", params={"trace_id": TR1}).json()
    by_id = {s["span_id"]: s for s in full["trace"]["spans"]}
    page = _page(client, prefix="/ajax-api", parent_span_id=_child(0))
    assert page["spans"] and all(s == by_id[s["span_id"]] for s in page["spans"])
    attrs = {a["key"]: a["value"] for a in page["spans"][0]["attributes"]}
    assert attrs["n"] == {"int_value": 0}


def test_unknown_trace_is_404(client: Client, experiment: str) -> None:
    r = client.get(SPANS.format("tr-" + "f" * 32))
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST")


@pytest.mark.parametrize(
    "params",
    [
        {"max_results": 0},
        {"max_results": 10_001},
        {"max_results": "many"},
        {"page_token": "not-a-token"},
        {"parent_span_id": "xyz"},
        {"parent_span_id": "00112233445566"},
        {"parent_span_id": ROOT, "roots_only": "true"},
        {"roots_only": "perhaps"},
    ],
)
def test_bad_parameters_are_400(client: Client, experiment: str, params: dict[str, Any]) -> None:
    r = client.get(SPANS.format(TR1), params=params)
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")


# ---------------------------------------------------------------------------------------------
# RestTraceStore.get_spans: the TraceStore contract over REST
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def rest_store(deps: ServerDeps, experiment: str) -> Iterator[RestTraceStore]:
    # A second app over the same stores, as a second server replica would be.
    rest = RestClient("http://localhost", transport=SyncASGITransport(create_app(deps)))
    store = RestTraceStore("http://localhost", rest=rest)
    yield store
    store.close()


def test_rest_store_get_spans_matches_the_sql_store(
    deps: ServerDeps, rest_store: RestTraceStore
) -> None:
    sql = deps.backend.traces
    cases: list[dict[str, Any]] = [
        {},
        {"roots_only": True},
        {"parent_span_id": ROOT, "max_results": 7},
        {"parent_span_id": _child(0)},
        {"parent_span_id": _grandchild(1)},
    ]
    for kwargs in cases:
        want, got = [], []
        token = None
        while True:
            page = sql.get_spans(TR1, page_token=token, **kwargs)
            want += page
            token = page.token
            if not token:
                break
        while True:
            page = rest_store.get_spans(TR1, page_token=token, **kwargs)
            got += page
            token = page.token
            if not token:
                break
        assert [(s.span_id, s.parent_span_id, s.name, s.start_time_ns) for s in got] == [
            (s.span_id, s.parent_span_id, s.name, s.start_time_ns) for s in want
        ], kwargs
        assert [s.attributes for s in got] == [s.attributes for s in want]
    with pytest.raises(NotFoundError):
        rest_store.get_spans("tr-" + "e" * 32)
    with pytest.raises(InvalidArgumentError):
        rest_store.get_spans(TR1, max_results=0)
    ids = [ROOT, _child(0), _child(1), _grandchild(2), "f" * 16]
    assert sql.spans_with_children(TR1, ids) == {ROOT, _child(0)}
    assert rest_store.spans_with_children(TR1, ids) == {ROOT, _child(0)}  # the contract default
    assert sql.spans_with_children(TR1, []) == set()


class _OldServer:
    """A server without Ardea's span endpoint: GetTrace only, plain 404 for anything else."""

    def __init__(self, trace_json: dict[str, Any]) -> None:
        body = json.dumps({"trace": trace_json}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = self.path.startswith("/api/3.0/mlflow/traces/get")
                payload = body if found else b"<h1>Not Found</h1>"
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "application/json" if found else "text/html")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_rest_store_cuts_pages_itself_from_a_server_without_the_endpoint(
    rest_store: RestTraceStore,
) -> None:
    trace = rest_store.get_trace(TR1)
    old = _OldServer(trace_to_json(trace.info, trace.spans))
    store = RestTraceStore(old.url)
    try:
        page = store.get_spans(TR1, ROOT, max_results=20)
        assert [s.name for s in page] == [f"child-{i}" for i in range(20)]
        rest = store.get_spans(TR1, ROOT, max_results=20, page_token=page.token)
        assert len(rest) == N_CHILDREN - 20 and rest.token is None
        assert [s.name for s in store.get_spans(TR1, roots_only=True)] == ["root"]
    finally:
        store.close()
        old.close()
