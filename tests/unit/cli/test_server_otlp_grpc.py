"""``ardea server --otlp-grpc-port`` (and ``ARDEA_OTLP_GRPC_PORT``) reach the settings.

``run`` (uvicorn) is replaced by a recorder; tests/integration/test_otlp_grpc.py serves for real.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ardea.cli import server as server_cli
from ardea.cli.main import cli
from ardea.server.deps import ServerSettings


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[ServerSettings]:
    recorded: list[ServerSettings] = []
    monkeypatch.setattr(server_cli, "run", recorded.append)
    monkeypatch.setattr(server_cli, "_configure_logging", lambda level: None)
    monkeypatch.delenv("ARDEA_OTLP_GRPC_PORT", raising=False)
    return recorded


def _invoke(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(
        cli,
        [
            "server",
            "--backend-store-uri",
            f"sqlite:///{tmp_path / 'x.db'}",
            "--artifacts-destination",
            str(tmp_path / "a"),
            *args,
        ],
        env=env,
    )


def test_the_grpc_port_is_off_unless_given(tmp_path: Path, seen: list[ServerSettings]) -> None:
    assert _invoke(tmp_path).exit_code == 0
    assert _invoke(tmp_path, "--otlp-grpc-port", "4317").exit_code == 0
    assert _invoke(tmp_path, env={"ARDEA_OTLP_GRPC_PORT": "4318"}).exit_code == 0
    assert [s.otlp_grpc_port for s in seen] == [0, 4317, 4318]
    assert ServerSettings.from_env(seen[1].to_env()).otlp_grpc_port == 4317  # to --workers


def test_a_port_out_of_range_is_refused(tmp_path: Path, seen: list[ServerSettings]) -> None:
    result = _invoke(tmp_path, "--otlp-grpc-port", "70000")
    assert result.exit_code == 2 and "--otlp-grpc-port" in result.output
    assert seen == []
