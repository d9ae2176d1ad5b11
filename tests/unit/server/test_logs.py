"""JSON logs: the formatter, the door's access log, and ``ardea server --log-format json``."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from ardea.auth.tokens import issue_token
from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, ServerSettings
from ardea.server.logs import JsonFormatter
from fixtures.server_process import ServerProcess

from .support import Client

SECRET_TOKEN = "sk-secret-do-not-log-4c1d"
SECRET_KEY = "api-key-do-not-log-77aa"
SECRET_QUERY = "query-secret-do-not-log-9f"


@pytest.fixture
def json_lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """What the ``ardea`` loggers write, through a :class:`JsonFormatter`."""
    monkeypatch.setenv("ARDEA_LOG_FORMAT", "json")
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("ardea")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield out
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def _parsed(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_the_access_log_has_the_fields_and_no_secret(
    deps: ServerDeps, json_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", "first admin password")
    settings = ServerSettings(auth_enabled=True, access_log=True)
    client = Client(create_app(ServerDeps(deps.backend, settings)))
    try:
        store = deps.backend.require_auth()
        admin = next(u for u in store.list_users() if u.is_admin)
        token = issue_token(store, admin, "t", timedelta(days=1)).token
        headers = {"Authorization": f"Bearer {token}", "X-Api-Key": SECRET_KEY}
        r = client.post(
            f"/api/2.0/mlflow/experiments/create?token={SECRET_QUERY}",
            json={"name": "logged"},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        bad = {"Authorization": f"Bearer {SECRET_TOKEN}"}
        assert client.get("/api/2.0/mlflow/experiments/search", headers=bad).status_code == 401
    finally:
        client.close()
    text = json_lines.getvalue()
    for secret in (token, SECRET_TOKEN, SECRET_KEY, SECRET_QUERY):
        assert secret not in text
    access = [e for e in _parsed(text) if e["logger"] == "ardea.access"]
    assert len(access) == 2
    ok, refused = access
    assert ok["route"] == "/api/2.0/mlflow/experiments/create"
    assert ok["method"] == "POST" and ok["status"] == 200
    assert ok["user"] == admin.username and ok["level"] == "INFO"
    assert ok["request_id"] == r.headers["X-Request-Id"]
    assert isinstance(ok["duration_ms"], float) and ok["time"].endswith("+00:00")
    assert ok["message"] == "POST /api/2.0/mlflow/experiments/create 200"
    assert refused["status"] == 401 and "user" not in refused and refused["request_id"]


def test_without_json_logs_the_door_writes_no_access_log(
    deps: ServerDeps, json_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_LOG_FORMAT", "text")  # uvicorn's access log, as before
    client = Client(create_app(ServerDeps(deps.backend, ServerSettings(access_log=True))))
    try:
        assert client.get("/health").status_code == 200
    finally:
        client.close()
    assert not [e for e in _parsed(json_lines.getvalue()) if e["logger"] == "ardea.access"]


def test_an_exception_is_one_line() -> None:
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        record = logging.LogRecord(
            "ardea.x", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed here" and entry["level"] == "ERROR"
    assert entry["exception"].startswith("Traceback") and "boom\nsecond line" in entry["exception"]
    assert "request_id" not in entry  # outside any request


def test_server_log_format_json_writes_only_json_lines(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, "--log-format", "json", "--access-log")
    try:
        r = httpx.post(
            f"{server.url}/api/2.0/mlflow/experiments/create?key={SECRET_QUERY}",
            json={"name": "x"},
            headers={"Authorization": f"Bearer {SECRET_TOKEN}", "X-Api-Key": SECRET_KEY},
        )
        assert r.status_code == 200, r.text
        request_id = r.headers["X-Request-Id"]
    finally:
        server.stop()
    text = server.log_path.read_text()
    entries = _parsed(text)  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    assert any(e["message"].startswith("Ardea server listening") for e in entries)
    access = [e for e in entries if e["logger"] == "ardea.access"]
    mine = [e for e in access if e.get("request_id") == request_id]
    assert len(mine) == 1 and mine[0]["status"] == 200
    assert mine[0]["route"] == "/api/2.0/mlflow/experiments/create"
    for secret in (SECRET_TOKEN, SECRET_KEY, SECRET_QUERY):
        assert secret not in text
