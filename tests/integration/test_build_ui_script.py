"""``scripts/build-ui.sh`` (behind ``make run``): Node.js only when the UI must be (re)built.

Each test runs a copy of the script in a small tree of its own (a ``ui/`` with sources, maybe
a build in ``src/ardea/server/static/ui/``), with a ``PATH`` that hides Node.js, or with a fake
``npm`` that records its calls and "builds" by writing ``index.html``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from fixtures.no_node import path_without_node

ROOT = Path(__file__).resolve().parents[2]
BUILT = Path("src/ardea/server/static/ui/index.html")

FAKE_NPM = """#!/bin/sh
echo "$@" >> "$NPM_LOG"
out=../src/ardea/server/static/ui
case "$1" in
  ci|install) mkdir -p node_modules ;;
  run) mkdir -p "$out" && echo fresh > "$out/index.html" ;;
esac
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A checkout-like tree: the script, UI sources (an hour old), no build."""
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "build-ui.sh", root / "scripts" / "build-ui.sh")
    (root / "ui" / "src").mkdir(parents=True)
    (root / "ui" / "package.json").write_text('{"name": "ui"}\n')
    (root / "ui" / "src" / "main.tsx").write_text("export {};\n")
    hour_ago = time.time() - 3600
    for path in (root / "ui" / "package.json", root / "ui" / "src" / "main.tsx"):
        os.utime(path, (hour_ago, hour_ago))
    return root


def _build(tree: Path, mtime: float) -> Path:
    index = tree / BUILT
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text("<html>prebuilt</html>\n")
    os.utime(index, (mtime, mtime))
    return index


def _run(tree: Path, path: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "scripts/build-ui.sh"],
        cwd=tree,
        env={"PATH": path, "HOME": str(tree), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def no_node(tmp_path_factory: pytest.TempPathFactory) -> str:
    return path_without_node(tmp_path_factory.mktemp("bin-no-node"))


def test_an_up_to_date_build_needs_no_node(tree: Path, no_node: str) -> None:
    index = _build(tree, time.time())
    result = _run(tree, no_node)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert index.read_text() == "<html>prebuilt</html>\n"


def test_a_stale_build_is_kept_with_a_warning_when_npm_is_missing(tree: Path, no_node: str) -> None:
    # A fresh clone with a build copied in from elsewhere (cp -p keeps its older time).
    index = _build(tree, time.time() - 7200)
    result = _run(tree, no_node)
    assert result.returncode == 0, result.stderr
    assert "npm not found: keeping the existing web UI build" in result.stderr
    assert index.read_text() == "<html>prebuilt</html>\n"


def test_no_build_and_no_npm_is_one_clear_message(tree: Path, no_node: str) -> None:
    result = _run(tree, no_node)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "the web UI is not built and npm was not found" in lines[0]
    assert "Node.js 20+" in lines[0] and "ardea server" in lines[0]
    assert not (tree / BUILT).exists()


def test_a_stale_build_is_rebuilt_when_npm_is_there(tree: Path, tmp_path: Path) -> None:
    _build(tree, time.time() - 7200)
    fake_bin = tmp_path / "fake-npm"
    fake_bin.mkdir()
    (fake_bin / "npm").write_text(FAKE_NPM)
    (fake_bin / "npm").chmod(0o755)
    log = tmp_path / "npm.log"
    result = _run(tree, f"{fake_bin}{os.pathsep}{os.environ['PATH']}", NPM_LOG=str(log))
    assert result.returncode == 0, result.stderr
    # No package-lock.json in this tree: `npm install` rather than `npm ci`.
    assert log.read_text().splitlines() == ["install --no-audit --no-fund", "run build"]
    assert (tree / BUILT).read_text() == "fresh\n"


def test_no_ui_folder_is_a_no_op(tmp_path: Path, no_node: str) -> None:
    root = tmp_path / "bare"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "build-ui.sh", root / "scripts" / "build-ui.sh")
    result = _run(root, no_node)
    assert result.returncode == 0 and result.stderr == ""
