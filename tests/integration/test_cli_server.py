"""``ardea server`` and ``ardea ui`` as processes: defaults, workers, restart keeps data."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.slow

API = "/api/2.0/mlflow"


def test_restart_keeps_data_and_prints_the_url(live_server: Any) -> None:
    r = httpx.post(f"{live_server.url}{API}/experiments/create", json={"name": "kept"})
    assert r.status_code == 200
    assert f"listening on {live_server.url}" in live_server.log_text()
    live_server.restart()
    r = httpx.get(
        f"{live_server.url}{API}/experiments/get-by-name", params={"experiment_name": "kept"}
    )
    assert r.status_code == 200 and r.json()["experiment"]["name"] == "kept"


def test_several_workers_share_one_database(live_server_factory: Any) -> None:
    server = live_server_factory("--workers", "2")
    with httpx.Client(base_url=server.url) as c:
        names = [f"w{i}" for i in range(20)]
        for name in names:
            assert c.post(f"{API}/experiments/create", json={"name": name}).status_code == 200
        found = c.post(f"{API}/experiments/search", json={"max_results": 100}).json()
    assert set(names) <= {e["name"] for e in found["experiments"]}


def test_default_data_dir_is_ardea_data_in_cwd(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_"))}
    exe = Path(sys.executable).with_name("ardea")
    proc = subprocess.Popen(
        [str(exe), "server", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health").text == "OK":
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        run_exp = httpx.post(f"{url}{API}/experiments/create", json={"name": "d"}).json()
        httpx.put(
            f"{url}/api/2.0/mlflow-artifacts/artifacts/{run_exp['experiment_id']}/f.txt",
            content=b"x",
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert (tmp_path / "ardea-data" / "ardea.db").is_file()
    assert (tmp_path / "ardea-data" / "artifacts" / run_exp["experiment_id"] / "f.txt").is_file()


def test_ardea_ui_serves_the_default_data_folder(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_"))}
    exe = Path(sys.executable).with_name("ardea")
    proc = subprocess.Popen(
        [str(exe), "ui", "-p", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health").text == "OK":
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        page = httpx.get(f"{url}/")
        created = httpx.post(f"{url}{API}/experiments/create", json={"name": "from-ui"})
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith(("text/html", "text/plain"))
    assert created.status_code == 200
    assert f"listening on http://127.0.0.1:{port}" in out.decode()
    assert (tmp_path / "ardea-data" / "ardea.db").is_file()
