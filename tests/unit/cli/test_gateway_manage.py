"""``ardea gateway``: secrets (value from stdin, never echoed), models, endpoints, rotate-kek."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ardea.cli.main import cli

KEY = "sk-cli-secret-0123456789"


def run(data: str, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["gateway", *args, "--backend-store-uri", data], input=input)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def data(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ardea.db'}"


def test_secrets_models_endpoints(data: str) -> None:
    out = ok(
        run(
            data,
            "secrets",
            "create",
            "openai",
            "--provider",
            "openai",
            "--value-stdin",
            input=KEY + "\n",
        )
    )
    assert "api_key=sk-...6789" in out and KEY not in out
    listed = json.loads(ok(run(data, "secrets", "list", "--output", "json")))
    assert [s["name"] for s in listed] == ["openai"] and KEY not in json.dumps(listed)
    ok(
        run(
            data,
            "models",
            "create",
            "small",
            "--provider",
            "openai",
            "--model",
            "gpt-4.1-mini",
            "--secret",
            "openai",
        )
    )
    ok(
        run(
            data,
            "models",
            "create",
            "big",
            "--provider",
            "openai",
            "--model",
            "gpt-4.1",
            "--secret",
            "openai",
        )
    )
    out = ok(
        run(
            data,
            "endpoints",
            "create",
            "chat",
            "--model",
            "small:3",
            "--model",
            "big",
            "--fallback",
            "big",
            "--timeout-s",
            "20",
        )
    )
    assert "Created endpoint 'chat'" in out
    got = json.loads(ok(run(data, "endpoints", "get", "chat")))
    assert sorted((m["linkage_type"], m["weight"]) for m in got["model_mappings"]) == [
        ("FALLBACK", 1.0),
        ("PRIMARY", 1.0),
        ("PRIMARY", 3.0),
    ]
    assert "small:3" in ok(run(data, "endpoints", "list"))
    ok(run(data, "secrets", "update", "openai", "--value-stdin", input="sk-rotated-99999999\n"))
    assert "sk-...9999" in ok(run(data, "secrets", "list"))
    refused = run(data, "models", "delete", "small")
    assert refused.exit_code != 0 and "in use" in refused.output
    ok(run(data, "endpoints", "delete", "chat"))
    ok(run(data, "models", "delete", "small"))
    ok(run(data, "secrets", "delete", "openai"))
    assert json.loads(ok(run(data, "secrets", "list", "--output", "json"))) == []


def test_value_is_never_an_argument(data: str) -> None:
    result = run(data, "secrets", "create", "x", "--value-stdin", input="\n")
    assert result.exit_code != 0 and "empty line" in result.output
    result = run(data, "secrets", "create", "x")  # no terminal, no --value-stdin
    assert result.exit_code != 0 and "--value-stdin" in result.output


def test_rotate_kek(data: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_SECRET_KEY", "old key")
    ok(run(data, "secrets", "create", "a", "--value-stdin", input=KEY + "\n"))
    monkeypatch.setenv("ARDEA_SECRET_KEY", "new key")
    monkeypatch.setenv("ARDEA_SECRET_KEY_PREVIOUS", "old key")
    assert "Re-wrapped 1 secret(s)" in ok(run(data, "rotate-kek"))
    monkeypatch.delenv("ARDEA_SECRET_KEY_PREVIOUS")
    from ardea.store.sql.backend import open_sql_backend

    backend = open_sql_backend(data)
    try:
        store = backend.gateway
        assert store.secret_values(store.get_secret(secret_name="a").secret_id) == {"api_key": KEY}
    finally:
        backend.close()
