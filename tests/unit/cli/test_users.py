"""``ardea users``: create (password from stdin or a hidden prompt, never argv), list,
set-admin, set-password, disable/enable, delete, refusals; one run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ardea.auth.identity import authenticate_basic
from ardea.cli.main import cli
from ardea.store.auth import AuthStore

PW = "a long password 1"


def run(data: str, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, [*args, "--backend-store-uri", data], input=input)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def test_create_with_password_stdin(data: str) -> None:
    out = ok(run(data, "users", "create", "ada", "--admin", "--password-stdin", input=PW + "\n"))
    assert out == "Created admin 'ada' (id 1).\n"
    out = ok(run(data, "users", "create", "bob", "--password-stdin", input="bob's password 1\r\n"))
    assert out == "Created user 'bob' (id 2).\n"
    with_store(data, lambda s: authenticate_basic(s, "bob", "bob's password 1"))
    user = with_store(data, lambda s: authenticate_basic(s, "ada", PW)).user
    assert user.is_admin


def with_store(data: str, fn: Callable[[AuthStore], object]) -> object:
    from ardea.store.sql.backend import open_sql_backend

    backend = open_sql_backend(data)
    try:
        return fn(backend.require_auth())
    finally:
        backend.close()


def test_no_password_in_argv(data: str) -> None:
    result = run(data, "users", "create", "ada", "--password", PW)
    assert result.exit_code == 2 and "No such option '--password'" in result.output
    result = run(data, "users", "create", "ada", PW)
    assert result.exit_code == 2  # a second argument is refused too
    assert with_store(data, lambda s: list(s.list_users())) == []


def test_without_a_terminal_it_asks_for_password_stdin(data: str) -> None:
    result = run(data, "users", "create", "ada")
    assert result.exit_code == 2 and "--password-stdin" in result.output
    result = run(data, "users", "create", "ada", "--password-stdin", input="\n")
    assert result.exit_code == 2 and "empty line" in result.output


def test_the_hidden_prompt(data: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ardea.cli._auth.stdin_is_terminal", lambda: True)
    result = run(data, "users", "create", "ada", input=f"{PW}\n{PW}\n")
    assert result.exit_code == 0, result.output
    assert PW not in result.output  # hidden
    assert "Password for ada" in result.output
    result = run(data, "users", "set-password", "ada", input="new password 12\nnope\n" * 2)
    assert result.exit_code != 0 and "do not match" in result.output.lower()


def test_policy_and_bad_names(data: str) -> None:
    result = run(data, "users", "create", "ada", "--password-stdin", input="short\n")
    assert result.exit_code == 1
    assert result.output.strip().endswith("too short: use at least 12 characters.")
    assert "short\n" not in result.stdout
    result = run(data, "users", "create", "a b", "--password-stdin", input=PW + "\n")
    assert result.exit_code == 1 and "Invalid username" in result.output
    ok(run(data, "users", "create", "ada", "--password-stdin", input=PW + "\n"))
    result = run(data, "users", "create", "ada", "--password-stdin", input=PW + "\n")
    assert result.exit_code == 1 and "already exists" in result.output


def test_service_accounts(data: str) -> None:
    out = ok(run(data, "users", "create", "ci-bot", "--service"))
    assert "service account 'ci-bot'" in out and "ardea tokens create --user ci-bot" in out
    result = run(data, "users", "create", "x", "--service", "--admin")
    assert result.exit_code == 2


def test_list(data: str) -> None:
    ok(run(data, "users", "create", "zed", "--admin", "--password-stdin", input=PW + "\n"))
    ok(run(data, "users", "create", "ci-bot", "--service"))
    table = ok(run(data, "users", "list")).splitlines()
    assert table[0].split() == ["id", "username", "kind", "admin", "disabled", "created"]
    assert table[2].split()[:3] == ["2", "ci-bot", "service"]
    assert table[3].split()[:4] == ["1", "zed", "user", "yes"]
    rows = json.loads(ok(run(data, "users", "list", "--output", "json")))
    assert [(r["username"], r["admin"], r["kind"]) for r in rows] == [
        ("ci-bot", False, "service"),
        ("zed", True, "user"),
    ]
    csv = ok(run(data, "users", "list", "--kind", "service", "--output", "csv"))
    assert csv.splitlines()[1].startswith("2,ci-bot,service,False,False,")


def test_admin_password_disable_enable_delete(data: str) -> None:
    ok(run(data, "users", "create", "root", "--admin", "--password-stdin", input=PW + "\n"))
    ok(run(data, "users", "create", "ada", "--password-stdin", input=PW + "\n"))
    assert ok(run(data, "users", "set-admin", "ada")) == "'ada' is now an admin.\n"
    assert ok(run(data, "users", "set-admin", "ada", "--no-admin")) == (
        "'ada' is no longer an admin.\n"
    )
    result = run(data, "users", "set-admin", "root", "--no-admin")
    assert result.exit_code == 1 and "last enabled admin" in result.output
    ok(run(data, "users", "set-password", "ada", "--password-stdin", input="newer password 1\n"))
    with_store(data, lambda s: authenticate_basic(s, "ada", "newer password 1"))
    ok(run(data, "users", "disable", "ada"))
    assert with_store(data, lambda s: s.get_user_by_username("ada").disabled)
    ok(run(data, "users", "enable", "ada"))
    result = run(data, "users", "delete", "ada", input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    assert ok(run(data, "users", "delete", "ada", "--yes")) == "Deleted 'ada'.\n"
    result = run(data, "users", "delete", "ada", "--yes")
    assert result.exit_code == 1 and result.output == "Error: User 'ada' not found\n"
    actions = with_store(data, lambda s: [(e.actor, e.action) for e in s.list_audit()])
    assert actions[0][1] == "user.delete"  # type: ignore[index]
    assert str(actions[0][0]).startswith("cli")  # type: ignore[index]


def test_a_server_url_is_refused(data: str) -> None:
    result = CliRunner().invoke(
        cli, ["users", "list", "--backend-store-uri", "http://user:pw@127.0.0.1:5000"]
    )
    assert result.exit_code == 2
    assert "is a server: users and tokens live in its database" in result.output
    assert "user:pw" not in result.output


def test_subprocess_reads_stdin_and_keeps_argv_clean(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_"))}
    cmd = [sys.executable, "-m", "ardea.cli.main", "users", "create", "ada", "--admin"]
    done = subprocess.run(
        [*cmd, "--password-stdin", "--backend-store-uri", data],
        input=PW + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Created admin 'ada' (id 1).\n"
    assert with_store(data, lambda s: authenticate_basic(s, "ada", PW).user.is_admin)
