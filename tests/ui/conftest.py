"""Fixtures of the browser tests: a seeded ``ardea server`` and headless Chromium.

They need Debian's ``chromium`` (``/usr/bin/chromium``; ``make test`` installs it as root),
the ``playwright`` package (the dev extra; never ``playwright install``) and a built UI
(``make test`` runs ``scripts/build-ui.sh`` first). Without one of them the tests skip with
the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TESTS_DIR = Path(__file__).resolve().parents[1]
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))


def in_ci() -> bool:
    """True under CI (``CI=true``), where nothing may skip (as tests/conftest.py)."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing() -> str:
    """Why the browser tests cannot run here ("" when they can)."""
    from ardea.server.static import DEFAULT_BUILD_DIR

    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium; make test does it as root)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing (pip install -e '.[dev]')"
    if not (DEFAULT_BUILD_DIR / "index.html").is_file():
        return f"the web UI is not built in {DEFAULT_BUILD_DIR} (bash scripts/build-ui.sh)"
    return ""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright ``Browser``), or skip/fail with the reason.

    Module-scoped on purpose: Playwright's sync API keeps an event loop running on the main
    thread while it is open, which would break later tests that call ``asyncio.run``.
    """
    reason = _missing()
    if reason:
        if in_ci():
            pytest.fail(f"browser tests cannot run: {reason} -- under CI=true they must run")
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def ui_server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A fresh ``ardea server`` (SQLite, local artifacts) for one test module, stopped after.

    Depends on ``browser`` so that a machine without Chromium skips before starting it.
    """
    from fixtures.server_process import ServerProcess

    server = ServerProcess(tmp_path_factory.mktemp("ui-server"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context and page per test (empty cache and storage), closed after.

    Every Content-Security-Policy violation the browser reports fails the test: the built UI
    must satisfy the server's policy (no inline scripts or styles, nothing from elsewhere).
    """
    from fixtures.browser_checks import csp_violations

    context = browser.new_context()
    pg = context.new_page()
    violations = csp_violations(pg)
    yield pg
    context.close()
    assert violations == [], f"Content-Security-Policy violations: {violations}"
