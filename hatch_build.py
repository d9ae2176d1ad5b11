"""Hatchling build hook: no wheel or sdist of Ardea without its built web UI.

The UI's build (``scripts/build-ui.sh`` writes it to ``src/ardea/server/static/ui/``) is not
in git, but ``pyproject.toml`` lists it as a build artifact, so the wheel and the sdist ship
it and ``pip install ardea && ardea server`` serves the UI without Node.js. A wheel built
from that sdist takes the UI from it, again without Node.js.

When the build is missing, this hook stops the build with a message saying how to make it,
rather than silently shipping a package without a UI (building the UI here would make Node.js
a requirement of every build, including builds from the sdist). ``ARDEA_BUILD_WITHOUT_UI=1``
builds without the UI on purpose (the server then answers UI paths with a hint). Editable
installs (``pip install -e .``, ``make run``) are never stopped: they serve whatever
``scripts/build-ui.sh`` builds in the checkout later.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

UI_INDEX = Path("src", "ardea", "server", "static", "ui", "index.html")
WITHOUT_UI = "ARDEA_BUILD_WITHOUT_UI"

MISSING_UI = f"""
Ardea's web UI is not built ({UI_INDEX.as_posix()} is missing), and a {{target}} without it
would serve no UI. Build it first (needs Node.js 20+ and npm):

    bash scripts/build-ui.sh

then build the package again. To build without the UI on purpose, set {WITHOUT_UI}=1.
"""


class UiBuildHook(BuildHookInterface):  # type: ignore[type-arg]  # generic only in stubs
    """Checks that the built UI is there before a wheel or an sdist is built."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Raise when the UI is not built (unless editable, or built without UI on purpose)."""
        if self.target_name == "wheel" and version == "editable":
            return
        if (Path(self.root) / UI_INDEX).is_file():
            return
        if os.environ.get(WITHOUT_UI, "").strip().lower() in ("1", "true", "yes"):
            print(f"hatch_build: {WITHOUT_UI} is set: building without the web UI", file=sys.stderr)
            return
        raise RuntimeError(MISSING_UI.format(target=self.target_name))
