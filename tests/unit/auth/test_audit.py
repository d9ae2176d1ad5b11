"""The audit record: scrubbing, the log line, and no secret in any row or log line after a
full tour of users, passwords, tokens, sessions and failed logins."""

from __future__ import annotations

import json
import logging

import pytest

from ardea._core.errors import UnauthenticatedError
from ardea.auth import accounts, audit
from ardea.auth.bootstrap import ensure_admin
from ardea.auth.identity import authenticate_basic, authenticate_token
from ardea.auth.ratelimit import LoginRateLimiter
from ardea.auth.sessions import SessionManager
from ardea.auth.tokens import issue_token, parse_token, revoke_token
from ardea.store.auth import AuthStore


def test_scrub() -> None:
    token = "ardea_pat_abcd1234_" + "S" * 43
    cleaned = audit.scrub(
        {
            "password": "p",
            "new_password": "p",
            "Authorization": "Basic x",
            "nested": {"api_key": "k", "ok": 1, "list": [{"secret": "s"}, token]},
            "note": f"used {token} today",
            "name": "laptop",
        }
    )
    assert cleaned == {
        "password": "[redacted]",
        "new_password": "[redacted]",
        "Authorization": "[redacted]",
        "nested": {
            "api_key": "[redacted]",
            "ok": 1,
            "list": [{"secret": "[redacted]"}, "ardea_pat_abcd1234_…"],
        },
        "note": "used ardea_pat_abcd1234_… today",
        "name": "laptop",
    }


def test_record_scrubs_and_logs(store: AuthStore, caplog: pytest.LogCaptureFixture) -> None:
    token = "ardea_sa_abcd1234_" + "Z" * 43
    with caplog.at_level(logging.INFO, logger="ardea.audit"):
        event = audit.record(store, None, "x.y", token, {"password": "hunter2"}, "10.0.0.1")
    assert event.actor == "-" and event.target == "ardea_sa_abcd1234_…"
    assert event.detail == {"password": "[redacted]"}
    assert "audit: - x.y ardea_sa_abcd1234_… from 10.0.0.1" in caplog.text
    assert "Z" * 43 not in caplog.text and "hunter2" not in caplog.text


def test_no_secret_lands_in_the_audit_log_or_a_log_line(
    store: AuthStore, caplog: pytest.LogCaptureFixture
) -> None:
    secrets_seen: list[str] = []

    def secret(value: str) -> str:
        secrets_seen.append(value)
        return value

    caplog.set_level(logging.DEBUG)
    ensure_admin(store, {"ARDEA_ADMIN_PASSWORD": secret("the admin password")})
    root = store.get_user_by_username("admin")
    ada = accounts.create_user(store, "ada", secret("ada first password"), actor="admin")
    accounts.set_password(store, ada, secret("ada second password"), actor="admin")
    authenticate_basic(store, "ada", "ada second password", "10.0.0.2")
    limiter = LoginRateLimiter()
    for attempt in ("ada first password", secret("a guessed password"), "the admin password"):
        with pytest.raises(UnauthenticatedError):
            authenticate_basic(store, "ada", attempt, "10.0.0.3", limiter=limiter)
    with pytest.raises(UnauthenticatedError):  # a password typed into the name field
        authenticate_basic(store, secret("ada second passwordX"), "x", "10.0.0.3")
    issued = issue_token(store, ada, "laptop", 3600, actor="ada")
    parsed = parse_token(issued.token)
    assert parsed is not None
    secret(issued.token)
    secret(parsed.secret)
    authenticate_token(store, issued.token)
    with pytest.raises(UnauthenticatedError):
        authenticate_token(store, issued.token[:-2] + "xx")
    revoke_token(store, issued.info.id, actor="admin")
    sessions = SessionManager(store)
    new = sessions.start(ada, ip="10.0.0.4")
    secret(new.cookie)
    secret(new.csrf)
    sessions.session_from_cookie(new.cookie)
    sessions.end(new.cookie, actor="ada")
    accounts.set_admin(store, ada, True, actor="admin")
    accounts.set_admin(store, root, False, actor="ada")
    accounts.delete_user(store, root, actor="ada")

    rows = json.dumps(
        [[e.actor, e.action, e.target, e.detail, e.ip] for e in store.list_audit(max_results=1000)]
    )
    logged = caplog.text
    for value in secrets_seen:
        assert value not in rows, value
        assert value not in logged, value
    actions = {e.action for e in store.list_audit(max_results=1000)}
    assert {
        "user.create",
        "user.password",
        "login.failed",
        "token.create",
        "token.revoke",
        "login",
        "logout",
        "user.admin",
        "user.delete",
    } <= actions
