"""``/api/3.0/ardea/traces/retention/...`` and the server's retention sweep.

On a server with ``--auth``: ``rita`` holds only the default READ (she reads an experiment's
policy), ``ed`` holds EDIT (not enough: setting a policy needs MANAGE), the admin sets the
workspace's policy. Bad input is a 4xx in MLflow's error shape and changes nothing.
"""

from __future__ import annotations

import sys
from typing import Any

import httpx
import pytest

from ardea._core.errors import FailedPreconditionError
from ardea.entities import Span
from ardea.entities.retention import MAX_TRACES_TAG, RetentionPolicy
from ardea.server.deps import ServerDeps
from ardea.server.retention import RetentionSweeper, interval_seconds
from fixtures.auth_app import ADMIN, ED, RITA, app, client, exp, ok

from .support import assert_error

__all__ = ["app", "client", "exp"]

R = "/api/3.0/ardea/traces/retention"


def test_set_and_get_an_experiment_policy(client: httpx.Client, exp: str, deps: ServerDeps) -> None:
    body = {"experiment_id": exp, "max_age_days": 30, "max_traces": 1000}
    got = ok(client.post(f"{R}/set", json=body, headers=ADMIN))
    assert got == {
        "experiment_id": exp,
        "policy": {"max_age_days": 30, "max_traces": 1000},
        "workspace_policy": {},
        "effective": {"max_age_days": 30, "max_traces": 1000},
    }
    ws = ok(client.post(f"{R}/workspace/set", json={"max_age_days": 7}, headers=ADMIN))
    assert ws == {"policy": {"max_age_days": 7}}
    # A null limit is not set at the experiment: it inherits the workspace's.
    body = {"experiment_id": exp, "max_age_days": None, "max_traces": 1000}
    ok(client.post(f"{R}/set", json=body, headers=ADMIN))
    got = ok(client.get(f"{R}/get", params={"experiment_id": exp}, headers=RITA))
    assert got["effective"] == {"max_age_days": 7, "max_traces": 1000}
    assert got["policy"] == {"max_traces": 1000}
    assert ok(client.get(f"{R}/workspace/get", headers=RITA)) == {"policy": {"max_age_days": 7}}
    # The policy is the experiment's tags, as MLflow clients see them.
    tags = ok(client.get("/api/2.0/mlflow/experiments/get", params={"experiment_id": exp},
                          headers=RITA))["experiment"]["tags"]  # fmt: skip
    assert {"key": MAX_TRACES_TAG, "value": "1000"} in tags


def test_setting_needs_manage_and_admin(client: httpx.Client, exp: str) -> None:
    body = {"experiment_id": exp, "max_traces": 5}
    assert client.post(f"{R}/set", json=body, headers=RITA).status_code == 403
    assert client.post(f"{R}/set", json=body, headers=ED).status_code == 403
    assert client.post(f"{R}/workspace/set", json={"max_traces": 5}, headers=ED).status_code == 403
    assert client.get(f"{R}/get", params={"experiment_id": exp}).status_code == 401
    got = ok(client.get(f"{R}/get", params={"experiment_id": exp}, headers=ED))
    assert got["policy"] == {}


@pytest.mark.parametrize(
    ("body", "contains"),
    [
        ({"max_age_days": -1}, "max_age_days"),
        ({"max_traces": -10}, "max_traces"),
        ({"max_age_days": "ten"}, "max_age_days"),
        ({"max_age_days": 1.5}, "max_age_days"),
        ({"max_age_days": 10**9}, "max_age_days"),
    ],
)
def test_bad_limits_are_400_and_change_nothing(
    client: httpx.Client, exp: str, body: dict[str, Any], contains: str
) -> None:
    ok(client.post(f"{R}/set", json={"experiment_id": exp, "max_traces": 3}, headers=ADMIN))
    r = client.post(f"{R}/set", json={"experiment_id": exp, **body}, headers=ADMIN)
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", contains)
    r = client.post(f"{R}/workspace/set", json=body, headers=ADMIN)
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", contains)
    got = ok(client.get(f"{R}/get", params={"experiment_id": exp}, headers=ADMIN))
    assert got["policy"] == {"max_traces": 3} and got["workspace_policy"] == {}


def test_unknown_experiment_is_404(client: httpx.Client, exp: str) -> None:
    r = client.post(f"{R}/set", json={"experiment_id": "424242", "max_traces": 3}, headers=ADMIN)
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST")
    r = client.get(f"{R}/get", params={"experiment_id": "424242"}, headers=ADMIN)
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST")
    r = client.post(f"{R}/set", json={"max_traces": 3}, headers=ADMIN)
    assert r.status_code == 400 and r.json()["error_code"] == "INVALID_PARAMETER_VALUE"


