"""Server settings travel to ``--workers`` processes through the environment."""

from __future__ import annotations

from ardea.server.deps import ENV_PREFIX, ServerSettings


def test_settings_round_trip_through_env() -> None:
    settings = ServerSettings(
        host="0.0.0.0",
        port=6000,
        backend_store_uri="sqlite:////tmp/x.db",
        default_artifact_root="s3://b/p",
        artifacts_destination="/data/a",
        serve_artifacts=False,
        workers=3,
        access_log=True,
        dev=False,
        allowed_artifact_roots=("/a", "s3://b/c"),
    )
    env = settings.to_env()
    assert env[ENV_PREFIX + "PORT"] == "6000"
    assert ServerSettings.from_env(env) == settings


def test_absent_variables_keep_defaults() -> None:
    assert ServerSettings.from_env({}) == ServerSettings()
