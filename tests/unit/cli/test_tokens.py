"""``ardea tokens``: create prints the token once (alone on stdout), list never shows secrets,
revoke by id, prefix or the token; lifetimes; one run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from ardea._core.errors import UnauthenticatedError
from ardea.auth.identity import authenticate_token
from ardea.auth.tokens import parse_token
from ardea.cli.main import cli
from ardea.cli.tokens import parse_lifetime
from ardea.store.auth import AuthStore


def run(data: str, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, [*args, "--backend-store-uri", data], input=input)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def with_store(data: str, fn: Callable[[AuthStore], object]) -> object:
    from ardea.store.sql.backend import open_sql_backend

    backend = open_sql_backend(data)
    try:
        return fn(backend.require_auth())
    finally:
        backend.close()


@pytest.fixture
def users(data: str) -> str:
    ok(run(data, "users", "create", "ada", "--password-stdin", input="a long password 1\n"))
    ok(run(data, "users", "create", "ci-bot", "--service"))
    return data


def test_create_a_gateway_virtual_key(users: str) -> None:
    from ardea.store.sql.auth.store import SqlAuthStore
    from ardea.store.sql.gateway_limits.keys import SqlKeyScopes

    args = ["--gateway-model", "gpt-4.1-*", "--meta", "team=search", "--meta", "project=x=1"]
    token = ok(run(users, "tokens", "create", "--user", "ci-bot", "--name", "gw", *args)).strip()
    parsed = parse_token(token)
    assert parsed is not None

    def scope_of(store: AuthStore) -> object:
        assert isinstance(store, SqlAuthStore)
        record = store.lookup_token(parsed.prefix)
        assert record is not None
        return SqlKeyScopes(store.database).get(record.info.id)

    scope = with_store(users, scope_of)
    assert scope.allowed_models == ("gpt-4.1-*",)  # type: ignore[attr-defined]
    assert scope.metadata == {"team": "search", "project": "x=1"}  # type: ignore[attr-defined]
    bad = run(users, "tokens", "create", "--user", "ci-bot", "--name", "b", "--meta", "oops")
    assert bad.exit_code == 2 and "KEY=VALUE" in bad.output


def test_create_prints_the_token_once(users: str) -> None:
    result = run(users, "tokens", "create", "--user", "ci-bot", "--name", "ci")
    token = ok(result).strip()
    parsed = parse_token(token)
    assert parsed is not None and parsed.kind == "sa"
    assert result.stdout == token + "\n"  # alone on stdout: TOKEN=$(ardea tokens create ...)
    assert f"Created token '{parsed.prefix}' ('ci') for 'ci-bot'" in result.stderr
    assert "shown once" in result.stderr and "expires" in result.stderr
    principal = with_store(users, lambda s: authenticate_token(s, token))
    assert principal.user.username == "ci-bot"  # type: ignore[attr-defined]
    listing = ok(run(users, "tokens", "list", "--output", "json"))
    assert parsed.secret not in listing
    (row,) = json.loads(listing)
    assert (row["prefix"], row["user"], row["name"], row["kind"]) == (
        parsed.prefix,
        "ci-bot",
        "ci",
        "sa",
    )
    assert row["expires"] - row["created"] == 90 * 86_400_000  # the default lifetime


def test_lifetimes(users: str) -> None:
    never = ok(run(users, "tokens", "create", "-u", "ada", "-n", "a", "--expires-in", "never"))
    short = ok(run(users, "tokens", "create", "-u", "ada", "-n", "b", "--expires-in", "1h30m"))
    rows = {r["name"]: r for r in json.loads(ok(run(users, "tokens", "list", "--output", "json")))}
    assert rows["a"]["expires"] is None and never.startswith("ardea_pat_")
    assert rows["b"]["expires"] - rows["b"]["created"] == 5_400_000 and short
    bad = run(users, "tokens", "create", "-u", "ada", "-n", "c", "--expires-in", "soon")
    assert bad.exit_code == 2 and "is not a lifetime" in bad.output
    assert parse_lifetime("NEVER") is None and parse_lifetime("2d") == 172_800
    with pytest.raises(click.BadParameter):
        parse_lifetime("0s")


def test_list_filters_and_revoke(users: str) -> None:
    t1 = ok(run(users, "tokens", "create", "-u", "ada", "-n", "laptop")).strip()
    t2 = ok(run(users, "tokens", "create", "-u", "ada", "-n", "desk")).strip()
    t3 = ok(run(users, "tokens", "create", "-u", "ci-bot", "-n", "ci")).strip()
    p1, p2, p3 = (parse_token(t).prefix for t in (t1, t2, t3))  # type: ignore[union-attr]
    table = ok(run(users, "tokens", "list", "--user", "ada"))
    assert p1 in table and p2 in table and p3 not in table
    assert t1 not in table
    assert ok(run(users, "tokens", "revoke", p1)) == f"Revoked token '{p1}' ('laptop').\n"
    assert ok(run(users, "tokens", "revoke", t2)) == f"Revoked token '{p2}' ('desk').\n"
    ids = {
        r["prefix"]: r["id"]
        for r in json.loads(ok(run(users, "tokens", "list", "--output", "json")))
    }
    ok(run(users, "tokens", "revoke", str(ids[p3])))
    assert json.loads(ok(run(users, "tokens", "list", "--output", "json"))) == []
    everything = ok(run(users, "tokens", "list", "--all"))
    assert "revoked" in everything.splitlines()[0] and p1 in everything
    for token in (t1, t2, t3):
        with pytest.raises(UnauthenticatedError, match="revoked"):
            with_store(users, lambda s, t=token: authenticate_token(s, t))
    missing = run(users, "tokens", "revoke", "zzzz9999")
    assert missing.exit_code == 1 and "No token with id or prefix 'zzzz9999'" in missing.output
    unknown_user = run(users, "tokens", "create", "-u", "nobody", "-n", "x")
    assert unknown_user.exit_code == 1 and "User 'nobody' not found" in unknown_user.output
    audit = with_store(users, lambda s: [e.action for e in s.list_audit(action="token.")])
    assert audit == ["token.revoke"] * 3 + ["token.create"] * 3


def test_a_disabled_user_gets_no_token(users: str) -> None:
    ok(run(users, "users", "disable", "ada"))
    result = run(users, "tokens", "create", "-u", "ada", "-n", "x")
    assert result.exit_code == 1 and "is disabled" in result.output


def test_subprocess_token_create(users: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_"))}
    done = subprocess.run(
        [sys.executable, "-m", "ardea.cli.main", "tokens", "create", "-u", "ci-bot", "-n", "ci"],
        env={**env, "ARDEA_TRACKING_URI": str(Path(users))},  # the database from the env
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert parse_token(token) is not None and token not in done.stderr
    principal = with_store(users, lambda s: authenticate_token(s, token))
    assert principal.user.username == "ci-bot"  # type: ignore[attr-defined]