def test_the_server_sweep_applies_the_policies(
    client: httpx.Client, exp: str, deps: ServerDeps
) -> None:
    for i in range(5):
        trace_id = f"tr-{i + 1:032x}"
        start = (1_700_000_000_000 + i) * 1_000_000
        span = Span(trace_id, "b" * 16, None, "root", start_time_ns=start, end_time_ns=start + 1)
        deps.backend.traces.log_spans(exp, [span])
    ok(client.post(f"{R}/set", json={"experiment_id": exp, "max_traces": 2}, headers=ADMIN))
    sweeper = RetentionSweeper(deps.backend, interval=0)
    result = sweeper.sweep_once()
    assert result.deleted == {exp: 3} and sweeper.passes == 1
    left = deps.backend.traces.search_traces([exp])
    assert sorted(info.trace_id for info in left) == [f"tr-{4:032x}", f"tr-{5:032x}"]


def test_one_sweeper_holds_the_lease_until_it_stops(
    client: httpx.Client, exp: str, deps: ServerDeps
) -> None:
    """Two replicas' sweepers on one database: only the lease's holder sweeps, until it lets go."""
    import asyncio

    ok(client.post(f"{R}/set", json={"experiment_id": exp, "max_traces": 1}, headers=ADMIN))
    first = RetentionSweeper(deps.backend, interval=0)
    second = RetentionSweeper(deps.backend, interval=0)
    assert first.sweep_once().skipped is False
    assert second.sweep_once().skipped is True  # the first one's lease
    assert first.sweep_once().skipped is False  # renewed by its holder
    asyncio.run(first.stop())  # a clean stop releases it
    assert second.sweep_once().skipped is False
    assert first.sweep_once().skipped is True


def test_interval_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert interval_seconds() == 3600
    monkeypatch.setenv("ARDEA_RETENTION_INTERVAL_SECONDS", "0")
    assert interval_seconds() == 0
    monkeypatch.setenv("ARDEA_RETENTION_INTERVAL_SECONDS", "0.01")
    assert interval_seconds() == 0.2
    monkeypatch.setenv("ARDEA_RETENTION_INTERVAL_SECONDS", "soon")
    assert interval_seconds() == 3600
    monkeypatch.setenv("ARDEA_RETENTION_INTERVAL_SECONDS", "-1")  # bad, not "off"
    assert interval_seconds() == 3600


def test_an_archived_trace_is_readable_by_id(
    client: httpx.Client, exp: str, deps: ServerDeps
) -> None:
    """archive=true: the sweep writes Parquet first; GetTrace reads the trace back from it."""
    start = 1_700_000_000_000 * 1_000_000
    root = Span(
        "tr-" + "a" * 32, "1" * 16, None, "root", start_time_ns=start, end_time_ns=start + 9
    )
    child = Span("tr-" + "a" * 32, "2" * 16, "1" * 16, "child", start_time_ns=start + 1,
                 end_time_ns=start + 5, attributes={"k": [1, 2]})  # fmt: skip
    deps.backend.traces.log_spans(exp, [root, child])
    body = {"experiment_id": exp, "max_age_days": 1, "archive": True}
    assert ok(client.post(f"{R}/set", json=body, headers=ADMIN))["policy"]["archive"] is True
    r = client.post(f"{R}/set", json={**body, "archive": "maybe"}, headers=ADMIN)
    assert r.status_code == 400 and r.json()["error_code"] == "INVALID_PARAMETER_VALUE"

    assert RetentionSweeper(deps.backend, interval=0).sweep_once().deleted == {exp: 1}
    assert deps.backend.traces.search_traces([exp]) == []

    got = ok(client.get("/api/3.0/mlflow/traces/get", params={"trace_id": "tr-" + "a" * 32},
                         headers=RITA))["trace"]  # fmt: skip
    assert got["trace_info"]["trace_id"] == "tr-" + "a" * 32
    assert sorted(s["name"] for s in got["spans"]) == ["child", "root"]
    r = client.get("/api/3.0/mlflow/traces/get", params={"trace_id": "tr-" + "b" * 32},
                   headers=ADMIN)  # fmt: skip
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST")


def test_archive_without_pyarrow_is_refused_and_changes_nothing(
    client: httpx.Client, exp: str, deps: ServerDeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused when set, rather than accepted and failing every sweep."""
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    for path, body in (
        (f"{R}/set", {"experiment_id": exp, "max_traces": 2, "archive": True}),
        (f"{R}/workspace/set", {"max_traces": 2, "archive": True}),
    ):
        r = client.post(path, json=body, headers=ADMIN)
        assert_error(r, 400, "INVALID_STATE", "pip install 'ardea[parquet]'")
    with pytest.raises(FailedPreconditionError, match=r"pyarrow.*ardea\[parquet\]"):
        deps.backend.retention.set_experiment_retention(exp, RetentionPolicy(None, 2, True))
    got = ok(client.get(f"{R}/get", params={"experiment_id": exp}, headers=ADMIN))
    assert got["policy"] == {} and got["workspace_policy"] == {}
    body = {"experiment_id": exp, "max_traces": 2, "archive": False}  # no archive: fine
    assert ok(client.post(f"{R}/set", json=body, headers=ADMIN))["policy"]["archive"] is False
