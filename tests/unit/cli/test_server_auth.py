"""``ardea server``'s auth flags: --auth / --app-name, the first admin, OIDC, the exposure warning.

``run`` (uvicorn) is replaced by a recorder: these tests check what the command decides
before it serves (tests/integration/test_server_auth.py starts real servers).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ardea.cli import server as server_cli
from ardea.cli.main import cli
from ardea.server.deps import ServerSettings
from ardea.store.sql.backend import open_sql_backend

ADMIN_PASSWORD = "first admin password"


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[ServerSettings]:
    recorded: list[ServerSettings] = []
    monkeypatch.setattr(server_cli, "run", recorded.append)
    monkeypatch.setattr(server_cli, "_configure_logging", lambda level: None)
    for name in ("ARDEA_ADMIN_PASSWORD", "MLFLOW_AUTH_ADMIN_PASSWORD", "ARDEA_AUTH"):
        monkeypatch.delenv(name, raising=False)
    return recorded


def _invoke(tmp_path: Path, *args: str, env: dict[str, str] | None = None, **kw: Any) -> Result:
    return CliRunner().invoke(
        cli,  # through the group, as a user runs it (its -h/--help settings included)
        [
            "server",
            "--backend-store-uri",
            f"sqlite:///{tmp_path / 'x.db'}",
            "--artifacts-destination",
            str(tmp_path / "a"),
            *args,
        ],
        env=env,
        **kw,
    )


def _has_admin(tmp_path: Path) -> bool:
    backend = open_sql_backend(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        return backend.require_auth().has_admin()
    finally:
        backend.close()


def test_auth_creates_the_first_admin_from_the_environment(
    tmp_path: Path, seen: list[ServerSettings]
) -> None:
    result = _invoke(tmp_path, "--auth", env={"ARDEA_ADMIN_PASSWORD": ADMIN_PASSWORD})
    assert result.exit_code == 0, result.output
    assert seen[0].auth_enabled and seen[0].auth_password_login
    assert _has_admin(tmp_path)


def test_mlflow_app_name_means_auth(tmp_path: Path, seen: list[ServerSettings]) -> None:
    env = {"MLFLOW_AUTH_ADMIN_PASSWORD": ADMIN_PASSWORD}
    assert _invoke(tmp_path, "--app-name", "basic-auth", env=env).exit_code == 0
    assert seen[-1].auth_enabled
    assert _invoke(tmp_path, env={"ARDEA_AUTH": "1"}).exit_code == 0
    assert seen[-1].auth_enabled
    other = _invoke(tmp_path, "--app-name", "my-plugin")
    assert other.exit_code == 2
    assert "unknown app 'my-plugin'" in other.output and "basic-auth" in other.output
    assert len(seen) == 2


def test_no_admin_password_refuses_to_start(tmp_path: Path, seen: list[ServerSettings]) -> None:
    result = _invoke(tmp_path, "--auth")
    assert result.exit_code == 1
    assert "cannot start with --auth: There is no admin yet: set ARDEA_ADMIN_PASSWORD" in (
        result.output
    )
    assert seen == [] and not _has_admin(tmp_path)
    weak = _invoke(tmp_path, "--auth", env={"ARDEA_ADMIN_PASSWORD": "short"})
    assert weak.exit_code == 1 and "too short" in weak.output and seen == []


def test_a_terminal_is_asked_for_the_first_admin(
    tmp_path: Path, seen: list[ServerSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_cli, "stdin_is_terminal", lambda: True)
    typed = f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n"
    result = _invoke(tmp_path, "--auth", input=typed)
    assert result.exit_code == 0, result.output
    assert "no admin yet" in result.output and ADMIN_PASSWORD not in result.output
    assert _has_admin(tmp_path)


def test_oidc_flags_reach_the_settings(
    tmp_path: Path, seen: list[ServerSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_OIDC_STATE_KEY", "")  # restored after the test
    result = _invoke(
        tmp_path,
        "--auth",
        "--workers",
        "2",
        "--oidc-issuer",
        "https://idp.example/realms/r",
        "--oidc-client-id",
        "ardea",
        "--oidc-scopes",
        "openid,profile groups",
        "--oidc-username-claim",
        "email, preferred_username",
        "--oidc-group-role",
        "ml=editors",
        "--oidc-group-role",
        "ops=team-a/readers",
        "--oidc-admin-group",
        "platform",
        "--no-password-login",
        env={"ARDEA_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )
    assert result.exit_code == 0, result.output
    s = seen[0]
    assert s.oidc_issuer == "https://idp.example/realms/r" and s.oidc_client_id == "ardea"
    assert s.oidc_scopes == ("openid", "profile", "groups")
    assert s.oidc_username_claims == ("email", "preferred_username")
    assert s.oidc_group_roles == ("ml=editors", "ops=team-a/readers")
    assert s.oidc_admin_group == "platform" and not s.auth_password_login
    assert ServerSettings.from_env(s.to_env()) == s  # what --workers hands each worker
    import os

    assert len(os.environ["ARDEA_OIDC_STATE_KEY"]) >= 43  # shared by the workers


def test_bad_auth_settings_stop_the_start(tmp_path: Path, seen: list[ServerSettings]) -> None:
    env = {"ARDEA_ADMIN_PASSWORD": ADMIN_PASSWORD}
    cases = [
        (["--no-password-login"], "only be turned off with single sign-on"),
        (["--oidc-issuer", "http://idp.example", "--oidc-client-id", "c"], "https://"),
        (["--oidc-issuer", "https://idp.example"], "client id"),
        (
            [
                *("--oidc-issuer", "https://idp.example", "--oidc-client-id", "c"),
                "--oidc-group-role",
                "ml",
            ],
            "GROUP=ROLE",
        ),
        (
            [
                "--oidc-issuer",
                "https://idp.example",
                "--oidc-client-id",
                "c",
                "--oidc-group-role",
                "a=b",
                "--oidc-client-secret-file",
                str(tmp_path / "missing"),
            ],
            "Cannot read the OIDC client secret file",
        ),
    ]
    for args, message in cases:
        result = _invoke(tmp_path, "--auth", *args, env=env)
        assert result.exit_code == 1, args
        assert message in result.output, (args, result.output)
    from_env = _invoke(
        tmp_path,
        "--auth",
        "--oidc-issuer",
        "https://idp.example",
        "--oidc-client-id",
        "c",
        env={**env, "ARDEA_OIDC_GROUP_ROLES": "ml=editors,ops"},
    )
    assert from_env.exit_code == 1 and "'ops'" in from_env.output
    assert seen == []


def test_a_non_loopback_host_without_auth_warns(
    tmp_path: Path, seen: list[ServerSettings], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="ardea.server")
    assert _invoke(tmp_path, "--host", "0.0.0.0").exit_code == 0
    warnings = [r.getMessage() for r in caplog.records if r.name == "ardea.server"]
    assert len(warnings) == 1
    assert "0.0.0.0 without authentication" in warnings[0] and "--auth" in warnings[0]
    caplog.clear()
    env = {"ARDEA_ADMIN_PASSWORD": ADMIN_PASSWORD}
    assert _invoke(tmp_path, "--host", "0.0.0.0", "--auth", env=env).exit_code == 0
    assert _invoke(tmp_path, "--host", "127.0.0.1").exit_code == 0
    assert [r for r in caplog.records if r.name == "ardea.server"] == []
