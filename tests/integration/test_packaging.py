"""The wheel and the sdist ship the built web UI: ``pip install ardea && ardea server`` serves it.

Builds both from this checkout with ``uv build`` (its build backend, hatchling, comes from
PyPI or uv's cache), installs the wheel into a fresh venv, starts ``ardea server`` from that
venv on a free loopback port and fetches ``/`` and one asset. A second wheel is built from
the sdist with Node.js hidden from ``PATH`` and checked the same way. A source tree without a
built UI refuses to build (``hatch_build.py``).

Needs the UI built in the checkout (``make test`` builds it first; without it the tests skip,
and fail under ``CI=true``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from fixtures.no_node import path_without_node
from fixtures.server_process import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
UI_BUILD = ROOT / "src" / "ardea" / "server" / "static" / "ui"
UI_IN_WHEEL = "ardea/server/static/ui/"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _uv() -> str:
    uv = Path(sys.executable).with_name("uv")
    found = str(uv) if uv.exists() else shutil.which("uv")
    if found is None:
        pytest.fail("uv is missing: it is in the dev extra (pip install -e '.[dev]')")
    return found


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_"))}
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    return {**env, **extra}


def _run(argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        argv, env=env or _clean_env(), capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{argv} failed:\n{result.stdout}\n{result.stderr[-4000:]}"
    return result


@dataclass
class Dists:
    wheel: Path
    sdist: Path
    wheel_from_sdist: Path


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    """The wheel and sdist of this checkout, and a wheel built from that sdist without Node."""
    if not (UI_BUILD / "index.html").is_file():
        msg = f"the web UI is not built in {UI_BUILD} (bash scripts/build-ui.sh)"
        if _in_ci():
            pytest.fail(msg + " -- under CI=true this test must run")
        pytest.skip(msg)
    out = tmp_path_factory.mktemp("dist")
    build = [_uv(), "build", "--python", sys.executable]
    _run([*build, "--sdist", "--wheel", "-o", str(out), str(ROOT)])
    (wheel,) = out.glob("ardea-*.whl")
    (sdist,) = out.glob("ardea-*.tar.gz")

    from_sdist = tmp_path_factory.mktemp("dist-from-sdist")
    no_node = path_without_node(tmp_path_factory.mktemp("bin-no-node"))
    env = _clean_env(PATH=no_node)
    _run([*build, "--wheel", "-o", str(from_sdist), str(sdist)], env)
    (wheel2,) = from_sdist.glob("ardea-*.whl")
    return Dists(wheel, sdist, wheel2)


def _built_files() -> set[str]:
    return {p.relative_to(UI_BUILD).as_posix() for p in UI_BUILD.rglob("*") if p.is_file()}


def test_the_wheel_and_the_sdist_hold_the_built_ui(dists: Dists) -> None:
    expected = _built_files()
    assert "index.html" in expected and any(f.startswith("assets/") for f in expected)
    for wheel in (dists.wheel, dists.wheel_from_sdist):
        with zipfile.ZipFile(wheel) as zf:
            names = zf.namelist()
            in_wheel = {n[len(UI_IN_WHEEL) :] for n in names if n.startswith(UI_IN_WHEEL)}
            assert in_wheel == expected, wheel.name
            assert zf.read(UI_IN_WHEEL + "index.html") == (UI_BUILD / "index.html").read_bytes()
        assert not any("node_modules" in n for n in names)
    with tarfile.open(dists.sdist) as tf:
        names = tf.getnames()
    prefix = f"{dists.sdist.name.removesuffix('.tar.gz')}/src/ardea/server/static/ui/"
    assert {n[len(prefix) :] for n in names if n.startswith(prefix)} >= expected
    assert not any("node_modules" in n or "/.venv/" in n for n in names)


@contextlib.contextmanager
def _server(python: Path, cwd: Path) -> Iterator[str]:
    """``ardea server`` of the venv of ``python``, on a free port, data under ``cwd``."""
    port = free_port()
    exe = python.with_name("ardea")
    log = (cwd / "server.log").open("wb")
    proc = subprocess.Popen(
        [str(exe), "server", "--host", "127.0.0.1", "--port", str(port)],
        cwd=cwd,
        env=_clean_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, (cwd / "server.log").read_text()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            time.sleep(0.1)
        else:
            pytest.fail(f"server not healthy:\n{(cwd / 'server.log').read_text()}")
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()


def _install(wheel: Path, where: Path) -> Path:
    """A fresh venv under ``where`` with ``wheel`` (and its dependencies) installed."""
    venv = where / "venv"
    _run([_uv(), "venv", "-q", "--python", sys.executable, str(venv)])
    python = venv / "bin" / "python"
    _run([_uv(), "pip", "install", "-q", "-p", str(python), str(wheel)])
    return python


def _check_serves_the_ui(python: Path, where: Path) -> None:
    # The package comes from the venv, not from this checkout.
    probe = "import ardea.server.static as s; print(s.DEFAULT_BUILD_DIR)"
    build_dir = Path(_run([str(python), "-c", probe]).stdout.strip())
    assert build_dir.is_relative_to(python.parents[1]), build_dir
    cwd = where / "cwd"
    cwd.mkdir()
    with _server(python, cwd) as url:
        index = httpx.get(f"{url}/")
        assert index.status_code == 200
        assert index.headers["content-type"].startswith("text/html")
        assert index.content == (UI_BUILD / "index.html").read_bytes()
        asset = re.search(r'src="/(assets/[^"]+\.js)"', index.text)
        assert asset is not None, index.text
        got = httpx.get(f"{url}/{asset.group(1)}")
        assert got.status_code == 200
        assert got.content == (UI_BUILD / asset.group(1)).read_bytes()
        # A client-side route gets the UI too, and the API answers beside it.
        assert httpx.get(f"{url}/experiments/0").content == index.content
        api = httpx.get(f"{url}/api/2.0/mlflow/experiments/get", params={"experiment_id": "0"})
        assert api.status_code == 200
    assert (cwd / "ardea-data" / "ardea.db").is_file()


def test_an_installed_wheel_serves_the_ui(dists: Dists, tmp_path: Path) -> None:
    _check_serves_the_ui(_install(dists.wheel, tmp_path), tmp_path)


def test_a_wheel_built_from_the_sdist_without_node_serves_the_ui(
    dists: Dists, tmp_path: Path
) -> None:
    _check_serves_the_ui(_install(dists.wheel_from_sdist, tmp_path), tmp_path)


def test_a_tree_without_the_built_ui_refuses_to_build(dists: Dists, tmp_path: Path) -> None:
    with tarfile.open(dists.sdist) as tf:
        tf.extractall(tmp_path, filter="data")
    (tree,) = tmp_path.glob("ardea-*")
    shutil.rmtree(tree / "src" / "ardea" / "server" / "static" / "ui")
    argv = [_uv(), "build", "--wheel", "--python", sys.executable, "-o", str(tmp_path / "out")]
    result = subprocess.run(
        [*argv, str(tree)], env=_clean_env(), capture_output=True, text=True, timeout=600
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "web UI is not built" in output and "bash scripts/build-ui.sh" in output
    assert not list((tmp_path / "out").glob("*.whl"))
    # Building without the UI on purpose works, and says so.
    on_purpose = subprocess.run(
        [*argv, str(tree)],
        env=_clean_env(ARDEA_BUILD_WITHOUT_UI="1"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert on_purpose.returncode == 0, on_purpose.stderr
    (wheel,) = (tmp_path / "out").glob("ardea-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        assert not [n for n in zf.namelist() if n.startswith(UI_IN_WHEEL)]
