"""``ardea gateway --config``: wired, and clear about its YAML loader not being there yet."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from ardea.cli.main import cli


def test_gateway_command_says_the_yaml_loader_is_not_there_yet(tmp_path: Path) -> None:
    config = tmp_path / "gateway.yaml"
    config.write_text("endpoints: []\n")
    result = CliRunner().invoke(cli, ["gateway", "--config", str(config)])
    assert result.exit_code == 1
    assert "not available yet" in result.output


def test_gateway_command_needs_a_config_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["gateway", "--config", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
