"""The launcher: a fresh ``ardea server`` per start, on its own folder and port."""

from __future__ import annotations

import sys
import urllib.request
from pathlib import Path

from mlflow_compat.servers import ServerConfig, ServerLauncher


def test_launcher_starts_a_fresh_ardea_server_and_cleans_up(tmp_path: Path) -> None:
    ardea = Path(sys.executable).parent / "ardea"
    config = ServerConfig("ardea", (str(ardea),), str(tmp_path / "w"), str(tmp_path), {})
    launcher = ServerLauncher(config)
    root = (tmp_path / "root").as_uri()
    server = launcher.start(default_artifact_root=root)
    try:
        assert "--default-artifact-root" in launcher.argv(server.folder, 1, root)
        with urllib.request.urlopen(
            f"{server.url}/api/2.0/mlflow/experiments/get?experiment_id=0", timeout=10
        ) as r:
            assert root in r.read().decode()
    finally:
        server.stop()
    assert server.proc.poll() is not None
    assert [p.name for p in server.folder.iterdir()] == ["server.log"]
    second = launcher.start()
    second.stop()
    assert second.folder != server.folder


def test_config_round_trips_through_json() -> None:
    config = ServerConfig("mlflow", ("py", "-m", "mlflow"), "/w", "/c", {"A": "1"}, True)
    assert ServerConfig.from_json(config.to_json()) == config
