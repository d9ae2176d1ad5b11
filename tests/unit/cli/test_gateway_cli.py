"""``ardea gateway --config``: the YAML file is validated before anything listens."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from ardea.cli.main import cli


def test_gateway_command_reports_every_problem_of_its_config_file(tmp_path: Path) -> None:
    config = tmp_path / "gateway.yaml"
    config.write_text("endpoints:\n  - name: chat\n    endpoint_type: llm/v1/nope\n")
    result = CliRunner().invoke(cli, ["gateway", "--config", str(config)])
    assert result.exit_code == 1
    assert "gateway.yaml:3" in result.output and "endpoint_type" in result.output


def test_gateway_command_needs_a_config_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["gateway", "--config", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2


def test_gateway_without_config_or_subcommand_shows_its_help() -> None:
    result = CliRunner().invoke(cli, ["gateway"])
    assert result.exit_code == 2 and "secrets" in result.output and "--config" in result.output


def test_config_is_refused_with_a_subcommand(tmp_path: Path) -> None:
    config = tmp_path / "gateway.yaml"
    config.write_text("endpoints: []\n")
    result = CliRunner().invoke(cli, ["gateway", "--config", str(config), "secrets", "list"])
    assert result.exit_code == 2 and "without a subcommand" in result.output
